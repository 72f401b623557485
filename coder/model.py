"""Plain data objects shared by the importers, the store and the front ends.

Spans are half-open Unicode code-point offsets into a document's text, the
convention REFI-QDA's PlainTextSelection uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Turn:
    """A stretch of speech by one speaker (or a paragraph when no speaker is known)."""

    start: int
    end: int
    speaker: str | None = None
    start_time: float | None = None
    end_time: float | None = None


@dataclass(frozen=True)
class DroppedLine:
    """A source line that is not speech (a footer, an interface leftover)."""

    line: int
    text: str
    reason: str


@dataclass
class Transcript:
    """What an importer reads from one file: the spoken text and its turns.

    `text` holds only the words of the interview; labels and timestamps are data
    on the turns. `time_marks` are (offset, seconds) points inside turns, e.g.
    cue starts or Descript markers, used to time sentences.
    """

    text: str
    turns: list[Turn]
    format: str
    attributes: dict[str, Any] = field(default_factory=dict)
    time_marks: list[tuple[int, float]] = field(default_factory=list)
    dropped: list[DroppedLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    language: str | None = None

    @property
    def speakers(self) -> list[str]:
        """Speakers in order of first appearance."""
        seen: dict[str, None] = {}
        for turn in self.turns:
            if turn.speaker:
                seen.setdefault(turn.speaker)
        return list(seen)


@dataclass(frozen=True)
class Segment:
    """A stored turn, paragraph or sentence of a document."""

    kind: str
    start: int
    end: int
    seq: int
    speaker: str | None = None
    start_time: float | None = None
    end_time: float | None = None
    lemmas: str | None = None
    parent_seq: int | None = None
    id: int | None = None


@dataclass
class Document:
    """A stored transcript with its case and attributes."""

    id: int
    name: str
    filename: str
    format: str
    sha256: str
    language: str
    imported_at: str
    words: int
    text: str = ""
    case: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    speakers: list[str] = field(default_factory=list)
    turns: int = 0
    sentences: int = 0
