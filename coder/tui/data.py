"""What the screens show, gathered from the services into plain objects (no Textual here)."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from coder.code_editing import PALETTE
from coder.codebook import Code, Codebook
from coder.model import Document, Segment
from coder.tui.layout import Block

# Colours for codes the codebook gives none: the palette new codes get theirs from.
FALLBACK_COLOURS = PALETTE


@dataclass(frozen=True)
class CodeEntry:
    """A code with its number in the panel (depth-first order, from 1) and its colour."""

    number: int
    code: Code
    depth: int
    parent: str | None
    colour: str

    @property
    def id(self) -> str:
        return self.code.id

    @property
    def name(self) -> str:
        return self.code.name


class CodeIndex:
    """The codebook numbered as the panel shows it, found by id, key or number."""

    def __init__(self, codebook: Codebook) -> None:
        self.codebook = codebook
        self.entries: list[CodeEntry] = []
        for number, (code, parent, depth) in enumerate(codebook.walk(), start=1):
            colour = (
                code.colour or FALLBACK_COLOURS[(number - 1) % len(FALLBACK_COLOURS)]
            )
            self.entries.append(
                CodeEntry(number, code, depth, parent.id if parent else None, colour)
            )
        self.by_id = {entry.id: entry for entry in self.entries}
        self.by_key = {
            entry.code.key: entry for entry in self.entries if entry.code.key
        }

    def __len__(self) -> int:
        return len(self.entries)

    def by_number(self, number: int) -> CodeEntry | None:
        if 1 <= number <= len(self.entries):
            return self.entries[number - 1]
        return None

    def name(self, code_id: str) -> str:
        entry = self.by_id.get(code_id)
        return entry.name if entry else code_id

    def colour(self, code_id: str) -> str:
        entry = self.by_id.get(code_id)
        return entry.colour if entry else FALLBACK_COLOURS[0]

    def order(self, code_id: str) -> int:
        entry = self.by_id.get(code_id)
        return entry.number if entry else len(self.entries) + 1


@dataclass
class TranscriptData:
    """A document's text cut into blocks (turns, paragraphs) and sentences."""

    name: str
    text: str
    blocks: list[Block]
    sentences: list[tuple[int, int]]
    sentence_ids: list[int]
    sentence_block: list[int]
    speakers: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.sentence_starts = [start for start, _ in self.sentences]

    def sentence_at(self, offset: int) -> int:
        """The sentence holding `offset` (the one before it when it falls between two)."""
        if not self.sentences:
            return 0
        return max(0, bisect_right(self.sentence_starts, offset) - 1)


def transcript_data(document: Document, segments: list[Segment]) -> TranscriptData:
    """Blocks and sentences from `document_segments` output (turns before their sentences)."""
    blocks_raw = [s for s in segments if s.kind != "sentence"]
    sentences = [s for s in segments if s.kind == "sentence"]
    block_of_seq = {block.seq: number for number, block in enumerate(blocks_raw)}
    sentence_block: list[int] = []
    firsts: dict[int, int] = {}
    lasts: dict[int, int] = {}
    for index, sentence in enumerate(sentences):
        number = block_of_seq.get(sentence.parent_seq)
        if number is None:
            # A sentence without its turn: put it in the block whose span holds it.
            number = max(
                (n for n, b in enumerate(blocks_raw) if b.start <= sentence.start),
                default=0,
            )
        sentence_block.append(number)
        firsts.setdefault(number, index)
        lasts[number] = index
    blocks = [
        Block(
            start=raw.start,
            end=raw.end,
            speaker=raw.speaker,
            start_time=raw.start_time,
            segment_id=raw.id,
            first=firsts.get(number, 0),
            last=lasts.get(number, -1),
        )
        for number, raw in enumerate(blocks_raw)
    ]
    return TranscriptData(
        name=document.name,
        text=document.text,
        blocks=blocks,
        sentences=[(s.start, s.end) for s in sentences],
        sentence_ids=[s.id for s in sentences],
        sentence_block=sentence_block,
        speakers=list(document.speakers),
    )


def clock(seconds: float | None) -> str:
    """``hh:mm:ss`` for a time in seconds; '' when unknown."""
    if seconds is None:
        return ""
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
