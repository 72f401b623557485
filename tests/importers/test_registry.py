"""Choosing the importer: by extension, by content, by name; which files a folder holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder.errors import CoderError, InputError
from coder.importers import (
    IMPORTERS,
    detect_format,
    format_names,
    is_transcript_file,
    read_transcript,
)

from .helpers import DATA, build_docx, para, spoken

OTTER_TEXT = (
    "Maryam Kazemi  0:01  \nHello and welcome.\n\nArman Sadeghi  0:07  \nThank you.\n"
)


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("padded-wrapped.txt", "text"),
        ("q-a.txt", "text"),
        ("web-viewer.txt", "text"),
        ("otter.txt", "otter"),
        ("zoom.vtt", "vtt"),
        ("teams.vtt", "vtt"),
        ("whisper.vtt", "vtt"),
        ("interview.srt", "srt"),
        ("front-matter.md", "md"),
        ("otter.md", "md"),
        ("word-utf16-le.txt", "text"),
        ("cp1252.txt", "text"),
    ],
)
def test_sample_files_are_detected(name, fmt):
    path = DATA / name

    assert detect_format(path, path.read_bytes()) == fmt
    assert read_transcript(path)[0].format == fmt


@pytest.mark.parametrize(
    ("name", "data", "fmt"),
    [
        ("captions.txt", b"WEBVTT\n\n00:01.000 --> 00:02.000\nHi.\n", "vtt"),
        ("captions", b"\xef\xbb\xbfWEBVTT\n\n00:01.000 --> 00:02.000\nHi.\n", "vtt"),
        (
            "teams.txt",
            "WEBVTT\r\n\r\n00:01.000 --> 00:02.000\r\nHi.\r\n".encode("utf-16"),
            "vtt",
        ),
        ("call.txt", OTTER_TEXT.encode("utf-16"), "otter"),
        ("call.TXT", OTTER_TEXT.encode(), "otter"),
        ("call.text", OTTER_TEXT.encode("cp1252"), "otter"),
        ("call.md", OTTER_TEXT.encode(), "md"),
        ("SUBS.SRT", b"1\n00:00:01,000 --> 00:00:02,000\nHi.\n", "srt"),
        ("Interview.DOCX", build_docx([para("Interviewer: Hi.")]), "docx"),
        ("notes.markdown", b"Interviewer: Hi.\n", "md"),
        ("a.webvtt", b"WEBVTT\n\n00:01.000 --> 00:02.000\nHi.\n", "vtt"),
    ],
    ids=[
        "vtt-named-txt",
        "vtt-without-extension",
        "utf16-vtt-named-txt",
        "utf16-otter",
        "otter-upper-case-extension",
        "cp1252-otter",
        "otter-in-markdown",
        "srt-upper-case",
        "docx-upper-case",
        "markdown",
        "webvtt",
    ],
)
def test_detection_by_content_then_extension(name, data, fmt):
    assert detect_format(Path(name), data) == fmt


def test_otter_detected_in_a_long_file_whatever_falls_at_byte_20000():
    # A multi-byte character straddles the 20,000th byte.
    padding = "x" * 19999 + "é\n\n"
    data = (padding + OTTER_TEXT + "\nTranscribed by https://otter.ai\n").encode()
    assert data[19999:20001] == "é".encode()

    assert detect_format(Path("long.txt"), data) == "otter"


@pytest.mark.parametrize(
    ("name", "shown"),
    [("notes.pdf", ".pdf"), ("recording.mp3", ".mp3"), ("interview", "interview")],
)
def test_unknown_file_types_list_the_known_ones(tmp_path, name, shown):
    path = tmp_path / name
    path.write_bytes(b"Interviewer: Hello.\n")

    with pytest.raises(InputError) as caught:
        read_transcript(path)

    assert str(caught.value) == (
        f"{path}: unknown transcript type '{shown}'"
        " (known: .docx, .markdown, .md, .srt, .text, .txt, .vtt, .webvtt)"
    )


def test_format_override_reads_any_extension(tmp_path):
    path = tmp_path / "interview.log"
    path.write_text("Interviewer: Hello.\nRespondent: Hi.\n", encoding="utf-8")

    transcript, data = read_transcript(path, fmt="text")

    assert transcript.format == "text"
    assert spoken(transcript) == [("Interviewer", "Hello."), ("Respondent", "Hi.")]
    assert data == path.read_bytes()


def test_format_override_wins_over_detection(tmp_path):
    path = tmp_path / "call.txt"
    path.write_text(OTTER_TEXT, encoding="utf-8")

    assert read_transcript(path)[0].format == "otter"
    assert read_transcript(path, fmt="text")[0].format == "text"


def test_format_override_with_the_wrong_format_fails_on_the_content(tmp_path):
    path = tmp_path / "subs.txt"
    path.write_text("Interviewer: Hello.\n", encoding="utf-8")

    with pytest.raises(InputError) as caught:
        read_transcript(path, fmt="srt")

    assert str(caught.value) == f"{path}: no cues with timings found"


def test_unknown_format_name_lists_the_valid_ones(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Interviewer: Hello.\n", encoding="utf-8")

    with pytest.raises(CoderError) as caught:
        read_transcript(path, fmt="pdf")

    assert str(caught.value) == (
        "unknown format 'pdf' (known: text, otter, vtt, srt, docx, md)"
    )
    assert format_names() == ", ".join(IMPORTERS)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(InputError) as missing:
        read_transcript(tmp_path / "gone.txt")
    with pytest.raises(InputError) as folder:
        read_transcript(tmp_path)

    assert str(missing.value) == f"{tmp_path}/gone.txt: no such file"
    assert str(folder.value) == (
        f"{tmp_path}: is a folder; give the files or use the folder as a whole"
    )


@pytest.fixture
def study(tmp_path) -> Path:
    """A transcripts folder with interviews and the files that sit beside them."""
    names = [
        "a01.txt",
        "a02.VTT",
        "b/b01.srt",
        "b/b02.docx",
        "b/c/c01.md",
        "noticeboard-interview.txt",
        "licensee-meeting.md",
        "README.md",
        "readme-first.txt",
        "LICENSE.txt",
        "Licence.md",
        "NOTICE.txt",
        "CHANGELOG.md",
        "notes_readme.txt",
        ".hidden.txt",
        "~$a01.docx",
        "attributes.csv",
        "audio.mp3",
        "plan.pdf",
    ]
    for name in names:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("Interviewer: Hello.\n", encoding="utf-8")
    (tmp_path / "folder.txt").mkdir()
    return tmp_path


def test_folder_filtering(study):
    picked = sorted(
        path.relative_to(study).as_posix()
        for path in study.rglob("*")
        if is_transcript_file(path)
    )

    assert picked == [
        "a01.txt",
        "a02.VTT",
        "b/b01.srt",
        "b/b02.docx",
        "b/c/c01.md",
        "licensee-meeting.md",
        "notes_readme.txt",
        "noticeboard-interview.txt",
    ]
