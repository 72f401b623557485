"""The shared machinery of the analyses: codings streamed one document at a time,
and the numpy helpers that relate spans to sentences, turns, words and columns.

SQL reads the rows (from the covering indexes ``codings_matrix`` and
``segments_matrix``), numpy counts; memory grows with the largest document,
never with the number of codings in the project.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from coder.analysis.scope import Doc, Rows, Scope
from coder.store import Project


def clock(seconds: float | None) -> str:
    """Seconds as hh:mm:ss (whole seconds), or '' for None."""
    if seconds is None:
        return ""
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def location(turn: int | None, time: float | None, start: int, end: int) -> str:
    """Where a passage is, for a reader: ``turn 12, 00:14:03``, ``turn 12``, or
    ``chars a-b`` when the document has neither turns nor times."""
    parts = [f"turn {turn}"] if turn is not None else []
    if time is not None:
        parts.append(clock(time))
    return ", ".join(parts) or f"chars {start}-{end}"


def json_number(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 4)
    return value


@dataclass
class DocCodings:
    doc: Doc
    codes: np.ndarray  # index into all codes
    starts: np.ndarray
    ends: np.ndarray
    coders: np.ndarray | None = None  # coder ids, when several count each

    def __len__(self) -> int:
        return len(self.codes)


def coder_clause(scope: Scope, alias: str = "") -> tuple[str, list[Any]]:
    """The WHERE clause that keeps the codings of the coders in scope."""
    ids = list(scope.whose.ids)
    if not ids:
        return " WHERE 0", []
    # The unary + keeps SQLite off the one-column coder index: filtering while
    # reading codings_matrix beats fetching a coder's rows and sorting them.
    if len(ids) == 1:
        return f" WHERE +{alias}coder_id = ?", ids
    marks = ", ".join("?" * len(ids))
    return f" WHERE +{alias}coder_id IN ({marks})", ids


def merge_passages(
    codes: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pooled codings: the codings of one code that share a character become one passage.

    Spans that only touch stay apart, so two coders' codings of neighbouring
    sentences are two passages.
    """
    if len(codes) < 2:
        return codes, starts, ends
    order = np.lexsort((starts, codes))
    codes, starts, ends = codes[order], starts[order], ends[order]
    new_code = np.ones(len(codes), dtype=bool)
    new_code[1:] = codes[1:] != codes[:-1]
    # How far the passages of each code reach so far (reset at each new code).
    reach = ends.copy()
    opens = new_code.copy()
    current = ends[0]
    for i in range(1, len(codes)):
        if new_code[i] or starts[i] >= current:
            opens[i] = True
            current = ends[i]
        else:
            current = max(current, ends[i])
        reach[i] = current
    first = np.flatnonzero(opens)
    last = np.append(first[1:], len(codes)) - 1
    return codes[first], starts[first], reach[last]


def _stream(project: Project, scope: Scope) -> Iterator[DocCodings]:
    """Every document in scope (in id order) with its codings, one at a time.

    One query per document, answered from the ``codings_matrix`` index alone.
    Pooled coders' codings come merged into passages (`merge_passages`); when
    several coders count each, every coding carries its coder.
    """
    clause, params = coder_clause(scope)
    whose = scope.whose
    sql = (
        'SELECT code_id, start, "end", coder_id FROM codings WHERE document_id = ?'
        + (clause.replace(" WHERE ", " AND "))
    )
    empty = np.zeros(0, dtype=np.int64)
    index = scope.code_index
    for doc_id, doc in scope.docs.items():
        rows = project.execute(sql, [doc_id, *params]).fetchall()
        if not rows:
            yield DocCodings(
                doc, empty, empty, empty, empty if whose.separate else None
            )
            continue
        codes, starts, ends, coders = zip(*rows, strict=True)
        known = np.array([index.get(code, -1) for code in codes], dtype=np.int64)
        keep = known >= 0  # codings of codes no longer in the codebook
        codes = known[keep]
        starts = np.array(starts, dtype=np.int64)[keep]
        ends = np.array(ends, dtype=np.int64)[keep]
        if whose.pooled:
            codes, starts, ends = merge_passages(codes, starts, ends)
        yield DocCodings(
            doc,
            codes,
            starts,
            ends,
            np.array(coders, dtype=np.int64)[keep] if whose.separate else None,
        )


