"""Reading and coding one transcript, from the keyboard (and the mouse)."""

from __future__ import annotations

from bisect import bisect_right
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, Static

from coder.activity import data_version
from coder.codes import coding_counts
from coder.coding import Coding, apply_coding, remove_coding
from coder.errors import CoderError
from coder.history import redo, undo
from coder.memos import list_memos
from coder.reading import document_codings, document_segments, get_document
from coder.suggest.queue import (
    Suggestion,
    accept_suggestion,
    list_suggestions,
    reject_suggestion,
)
from coder.tui.data import CodeIndex, TranscriptData, clock, transcript_data
from coder.tui.messages import (
    CodeChosen,
    PendingWritesChanged,
    ProjectChanged,
    SelectionMoved,
)
from coder.tui.screens.confirm import ConfirmScreen
from coder.tui.screens.memo import MemoScreen, MemoTarget
from coder.tui.screens.pick import Choice, PickScreen
from coder.tui.screens.typeahead import redirect_typing
from coder.tui.widgets.codebook import CodebookPanel
from coder.tui.widgets.transcript import Span, TranscriptView

POLL_SECONDS = 2.0
# How long a first digit waits for a second one (codes 10 and up).
DIGIT_WAIT = 0.7


class TranscriptScreen(Screen):
    """One document: move by sentence and turn, select, code, memo, review suggestions."""

    _just_mounted = True
    HELP_TITLE = "Transcript"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "down,j", "move(1)", "Next sentence", show=False, tooltip="Next sentence"
        ),
        Binding(
            "up,k",
            "move(-1)",
            "Previous sentence",
            show=False,
            tooltip="Previous sentence",
        ),
        Binding(
            "J",
            "turn(1)",
            "Next turn",
            show=False,
            tooltip="First sentence of the next turn",
        ),
        Binding(
            "K",
            "turn(-1)",
            "Previous turn",
            show=False,
            tooltip="First sentence of this turn, then of the previous one",
        ),
        Binding(
            "pagedown",
            "page(1)",
            "Page down",
            show=False,
            tooltip="A page down (the cursor moves with it)",
        ),
        Binding(
            "pageup",
            "page(-1)",
            "Page up",
            show=False,
            tooltip="A page up (the cursor moves with it)",
        ),
        Binding("home", "first", "First", show=False, tooltip="First sentence"),
        Binding("end", "last", "Last", show=False, tooltip="Last sentence"),
        Binding(
            "shift+down",
            "extend(1)",
            "Extend",
            show=False,
            tooltip="Extend the selection by a sentence",
        ),
        Binding(
            "shift+up",
            "extend(-1)",
            "Shrink",
            show=False,
            tooltip="Extend the selection upwards by a sentence (or shrink it)",
        ),
        Binding(
            "w",
            "adjust('word', 1)",
            "Word on",
            show=False,
            tooltip="Move the selection's moving end a word forward",
        ),
        Binding(
            "b",
            "adjust('word', -1)",
            "Word back",
            show=False,
            tooltip="Move the selection's moving end a word back",
        ),
        Binding(
            "shift+right",
            "adjust('char', 1)",
            "Char on",
            show=False,
            tooltip="Move the selection's moving end a character forward",
        ),
        Binding(
            "shift+left",
            "adjust('char', -1)",
            "Char back",
            show=False,
            tooltip="Move the selection's moving end a character back",
        ),
        Binding(
            "g",
            "swap_edge",
            "Other end",
            show=False,
            tooltip="Switch the end of the selection that w, b and shift+←/→ move",
        ),
        Binding(
            "space", "select_turn", "Turn", show=False, tooltip="Select the whole turn"
        ),
        Binding(
            "escape",
            "escape",
            "Back to sentence",
            show=False,
            tooltip="Select just the current sentence again; then clear the search, the suggestion and the filter",
        ),
        Binding(
            "enter",
            "pick_code",
            "Code",
            tooltip="Apply a code to the selection, picked by name (fuzzy)",
        ),
        *[
            Binding(
                str(digit),
                f"digit({digit})",
                "Code no.",
                show=False,
                tooltip="Apply the code with this number in the panel (1 then 2 for 12)",
            )
            for digit in (1, 2, 3, 4, 5, 6, 7, 8, 9, 0)
        ],
        Binding(
            "delete,backspace",
            "remove_coding",
            "Uncode",
            show=False,
            tooltip="Remove a coding on the selection (asks which when there are several)",
        ),
        Binding(
            "u",
            "undo",
            "Undo",
            tooltip="Undo your last coding, removal or memo (works across restarts)",
        ),
        Binding("ctrl+r,U", "redo", "Redo", show=False, tooltip="Redo what you undid"),
        Binding(
            "m",
            "memo",
            "Memo",
            tooltip="Write a memo on the coding, sentence, turn, document or code",
        ),
        Binding(
            "n", "next_uncoded", "Uncoded", tooltip="Next sentence without a coding"
        ),
        Binding(
            "N",
            "next_suggestion",
            "Suggest",
            tooltip="Next pending suggestion in this document",
        ),
        Binding(
            "plus",
            "accept",
            "Accept",
            show=False,
            key_display="+",
            tooltip="Accept the current suggestion, with the selection as its span",
        ),
        Binding(
            "minus",
            "reject",
            "Reject",
            show=False,
            key_display="-",
            tooltip="Reject the current suggestion",
        ),
        Binding(
            "slash",
            "search",
            "Search",
            key_display="/",
            # Priority: acted on as it arrives, so keys typed right after it
            # already go to the search box.
            priority=True,
            tooltip="Search the text (enter: next match, esc: close)",
        ),
        Binding(
            "f",
            "filter",
            "Filter",
            show=False,
            tooltip="Show only sentences with a code, or of a speaker",
        ),
        Binding(
            "ctrl+o",
            "toggle_panel",
            "Panel",
            show=False,
            tooltip="Show or hide the codebook panel",
        ),
        Binding("q", "back", "Back", show=False, tooltip="Back to the documents"),
    ]

    def __init__(
        self,
        document: str,
        codes: CodeIndex,
        *,
        suggestion_id: int | None = None,
        at: tuple[int, int] | None = None,
    ) -> None:
        super().__init__()
        self.document = document
        self.codes = codes
        self.start_suggestion = suggestion_id
        self.start_span = at
        self.data: TranscriptData | None = None
        self.codings: list[Coding] = []
        self.suggestions: list[Suggestion] = []
        self.active: Suggestion | None = None
        self.filter: tuple[str, str] | None = None
        self.last_coding_id: int | None = None
        self.note = ""
        self._coded_sentences: set[int] = set()
        self._digits = ""
        self._digit_timer: Timer | None = None
        self._version: int | None = None
        self._segment_spans: dict[str, tuple[int, int]] | None = None
        # Each code's own letter, from the codebook, as a binding of this screen.
        for entry in codes.entries:
            if entry.code.key:
                self._bindings.bind(
                    entry.code.key,
                    f"apply_code('{entry.id}')",
                    f"Apply code: {entry.name}",
                    show=False,
                )

    # Building ----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="reader"):
            yield TranscriptView(id="transcript")
            yield CodebookPanel(self.codes, id="panel")
        yield Static(id="suggestion-bar")
        yield Input(
            placeholder="search the text: enter for the next match, esc to close",
            id="search",
            compact=True,
        )
        yield Static(id="status")
        yield Footer(show_command_palette=False)

    @property
    def view(self) -> TranscriptView:
        return self.query_one(TranscriptView)

    @property
    def panel(self) -> CodebookPanel:
        return self.query_one(CodebookPanel)

    def on_mount(self) -> None:
        project = self.app.project
        document = get_document(project, self.document)
        segments = document_segments(project, self.document, lemmas=False)
        self.data = transcript_data(document, segments)
        self.case = document.case
        self.view.load(self.data)
        self.reload()
        self.set_focus(self.view)
        if self.start_suggestion is not None:
            found = [s for s in self.suggestions if s.id == self.start_suggestion]
            if found:
                self._activate(found[0])
        elif self.start_span is not None:
            self.view.select_span(*self.start_span)
        self.set_interval(POLL_SECONDS, self._poll)

    def _poll(self) -> None:
        if self.app.screen is self and data_version(self.app.project) != self._version:
            try:
                self.reload()
            except CoderError as error:
                # Someone removed or replaced this document meanwhile.
                self.notify(str(error), severity="error")
                self.app.action_documents()

    def on_screen_resume(self) -> None:
        # The first resume follows the mount, which has just loaded everything.
        if self.data is not None and not self._just_mounted:
            self.reload()
        self._just_mounted = False

    def on_key(self, event: events.Key) -> None:
        redirect_typing(self, event)

    @on(ProjectChanged)
    def _project_changed(self, event: ProjectChanged) -> None:
        self.reload()

    def reload(self) -> None:
        """Read codings, suggestions and memos again and show them."""
        app = self.app
        project = app.project
        self._version = data_version(project)
        coder = None if app.show_all else app.coder
        self.codings = document_codings(project, self.document, coder=coder)
        self.suggestions = list_suggestions(
            project, status="pending", document=self.document
        )
        if self.active is not None and all(
            s.id != self.active.id for s in self.suggestions
        ):
            self._deactivate()
        codes = self.codes
        self.view.set_spans(
            codings=[
                Span(
                    c.start,
                    c.end,
                    c.code,
                    codes.colour(c.code),
                    c.id,
                    codes.order(c.code),
                )
                for c in self.codings
            ],
            suggestions=[
                Span(s.start, s.end, s.code, codes.colour(s.code), s.id)
                for s in self.suggestions
            ],
            memos=self._memo_spans(),
        )
        self._coded_sentences = self._sentences_of(self.codings)
        if self.filter is not None:
            self._apply_filter(self.filter, quiet=True)
        self.panel.set_counts(
            coding_counts(project, app.coder),
            coding_counts(project) if app.show_all else None,
        )
        self._title()
        self._status()

    def _memo_spans(self) -> list[Span]:
        data = self.data
        assert data is not None
        spans = [Span(c.start, c.end) for c in self.codings if c.memo]
        if self._segment_spans is None:
            found = {sid: data.sentences[n] for n, sid in enumerate(data.sentence_ids)}
            for block in data.blocks:
                if block.segment_id is not None:
                    found[block.segment_id] = (block.start, block.end)
            self._segment_spans = {str(sid): span for sid, span in found.items()}
        for memo in list_memos(self.app.project, "segment"):
            if not self.app.show_all and memo.coder != self.app.coder:
                continue
            span = self._segment_spans.get(memo.target_id or "")
            if span is not None:
                spans.append(Span(*span))
        return spans

    def _sentences_of(self, codings: list[Coding]) -> set[int]:
        data = self.data
        assert data is not None
        found: set[int] = set()
        for coding in codings:
            index = data.sentence_at(coding.start)
            while index < len(data.sentences) and data.sentences[index][0] < coding.end:
                if data.sentences[index][1] > coding.start:
                    found.add(index)
                index += 1
        return found

    def _title(self) -> None:
        app = self.app
        parts = [self.document]
        if self.case:
            parts.append(self.case)
        parts.append("everyone" if app.show_all else app.coder)
        if self.filter is not None:
            kind, value = self.filter
            parts.append(
                f"only {kind} {self.codes.name(value) if kind == 'code' else value}"
            )
        self.sub_title = " · ".join(parts)

    # Status line ---------------------------------------------------------------

    def flash(self, message: str) -> None:
        """Say what just happened, on the status line (until the next move).

        A write that waited for the project may land after this screen was
        left: then there is no status line to say it on.
        """
        self.note = message
        if self.is_attached:
            self._status()

    def _status(self) -> None:
        data = self.data
        if data is None or not data.sentences:
            self.query_one("#status", Static).update("This document has no sentences.")
            return
        view = self.view
        cursor = view.cursor
        block = data.blocks[data.sentence_block[cursor]]
        start, end = view.selection
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"{cursor + 1}/{len(data.sentences)}", style="bold")
        if block.speaker:
            text.append(f"  {block.speaker}")
        if block.start_time is not None:
            text.append(f" {clock(block.start_time)}", style="dim")
        if (start, end) != data.sentences[cursor]:
            text.append(f"  sel {end - start} chars", style="dim")
        c_start, c_end = data.sentences[cursor]
        here = [c for c in self.codings if c.start < c_end and c.end > c_start]
        seen: set[tuple[str, str]] = set()
        for coding in sorted(here, key=lambda c: self.codes.order(c.code)):
            key = (coding.code, coding.coder)
            if key in seen:
                continue
            seen.add(key)
            text.append("  ■ ", style=self.codes.colour(coding.code))
            text.append(self.codes.name(coding.code))
            if self.app.show_all:
                text.append(f" ({coding.coder})", style="dim")
        pending = self.app.writes.pending
        if pending:
            text.append(
                f"  ⧗ {len(pending)} pending: {pending[-1]} (project busy; saved when"
                " it frees)",
                style="bold yellow",
            )
        if self.note:
            text.append(f"  · {self.note}", style="italic")
        self.query_one("#status", Static).update(text, layout=False)

    @on(SelectionMoved)
    def _moved(self, event: SelectionMoved) -> None:
        if self.active is not None and self.data is not None:
            # A suggestion stays current while its span is adjusted, not after moving away.
            # (The view's selection now, not the event's: events arrive late.)
            start, end = self.view.selection
            if not (start < self.active.end and end > self.active.start):
                self._deactivate()
        self.note = ""
        self._status()

    # Moving and selecting --------------------------------------------------------

    def action_move(self, delta: int) -> None:
        self._leave_suggestion()
        self.view.move(delta)

    def action_turn(self, delta: int) -> None:
        self._leave_suggestion()
        self.view.move_turn(delta)

    def action_page(self, delta: int) -> None:
        self._leave_suggestion()
        self.view.page(delta)

    def action_first(self) -> None:
        self._leave_suggestion()
        self.view.move_first()

    def action_last(self) -> None:
        self._leave_suggestion()
        self.view.move_last()

    def action_extend(self, delta: int) -> None:
        self.view.extend_sentence(delta)

    def action_adjust(self, unit: str, delta: int) -> None:
        self.view.adjust(unit, delta)

    def action_swap_edge(self) -> None:
        self.view.swap_edge()
        self.flash(f"w, b and shift+←/→ now move the {self.view.edge} of the selection")

    def action_select_turn(self) -> None:
        self.view.select_turn()

    def action_escape(self) -> None:
        search = self.query_one("#search", Input)
        view = self.view
        data = self.data
        if search.has_focus:
            search.display = False
            self.set_focus(view)
        elif self.active is not None:
            self._deactivate()
            view.collapse()
        elif (
            data is not None
            and data.sentences
            and view.selection != data.sentences[view.cursor]
        ):
            view.collapse()
        elif view.matches:
            view.set_search("")
            search.value = ""
        elif self.filter is not None:
            self.filter = None
            view.set_filter(None)
            self._title()

    def _leave_suggestion(self) -> None:
        if self.active is not None:
            self._deactivate()

    # Coding ----------------------------------------------------------------------

    def _apply(self, code_id: str) -> None:
        view = self.view
        start, end = view.selection
        known = {c.id for c in self.codings}
        name = self.codes.name(code_id)
        document, coder = self.document, self.app.coder

        def stored(coding_id: int) -> None:
            self.last_coding_id = coding_id
            self._refresh_after_write()
            if coding_id in known:
                self.flash(f"already coded {name} here")
            else:
                self.flash(f"coded {name} (u undoes)")

        self.app.writes.submit(
            f"{name} on {document} [{start}:{end}]",
            lambda: apply_coding(
                self.app.project, document, start, end, code_id, coder=coder
            ),
            stored,
        )

    def action_apply_code(self, code_id: str) -> None:
        self._apply(code_id)

    def action_digit(self, digit: int) -> None:
        if self._digit_timer is not None:
            self._digit_timer.stop()
            self._digit_timer = None
        self._digits += str(digit)
        number = int(self._digits)
        if number * 10 > len(self.codes) or len(self._digits) >= 3:
            self._apply_number()
        else:
            self.flash(f"code no. {self._digits}…")
            self._digit_timer = self.set_timer(DIGIT_WAIT, self._apply_number)

    def _apply_number(self) -> None:
        if self._digit_timer is not None:
            self._digit_timer.stop()
            self._digit_timer = None
        digits, self._digits = self._digits, ""
        if not digits:
            return
        entry = self.codes.by_number(int(digits))
        if entry is None:
            self.flash(f"no code no. {digits} (1 to {len(self.codes)})")
            return
        self._apply(entry.id)

    def action_pick_code(self) -> None:
        if not self.codes.entries:
            self.notify(
                "No codebook loaded: coder codebook load FILE", severity="warning"
            )
            return
        choices = []
        for entry in self.codes.entries:
            label = Text(no_wrap=True, overflow="ellipsis")
            label.append(f"{entry.number:>2} ", style="dim")
            label.append(entry.code.key or " ", style="bold")
            label.append(" ■ ", style=entry.colour)
            label.append("  " * entry.depth + entry.name)
            choices.append(Choice(label, entry.id, entry.id))
        highlighted = self.panel.highlighted
        initial = (
            self.codes.by_id[highlighted].number - 1
            if highlighted in self.codes.by_id
            else 0
        )

        def chosen(code_id: str | None) -> None:
            if code_id:
                self._apply(code_id)

        self.app.push_screen(
            PickScreen("Apply code to the selection", choices, initial=initial), chosen
        )

    @on(CodeChosen)
    def _code_chosen(self, event: CodeChosen) -> None:
        self._apply(event.code_id)
        self.set_focus(self.view)

    def _overlapping(self) -> list[Coding]:
        start, end = self.view.selection
        found = [c for c in self.codings if c.start < end and c.end > start]
        # Those matching the selection exactly first, the latest first.
        return sorted(found, key=lambda c: ((c.start, c.end) != (start, end), -c.id))

    def _coding_label(self, coding: Coding) -> Text:
        label = Text(no_wrap=True, overflow="ellipsis")
        label.append("■ ", style=self.codes.colour(coding.code))
        label.append(self.codes.name(coding.code))
        label.append(f" [{coding.start}–{coding.end}] {coding.coder}: ", style="dim")
        assert self.data is not None
        label.append(" ".join(self.data.text[coding.start : coding.end].split()))
        return label

    def action_remove_coding(self) -> None:
        found = self._overlapping()
        if not found:
            self.flash("no coding on the selection")
            return
        if len(found) == 1:
            self._remove(found[0])
            return
        choices = [Choice(self._coding_label(c), c.id, c.code) for c in found]

        def chosen(coding_id: int | None) -> None:
            for coding in found:
                if coding.id == coding_id:
                    self._remove(coding)

        self.app.push_screen(PickScreen("Remove which coding?", choices), chosen)

    def _remove(self, coding: Coding) -> None:
        def remove(sure: bool | None = True) -> None:
            if not sure:
                return
            name = self.codes.name(coding.code)

            def removed(_: object) -> None:
                self._refresh_after_write()
                self.flash(f"removed {name} (u undoes)")

            self.app.writes.submit(
                f"removing {name}",
                lambda: remove_coding(self.app.project, coding.id),
                removed,
            )

        if coding.coder != self.app.coder:
            self.app.push_screen(
                ConfirmScreen(
                    f"Remove {coding.coder}'s coding {self.codes.name(coding.code)}? It is theirs, not yours.",
                    yes="Remove",
                    no="Keep",
                ),
                remove,
            )
        else:
            remove()

    def action_undo(self) -> None:
        coder = self.app.coder

        def undone(change) -> None:
            self._refresh_after_write()
            self.flash(f"undone: {change.describe()}" if change else "nothing to undo")

        self.app.writes.submit("undo", lambda: undo(self.app.project, coder), undone)

    def action_redo(self) -> None:
        coder = self.app.coder

        def redone(change) -> None:
            self._refresh_after_write()
            self.flash(f"redone: {change.describe()}" if change else "nothing to redo")

        self.app.writes.submit("redo", lambda: redo(self.app.project, coder), redone)

    def _refresh_after_write(self) -> None:
        """Show a write that has landed, unless this screen has been left."""
        if self.is_attached and self.data is not None:
            self.reload()

    @on(PendingWritesChanged)
    def _pending_changed(self, event: PendingWritesChanged) -> None:
        self._status()

    # Memos ---------------------------------------------------------------------------

    def memo_targets(self) -> tuple[list[MemoTarget], int]:
        """What a memo could be about here, and which one is meant most likely."""
        data = self.data
        assert data is not None
        view = self.view
        targets: list[MemoTarget] = []
        mine = [c for c in self._overlapping() if c.coder == self.app.coder]
        for coding in mine:
            targets.append(
                MemoTarget(
                    "coding",
                    coding.id,
                    f"coding {self.codes.name(coding.code)} [{coding.start}–{coding.end}]",
                )
            )
        cursor = view.cursor
        block_number = data.sentence_block[cursor]
        block = data.blocks[block_number]
        sentence = MemoTarget(
            "segment", data.sentence_ids[cursor], f"sentence {cursor + 1}"
        )
        turn = MemoTarget(
            "segment",
            block.segment_id,
            f"turn {block_number + 1}"
            + (f" ({block.speaker})" if block.speaker else ""),
        )
        targets += [
            sentence,
            turn,
            MemoTarget("document", self.document, f"document {self.document}"),
        ]
        code = self.panel.highlighted
        if code:
            targets.append(MemoTarget("code", code, f"code {self.codes.name(code)}"))
        exact = [n for n, c in enumerate(mine) if (c.start, c.end) == view.selection]
        if exact:
            initial = exact[0]
        elif len(mine) == 1:
            initial = 0
        elif view.selection == (block.start, block.end):
            initial = targets.index(turn)
        else:
            initial = targets.index(sentence)
        return targets, initial

    def action_memo(self) -> None:
        if self.data is None or not self.data.sentences:
            return
        if self.panel.tree.has_focus and self.panel.highlighted:
            code = self.panel.highlighted
            targets = [MemoTarget("code", code, f"code {self.codes.name(code)}")]
            initial = 0
        else:
            targets, initial = self.memo_targets()

        def closed(saved: bool | None) -> None:
            if saved:
                self.reload()
                self.flash("memo saved")

        self.app.push_screen(MemoScreen(targets, initial), closed)

    # Finding ---------------------------------------------------------------------------

    def action_next_uncoded(self) -> None:
        view = self.view
        order = view.shown
        if not order:
            return
        position = bisect_right(order, view.cursor)
        for index in order[position:] + order[:position]:
            if index not in self._coded_sentences:
                self._leave_suggestion()
                view.move_to(index)
                return
        self.flash("every sentence shown is coded")

    def action_next_suggestion(self) -> None:
        if not self.suggestions:
            self.flash("no pending suggestions in this document")
            return
        start = self.view.selection[0]
        current = self.active.id if self.active else None
        later = [
            s
            for s in self.suggestions
            if s.start > start
            or (s.start == start and current is not None and s.id > current)
        ]
        self._activate(later[0] if later else self.suggestions[0])

    def _activate(self, suggestion: Suggestion) -> None:
        self.active = suggestion
        self.view.select_span(suggestion.start, suggestion.end)
        bar = self.query_one("#suggestion-bar", Static)
        number = (
            self.suggestions.index(suggestion) + 1
            if suggestion in self.suggestions
            else 0
        )
        text = Text()
        text.append(f"Suggestion {number}/{len(self.suggestions)}  ", style="bold")
        text.append("■ ", style=self.codes.colour(suggestion.code))
        text.append(self.codes.name(suggestion.code), style="bold")
        text.append(f"  {suggestion.method} {suggestion.score:.2f}", style="dim")
        text.append(f"\n{suggestion.reason}")
        text.append("\n+ ", style="bold")
        text.append("accept  ")
        text.append("- ", style="bold")
        text.append("reject  ")
        text.append("shift+arrows w b ", style="bold")
        text.append("adjust the span first  ")
        text.append("esc ", style="bold")
        text.append("skip")
        bar.update(text)
        bar.display = True

    def _deactivate(self) -> None:
        self.active = None
        self.query_one("#suggestion-bar", Static).display = False

    def action_accept(self) -> None:
        suggestion = self.active
        if suggestion is None:
            self.flash("no suggestion here: N goes to the next one")
            return
        start, end = self.view.selection
        name = self.codes.name(suggestion.code)
        adjusted = (
            ""
            if (start, end) == (suggestion.start, suggestion.end)
            else " with your span"
        )
        coder = self.app.coder

        def accepted(coding_id: int) -> None:
            self.last_coding_id = coding_id
            if self.is_attached and self.active and self.active.id == suggestion.id:
                self._deactivate()
            self._refresh_after_write()
            self.flash(f"accepted {name}{adjusted}; N for the next")

        self.app.writes.submit(
            f"accepting {name}",
            lambda: accept_suggestion(
                self.app.project, suggestion.id, coder=coder, start=start, end=end
            ),
            accepted,
        )

    def action_reject(self) -> None:
        suggestion = self.active
        if suggestion is None:
            self.flash("no suggestion here: N goes to the next one")
            return
        name = self.codes.name(suggestion.code)
        coder = self.app.coder

        def rejected(_: object) -> None:
            if self.is_attached and self.active and self.active.id == suggestion.id:
                self._deactivate()
                self.view.collapse()
            self._refresh_after_write()
            self.flash(f"rejected {name}; N for the next")

        self.app.writes.submit(
            f"rejecting {name}",
            lambda: reject_suggestion(self.app.project, suggestion.id, coder=coder),
            rejected,
        )

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        if search.has_focus:
            search.insert_text_at_cursor("/")  # a priority key: the box never saw it
            return
        search.display = True
        self.set_focus(search)

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        found = self.view.set_search(event.value)
        if event.value:
            self.flash(f"{len(found)} match{'es' if len(found) != 1 else ''}")

    @on(Input.Submitted, "#search")
    def _search_next(self, event: Input.Submitted) -> None:
        view = self.view
        data = self.data
        if not view.matches or data is None:
            self.flash("no match")
            return
        after = view.selection[0]
        shown = set(view.shown)
        candidates = [m for m in view.matches if data.sentence_at(m[0]) in shown]
        if not candidates:
            self.flash("no match among the sentences shown")
            return
        later = [m for m in candidates if m[0] > after]
        start, end = later[0] if later else candidates[0]
        view.select_span(start, end)
        number = view.matches.index((start, end)) + 1
        self.flash(f"match {number}/{len(view.matches)}")

    def action_filter(self) -> None:
        data = self.data
        if data is None:
            return
        # None means cancelled, so "everything" is False.
        choices = [Choice(Text("everything", style="italic"), False, "all clear")]
        counts: dict[str, int] = {}
        for coding in self.codings:
            counts[coding.code] = counts.get(coding.code, 0) + 1
        for entry in self.codes.entries:
            label = Text(no_wrap=True, overflow="ellipsis")
            label.append("code ")
            label.append("■ ", style=entry.colour)
            label.append("  " * entry.depth + entry.name)
            label.append(f" ({counts.get(entry.id, 0)})", style="dim")
            choices.append(Choice(label, ("code", entry.id), entry.id))
        for speaker in dict.fromkeys(b.speaker for b in data.blocks if b.speaker):
            choices.append(Choice(f"speaker {speaker}", ("speaker", speaker)))

        def chosen(value: tuple[str, str] | bool | None) -> None:
            if value is None:
                return
            self._apply_filter(value)

        self.app.push_screen(
            PickScreen("Show only the sentences with", choices), chosen
        )

    def _apply_filter(
        self, value: tuple[str, str] | bool, *, quiet: bool = False
    ) -> None:
        data = self.data
        view = self.view
        assert data is not None
        if value is False:
            self.filter = None
            view.set_filter(None)
            self._title()
            return
        kind, wanted = value
        if kind == "speaker":
            visible = [
                n
                for n, b in enumerate(data.sentence_block)
                if data.blocks[b].speaker == wanted
            ]
        else:
            codes = self._with_descendants(wanted)
            visible = sorted(
                self._sentences_of([c for c in self.codings if c.code in codes])
            )
        if not visible and not quiet:
            self.flash(
                f"no sentences with {self.codes.name(wanted) if kind == 'code' else wanted}"
            )
            return
        self.filter = (kind, wanted)
        if not (view._filtered and view.shown == visible):
            view.set_filter(visible)
        self._title()

    def _with_descendants(self, code_id: str) -> set[str]:
        found = {code_id}
        for entry in self.codes.entries:
            if entry.parent in found:
                found.add(entry.id)
        return found

    # Layout ----------------------------------------------------------------------------

    def action_toggle_panel(self) -> None:
        panel = self.panel
        panel.display = not panel.display
        if not panel.display:
            self.set_focus(self.view)

    def action_back(self) -> None:
        self.app.action_documents()
