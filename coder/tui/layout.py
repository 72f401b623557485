"""A transcript laid out as wrapped lines of a given width, with offsets kept for every line.

Pure Python (no Textual): the transcript view asks it which text a screen line
shows, which line holds an offset, and which offset a mouse column points at.
Every line keeps the half-open span of document text it shows, so a span
anywhere (a coding, the selection, a search hit) maps to lines by bisection.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len

# Kinds of screen line.
TEXT = 0  # wrapped transcript text
HEADER = 1  # a turn's speaker and time
BLANK = 2  # between turns, or an empty line inside one
GAP = 3  # sentences hidden by a filter

_WORD = re.compile(r"(\S+)(\s*)")


@dataclass(frozen=True, slots=True)
class Block:
    """A turn or paragraph: the unit that gets a speaker header."""

    start: int
    end: int
    speaker: str | None
    start_time: float | None
    segment_id: int | None
    first: int  # index of its first sentence
    last: int  # index of its last sentence (first - 1 when it has none)


@dataclass(frozen=True, slots=True)
class Line:
    kind: int
    block: int
    start: int
    end: int


def _cells(text: str) -> int:
    return len(text) if text.isascii() else cell_len(text)


def wrap_span(text: str, start: int, end: int, width: int) -> list[tuple[int, int]]:
    """Greedy word wrap of ``text[start:end]`` to `width` cells.

    Returns (start, end) offsets of each line; consecutive lines of a paragraph
    meet exactly (trailing spaces stay on the line they follow), newlines end a
    line and an empty paragraph gives an empty line.
    """
    width = max(1, width)
    lines: list[tuple[int, int]] = []
    position = start
    while position <= end:
        newline = text.find("\n", position, end)
        para_end = end if newline == -1 else newline
        line_start = position
        used = 0
        # Most transcripts are ASCII: then a word's cells are its length.
        plain = text[position:para_end].isascii()
        for match in _WORD.finditer(text, position, para_end):
            word_start, word_end = match.span(1)
            cells = word_end - word_start if plain else _cells(match.group(1))
            if used and used + cells > width:
                lines.append((line_start, word_start))
                line_start, used = word_start, 0
            while cells > width:
                # A word longer than the line: cut it where the cells run out.
                cut, taken = word_start, 0
                while cut < word_end:
                    step = _cells(text[cut])
                    if taken + step > width and taken:
                        break
                    taken += step
                    cut += 1
                lines.append((line_start, cut))
                line_start = word_start = cut
                cells = _cells(text[cut:word_end])
                used = 0
            used += cells + (match.end() - word_end)
        if line_start < para_end or line_start == position:
            lines.append((line_start, para_end))
        if newline == -1:
            break
        position = newline + 1
    return lines


class Layout:
    """Screen lines for the given blocks, wrapped to `width` text cells.

    Args:
        text: The document text.
        blocks: Turns and paragraphs in text order.
        sentences: (start, end) of every sentence in text order.
        width: Cells available for text.
        visible: Sentence indices to show (all when None); hidden runs become a gap line.
    """

    def __init__(
        self,
        text: str,
        blocks: Sequence[Block],
        sentences: Sequence[tuple[int, int]],
        width: int,
        visible: Iterable[int] | None = None,
    ) -> None:
        self.width = width
        lines: list[Line] = []
        shown = None if visible is None else set(visible)
        for number, block in enumerate(blocks):
            if shown is None:
                runs = [(block.start, block.end)]
            else:
                runs = []
                gap_before = False
                open_run: list[int] | None = None
                for index in range(block.first, block.last + 1):
                    if index in shown:
                        s_start, s_end = sentences[index]
                        if open_run is None:
                            open_run = [s_start, s_end, gap_before]
                        else:
                            open_run[1] = s_end
                    else:
                        if open_run is not None:
                            runs.append(tuple(open_run))
                            open_run = None
                        gap_before = True
                if open_run is not None:
                    runs.append(tuple(open_run))
                if not runs:
                    continue
            if lines:
                lines.append(Line(BLANK, number, block.start, block.start))
            first_start = runs[0][0]
            if block.speaker or block.start_time is not None:
                lines.append(Line(HEADER, number, first_start, first_start))
            for run in runs:
                run_start, run_end = run[0], run[1]
                if len(run) > 2 and run[2]:
                    lines.append(Line(GAP, number, run_start, run_start))
                for line_start, line_end in wrap_span(text, run_start, run_end, width):
                    lines.append(Line(TEXT, number, line_start, line_end))
        self.lines = lines
        self.starts = [line.start for line in lines]

    def __len__(self) -> int:
        return len(self.lines)

    def line_at(self, offset: int) -> int:
        """The text line showing `offset`, or the first shown text line after it."""
        lines = self.lines
        count = len(lines)
        if not count:
            return 0
        # The last line starting at or before the offset; several lines can
        # start at one offset (blank, header, text) and bisect_right lands on
        # the text line after them.
        y = max(0, bisect_right(self.starts, offset) - 1)
        while y < count and not (lines[y].kind == TEXT and lines[y].end > offset):
            y += 1
        if y == count:
            y = count - 1
            while y > 0 and lines[y].kind != TEXT:
                y -= 1
        return y

    def last_line_before(self, offset: int) -> int:
        """The last text line starting before `offset`."""
        lines = self.lines
        if not lines:
            return 0
        y = max(0, bisect_left(self.starts, offset) - 1)
        while y > 0 and lines[y].kind != TEXT:
            y -= 1
        return y

    def span_lines(self, start: int, end: int) -> tuple[int, int]:
        """First and last line (inclusive) showing any of [start, end)."""
        first = self.line_at(start)
        last = max(first, self.last_line_before(end))
        return first, last

    def offset_at(self, y: int, column: int, text: str) -> int:
        """The offset a cell column of line `y` points at (clamped to the line)."""
        if not self.lines:
            return 0
        line = self.lines[max(0, min(y, len(self.lines) - 1))]
        if line.kind != TEXT or column <= 0:
            return line.start
        chunk = text[line.start : line.end]
        if chunk.isascii():
            return line.start + min(column, len(chunk))
        used = 0
        for index, char in enumerate(chunk):
            used += cell_len(char)
            if used > column:
                return line.start + index
        return line.end

    def index_spans(
        self, spans: Iterable[tuple[int, int, object]]
    ) -> dict[int, list[object]]:
        """Which of the (start, end, item) spans each text line shows."""
        by_line: dict[int, list[object]] = {}
        lines = self.lines
        count = len(lines)
        for start, end, item in spans:
            y = self.line_at(start)
            while y < count and lines[y].start < end:
                line = lines[y]
                if line.kind == TEXT and line.end > start:
                    by_line.setdefault(y, []).append(item)
                y += 1
        return by_line
