"""A dialog to edit one value: a line (a name, a colour, a key) or a text (a definition)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static, TextArea


class FieldScreen(ModalScreen[str | None]):
    """Edit `value`; dismisses with the new text, or None when cancelled.

    A line is saved with enter, a text (several lines) with ctrl+s.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", tooltip="Save the value and close"),
        Binding("escape", "cancel", "Cancel", tooltip="Close without changing it"),
    ]

    def __init__(
        self,
        title: str,
        value: str = "",
        *,
        multiline: bool = False,
        placeholder: str = "",
    ) -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.multiline = multiline
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog memo" if self.multiline else "dialog"):
            yield Label(self.title_text, classes="dialog-title")
            if self.multiline:
                yield TextArea(self.value, id="field-text", soft_wrap=True)
            else:
                yield Input(
                    self.value,
                    placeholder=self.placeholder,
                    id="field-line",
                    compact=True,
                )
            yield Static(
                Text.assemble(
                    ("ctrl+s" if self.multiline else "enter", "bold"),
                    " save  ",
                    ("esc", "bold"),
                    " cancel",
                ),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        if self.multiline:
            area = self.query_one(TextArea)
            self.set_focus(area)
            area.move_cursor(area.document.end)
        else:
            line = self.query_one(Input)
            self.set_focus(line)
            line.cursor_position = len(line.value)

    @on(Input.Submitted, "#field-line")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        if self.multiline:
            self.dismiss(self.query_one(TextArea).text)
        else:
            self.dismiss(self.query_one(Input).value)

    def action_cancel(self) -> None:
        self.dismiss(None)
