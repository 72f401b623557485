"""The state and status line shared by every part of the coding screen."""

from __future__ import annotations

from rich.text import Text
from textual.screen import Screen
from textual.widgets import Static

from coder.coding import Coding
from coder.suggest.queue import Suggestion
from coder.tui.data import CodeIndex, TranscriptData, clock
from coder.tui.widgets.codebook import CodebookPanel
from coder.tui.widgets.transcript import TranscriptView


class TranscriptBase(Screen):
    """What every part of the coding screen shares: the document, its codings and the status line.

    `TranscriptScreen` combines the parts (selection, coding and memos,
    suggestion review, search and filter); each part is a subclass of this
    one, so it reads the same state and reports on the same status line.
    """

    document: str
    codes: CodeIndex
    case: str | None
    data: TranscriptData | None
    codings: list[Coding]
    suggestions: list[Suggestion]
    # The suggestion under review, shown in the suggestion bar.
    active: Suggestion | None
    # What the view is narrowed to: ("code", id) or ("speaker", name).
    filter: tuple[str, str] | None
    last_coding_id: int | None
    note: str
    # The selection the note was said at: moving elsewhere clears it.
    note_at: tuple[int, int] | None
    _coded_sentences: set[int]

    @property
    def view(self) -> TranscriptView:
        return self.query_one(TranscriptView)

    @property
    def panel(self) -> CodebookPanel:
        return self.query_one(CodebookPanel)

    def reload(self) -> None:
        """Read codings, suggestions and memos again and show them (`TranscriptScreen`)."""
        raise NotImplementedError

    def _refresh_after_write(self) -> None:
        """Show a write that has landed, unless this screen has been left."""
        if self.is_attached and self.data is not None:
            self.reload()

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
            # A move the view reports late (a rejection collapses the
            # selection first) is no move away from what this says.
            self.note_at = self.view.selection
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
        work = self.app.model_work.status()
        if work:
            text.append(f"  {work}", style="bold cyan")
        if self.suggestions:
            order = "least sure" if self.app.least_sure_first else "surest"
            text.append(f"  N: {order} first", style="dim")
        if self.note:
            text.append(f"  · {self.note}", style="italic")
        self.query_one("#status", Static).update(text, layout=False)

    # The suggestion under review ----------------------------------------------

    def _deactivate(self) -> None:
        self.active = None
        self.query_one("#suggestion-bar", Static).display = False

    def _leave_suggestion(self) -> None:
        if self.active is not None:
            self._deactivate()
