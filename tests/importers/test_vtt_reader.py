"""The direct reader of plain WebVTT files gives what webvtt-py gives, or steps aside."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coder.errors import InputError
from coder.importers import read_transcript, subtitles
from coder.importers._text import decode

ROOT = Path(__file__).resolve().parents[2]
VTT_FILES = sorted(
    [*ROOT.glob("tests/data/importers/*.vtt"), *ROOT.glob("transcripts/*.vtt")]
)


def both(text: str):
    """The direct reader's cues (None when it steps aside) and webvtt-py's."""
    expected = len(subtitles._check_timings(text, "t.vtt", "vtt"))
    return (
        subtitles._plain_vtt(text, expected),
        subtitles._library_cues(text, "t.vtt", "vtt", expected),
    )


@pytest.mark.parametrize("path", VTT_FILES, ids=lambda p: p.name)
def test_every_sample_file_reads_the_same_both_ways(path):
    text, _encoding, _notes = decode(path.read_bytes(), str(path))
    plain, library = both(text)
    if path.name == "whisper.vtt":
        # STYLE block and cue settings: left to webvtt-py.
        assert plain is None
    else:
        assert plain == library


def test_a_file_webvtt_py_must_read_is_still_imported(monkeypatch):
    direct = read_transcript(ROOT / "tests/data/importers/teams.vtt")[0]
    monkeypatch.setattr(subtitles, "_plain_vtt", lambda text, expected: None)
    assert read_transcript(ROOT / "tests/data/importers/teams.vtt")[0] == direct


def _clock(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02}:{minutes:02}:{seconds:02}.{millis:03}"


WORDS = st.sampled_from(
    ["yes", "the cluster", "&amp;", "&lt;b&gt;", "Karimi:", "<i>really</i>",
     "<c.yellow>trust</c>", "a < b", "x>y", "<b>", "</v>", "NOTE", "  ", "—", "é"]
)  # fmt: skip
LINE = st.lists(WORDS, min_size=0, max_size=5).map(" ".join)
VOICE = st.sampled_from(
    ["", "<v Maryam Kazemi>", "<v.loud Omid>", "<v Jane Doe>", "<v>", "<vx Name>"]
)
SETTINGS = st.sampled_from(["", "", "", " align:start", " position:10%"])
IDENTIFIER = st.sampled_from(["", "", "12", "c4627429-fe38/18-0", "NOTE x"])


@st.composite
def vtt_files(draw) -> str:
    header = draw(
        st.sampled_from(["WEBVTT", "WEBVTT - Zoom", "WEBVTT\nKind: captions"])
    )
    blocks = [header]
    at = 0
    kinds = draw(st.lists(st.sampled_from(["cue", "cue", "note", "style"]), max_size=6))
    for kind in [*kinds, "cue"]:
        if kind == "note":
            blocks.append("NOTE " + draw(LINE))
            continue
        if kind == "style":
            blocks.append("STYLE\n::cue { color: white; }")
            continue
        start = at + draw(st.integers(0, 5000))
        at = start + draw(st.integers(0, 9000))
        lines = [draw(IDENTIFIER)] if draw(st.booleans()) else []
        lines = [line for line in lines if line]
        lines.append(f"{_clock(start)} --> {_clock(at)}{draw(SETTINGS)}")
        payload = draw(st.lists(LINE, min_size=0, max_size=3))
        if payload:
            payload[0] = draw(VOICE) + payload[0]
        lines.extend(line for line in payload if line)
        blocks.append("\n".join(lines))
    gap = draw(st.sampled_from(["\n\n", "\n\n\n"]))
    return gap.join(blocks) + draw(st.sampled_from(["", "\n", "\n\n"]))


@given(vtt_files())
def test_generated_files_read_the_same_both_ways(text):
    plain, library = both(text)
    assert plain is None or plain == library


@given(vtt_files())
def test_only_unusual_files_are_left_to_webvtt_py(text):
    plain, _library = both(text)
    unusual = "STYLE" in text or any(
        "-->" in line and not subtitles.PLAIN_TIMING.match(line)
        for line in text.split("\n")
    )
    assert (plain is None) == unusual


@given(vtt_files())
def test_timings_read_at_once_are_those_read_line_by_line(text):
    at_once = subtitles._all_timings(text, "vtt")
    try:
        by_line = subtitles._timings_by_line(text, "t.vtt", "vtt")
    except InputError:
        assert at_once is None
    else:
        assert at_once is None or at_once == by_line
