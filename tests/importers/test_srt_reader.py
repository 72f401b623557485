"""The direct reader of SubRip files gives what webvtt-py gives, or steps aside."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coder.errors import InputError
from coder.importers import read_transcript, subtitles
from coder.importers._text import decode

ROOT = Path(__file__).resolve().parents[2]
SRT_FILES = sorted(
    [*ROOT.glob("tests/data/importers/*.srt"), *ROOT.glob("transcripts/*.srt")]
)


def both(text: str):
    """The direct reader's cues (None when it steps aside) and webvtt-py's.

    webvtt-py's are its error instead when it cannot read every cue, and
    both are that error when a timing line is refused before either reads.
    """
    try:
        expected = len(subtitles._check_timings(text, "t.srt", "srt"))
    except InputError as exc:
        return None, exc
    try:
        library = subtitles._library_cues(text, "t.srt", "srt", expected)
    except InputError as exc:
        library = exc
    return subtitles._plain_srt(text, expected), library


@pytest.mark.parametrize("path", SRT_FILES, ids=lambda p: p.name)
def test_every_sample_file_is_read_directly_and_the_same_both_ways(path):
    text, _encoding, _notes = decode(path.read_bytes(), str(path))
    plain, library = both(text)
    assert plain is not None
    assert plain == library


def test_a_file_webvtt_py_must_read_is_still_imported(monkeypatch):
    path = ROOT / "tests/data/importers/interview.srt"
    direct = read_transcript(path)[0]
    monkeypatch.setattr(subtitles, "_plain_srt", lambda text, expected: None)
    assert read_transcript(path)[0] == direct


def test_a_cue_with_a_blank_line_in_its_text_is_left_to_webvtt_py():
    text = (
        "1\n00:00:01,000 --> 00:00:02,000\nFirst part\n\nsecond part\n\n"
        "2\n00:00:03,000 --> 00:00:04,000\nNext\n"
    )
    plain, library = both(text)
    assert plain is None
    assert library == [(None, "First part\nsecond part"), (None, "Next")]


def _clock(ms: int, separator: str) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02}:{minutes:02}:{seconds:02}{separator}{millis:03}"


WORDS = st.sampled_from(
    ["yes", "the cluster", "&amp;", "Karimi:", "<i>really</i>", "<b>", "</b>",
     '<font color="red">trust</font>', "a < b", "x>y", "<v Jane Doe>", "<v>",
     "2019", "-->", "—", "é", "\u3000", "  "]
)  # fmt: skip
LINE = st.lists(WORDS, min_size=1, max_size=4).map(" ".join)
INDEX = st.sampled_from(["{n}", "{n}", "{n}", " {n}", "{n} ", "x{n}", "", "²"])
ARROW = st.sampled_from([" --> ", " --> ", "-->", "  -->  ", " --> "])
TAIL = st.sampled_from(["", "", "", " ", " X1:100 X2:200", "0"])
GAP = st.sampled_from(["\n\n", "\n\n", "\n\n\n", "\n \n", "\n\u3000\n"])


@st.composite
def srt_files(draw, usual: bool = False) -> str:
    blocks = []
    at = 0
    for number in range(1, draw(st.integers(1, 6)) + 1):
        start = at + draw(st.integers(0, 5000))
        at = start + draw(st.integers(0, 9000))
        separator = "," if usual else draw(st.sampled_from([",", ",", "."]))
        index = "{n}" if usual else draw(INDEX)
        arrow = " --> " if usual else draw(ARROW)
        tail = "" if usual else draw(TAIL)
        timing = f"{_clock(start, separator)}{arrow}{_clock(at, separator)}{tail}"
        lines = [index.format(n=number), timing] if index else [timing]
        payload = draw(st.lists(LINE, min_size=1, max_size=3))
        if usual:
            payload = [line for line in payload if "-->" not in line and line.strip()]
            payload = payload or ["words"]
        elif draw(st.booleans()):
            # Text that runs on after a blank line.
            payload.insert(draw(st.integers(1, len(payload))), "")
        lines.extend(payload)
        blocks.append("\n".join(lines))
    gaps = [draw(GAP) for _ in blocks]
    text = "".join(block + gap for block, gap in zip(blocks, gaps, strict=True))
    return draw(st.sampled_from(["", "\n", " \n"])) + text


@given(srt_files())
def test_generated_files_read_the_same_both_ways(text):
    plain, library = both(text)
    assert plain is None or plain == library


@given(srt_files(usual=True))
def test_numbered_cues_are_read_directly(text):
    assert subtitles._all_timings(text, "srt") is not None
    plain, library = both(text)
    assert plain is not None
    assert plain == library


@given(srt_files())
def test_timings_read_at_once_are_those_read_line_by_line(text):
    at_once = subtitles._all_timings(text, "srt")
    try:
        by_line = subtitles._timings_by_line(text, "t.srt", "srt")
    except InputError:
        assert at_once is None
    else:
        assert at_once is None or at_once == by_line
