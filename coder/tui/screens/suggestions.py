"""The suggestions screen: the queue of suggested codings, each with the reason it was made."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from coder.suggest.queue import (
    Suggestion,
    accept_suggestion,
    list_suggestions,
    reject_suggestion,
)
from coder.tui.messages import ProjectChanged


class SuggestionsScreen(Screen):
    """Accept or reject suggestions here, or open one in its transcript to adjust its span."""

    _just_mounted = True
    HELP_TITLE = "Suggestions"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "open",
            "Open",
            tooltip="Open the suggestion in its transcript, to adjust its span before accepting",
        ),
        Binding(
            "plus",
            "accept",
            "Accept",
            key_display="+",
            tooltip="Accept the highlighted suggestion as it is",
        ),
        Binding(
            "minus",
            "reject",
            "Reject",
            key_display="-",
            tooltip="Reject the highlighted suggestion",
        ),
        Binding("j", "cursor(1)", "Down", show=False, tooltip="Next suggestion"),
        Binding("k", "cursor(-1)", "Up", show=False, tooltip="Previous suggestion"),
        Binding("q,escape", "back", "Back", tooltip="Back to where you were"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.suggestions: list[Suggestion] = []

    def compose(self) -> ComposeResult:
        yield Header()
        table = DataTable(id="suggestions", cursor_type="row", zebra_stripes=True)
        table.add_column("document", key="document")
        table.add_column("code", key="code")
        table.add_column("score", key="score")
        table.add_column("text", key="text")
        yield table
        yield Static(id="suggestion-details")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.reload()
        self.set_focus(self.query_one(DataTable))

    def on_screen_resume(self) -> None:
        # The first resume follows the mount, which has just loaded everything.
        if not self._just_mounted:
            self.reload()
        self._just_mounted = False

    @on(ProjectChanged)
    def _changed(self, event: ProjectChanged) -> None:
        self.reload()

    def reload(self) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row or 0
        self.suggestions = list_suggestions(self.app.project, status="pending")
        codes = self.app.codes
        table.clear()
        for suggestion in self.suggestions:
            code = Text(no_wrap=True)
            code.append("■ ", style=codes.colour(suggestion.code))
            code.append(codes.name(suggestion.code))
            snippet = " ".join(suggestion.text.split())
            table.add_row(
                suggestion.document,
                code,
                Text(f"{suggestion.score:.2f}", justify="right"),
                snippet[:60] + ("…" if len(snippet) > 60 else ""),
                key=str(suggestion.id),
            )
        if self.suggestions:
            table.move_cursor(row=min(row, len(self.suggestions) - 1), animate=False)
        self.sub_title = f"{len(self.suggestions)} pending suggestions"
        self._details()

    @property
    def highlighted(self) -> Suggestion | None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        if row is None or not 0 <= row < len(self.suggestions):
            return None
        return self.suggestions[row]

    def _details(self) -> None:
        details = self.query_one("#suggestion-details", Static)
        suggestion = self.highlighted
        if suggestion is None:
            details.update(Text("No pending suggestions.", style="dim"))
            return
        text = Text()
        text.append("■ ", style=self.app.codes.colour(suggestion.code))
        text.append(self.app.codes.name(suggestion.code), style="bold")
        text.append(
            f"  {suggestion.document} [{suggestion.start}–{suggestion.end}]",
            style="dim",
        )
        text.append(f"  {suggestion.method} {suggestion.score:.2f}", style="dim")
        text.append(f"\nWhy: {suggestion.reason}")
        text.append(f"\n“{' '.join(suggestion.text.split())}”", style="italic")
        details.update(text)

    @on(DataTable.RowHighlighted)
    def _row(self, event: DataTable.RowHighlighted) -> None:
        self._details()

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_cursor(self, delta: int) -> None:
        table = self.query_one(DataTable)
        if self.suggestions:
            row = max(
                0, min((table.cursor_row or 0) + delta, len(self.suggestions) - 1)
            )
            table.move_cursor(row=row, animate=False)

    def action_open(self) -> None:
        suggestion = self.highlighted
        if suggestion is not None:
            self.app.open_document(suggestion.document, suggestion_id=suggestion.id)

    def action_accept(self) -> None:
        suggestion = self.highlighted
        if suggestion is None:
            return
        name = self.app.codes.name(suggestion.code)
        coder = self.app.coder

        def accepted(_: object) -> None:
            self.app.model_work.labelled(suggestion.document)
            self.notify(f"accepted {name} on {suggestion.document}: coded by {coder}")
            if self.is_attached:
                self.reload()

        self.app.writes.submit(
            f"accepting {name}",
            lambda: accept_suggestion(self.app.project, suggestion.id, coder=coder),
            accepted,
        )

    def action_reject(self) -> None:
        suggestion = self.highlighted
        if suggestion is None:
            return
        name = self.app.codes.name(suggestion.code)
        coder = self.app.coder

        def rejected(_: object) -> None:
            self.app.model_work.labelled(suggestion.document)
            self.notify(
                f"rejected {name} on {suggestion.document}: not coded, and the"
                f" model learns it is not {name} there"
            )
            if self.is_attached:
                self.reload()

        self.app.writes.submit(
            f"rejecting {name}",
            lambda: reject_suggestion(self.app.project, suggestion.id, coder=coder),
            rejected,
        )

    def action_back(self) -> None:
        self.app.pop_screen()