def expand(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each i every position in [lo[i], hi[i]): (owner i, position) pairs."""
    n = np.maximum(hi - lo, 0)
    owner = np.repeat(np.arange(len(lo)), n)
    starts = np.repeat(np.cumsum(n) - n, n)
    position = np.arange(int(n.sum())) - starts + np.repeat(lo, n)
    return owner, position


def coding_columns(scope: Scope, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(coding index, column) for every column each coding counts in."""
    if scope.single is not None:
        # Without roll-up a code counts in one column at most.
        col = scope.single[codes]
        owner = np.flatnonzero(col >= 0)
        return owner, col[owner]
    owner, position = expand(scope.col_ptr[codes], scope.col_ptr[codes + 1])
    return owner, scope.col_flat[position]


def overlapping(
    starts: np.ndarray, ends: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For spans [lo, hi), the range of sorted, disjoint intervals each overlaps."""
    first = np.searchsorted(ends, lo, side="right")
    last = np.searchsorted(starts, hi, side="left")
    return first, last


@dataclass
class Segments:
    starts: np.ndarray
    ends: np.ndarray
    speakers: list[str | None]


def _segments(project: Project, scope: Scope, doc_id: int, kind: str) -> Segments:
    """A document's sentences (or turns and paragraphs), from the ``segments_matrix`` index."""
    kinds = "('turn', 'paragraph')" if kind == "turn" else "('sentence')"
    rows = project.execute(
        'SELECT start, "end", speaker_id FROM segments'
        f" WHERE document_id = ? AND kind IN {kinds} ORDER BY start",
        [doc_id],
    ).fetchall()
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return Segments(empty, empty, [])
    starts, ends, speakers = zip(*rows, strict=True)
    names = scope.speakers
    return Segments(
        np.array(starts, dtype=np.int64),
        np.array(ends, dtype=np.int64),
        [names.get(s) for s in speakers],
    )


def _word_starts(project: Project, doc_id: int) -> np.ndarray:
    (text,) = project.execute(
        "SELECT text FROM documents WHERE id = ?", [doc_id]
    ).fetchone()
    return word_starts(text)


_WORD_CHARS: np.ndarray | None = None


def word_starts(text: str) -> np.ndarray:
    """Offsets where words start: the starts of `WORD` matches, without the regex.

    A word character (what ``\\w`` matches: ``str.isalnum()`` or ``_``) starts
    a word unless a word character, or an apostrophe right after one, precedes
    it. Vectorised, as the words cell reads every text.
    """
    global _WORD_CHARS
    if _WORD_CHARS is None:
        _WORD_CHARS = np.array(
            [chr(i).isalnum() or i == 0x5F for i in range(0x10000)], dtype=bool
        )
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    if not len(points):
        return np.zeros(0, dtype=np.int64)
    wide = points >= 0x10000
    word = _WORD_CHARS[np.where(wide, 0, points)]
    for i in np.flatnonzero(wide).tolist():
        word[i] = text[i].isalnum()
    after_word = np.zeros(len(points), dtype=bool)
    after_word[1:] = word[:-1]
    joined = np.zeros(len(points), dtype=bool)
    inner = points[1:-1]
    joined[2:] = ((inner == 0x27) | (inner == 0x2019)) & word[:-2]
    return np.flatnonzero(word & ~after_word & ~joined).astype(np.int64)


def distinct_keys(keys: np.ndarray, size: int) -> np.ndarray:
    """The distinct values of `keys` (all in [0, size)), sorted.

    Counting into an array is faster than sorting when the key space is small,
    as it is for one document's codes, segments and speakers.
    """
    if size <= max(65536, 8 * len(keys)):
        return np.flatnonzero(np.bincount(keys, minlength=size))
    return np.unique(keys)


def unique_pairs(
    a: np.ndarray, b: np.ndarray, size_b: int
) -> tuple[np.ndarray, np.ndarray]:
    """The distinct pairs (a, b), sorted by a then b; b lies in [0, size_b)."""
    if not len(a):
        return a, b
    keys = distinct_keys(a * size_b + b, (int(a.max()) + 1) * size_b)
    return keys // size_b, keys % size_b


class View:
    """One document during a pass: its codings, and its turns, sentences and words on demand.

    The consumers of one pass share it, so each document is read once.
    """

    def __init__(self, project: Project, scope: Scope, dc: DocCodings) -> None:
        self.project, self.scope, self.dc, self.doc = project, scope, dc, dc.doc
        self._segments: dict[str, Segments] = {}
        self._words: np.ndarray | None = None

    def segments(self, kind: str) -> Segments:
        if kind not in self._segments:
            self._segments[kind] = _segments(
                self.project, self.scope, self.doc.id, kind
            )
        return self._segments[kind]

    def words(self) -> np.ndarray:
        if self._words is None:
            self._words = _word_starts(self.project, self.doc.id)
        return self._words

    def rows_of(self, rows: Rows, segments: Segments) -> np.ndarray:
        """Each segment's row: its speaker's with speaker rows, else the document's."""
        if rows.by_speaker:
            return np.array(
                [rows.speaker_row(self.doc.id, s) for s in segments.speakers],
                dtype=np.int64,
            )
        return np.full(len(segments.speakers), rows.doc_row(self.doc.id))


def run_pass(project: Project, scope: Scope, consumers: Sequence[Any]) -> None:
    """One pass over the documents in scope, each handed to every consumer."""
    for dc in _stream(project, scope):
        view = View(project, scope, dc)
        for consumer in consumers:
            consumer.add(view)


def rows_at(points: np.ndarray, turns: Segments, turn_rows: np.ndarray) -> np.ndarray:
    """The row of the turn each offset falls in (-1 between turns)."""
    index = np.searchsorted(turns.starts, points, side="right") - 1
    inside = (index >= 0) & (points < turns.ends[np.maximum(index, 0)])
    return np.where(inside, turn_rows[np.maximum(index, 0)], -1)


def interval_union(
    groups: np.ndarray, lo: np.ndarray, hi: np.ndarray, span: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The union of intervals [lo, hi) within each group, as disjoint runs.

    Args:
        span: Larger than every `hi`, so that group * span + offset orders
            the intervals by group, then by start, in one sort.

    Returns:
        (group, start, end) of every run, sorted by group and start.
    """
    if not len(lo):
        return groups[:0], lo[:0], hi[:0]
    key_lo = groups * span + lo
    order = np.argsort(key_lo, kind="stable")
    key_lo = key_lo[order]
    # How far the runs reach so far; a later group always starts past it.
    reach = np.maximum.accumulate((groups * span + hi)[order])
    opens = np.ones(len(key_lo), dtype=bool)
    opens[1:] = key_lo[1:] > reach[:-1]
    first = np.flatnonzero(opens)
    last = np.append(first[1:], len(key_lo)) - 1
    group = key_lo[first] // span
    return group, key_lo[first] - group * span, reach[last] - group * span
