"""The framework matrix (Ritchie and Spencer's framework method): rows x codes,
each cell holding the passages coded there, the researcher's summary of the
cell, and quotes located by turn and time.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coder.analysis.passes import (
    View,
    clock,
    coder_clause,
    coding_columns,
    location,
    run_pass,
)
from coder.analysis.scope import (
    SUMMARY_SEPARATOR,
    Column,
    Dimension,
    Filter,
    Row,
    Rows,
    Scope,
    Whose,
    build_scope,
    check_dimensions,
    parse_rows,
    uses_attributes,
)
from coder.store import Project


@dataclass
class Quote:
    """A coded passage with where it was said."""

    document: str
    case: str | None
    start: int
    end: int
    text: str
    speaker: str | None
    time: float | None
    coders: list[str]
    codes: list[str]
    turn: int | None = None  # 1-based, turns and paragraphs counted together

    @property
    def clock(self) -> str:
        """The timestamp as hh:mm:ss, or '' when the source has no times."""
        return clock(self.time)

    @property
    def source(self) -> str:
        """``document, turn 12, hh:mm:ss``: what the document has of turn and time.

        Character offsets (``chars a-b``) only where it has neither; they stay
        in ``start`` and ``end`` for machines.
        """
        return (
            f"{self.document}, {location(self.turn, self.time, self.start, self.end)}"
        )

    def to_dict(self) -> dict[str, Any]:
        data = dict(vars(self))
        data["clock"] = self.clock
        return data


@dataclass
class Summary:
    """A researcher's summary of one framework cell, by one coder."""

    coder: str | None
    text: str


@dataclass
class FrameworkMatrix:
    """The theme matrix's grid where each cell holds quotes and an optional summary.

    ``quotes[r][c]`` holds at most ``limit`` quotes; ``counts[r][c]`` how many
    distinct passages the cell has in all.
    """

    rows: list[Row]
    columns: list[Column]
    quotes: list[list[list[Quote]]]
    counts: list[list[int]]
    summaries: list[list[list[Summary]]]
    dimensions: list[Dimension]
    coders: list[str]
    limit: int | None
    rollup: bool = False
    filters: list[Filter] = field(default_factory=list)
    whose: Whose = field(default_factory=Whose)

    def to_dict(self) -> dict[str, Any]:
        return {
            "counted": self.whose.to_dict(),
            "rows": [row.label for row in self.rows],
            "columns": [column.id for column in self.columns],
            "cells": [
                [
                    {
                        "count": self.counts[r][c],
                        "summary": [vars(s) for s in self.summaries[r][c]],
                        "quotes": [q.to_dict() for q in self.quotes[r][c]],
                    }
                    for c in range(len(self.columns))
                ]
                for r in range(len(self.rows))
            ],
        }


def summary_key(code_id: str, row_key: str) -> str:
    """The memo target id of a framework cell: ``"<code id>|<row key>"``.

    Cell summaries are memos with target type ``code`` and this target id, so
    they travel with `coder merge`, can be undone, and need no schema change.
    """
    return f"{code_id}{SUMMARY_SEPARATOR}{row_key}"


def set_cell_summary(
    project: Project, code_id: str, row_key: str, text: str, coder: str | None = None
) -> None:
    """Write (or with empty text, clear) the summary of a framework cell."""
    from coder.codes import get_code
    from coder.memos import set_memo

    get_code(project, code_id)
    set_memo(project, "code", summary_key(code_id, row_key), text, coder)


def get_cell_summary(
    project: Project, code_id: str, row_key: str, coder: str | None = None
) -> str:
    from coder.memos import get_memo

    return get_memo(project, "code", summary_key(code_id, row_key), coder)


def case_row_key(case: str) -> str:
    """The row key of a case row (as ``--rows case`` makes it)."""
    return Dimension("case").key(case)


def _summaries(project: Project) -> dict[tuple[str, str], list[Summary]]:
    found: dict[tuple[str, str], list[Summary]] = defaultdict(list)
    for target, coder, text in project.execute(
        "SELECT m.target_id, c.name, m.text FROM memos m"
        " LEFT JOIN coders c ON c.id = m.coder_id"
        " WHERE m.target_type = 'code' AND instr(m.target_id, ?) > 0"
        " ORDER BY c.name, m.id",
        [SUMMARY_SEPARATOR],
    ):
        code_id, _, row_key = target.partition(SUMMARY_SEPARATOR)
        found[(row_key, code_id)].append(Summary(coder, text))
    return found


