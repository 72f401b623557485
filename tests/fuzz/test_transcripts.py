"""Fuzz the transcript importers: text, Otter, Markdown (with front matter), WebVTT, SubRip."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from coder.importers import parse_transcript
from coder.model import Transcript

from .strategies import (
    any_text_file,
    fuzz,
    one_line,
    outcome,
    sample,
    samples,
    text_edits,
    yaml_documents,
)

FRONT_MATTER = "title: Interview 7\ndate: 2024-05-06\nlanguage: en\nrole: [a, b]\n"


def check(data: bytes, name: str, fmt: str | None = None) -> None:
    """Imports, or one line naming the file; an imported transcript holds together."""
    result: list[Transcript] = []
    exc = outcome(lambda: result.append(parse_transcript(data, name, fmt)), name)
    one_line(exc)
    if result:
        transcript = result[0]
        for turn in transcript.turns:
            assert 0 <= turn.start <= turn.end <= len(transcript.text), turn
        for offset, _ in transcript.time_marks:
            assert 0 <= offset <= len(transcript.text)


@fuzz()
@given(any_text_file(samples(".txt")))
def test_plain_text(data):
    check(data, "interview.txt")


@fuzz()
@given(any_text_file([sample("otter.txt"), sample("otter.md")]))
def test_otter(data):
    check(data, "otter.txt", "otter")


@fuzz()
@given(any_text_file(samples(".vtt")))
def test_webvtt(data):
    check(data, "meeting.vtt")


@fuzz()
@given(any_text_file(samples(".srt", ".vtt")))
def test_subrip(data):
    check(data, "film.srt")


@fuzz()
@given(any_text_file(samples(".md")))
def test_markdown(data):
    check(data, "interview.md")


@st.composite
def front_matter_files(draw) -> bytes:
    matter = draw(yaml_documents(FRONT_MATTER))
    body = draw(text_edits(sample("descript.md").decode("utf-8")))
    closing = draw(st.sampled_from(["---", "...", "", "--- trailing"]))
    return f"---\n{matter}\n{closing}\n{body}".encode("utf-8", "surrogatepass")


@fuzz()
@given(front_matter_files())
def test_markdown_front_matter(data):
    check(data, "interview.md")


@fuzz()
@given(
    st.binary(max_size=600),
    st.sampled_from(["text", "otter", "vtt", "srt", "md", "docx", None]),
    st.sampled_from(["a.txt", "a.vtt", "a.srt", "a.md", "a.docx", "a.webvtt"]),
)
def test_random_bytes_any_format(data, fmt, name):
    check(data, name, fmt)
