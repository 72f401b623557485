"""Asking for suggestions from the coding screen, and following the model's background work.

The work itself (`coder.tui.model_work`) belongs to the app, so it goes on
when the coder moves to another document; this part asks for it and shows
its progress on the status line and a progress bar.
"""

from __future__ import annotations

from textual import on
from textual.binding import Binding, BindingType
from textual.widgets import ProgressBar

from coder.tui.messages import ModelWorkChanged
from coder.tui.model_work import STEPS
from coder.tui.screens.transcript.base import TranscriptBase

ASSIST_KEYS: list[BindingType] = [
    Binding(
        "ctrl+g,f7",
        "suggest_document",
        "Suggest here",
        show=False,
        tooltip="Suggest codings for this document (in the background; review"
        " them with N)",
    ),
    Binding(
        "f8",
        "suggest_project",
        "Suggest all",
        show=False,
        tooltip="Suggest codings for every document of the project (in the background)",
    ),
]


class Assisting(TranscriptBase):
    """Suggestions asked for here; the model's background work shown as it goes."""

    def action_suggest_document(self) -> None:
        self.app.model_work.suggest([self.document])

    def action_suggest_project(self) -> None:
        self.app.model_work.suggest(None)

    @on(ModelWorkChanged)
    def _model_work_changed(self, event: ModelWorkChanged) -> None:
        work = self.app.model_work
        bar = self.query_one("#model-progress", ProgressBar)
        bar.display = work.busy
        if work.busy:
            bar.update(total=STEPS, progress=max(work.step - 1, 0))
        if event.said:
            self.flash(event.said)
        else:
            self._status()
