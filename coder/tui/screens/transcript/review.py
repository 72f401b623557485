"""Reviewing suggested codings in the text: go to one, adjust its span, accept or reject it."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import Static

from coder.suggest.queue import Suggestion, accept_suggestion, reject_suggestion
from coder.tui.screens.transcript.base import TranscriptBase

REVIEW_KEYS: list[BindingType] = [
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
]


class SuggestionReview(TranscriptBase):
    """One pending suggestion at a time: its span selected, its reason in the bar."""

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
