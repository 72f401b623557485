"""Messages the TUI's widgets and screens send each other, all in one place."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class SelectionMoved(Message):
    """The transcript's current sentence or selection changed."""

    cursor: int
    start: int
    end: int


@dataclass
class CodeChosen(Message):
    """A code was picked in the codebook panel (Enter on it)."""

    code_id: str


@dataclass
class CodeHighlighted(Message):
    """The codebook panel's cursor moved to a code."""

    code_id: str | None


@dataclass
class OpenDocument(Message):
    """Open a document's transcript, optionally at a pending suggestion."""

    name: str
    suggestion_id: int | None = None


@dataclass
class ProjectChanged(Message):
    """Something in the project changed (here or by another coder): reload what is shown."""

    document: str | None = None


@dataclass
class PendingWritesChanged(Message):
    """Writes waiting for the project's lock came or went: show how many."""

    pending: int


@dataclass
class ModelWorkChanged(Message):
    """Suggesting or refitting in the background started, moved on or ended.

    `said` is what the end was, for the status line ("12 new suggestions").
    """

    said: str = ""