class Places:
    """Who speaks and when, at any offset of one document (the turn and sentence there)."""

    def __init__(self, project: Project, doc_id: int) -> None:
        turns = project.execute(
            "SELECT s.start, p.name, s.start_time, s.seq FROM segments s"
            " LEFT JOIN speakers p ON p.id = s.speaker_id WHERE s.document_id = ?"
            " AND s.kind IN ('turn', 'paragraph') ORDER BY s.start",
            [doc_id],
        ).fetchall()
        sentences = project.execute(
            "SELECT start, start_time FROM segments WHERE document_id = ?"
            " AND kind = 'sentence' ORDER BY start",
            [doc_id],
        ).fetchall()
        self.doc_id = doc_id
        self.turn_starts = [t[0] for t in turns]
        self.turns = turns
        self.sentence_starts = [s[0] for s in sentences]
        self.sentences = sentences

    def at(self, offset: int) -> tuple[str | None, float | None, int | None]:
        """The speaker of the turn, the time of the sentence (else the turn), and
        the turn's number (1-based, turns and paragraphs counted together as the
        reader and `coder show` count them), at offset."""
        t = bisect.bisect_right(self.turn_starts, offset) - 1
        s = bisect.bisect_right(self.sentence_starts, offset) - 1
        speaker = self.turns[t][1] if t >= 0 else None
        time = self.sentences[s][1] if s >= 0 else None
        if time is None and t >= 0:
            time = self.turns[t][2]
        turn = self.turns[t][3] + 1 if t >= 0 else None
        return speaker, time, turn


class Passages:
    """Distinct coded spans per (row, column), and the first `limit` of each.

    Memory holds the counts and at most `limit` spans per cell, whatever the
    number of codings. With speaker rows a passage belongs to the speaker of
    the turn where it starts, as its quote says.
    """

    def __init__(
        self, scope: Scope, rows: Rows, limit: int | None, only: int | None = None
    ) -> None:
        self.scope, self.rows, self.limit, self.only = scope, rows, limit, only
        shape = (len(rows.rows), len(scope.columns))
        self.counts = np.zeros(shape, dtype=np.int64)
        self.full = np.zeros(shape, dtype=bool)
        self.kept: dict[tuple[int, int], list[tuple[int, int, int]]] = defaultdict(list)

    def add(self, view: View) -> None:
        dc, rows, limit = view.dc, self.rows, self.limit
        if not len(dc) or not self.counts.size:
            return
        owner, col = coding_columns(self.scope, dc.codes)
        if self.only is not None:
            owner, col = owner[col == self.only], col[col == self.only]
        starts, ends = dc.starts[owner], dc.ends[owner]
        if rows.by_speaker:
            turns = view.segments("turn")
            turn_rows = view.rows_of(rows, turns)
            index = np.searchsorted(turns.starts, starts, side="right") - 1
            r = np.where(index >= 0, turn_rows[np.maximum(index, 0)], -1)
        else:
            r = np.full(len(owner), rows.doc_row(view.doc.id))
        keep = r >= 0
        # One number per (row, column, start, end), so np.unique sorts them by
        # cell and then in text order.
        length = int(ends.max()) + 1 if len(ends) else 1
        cells = r[keep] * self.counts.shape[1] + col[keep]
        span = starts[keep] * length + ends[keep]
        if (int(cells.max(initial=0)) + 1) * length * length < 2**62:
            unique = np.unique(cells * (length * length) + span)
            keys = np.stack(
                [
                    unique // (length * length) // self.counts.shape[1],
                    unique // (length * length) % self.counts.shape[1],
                    unique % (length * length) // length,
                    unique % length,
                ]
            )
        else:  # too large to pack into one integer
            keys = np.unique(np.stack([r, col, starts, ends])[:, keep], axis=1)
        if not keys.shape[1]:
            return
        self.counts += np.bincount(
            keys[0] * self.counts.shape[1] + keys[1], minlength=self.counts.size
        ).reshape(self.counts.shape)
        if limit is not None:
            keys = keys[:, ~self.full[keys[0], keys[1]]]
        for r_, c_, s_, e_ in keys.T.tolist():
            bucket = self.kept[(r_, c_)]
            if limit is None or len(bucket) < limit:
                bucket.append((view.doc.id, s_, e_))
                if limit is not None and len(bucket) >= limit:
                    self.full[r_, c_] = True


