"""The nine interviews of the demo study import sensibly, each in its own format."""

from __future__ import annotations

import re

import pytest

from coder.bundled import bundled_dir
from coder.importers import is_transcript_file, read_transcript
from coder.importers._text import NON_SPEECH_TAGS

from .helpers import assert_well_formed

TRANSCRIPTS = bundled_dir("transcripts")

EXPECTED = {
    "og-01-karimi.vtt": ("vtt", ["Maryam Kazemi", "Hamid Karimi"]),
    "og-02-tehrani.md": ("md", ["Interviewer", "Reza Tehrani"]),
    "og-03-nouri.txt": ("text", ["Interviewer", "Sara Nouri"]),
    "pe-01-farahani.txt": ("text", ["Interviewer", "Leila Farahani"]),
    "pe-02-sadeghi.txt": (
        "otter",
        ["Maryam Kazemi", "Arman Sadeghi", "Unknown Speaker"],
    ),
    "pe-03-rostami.docx": ("docx", ["Interviewer", "Mina Rostami"]),
    "re-01-jafari.docx": ("docx", ["Interviewer", "Neda Jafari"]),
    "re-02-hosseini.vtt": ("vtt", ["Maryam Kazemi", "Omid Hosseini"]),
    "re-03-ahmadi.srt": ("srt", ["Interviewer", "Parisa Ahmadi"]),
}

CLOCK_MARKER = re.compile(r"\[\d{1,2}:\d{2}")
OTTER_HEADER = re.compile(r"^[^\W\d_][\w .'-]{0,39} {2}\d{1,2}:\d{2}", re.M)


def test_the_folder_holds_the_nine_interviews():
    found = sorted(p.name for p in TRANSCRIPTS.iterdir() if is_transcript_file(p))

    assert found == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bundled_interview_imports_sensibly(name):
    fmt, speakers = EXPECTED[name]

    transcript, _ = read_transcript(TRANSCRIPTS / name)

    assert transcript.format == fmt
    assert transcript.speakers == speakers
    assert_well_formed(transcript)
    assert len(transcript.text.split()) >= 1500
    for speaker in transcript.speakers:
        assert speaker.lower().strip("[]() ") not in NON_SPEECH_TAGS
        assert not speaker.startswith(("[", "(", "<"))
        # No label left in the coded text.
        assert not re.search(rf"^{re.escape(speaker)}\s*:", transcript.text, re.M)
    assert not CLOCK_MARKER.search(transcript.text)
    assert not OTTER_HEADER.search(transcript.text)
    for leftover in ("-->", "WEBVTT", "<v ", "</v>", "**", "\r", "\ufeff"):
        assert leftover not in transcript.text
    # Most of the interview is spoken by someone.
    unnamed = sum(t.end - t.start for t in transcript.turns if t.speaker is None)
    assert unnamed < len(transcript.text) * 0.05


def test_the_otter_footer_is_reported_as_dropped():
    transcript, _ = read_transcript(TRANSCRIPTS / "pe-02-sadeghi.txt")

    assert [(d.text, d.reason) for d in transcript.dropped] == [
        ("Transcribed by https://otter.ai", "Otter footer, not speech")
    ]


def test_front_matter_of_the_markdown_interview():
    transcript, _ = read_transcript(TRANSCRIPTS / "og-02-tehrani.md")

    assert transcript.language == "en"
    assert transcript.attributes["interview_date"] == "2024-06-03"
