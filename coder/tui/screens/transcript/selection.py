"""Moving through a transcript and shaping the selection, from the keyboard."""

from __future__ import annotations

from textual.binding import Binding, BindingType
from textual.widgets import Input

from coder.tui.screens.transcript.base import TranscriptBase

SELECTION_KEYS: list[BindingType] = [
    Binding("down,j", "move(1)", "Next sentence", show=False, tooltip="Next sentence"),
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
]


class Selecting(TranscriptBase):
    """Moving by sentence, turn and page, and shaping the selection to code."""

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
