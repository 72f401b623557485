"""The transcript reader: a line-API view that wraps, styles and caches lines itself.

Only the lines on screen are rendered (`render_line`), each once until
something it shows changes: the wrapped layout is rebuilt on a resize or a
filter, strips are dropped line by line when the selection moves and all at
once when codings change. There is never one widget per segment, so a
20,000-word interview opens and scrolls as fast as a short one.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.cache import LRUCache
from textual.color import Color
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from coder.tui.data import TranscriptData, clock
from coder.tui.layout import BLANK, GAP, HEADER, TEXT, Layout
from coder.tui.messages import SelectionMoved

# Gutter: the current-sentence mark, three code marks, a memo mark.
GUTTER = 5
CODE_MARKS = 3
# How strongly a code's colour tints the text background it codes.
TINT = 0.38
SCROLL_MARGIN = 2
# Longer lines are hard to read: on a wide terminal the text stops here.
MAX_TEXT_WIDTH = 100

_NEXT_WORD_END = re.compile(r"\s*\S+")


@dataclass(frozen=True, slots=True)
class Span:
    """Something shown over a stretch of text: a coding, a suggestion, a memo."""

    start: int
    end: int
    code: str | None = None
    colour: str | None = None
    item: int | None = None
    order: int = 0

    @property
    def length(self) -> int:
        return self.end - self.start


class TranscriptView(ScrollView, can_focus=True, inherit_bindings=False):
    """A segmented transcript with speakers, times, coded spans and a selection."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "transcript--speaker",
        "transcript--time",
        "transcript--cursor",
        "transcript--selection",
        "transcript--search",
        "transcript--gap",
        "transcript--memo",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.data: TranscriptData | None = None
        self.wrapped: Layout | None = None
        self.codings: list[Span] = []
        self.suggestions: list[Span] = []
        self.memos: list[Span] = []
        self.matches: list[tuple[int, int]] = []
        self.shown: list[int] = []
        self._visible_pos: dict[int, int] = {}
        self.cursor = 0
        self.anchor_index = 0
        self.head_index = 0
        self.selection = (0, 0)
        self.edge = "end"
        self._cache: LRUCache[int, Strip] = LRUCache(2048)
        self._style_cache: dict[tuple, Style] = {}
        self._coding_lines: dict[int, list[Span]] = {}
        self._suggestion_lines: dict[int, list[Span]] = {}
        self._memo_lines: dict[int, list[Span]] = {}
        self._match_starts: list[int] = []
        self._drag_anchor: int | None = None
        self._dragged = False
        self._filtered = False

    # Loading ------------------------------------------------------------------

    def load(self, data: TranscriptData) -> None:
        """Show a document; the cursor goes to its first sentence."""
        self.data = data
        self.shown = list(range(len(data.sentences)))
        self._visible_pos = {index: index for index in self.shown}
        self._filtered = False
        self.wrapped = None
        self._relayout()
        if data.sentences:
            self.move_to(0, scroll=False)

    def set_spans(
        self,
        *,
        codings: list[Span] | None = None,
        suggestions: list[Span] | None = None,
        memos: list[Span] | None = None,
    ) -> None:
        """Replace what is shown over the text; only lines whose spans changed are redrawn."""
        old = set(self.codings) | set(self.suggestions) | set(self.memos)
        if codings is not None:
            self.codings = codings
        if suggestions is not None:
            self.suggestions = suggestions
        if memos is not None:
            self.memos = memos
        new = set(self.codings) | set(self.suggestions) | set(self.memos)
        changed = old ^ new
        self._index_spans(clear=len(changed) > 50)
        if len(changed) <= 50:
            for span in changed:
                self._touch_span(span.start, span.end)

    def set_filter(self, visible: list[int] | None) -> None:
        """Show only these sentences (all of them with None)."""
        if self.data is None:
            return
        self._filtered = visible is not None
        self.shown = (
            list(range(len(self.data.sentences))) if visible is None else list(visible)
        )
        self._visible_pos = {index: pos for pos, index in enumerate(self.shown)}
        self._relayout(force=True)
        if self.shown and self.cursor not in self._visible_pos:
            self.move_to(self._nearest_visible(self.cursor))
        else:
            self.scroll_to_cursor(center=True)

    def set_search(self, query: str) -> list[tuple[int, int]]:
        """Highlight every case-insensitive occurrence of `query`; returns them."""
        matches: list[tuple[int, int]] = []
        if self.data is not None and query:
            haystack = self.data.text.casefold()
            needle = query.casefold()
            position = haystack.find(needle)
            while position != -1:
                matches.append((position, position + len(needle)))
                position = haystack.find(needle, position + len(needle))
        self.matches = matches
        self._match_starts = [start for start, _ in matches]
        self._clear_cache()
        return matches

    # Geometry -----------------------------------------------------------------

    @property
    def text_width(self) -> int:
        available = self.scrollable_content_region.width - GUTTER - 1
        return max(8, min(MAX_TEXT_WIDTH, available))

    def _relayout(self, force: bool = False) -> None:
        data = self.data
        width = self.scrollable_content_region.width
        if data is None or width <= 0:
            return
        if (
            not force
            and self.wrapped is not None
            and self.wrapped.width == self.text_width
        ):
            return
        # Keep the cursor on the same screen row across the change.
        row = None
        if self.wrapped is not None and data.sentences:
            row = self._cursor_line() - round(self.scroll_y)
        self.wrapped = Layout(
            data.text,
            data.blocks,
            data.sentences,
            self.text_width,
            self.shown if self._filtered else None,
        )
        self.virtual_size = Size(width, len(self.wrapped))
        self._index_spans()
        if row is not None:
            self.scroll_to(y=max(0, self._cursor_line() - row), animate=False)

    def _index_spans(self, clear: bool = True) -> None:
        if self.wrapped is not None:
            index = self.wrapped.index_spans
            self._coding_lines = index(
                (span.start, span.end, span) for span in self.codings
            )
            self._suggestion_lines = index(
                (span.start, span.end, span) for span in self.suggestions
            )
            self._memo_lines = index(
                (span.start, span.end, span) for span in self.memos
            )
        if clear:
            self._clear_cache()

    def _clear_cache(self) -> None:
        self._cache.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._style_cache.clear()
        self._cache.clear()

    def on_resize(self, event: events.Resize) -> None:
        self._relayout()
        self._cache.clear()
        # A bar appearing below (a suggestion, the search box) must not hide the cursor.
        self.scroll_to_cursor()

    def _cursor_line(self) -> int:
        assert self.wrapped is not None and self.data is not None
        start, _ = self.data.sentences[self.cursor]
        return self.wrapped.line_at(start)

    def scroll_to_cursor(self, center: bool = False) -> None:
        if self.wrapped is None or self.data is None or not self.data.sentences:
            return
        start, end = self.data.sentences[self.cursor]
        first, last = self.wrapped.span_lines(start, end)
        # Show the speaker line above a turn's first sentence too.
        if first >= 1 and self.wrapped.lines[first - 1].kind == HEADER:
            first -= 1
        height = self.scrollable_content_region.height
        if height <= 0:
            return
        top = round(self.scroll_y)
        margin = min(SCROLL_MARGIN, max(0, (height - 1) // 4))
        target = None
        if center:
            target = first - height // 3
        elif last - first + 1 > height - 2 * margin or first < top + margin:
            target = first - margin
        elif last > top + height - 1 - margin:
            target = last - height + 1 + margin
        if target is not None:
            self.scroll_to(y=max(0, target), animate=False)

    # Moving and selecting -----------------------------------------------------

    def _nearest_visible(self, index: int) -> int:
        if not self.shown:
            return index
        pos = bisect_left(self.shown, index)
        return self.shown[min(pos, len(self.shown) - 1)]

    def _touch_span(self, start: int, end: int) -> None:
        """Redraw the lines showing [start, end)."""
        if self.wrapped is None or not len(self.wrapped):
            return
        first, last = self.wrapped.span_lines(start, max(end, start + 1))
        for y in range(first, last + 1):
            self._cache.discard(y)
        self.refresh_lines(first, last - first + 1)

    def _set(
        self,
        cursor: int,
        selection: tuple[int, int],
        *,
        anchor: int | None = None,
        head: int | None = None,
        edge: str | None = None,
        scroll: bool = True,
    ) -> None:
        assert self.data is not None
        old_cursor = self.data.sentences[self.cursor] if self.data.sentences else (0, 0)
        old_selection = self.selection
        self.cursor = cursor
        self.selection = selection
        self.anchor_index = cursor if anchor is None else anchor
        self.head_index = cursor if head is None else head
        if edge is not None:
            self.edge = edge
        for span in (old_cursor, old_selection, self.data.sentences[cursor], selection):
            self._touch_span(*span)
        if scroll:
            self.scroll_to_cursor()
        self.post_message(SelectionMoved(cursor, *selection))

    def move_to(self, index: int, *, scroll: bool = True) -> None:
        """Make sentence `index` current and select it."""
        if self.data is None or not self.data.sentences:
            return
        index = max(0, min(index, len(self.data.sentences) - 1))
        self._set(index, self.data.sentences[index], edge="end", scroll=scroll)

    def move(self, delta: int) -> None:
        """Move by `delta` shown sentences."""
        if not self.shown:
            return
        pos = self._visible_pos.get(self.cursor)
        if pos is None:
            pos = bisect_left(self.shown, self.cursor)
        pos = max(0, min(pos + delta, len(self.shown) - 1))
        self.move_to(self.shown[pos])

    def move_turn(self, delta: int) -> None:
        """To the first shown sentence of the next (or this, then the previous) turn."""
        data = self.data
        if data is None or not self.shown:
            return
        block = data.sentence_block[self.cursor]
        firsts: list[int] = []
        seen: set[int] = set()
        for index in self.shown:
            number = data.sentence_block[index]
            if number not in seen:
                seen.add(number)
                firsts.append(index)
        blocks = [data.sentence_block[i] for i in firsts]
        here = bisect_left(blocks, block)
        if delta > 0:
            target = here + 1 if here < len(blocks) and blocks[here] == block else here
        else:
            on_first = here < len(firsts) and firsts[here] == self.cursor
            target = here - 1 if on_first else here
        target = max(0, min(target, len(firsts) - 1))
        self.move_to(firsts[target])

    def move_first(self) -> None:
        if self.shown:
            self.move_to(self.shown[0])

    def move_last(self) -> None:
        if self.shown:
            self.move_to(self.shown[-1])

    def page(self, delta: int) -> None:
        """Scroll a page and move the cursor with it, keeping its row."""
        if self.wrapped is None or self.data is None or not self.shown:
            return
        height = max(1, self.scrollable_content_region.height - 1)
        line = self._cursor_line()
        top = round(self.scroll_y)
        new_top = max(0, min(top + delta * height, round(self.max_scroll_y)))
        target_line = max(0, min(line + delta * height, len(self.wrapped) - 1))
        offset = self.wrapped.lines[target_line].start
        index = self._nearest_visible(self.data.sentence_at(offset))
        if index == self.cursor:
            pos = self._visible_pos.get(index, 0) + (1 if delta > 0 else -1)
            index = self.shown[max(0, min(pos, len(self.shown) - 1))]
        self.scroll_to(y=new_top, animate=False)
        self.move_to(index)

    def extend_sentence(self, delta: int) -> None:
        """Grow or shrink the selection by a sentence at its moving end."""
        data = self.data
        if data is None or not self.shown:
            return
        anchor = self.anchor_index
        pos = self._visible_pos.get(
            self.head_index, bisect_left(self.shown, self.head_index)
        )
        head = self.shown[max(0, min(pos + delta, len(self.shown) - 1))]
        start, end = self.selection
        a_start, a_end = data.sentences[anchor]
        if head >= anchor:
            # Keep a start trimmed inside the anchor sentence; reset it otherwise.
            first = start if a_start <= start < a_end else a_start
            selection = (first, data.sentences[head][1])
            edge = "end"
        else:
            last = end if a_start < end <= a_end else a_end
            selection = (data.sentences[head][0], last)
            edge = "start"
        self._set(head, selection, anchor=anchor, head=head, edge=edge)

    def adjust(self, unit: str, delta: int) -> None:
        """Move the selection's moving end by a word or a character."""
        data = self.data
        if data is None:
            return
        text = data.text
        start, end = self.selection
        if self.edge == "end":
            if unit == "word":
                new = (
                    _next_word_end(text, end)
                    if delta > 0
                    else _prev_word_end(text, end)
                )
            else:
                new = end + delta
            new = max(start + 1, min(new, len(text)))
            selection = (start, new)
            cursor = data.sentence_at(new - 1)
        else:
            if unit == "word":
                new = (
                    _next_word_start(text, start)
                    if delta > 0
                    else _prev_word_start(text, start)
                )
            else:
                new = start + delta
            new = max(0, min(new, end - 1))
            selection = (new, end)
            cursor = data.sentence_at(new)
        cursor = self._nearest_visible(cursor)
        self._set(cursor, selection, anchor=self.anchor_index, head=cursor)

    def swap_edge(self) -> None:
        """Switch which end of the selection words and characters move."""
        self.edge = "start" if self.edge == "end" else "end"
        data = self.data
        if data is None:
            return
        start, end = self.selection
        cursor = data.sentence_at(start if self.edge == "start" else end - 1)
        self._set(
            self._nearest_visible(cursor), self.selection, anchor=self.anchor_index
        )

    def select_turn(self) -> None:
        """Select the whole turn (or paragraph) of the current sentence."""
        data = self.data
        if data is None or not data.sentences:
            return
        block = data.blocks[data.sentence_block[self.cursor]]
        first = block.first if block.last >= block.first else self.cursor
        last = block.last if block.last >= block.first else self.cursor
        self._set(
            self.cursor,
            (block.start, block.end),
            anchor=first,
            head=last,
            edge="end",
        )

    def select_span(self, start: int, end: int) -> None:
        """Select exactly [start, end); the cursor goes to the sentence it starts in."""
        data = self.data
        if data is None or not data.sentences:
            return
        cursor = self._nearest_visible(data.sentence_at(start))
        self._set(cursor, (start, end), edge="end")
        self.scroll_to_cursor()

    def collapse(self) -> None:
        """Back to selecting just the current sentence."""
        self.move_to(self.cursor, scroll=False)

    # Mouse ----------------------------------------------------------------------

    def _mouse_offset(self, event: events.MouseEvent) -> int | None:
        if self.wrapped is None or self.data is None:
            return None
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        y = offset.y + round(self.scroll_y)
        return self.wrapped.offset_at(y, offset.x - GUTTER, self.data.text)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if event.button != 1:
            return
        offset = self._mouse_offset(event)
        if offset is None:
            return
        self.focus()
        self._drag_anchor = offset
        self._dragged = False
        self.capture_mouse()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._drag_anchor is None:
            return
        offset = self._mouse_offset(event)
        if offset is None or self.data is None:
            return
        if offset == self._drag_anchor:
            return
        self._dragged = True
        text = self.data.text
        low, high = sorted((self._drag_anchor, offset))
        start = _word_start_at(text, low)
        end = _word_end_at(text, high)
        if end <= start:
            return
        moving_end = offset >= self._drag_anchor
        cursor = self.data.sentence_at(end - 1 if moving_end else start)
        anchor = self.data.sentence_at(self._drag_anchor)
        self._set(
            self._nearest_visible(cursor),
            (start, end),
            anchor=anchor,
            head=cursor,
            edge="end" if moving_end else "start",
        )

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._drag_anchor is None:
            return
        anchor = self._drag_anchor
        self._drag_anchor = None
        self.release_mouse()
        if not self._dragged and self.data is not None and self.data.sentences:
            self.move_to(self._nearest_visible(self.data.sentence_at(anchor)))

    # Rendering -------------------------------------------------------------------

    @property
    def _base_style(self) -> Style:
        # The widget's own style, worked out once (rich_style walks the DOM each time).
        style = self._style_cache.get(("base",))
        if style is None:
            style = self._style_cache[("base",)] = self.rich_style
        return style

    def _component(self, name: str, partial: bool = False) -> Style:
        style = self._style_cache.get((name, partial))
        if style is None:
            style = self.get_component_rich_style(name, partial=partial)
            self._style_cache[(name, partial)] = style
        return style

    def _text_style(
        self, colour: str | None, selected: bool, searched: bool, suggested: bool
    ) -> Style:
        key = (colour, selected, searched, suggested)
        style = self._style_cache.get(key)
        if style is not None:
            return style
        style = self._base_style
        if colour is not None:
            background = self.background_colors[1]
            tint = background.blend(Color.parse(colour), TINT)
            style = style + Style(bgcolor=tint.rich_color)
        if suggested:
            style = style + Style(underline=True)
        # Partial: only what the CSS sets, so a selected coded span keeps its tint.
        if searched:
            style = style + self._component("transcript--search", partial=True)
        if selected:
            style = style + self._component("transcript--selection", partial=True)
        self._style_cache[key] = style
        return style

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if self.wrapped is None and self.data is not None and width > 0:
            # First paint before the first resize event: lay out now, so the
            # first frame shows text rather than a blank view.
            self._relayout()
            if self.data.sentences:
                self.scroll_to_cursor()
        line_y = round(self.scroll_y) + y
        strip = self._cache.get(line_y)
        if strip is None or strip.cell_length != width:
            strip = self._render(line_y, width)
            self._cache[line_y] = strip
        return strip

    def _render(self, y: int, width: int) -> Strip:
        base = self._base_style
        layout, data = self.wrapped, self.data
        if layout is None or data is None or y >= len(layout) or width <= 0:
            return Strip.blank(width, base)
        line = layout.lines[y]
        segments: list[Segment] = []
        if line.kind == TEXT:
            segments.extend(self._gutter(y, line.start, line.end))
            segments.extend(self._text_segments(y, line.start, line.end))
        elif line.kind == HEADER:
            segments.append(Segment(" " * GUTTER, base))
            block = data.blocks[line.block]
            speaker = block.speaker or ""
            if speaker:
                segments.append(
                    Segment(speaker, self._component("transcript--speaker"))
                )
            if block.start_time is not None:
                segments.append(Segment("  " if speaker else "", base))
                segments.append(
                    Segment(
                        clock(block.start_time), self._component("transcript--time")
                    )
                )
        elif line.kind == GAP:
            segments.append(Segment(" " * GUTTER, base))
            segments.append(Segment("⋯", self._component("transcript--gap")))
        elif line.kind == BLANK:
            pass
        strip = Strip(segments)
        return strip.crop_extend(0, width, base)

    def _gutter(self, y: int, start: int, end: int) -> list[Segment]:
        base = self._base_style
        assert self.data is not None
        c_start, c_end = (
            self.data.sentences[self.cursor] if self.data.sentences else (0, 0)
        )
        in_cursor = start < c_end and end > c_start
        parts = [
            Segment("▌", self._component("transcript--cursor"))
            if in_cursor
            else Segment(" ", base)
        ]
        codes: list[Span] = []
        seen: set[str | None] = set()
        for span in sorted(self._coding_lines.get(y, ()), key=_code_order):
            if span.code not in seen:
                seen.add(span.code)
                codes.append(span)
        for slot in range(CODE_MARKS):
            if slot < len(codes):
                if slot == CODE_MARKS - 1 and len(codes) > CODE_MARKS:
                    parts.append(Segment("+", base))
                else:
                    colour = Color.parse(codes[slot].colour or "#888888")
                    parts.append(Segment("┃", base + Style(color=colour.rich_color)))
            else:
                parts.append(Segment(" ", base))
        if self._memo_lines.get(y):
            parts.append(Segment("✎", self._component("transcript--memo")))
        else:
            parts.append(Segment(" ", base))
        return parts

    def _text_segments(self, y: int, start: int, end: int) -> list[Segment]:
        assert self.data is not None
        text = self.data.text
        shown = text[start:end].rstrip()
        stop = start + len(shown)
        if stop <= start:
            return []
        codings = self._coding_lines.get(y, ())
        suggestions = self._suggestion_lines.get(y, ())
        sel_start, sel_end = self.selection
        matches = self._matches_between(start, stop)
        cuts = {start, stop}
        for span in codings:
            cuts.add(span.start)
            cuts.add(span.end)
        for span in suggestions:
            cuts.add(span.start)
            cuts.add(span.end)
        for m_start, m_end in matches:
            cuts.add(m_start)
            cuts.add(m_end)
        cuts.add(sel_start)
        cuts.add(sel_end)
        points = sorted(p for p in cuts if start <= p <= stop)
        segments = []
        for left, right in itertools.pairwise(points):
            if left >= right:
                continue
            colour = None
            shortest = None
            for span in codings:
                if (
                    span.start <= left
                    and span.end >= right
                    and (shortest is None or span.length < shortest)
                ):
                    shortest = span.length
                    colour = span.colour
            suggested = any(s.start <= left and s.end >= right for s in suggestions)
            searched = any(a <= left and b >= right for a, b in matches)
            selected = sel_start <= left and sel_end >= right
            segments.append(
                Segment(
                    text[left:right],
                    self._text_style(colour, selected, searched, suggested),
                )
            )
        return segments

    def _matches_between(self, start: int, end: int) -> list[tuple[int, int]]:
        if not self.matches:
            return []
        index = max(0, bisect_left(self._match_starts, start) - 1)
        found = []
        while index < len(self.matches) and self.matches[index][0] < end:
            m_start, m_end = self.matches[index]
            if m_end > start:
                found.append((m_start, m_end))
            index += 1
        return found


def _code_order(span: Span) -> tuple[int, int]:
    return (span.order, span.start)


def _next_word_end(text: str, position: int) -> int:
    match = _NEXT_WORD_END.match(text, position)
    return match.end() if match else len(text)


def _prev_word_end(text: str, position: int) -> int:
    index = position
    while index > 0 and not text[index - 1].isspace():
        index -= 1
    while index > 0 and text[index - 1].isspace():
        index -= 1
    return index


def _next_word_start(text: str, position: int) -> int:
    index, size = position, len(text)
    while index < size and not text[index].isspace():
        index += 1
    while index < size and text[index].isspace():
        index += 1
    return index


def _prev_word_start(text: str, position: int) -> int:
    index = position
    while index > 0 and text[index - 1].isspace():
        index -= 1
    while index > 0 and not text[index - 1].isspace():
        index -= 1
    return index


def _word_start_at(text: str, position: int) -> int:
    """The start of the word `position` is in (or the next word when on a space)."""
    size = len(text)
    position = max(0, min(position, size))
    while position < size and text[position].isspace():
        position += 1
    while position > 0 and not text[position - 1].isspace():
        position -= 1
    return position


def _word_end_at(text: str, position: int) -> int:
    """The end of the word `position` is in (or the previous word when on a space)."""
    size = len(text)
    position = max(0, min(position, size))
    if position < size and not text[position].isspace():
        while position < size and not text[position].isspace():
            position += 1
        return position
    while position > 0 and text[position - 1].isspace():
        position -= 1
    return position
