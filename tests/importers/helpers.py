"""Shared checks for the importer tests, and Word documents built from a few blocks."""

from __future__ import annotations

import io
from pathlib import Path

import docx

from coder.model import Transcript

DATA = Path(__file__).parents[1] / "data" / "importers"


def spoken(transcript: Transcript) -> list[tuple[str | None, str]]:
    """(speaker, words) of every turn, the words sliced by the turn's offsets."""
    return [
        (turn.speaker, transcript.text[turn.start : turn.end])
        for turn in transcript.turns
    ]


def marked(transcript: Transcript) -> list[tuple[float, str]]:
    """(seconds, the word at the mark) for every time mark."""
    return [
        (seconds, transcript.text[offset:].split(maxsplit=1)[0])
        for offset, seconds in transcript.time_marks
    ]


def assert_well_formed(transcript: Transcript) -> None:
    """Turns tile the text in order, one blank line apart, with no stray space.

    Time marks fall inside turns, in order.
    """
    text = transcript.text
    assert transcript.turns, "no turns"
    position = 0
    for turn in transcript.turns:
        words = text[turn.start : turn.end]
        assert turn.start == position, (turn, text[position : turn.start])
        assert words and words == words.strip(), turn
        assert "\n\n" not in words, turn
        assert "  " not in words, turn
        position = turn.end + 2
        if turn.end < len(text):
            assert text[turn.end : turn.end + 2] == "\n\n", turn
    assert transcript.turns[-1].end == len(text)
    offsets = [offset for offset, _ in transcript.time_marks]
    assert offsets == sorted(offsets)
    for offset in offsets:
        assert any(t.start <= offset < t.end for t in transcript.turns), offset


# Word documents, described block by block -------------------------------

Block = tuple


def title(text: str) -> Block:
    return ("title", text)


def heading(text: str) -> Block:
    return ("heading", text)


def para(text: str) -> Block:
    return ("para", text)


def bold(label: str, text: str) -> Block:
    """A paragraph starting with a bold run (the label), then plain text."""
    return ("bold", label, text)


def table(*rows: tuple[str, ...]) -> Block:
    return ("table", rows)


def build_docx(blocks: list[Block]) -> bytes:
    document = docx.Document()
    for kind, *args in blocks:
        if kind == "title":
            document.add_heading(args[0], level=0)
        elif kind == "heading":
            document.add_heading(args[0], level=1)
        elif kind == "para":
            document.add_paragraph(args[0])
        elif kind == "bold":
            paragraph = document.add_paragraph()
            paragraph.add_run(args[0]).bold = True
            paragraph.add_run(args[1])
        elif kind == "table":
            rows = args[0]
            grid = document.add_table(rows=len(rows), cols=len(rows[0]))
            for row, values in zip(grid.rows, rows, strict=True):
                for cell, value in zip(row.cells, values, strict=True):
                    cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
