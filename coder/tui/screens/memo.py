"""The memo editor: Markdown text on a coding, a segment, a document or a code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static, TextArea

from coder.errors import CoderError
from coder.memos import get_memo, set_memo
from coder.tui.screens.confirm import ConfirmScreen
from coder.tui.screens.pick import Choice, PickScreen

# How long saving a memo waits for a busy project before saying so (ms).
MEMO_LOCK_WAIT_MS = 1500


@dataclass(frozen=True)
class MemoTarget:
    """What a memo is about, as `coder.memos` names it, with a label for people."""

    target_type: str
    target_id: str | int | None
    label: str


class MemoScreen(ModalScreen[bool]):
    """Edit the memo on one of `targets`; dismisses True when something was saved."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", tooltip="Save the memo and close the editor"),
        Binding(
            "escape",
            "close",
            "Close",
            tooltip="Close the editor (asks before dropping changes)",
        ),
        Binding(
            "ctrl+t",
            "target",
            "Other target",
            tooltip="Write on another target: the coding, sentence, turn, document or code",
        ),
    ]

    def __init__(self, targets: list[MemoTarget], initial: int = 0) -> None:
        super().__init__()
        self.targets = targets
        self.index = max(0, min(initial, len(targets) - 1))
        self.saved_any = False
        self._loaded = ""

    @property
    def target(self) -> MemoTarget:
        return self.targets[self.index]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog memo"):
            yield Label("", id="memo-title", classes="dialog-title")
            # Markdown highlighting where tree-sitter is installed; plain text otherwise.
            yield TextArea(
                "",
                id="memo-text",
                soft_wrap=True,
                tab_behavior="focus",
                language="markdown",
            )
            yield Static(
                Text.assemble(
                    ("ctrl+s", "bold"),
                    " save  ",
                    ("esc", "bold"),
                    " close  ",
                    ("ctrl+t", "bold"),
                    " other target  · Markdown",
                ),
                id="memo-hint",
            )

    def on_mount(self) -> None:
        self._load()

    def _load(self) -> None:
        target = self.target
        try:
            text = get_memo(
                self.app.project, target.target_type, target.target_id, self.app.coder
            )
        except CoderError as error:
            self.notify(str(error), severity="error")
            text = ""
        self._loaded = text
        self.query_one("#memo-title", Label).update(f"Memo on {target.label}")
        area = self.query_one(TextArea)
        area.load_text(text)
        self.set_focus(area)
        area.move_cursor(area.document.end)

    @property
    def changed(self) -> bool:
        return self.query_one(TextArea).text.rstrip() != self._loaded.rstrip()

    def _save(self) -> bool:
        if not self.changed:
            return True
        target = self.target
        project = self.app.project
        try:
            # Not queued like a coding: a busy project says so within a moment
            # and the dialog stays open with the text, to save again.
            with project.lock_wait(MEMO_LOCK_WAIT_MS):
                set_memo(
                    project,
                    target.target_type,
                    target.target_id,
                    self.query_one(TextArea).text,
                    coder=self.app.coder,
                )
        except CoderError as error:
            self.notify(str(error), severity="error")
            return False
        self.saved_any = True
        self._loaded = self.query_one(TextArea).text
        return True

    def action_save(self) -> None:
        if self._save():
            self.dismiss(self.saved_any)

    def action_close(self) -> None:
        if not self.changed:
            self.dismiss(self.saved_any)
            return

        def answered(drop: bool | None) -> None:
            if drop:
                self.dismiss(self.saved_any)

        self.app.push_screen(
            ConfirmScreen(
                "Close without saving the changes to this memo?",
                yes="Drop them",
                no="Keep editing",
            ),
            answered,
        )

    def action_target(self) -> None:
        if len(self.targets) < 2:
            self.notify("No other target here")
            return
        # Saved first: switching targets never loses what was typed.
        if not self._save():
            return
        choices = [
            Choice(target.label, number) for number, target in enumerate(self.targets)
        ]

        def chosen(number: int | None) -> None:
            if number is not None:
                self.index = number
                self._load()

        self.app.push_screen(
            PickScreen("Write the memo on", choices, initial=self.index), chosen
        )