def _quotes(
    project: Project,
    scope: Scope,
    kept: dict[tuple[int, int], list[tuple[int, int, int]]],
) -> dict[tuple[int, int], list[Quote]]:
    """The kept spans as quotes: text, speaker, time, and the coders and codes on them."""
    by_doc: dict[int, list[tuple[int, int, tuple[int, int]]]] = defaultdict(list)
    for cell, spans in kept.items():
        for doc_id, start, end in spans:
            by_doc[doc_id].append((start, end, cell))
    clause, params = coder_clause(scope, "c.")
    where = " AND " + clause[len(" WHERE ") :] if clause else ""
    made: dict[tuple[int, int, int, int], Quote] = {}
    for doc_id, spans in by_doc.items():
        doc = scope.docs[doc_id]
        (text,) = project.execute(
            "SELECT text FROM documents WHERE id = ?", [doc_id]
        ).fetchone()
        places = Places(project, doc_id)
        on_span: dict[tuple[int, int], list[tuple[str, str]]] = defaultdict(list)
        for start, end, code_id, coder in project.execute(
            'SELECT c.start, c."end", c.code_id, k.name FROM codings c'
            f" JOIN coders k ON k.id = c.coder_id WHERE c.document_id = ?{where}"
            " ORDER BY k.name, c.code_id",
            [doc_id, *params],
        ):
            on_span[(start, end)].append((code_id, coder))
        for start, end, (r, c) in spans:
            speaker, time, turn = places.at(start)
            coders: list[str] = []
            codes: list[str] = []
            if scope.whose.pooled:
                # A pooled passage is the union of overlapping codings: name
                # every coder whose coding of it lies inside.
                on = [
                    tag
                    for (s, e), tags in on_span.items()
                    if s >= start and e <= end
                    for tag in tags
                ]
            else:
                on = on_span[(start, end)]
            for code_id, coder in on:
                if c in scope.columns_of(code_id):
                    if coder not in coders:
                        coders.append(coder)
                    if code_id not in codes:
                        codes.append(code_id)
            made[(r, c, doc_id, start, end)] = Quote(
                doc.name,
                doc.case,
                start,
                end,
                text[start:end],
                speaker,
                time,
                coders,
                sorted(codes, key=scope.code_index.__getitem__),
                turn,
            )
    return {
        cell: [made[(*cell, *span)] for span in spans] for cell, spans in kept.items()
    }


def framework_matrix(
    project: Project,
    *,
    rows: str | Sequence[str] = "case",
    cols: str = "codes",
    coder: str | None = None,
    whose: Whose | None = None,
    rollup: bool = False,
    where: Sequence[str | Filter] = (),
    limit: int | None = 3,
) -> FrameworkMatrix:
    """The theme matrix's grid with quotes (document, timestamp) and summaries per cell.

    Args:
        limit: At most this many quotes per cell, the first in document order
            (None: all); ``counts`` has the number of distinct passages.
    """
    dimensions = parse_rows(rows)
    scope = build_scope(
        project,
        cols=cols,
        coder=coder,
        whose=whose,
        rollup=rollup,
        where=where,
        attributes=uses_attributes(dimensions),
    )
    check_dimensions(scope, dimensions)
    row_index = Rows(project, scope, dimensions)
    passages = Passages(scope, row_index, limit)
    run_pass(project, scope, [passages])
    return framework_in_scope(project, scope, row_index, passages, rollup)


def framework_in_scope(
    project: Project,
    scope: Scope,
    row_index: Rows,
    passages: Passages,
    rollup: bool,
) -> FrameworkMatrix:
    n_rows, n_cols = len(row_index.rows), len(scope.columns)
    counts, limit = passages.counts, passages.limit
    found = _quotes(project, scope, passages.kept)
    notes = _summaries(project)
    return FrameworkMatrix(
        rows=row_index.rows,
        columns=scope.columns,
        quotes=[[found.get((r, c), []) for c in range(n_cols)] for r in range(n_rows)],
        counts=counts.tolist(),
        summaries=[
            [notes.get((row.key, column.id), []) for column in scope.columns]
            for row in row_index.rows
        ],
        dimensions=row_index.dimensions,
        coders=scope.coders,
        whose=scope.whose,
        limit=limit,
        rollup=rollup,
        filters=scope.filters,
    )


def quotes(
    project: Project,
    code: str,
    *,
    case: str | None = None,
    document: str | None = None,
    coder: str | None = None,
    whose: Whose | None = None,
    rollup: bool = False,
    where: Sequence[str | Filter] = (),
) -> list[Quote]:
    """Every passage coded with a code (and with roll-up, its descendants), in order."""
    from coder.codes import get_code

    get_code(project, code)
    filters = list(where)
    if case is not None:
        filters.append(f"case={case}")
    if document is not None:
        filters.append(f"document={document}")
    scope = build_scope(
        project,
        coder=coder,
        whose=whose,
        rollup=rollup,
        where=filters,
        attributes=False,
    )
    column = next(i for i, c in enumerate(scope.columns) if c.id == code)
    rows = Rows(project, scope, [Dimension("document")])
    passages = Passages(scope, rows, None, only=column)
    run_pass(project, scope, [passages])
    found = _quotes(project, scope, passages.kept)
    order = {doc.name: i for i, doc in enumerate(scope.docs.values())}
    result = [q for bucket in found.values() for q in bucket]
    result.sort(key=lambda q: (order[q.document], q.start, q.end))
    return result
