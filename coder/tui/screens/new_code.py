"""The new-code dialog: a name (typed, or the selected words in vivo) and the code it goes under."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from coder.tui.data import CodeIndex


@dataclass(frozen=True)
class NewCode:
    """What the dialog returns: the name and the parent code (None: the top level)."""

    name: str
    parent: str | None


class NewCodeScreen(ModalScreen[NewCode | None]):
    """Name a new code and choose its parent; Enter makes it, Esc cancels.

    The arrows move the parent's highlight while the name is being typed, so
    the whole dialog works without leaving the name box.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", tooltip="Close without making a code"),
        Binding(
            "down", "parent(1)", "Next parent", show=False, tooltip="Next parent code"
        ),
        Binding(
            "up",
            "parent(-1)",
            "Previous parent",
            show=False,
            tooltip="Previous parent code",
        ),
        Binding(
            "enter",
            "create",
            "Create",
            tooltip="Make the code under the highlighted parent and apply it",
        ),
    ]

    def __init__(
        self,
        codes: CodeIndex,
        *,
        name: str = "",
        parent: str | None = None,
        title: str = "New code for the selection",
    ) -> None:
        super().__init__()
        self.codes = codes
        self.initial_name = name
        self.initial_parent = parent
        self.title_text = title
        # None first: the top level.
        self.parents: list[str | None] = [None, *(e.id for e in codes.entries)]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(
                self.initial_name,
                placeholder="the code's name",
                id="new-code-name",
                compact=True,
            )
            yield Label("under", classes="dialog-label")
            yield OptionList(
                *[Option(self._label(parent)) for parent in self.parents],
                id="new-code-parent",
            )
            yield Label(
                Text.assemble(
                    ("enter", "bold"),
                    " make and apply  ",
                    ("↑↓", "bold"),
                    " parent  ",
                    ("esc", "bold"),
                    " cancel",
                ),
                classes="dialog-hint",
            )

    def _label(self, parent: str | None) -> Text:
        if parent is None:
            return Text("(top level)", style="italic")
        entry = self.codes.by_id[parent]
        label = Text(no_wrap=True, overflow="ellipsis")
        label.append("■ ", style=entry.colour)
        label.append("  " * entry.depth + entry.name)
        return label

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = (
            self.parents.index(self.initial_parent)
            if self.initial_parent in self.parents
            else 0
        )
        name = self.query_one(Input)
        self.set_focus(name)
        name.cursor_position = len(name.value)

    @on(Input.Submitted, "#new-code-name")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_create()

    @on(OptionList.OptionSelected, "#new-code-parent")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_create()

    def action_parent(self, delta: int) -> None:
        options = self.query_one(OptionList)
        current = options.highlighted or 0
        options.highlighted = max(0, min(current + delta, len(self.parents) - 1))

    def action_create(self) -> None:
        name = " ".join(self.query_one(Input).value.split())
        if not name:
            self.notify("A code needs a name", severity="warning")
            return
        taken = next(
            (e for e in self.codes.entries if e.name.casefold() == name.casefold()),
            None,
        )
        if taken is not None:
            # Said here, with the name still in the box to change.
            self.notify(
                f"A code is named {taken.name} already ({taken.id})",
                severity="warning",
            )
            return
        highlighted = self.query_one(OptionList).highlighted
        self.dismiss(NewCode(name, self.parents[highlighted or 0]))

    def action_cancel(self) -> None:
        self.dismiss(None)
