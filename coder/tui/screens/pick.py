"""A fuzzy-filtered list in a dialog: the code picker, filters, memo targets, codings to remove."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.fuzzy import Matcher
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option


@dataclass
class Choice:
    """One entry: what is shown, what is returned, and the words typing matches."""

    label: Text | str
    value: Any
    search: str = ""

    @property
    def haystack(self) -> str:
        plain = self.label.plain if isinstance(self.label, Text) else self.label
        return f"{plain} {self.search}".strip()


class PickScreen(ModalScreen[Any]):
    """Type to narrow the list (fuzzy), arrows to move, Enter to choose, Esc to cancel.

    Dismisses with the chosen value, or None when cancelled.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape", "cancel", "Cancel", tooltip="Close the list without choosing"
        ),
        Binding("down", "move(1)", "Down", show=False, tooltip="Next entry"),
        Binding("up", "move(-1)", "Up", show=False, tooltip="Previous entry"),
        Binding(
            "pagedown", "move(10)", "Page down", show=False, tooltip="Ten entries down"
        ),
        Binding("pageup", "move(-10)", "Page up", show=False, tooltip="Ten entries up"),
        Binding("enter", "choose", "Choose", tooltip="Choose the highlighted entry"),
    ]

    def __init__(
        self,
        title: str,
        choices: list[Choice],
        *,
        initial: int = 0,
        placeholder: str = "type to filter",
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.title_text = title
        self.choices = choices
        self.initial = initial
        self.placeholder = placeholder
        self.shown: list[Choice] = list(choices)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(placeholder=self.placeholder, id="pick-input", compact=True)
            yield OptionList(id="pick-list")

    def on_mount(self) -> None:
        self._fill(self.choices)
        options = self.query_one(OptionList)
        if self.choices:
            options.highlighted = max(0, min(self.initial, len(self.choices) - 1))
        self.set_focus(self.query_one(Input))

    def _fill(self, choices: list[Choice]) -> None:
        self.shown = choices
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(choice.label) for choice in choices])
        if choices:
            options.highlighted = 0

    @on(Input.Changed, "#pick-input")
    def _filter(self, event: Input.Changed) -> None:
        query = event.value.strip()
        if not query:
            self._fill(self.choices)
            return
        matcher = Matcher(query)
        scored = [
            (matcher.match(choice.haystack), n, choice)
            for n, choice in enumerate(self.choices)
        ]
        self._fill(
            [
                choice
                for score, _, choice in sorted(scored, key=lambda s: (-s[0], s[1]))
                if score > 0
            ]
        )

    @on(Input.Submitted, "#pick-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_choose()

    @on(OptionList.OptionSelected, "#pick-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.shown[event.option_index].value)

    def action_move(self, delta: int) -> None:
        options = self.query_one(OptionList)
        if not self.shown:
            return
        current = options.highlighted or 0
        options.highlighted = max(0, min(current + delta, len(self.shown) - 1))

    def action_choose(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is None or not self.shown:
            return
        self.dismiss(self.shown[options.highlighted].value)

    def action_cancel(self) -> None:
        self.dismiss(None)
