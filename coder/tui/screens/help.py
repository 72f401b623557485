"""Help: every binding of the screen you came from, made from the bindings themselves."""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from coder.tui.keys import KeyRow, key_rows


def help_sections(screen: Screen) -> list[tuple[str, list[KeyRow]]]:
    """The key tables for `screen`, made from its live bindings and the app's.

    Its own keys first (as its class declares them), then keys bound at run
    time (a code's letter from the codebook), then those that work everywhere
    (the app's, and the ones every screen inherits).
    """
    own_actions = {
        binding.action
        for binding in Binding.make_bindings(type(screen).__dict__.get("BINDINGS", []))
    }
    declared = {
        binding.action
        for _, binding in (type(screen)._merged_bindings or BindingsMap())
    }
    own, added, inherited = [], [], []
    for key, binding in screen._bindings:
        if binding.action in own_actions:
            own.append((key, binding))
        elif binding.action in declared:
            inherited.append((key, binding))
        else:
            added.append((key, binding))
    name = getattr(screen, "HELP_TITLE", type(screen).__name__)
    sections = [(name, key_rows(own))]
    if added:
        sections.append(("Code keys (from the codebook)", key_rows(added)))
    everywhere = key_rows(list(screen.app._bindings) + inherited)
    sections.append(("Everywhere", everywhere))
    return [(title, rows) for title, rows in sections if rows]


class HelpScreen(ModalScreen[None]):
    """The keys of the screen below it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape,q,question_mark",
            "close",
            "Close",
            tooltip="Close help",
        ),
        Binding(
            "down,j", "scroll(1)", "Scroll down", show=False, tooltip="Scroll down"
        ),
        Binding("up,k", "scroll(-1)", "Scroll up", show=False, tooltip="Scroll up"),
    ]

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.target = screen

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help"):
            yield Label("Keys", classes="dialog-title")
            with VerticalScroll(id="help-body"):
                yield Static(self._table(), id="help-table")
            yield Label(
                Text.assemble(
                    ("esc", "bold"),
                    " close  ",
                    ("ctrl+p", "bold"),
                    " any action by name",
                ),
                classes="dialog-hint",
            )

    def _table(self) -> Group:
        sections = help_sections(self.target)
        # One keys width for every section, so the descriptions line up.
        width = max(
            (cell_len(row.keys_text) for _, rows in sections for row in rows), default=8
        )
        parts: list[Text | Table] = []
        for number, (title, rows) in enumerate(sections):
            if number:
                parts.append(Text(""))
            parts.append(Text(title, style="bold underline"))
            table = Table(box=None, show_header=False, padding=(0, 1), expand=True)
            table.add_column("keys", style="bold", no_wrap=True, width=min(width, 20))
            table.add_column("what", ratio=1)
            for row in rows:
                table.add_row(row.keys_text, row.description)
            parts.append(table)
        return Group(*parts)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll(self, delta: int) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        body.scroll_to(y=body.scroll_y + delta, animate=False)
