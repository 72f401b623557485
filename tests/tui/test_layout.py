"""Wrapping a transcript into screen lines that keep their offsets (no Textual involved)."""

from __future__ import annotations

import itertools

from rich.cells import cell_len

from coder.tui.layout import BLANK, GAP, HEADER, TEXT, Block, Layout, wrap_span

TEXT_A = "Good morning. Thank you for coming today.\n\nYes, of course — happy to help."


def test_wrap_keeps_every_offset_and_the_width():
    for width in (5, 8, 13, 20, 80):
        lines = wrap_span(TEXT_A, 0, len(TEXT_A), width)
        # Lines meet exactly, except where a newline ends one.
        assert lines[0][0] == 0 and lines[-1][1] == len(TEXT_A)
        for (_, end), (start, _) in itertools.pairwise(lines):
            assert start == end or (TEXT_A[end] == "\n" and start == end + 1)
        for start, end in lines:
            assert cell_len(TEXT_A[start:end].rstrip()) <= width


def test_wrap_breaks_between_words_and_keeps_empty_paragraphs():
    lines = wrap_span(TEXT_A, 0, len(TEXT_A), 20)
    shown = [TEXT_A[start:end] for start, end in lines]
    assert shown == [
        "Good morning. Thank ",
        "you for coming ",
        "today.",
        "",
        "Yes, of course — ",
        "happy to help.",
    ]


def test_wrap_cuts_a_word_longer_than_the_line():
    text = "a supercalifragilistic word"
    shown = [text[s:e] for s, e in wrap_span(text, 0, len(text), 8)]
    assert shown == ["a ", "supercal", "ifragili", "stic ", "word"]


def test_wrap_counts_wide_characters_as_two_cells():
    text = "日本語のテキスト です"
    for start, end in wrap_span(text, 0, len(text), 6):
        assert cell_len(text[start:end].rstrip()) <= 6


def _blocks():
    text = "Hello there. How are you?\n\nFine. Thanks. And you?"
    sentences = [(0, 12), (13, 25), (27, 32), (33, 40), (41, 49)]
    blocks = [
        Block(0, 25, "Ann", 3.0, 1, 0, 1),
        Block(27, 49, "Bo", None, 2, 2, 4),
    ]
    return text, blocks, sentences


def test_layout_has_headers_blank_lines_and_offsets():
    text, blocks, sentences = _blocks()
    layout = Layout(text, blocks, sentences, 40)
    kinds = [line.kind for line in layout.lines]
    assert kinds == [HEADER, TEXT, BLANK, HEADER, TEXT]
    assert layout.starts == sorted(layout.starts)
    # Every offset of a sentence is on the line that shows it.
    for start, end in sentences:
        first, last = layout.span_lines(start, end)
        assert (
            layout.lines[first].start <= start < layout.lines[first].end
            or first == last
        )
        assert layout.lines[last].kind == TEXT
    assert layout.line_at(30) == 4
    # Between turns: the next shown text line.
    assert layout.line_at(26) == 4


def test_offset_at_maps_columns_back_to_text():
    text, blocks, sentences = _blocks()
    layout = Layout(text, blocks, sentences, 40)
    assert layout.offset_at(1, 0, text) == 0
    assert layout.offset_at(1, 6, text) == 6
    assert layout.offset_at(1, 500, text) == 25
    assert layout.offset_at(0, 3, text) == 0  # a header line: its block's start


def test_filter_shows_only_given_sentences_with_gaps():
    text, blocks, sentences = _blocks()
    layout = Layout(text, blocks, sentences, 40, visible=[1, 4])
    kinds = [line.kind for line in layout.lines]
    assert kinds == [HEADER, GAP, TEXT, BLANK, HEADER, GAP, TEXT]
    shown = [text[line.start : line.end] for line in layout.lines if line.kind == TEXT]
    assert shown == ["How are you?", "And you?"]
    assert Layout(text, blocks, sentences, 40, visible=[]).lines == []


def test_index_spans_puts_a_span_on_every_line_it_touches():
    text, blocks, sentences = _blocks()
    layout = Layout(text, blocks, sentences, 10)
    spans = layout.index_spans([(6, 30, "x"), (41, 49, "y")])
    lines_x = sorted(y for y, items in spans.items() if "x" in items)
    assert all(layout.lines[y].kind == TEXT for y in lines_x)
    covered = "".join(
        text[layout.lines[y].start : layout.lines[y].end] for y in lines_x
    )
    assert "there. How are you?" in covered and "Fine." in covered
    assert [y for y, items in spans.items() if "y" in items] == [len(layout) - 1]
