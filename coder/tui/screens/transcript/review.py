"""Reviewing suggested codings in the text: go to one, adjust its span, accept or reject it.

`N` takes the document's pending suggestions surest first (fast
confirmation) or least sure first (active learning: the model's closest
calls, whose decisions teach it most), as the coder chose with ctrl+t.
"""

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
        tooltip="Next pending suggestion in this document (surest or least sure"
        " first, as ctrl+t chose)",
    ),
    Binding(
        "ctrl+t",
        "toggle_order",
        "Order",
        show=False,
        tooltip="Take suggestions least sure first (active learning) or surest"
        " first (fast confirmation)",
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

    def review_order(self) -> list[Suggestion]:
        """This document's pending suggestions in the order `N` takes them.

        A score is the model's probability that the code applies (a rule
        score for the rules). Least sure is closest to even odds, 0.5;
        surest is the highest. Ties go in reading order.
        """
        if self.app.least_sure_first:
            return sorted(
                self.suggestions, key=lambda s: (abs(s.score - 0.5), s.start, s.id)
            )
        return sorted(self.suggestions, key=lambda s: (-s.score, s.start, s.id))

    def action_next_suggestion(self) -> None:
        if not self.suggestions:
            self.flash("no pending suggestions in this document")
            return
        order = self.review_order()
        ids = [s.id for s in order]
        current = (
            ids.index(self.active.id) if self.active and self.active.id in ids else -1
        )
        self._activate(order[(current + 1) % len(order)])

    def action_toggle_order(self) -> None:
        app = self.app
        app.least_sure_first = not app.least_sure_first
        self._leave_suggestion()
        if app.least_sure_first:
            self.flash("N: least sure first (active learning)")
        else:
            self.flash("N: surest first (fast confirmation)")

    def _activate(self, suggestion: Suggestion) -> None:
        self.active = suggestion
        self.view.select_span(suggestion.start, suggestion.end)
        bar = self.query_one("#suggestion-bar", Static)
        order = self.review_order()
        number = order.index(suggestion) + 1 if suggestion in order else 0
        text = Text()
        text.append(f"Suggestion {number}/{len(order)}  ", style="bold")
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
        document = self.document
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
            self.app.model_work.labelled(document)
            self.flash(f"accepted {name}{adjusted}: coded by {coder}; N for the next")

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
        document = self.document

        def rejected(_: object) -> None:
            if self.is_attached and self.active and self.active.id == suggestion.id:
                self._deactivate()
                self.view.collapse()
            self._refresh_after_write()
            self.app.model_work.labelled(document)
            self.flash(
                f"rejected {name}: not coded, and the model learns it is not {name}"
                " here; N for the next"
            )

        self.app.writes.submit(
            f"rejecting {name}",
            lambda: reject_suggestion(self.app.project, suggestion.id, coder=coder),
            rejected,
        )
