"""The theme matrix: rows (cases, documents, speakers, attribute values) x codes.

A cell counts codings, distinct sentences (or turns), documents or speakers,
or the share of the row's words inside the code's coded spans (a word counts
when its first character is coded). With roll-up a parent's cell also holds
its descendants' codings; distinct counts stay distinct. docs/matrices.md has
the definitions in full.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coder.analysis.passes import (
    DocCodings,
    Segments,
    View,
    coder_clause,
    coding_columns,
    distinct_keys,
    expand,
    interval_union,
    json_number,
    overlapping,
    rows_at,
    run_pass,
    unique_pairs,
)
from coder.analysis.scope import (
    CELLS,
    SEGMENT_KINDS,
    Column,
    Dimension,
    Filter,
    Row,
    Rows,
    Scope,
    Whose,
    build_scope,
    check_choice,
    check_dimensions,
    parse_rows,
    uses_attributes,
)
from coder.store import Project


@dataclass
class Matrix:
    """A theme matrix: rows x code columns, one number per cell.

    ``words`` cells are shares (0 to 1) of ``row_words``; the others are counts.
    """

    rows: list[Row]
    columns: list[Column]
    cells: list[list[int | float]]
    cell: str
    dimensions: list[Dimension]
    coders: list[str]
    rollup: bool = False
    filters: list[Filter] = field(default_factory=list)
    row_documents: list[int] = field(default_factory=list)
    row_words: list[int] = field(default_factory=list)
    whose: Whose = field(default_factory=Whose)

    def to_dict(self) -> dict[str, Any]:
        """``{"rows": [...], "columns": [...], "cells": [[...], ...]}``; columns by code id."""
        return {
            "counted": self.whose.to_dict(),
            "rows": [row.label for row in self.rows],
            "columns": [column.id for column in self.columns],
            "cells": [[json_number(value) for value in line] for line in self.cells],
        }

    @property
    def maximum(self) -> float:
        return max((max(line, default=0) for line in self.cells), default=0)


class Cells:
    """Counts per (row, column) for each cell type asked, and words per row."""

    def __init__(
        self, scope: Scope, rows: Rows, cells: set[str], segment_kind: str
    ) -> None:
        self.scope, self.rows, self.cells, self.segment_kind = (
            scope,
            rows,
            cells,
            segment_kind,
        )
        self.n_rows, self.n_cols = len(rows.rows), len(scope.columns)
        self.result = {
            cell: np.zeros((self.n_rows, self.n_cols), dtype=np.int64) for cell in cells
        }
        self.row_words = np.zeros(self.n_rows, dtype=np.int64)
        self.speaker_ids: dict[str, int] = {}
        self.n_speakers = len(scope.speakers) + 1
        self.seen_speakers: set[int] = set()

    def add(self, view: View) -> None:
        rows, cells, dc = self.rows, self.cells, view.dc
        n_rows, n_cols = self.n_rows, self.n_cols
        if not n_rows or not n_cols:
            return
        turns = turn_rows = None
        if rows.by_speaker or "speakers" in cells:
            turns = view.segments("turn")
            turn_rows = view.rows_of(rows, turns)
        if "words" in cells:
            words = view.words()
            if rows.by_speaker:
                word_rows = rows_at(words, turns, turn_rows)
                np.add.at(self.row_words, word_rows[word_rows >= 0], 1)
            else:
                self.row_words[rows.doc_row(view.doc.id)] += len(words)
        if not len(dc):
            return
        # Each coding counts in one or more columns: (coding, column) instances.
        owner, col = coding_columns(self.scope, dc.codes)
        ptr = np.concatenate(([0], np.cumsum(np.bincount(owner, minlength=len(dc)))))
        if turns is not None:
            first, last = overlapping(turns.starts, turns.ends, dc.starts, dc.ends)
            t_owner, t_index = expand(first, last)
        # The rows each coding belongs to: its document's, or its speakers'.
        if rows.by_speaker:
            c_owner, c_row = unique_pairs(t_owner, turn_rows[t_index] + 1, n_rows + 1)
            c_row -= 1
            keep = c_row >= 0
            c_owner, c_row = c_owner[keep], c_row[keep]
            x_owner, x_pos = expand(ptr[c_owner], ptr[c_owner + 1])
            flat = c_row[x_owner] * n_cols + col[x_pos]
        else:
            flat = rows.doc_row(view.doc.id) * n_cols + col
        if "codings" in cells:
            self.result["codings"] += np.bincount(
                flat, minlength=n_rows * n_cols
            ).reshape(n_rows, n_cols)
        if "documents" in cells:
            self.result["documents"].reshape(-1)[
                distinct_keys(flat, n_rows * n_cols)
            ] += 1
        if "speakers" in cells:
            ids = np.array(
                [
                    self.speaker_ids.setdefault(s, len(self.speaker_ids)) if s else -1
                    for s in turns.speakers
                ],
                dtype=np.int64,
            )
            # (coding, turn) pairs, then each coding's columns.
            y_owner, y_pos = expand(ptr[t_owner], ptr[t_owner + 1])
            turn = t_index[y_owner]
            r, c, who = turn_rows[turn], col[y_pos], ids[turn]
            keep = (r >= 0) & (who >= 0)
            r, c, who = r[keep], c[keep], who[keep]
            if len(who):
                # Few speakers per document: number them locally, then globally.
                local, who = np.unique(who, return_inverse=True)
                n_local = len(local)
                found = distinct_keys(
                    (r * n_cols + c) * n_local + who, n_rows * n_cols * n_local
                )
                cell, speaker = found // n_local, local[found % n_local]
                self.seen_speakers.update((cell * self.n_speakers + speaker).tolist())
        if "segments" in cells:
            segs = view.segments(self.segment_kind)
            seg_rows = view.rows_of(rows, segs)
            first, last = overlapping(
                segs.starts, segs.ends, dc.starts[owner], dc.ends[owner]
            )
            s_owner, s_index = expand(first, last)
            seg_col, seg_id = unique_pairs(col[s_owner], s_index, len(segs.speakers))
            r = seg_rows[seg_id]
            keep = r >= 0
            self.result["segments"] += np.bincount(
                r[keep] * n_cols + seg_col[keep], minlength=n_rows * n_cols
            ).reshape(n_rows, n_cols)
        if "words" in cells:
            _coded_words(
                words, dc, owner, col, rows, turns, turn_rows, self.result["words"]
            )

    def finish(self) -> tuple[dict[str, np.ndarray], np.ndarray]:
        if self.seen_speakers:
            seen = np.array(list(self.seen_speakers), dtype=np.int64)
            np.add.at(self.result["speakers"].reshape(-1), seen // self.n_speakers, 1)
            self.seen_speakers = set()
        return self.result, self.row_words


def count_cells(
    project: Project,
    scope: Scope,
    rows: Rows,
    cells: set[str],
    segment_kind: str = "sentence",
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Counts per (row, column) for each cell type asked; and words per row."""
    counter = Cells(scope, rows, cells, segment_kind)
    if not counter.n_rows or not counter.n_cols:
        return counter.finish()
    if (
        not rows.by_speaker
        and cells <= {"codings", "documents"}
        and not scope.whose.pooled  # pooled passages are merged while streamed
    ):
        _count_in_sql(project, scope, rows, counter.result)
        return counter.finish()
    run_pass(project, scope, [counter])
    return counter.finish()


def _coded_words(
    words: np.ndarray,
    dc: DocCodings,
    owner: np.ndarray,
    col: np.ndarray,
    rows: Rows,
    turns: Segments | None,
    turn_rows: np.ndarray | None,
    out: np.ndarray,
) -> None:
    """Add the words inside each column's coded spans to its row(s)."""
    n_words = len(words)
    if not n_words:
        return
    # Words by index: a coding holds the words that start inside it.
    lo = np.searchsorted(words, dc.starts[owner], side="left")
    hi = np.searchsorted(words, dc.ends[owner], side="left")
    group, run_lo, run_hi = interval_union(col, lo, hi, n_words + 1)
    if not rows.by_speaker:
        np.add.at(out[rows.doc_row(dc.doc.id)], group, run_hi - run_lo)
        return
    word_rows = rows_at(words, turns, turn_rows)
    present = np.unique(word_rows[word_rows >= 0])
    # Words of each row before each index: runs become differences.
    before = np.zeros((len(present), n_words + 1), dtype=np.int64)
    before[:, 1:] = np.cumsum(word_rows[None, :] == present[:, None], axis=1)
    for i, r in enumerate(present.tolist()):
        np.add.at(out[r], group, before[i, run_hi] - before[i, run_lo])


def _count_in_sql(
    project: Project, scope: Scope, rows: Rows, result: dict[str, np.ndarray]
) -> None:
    """Codings and documents per cell from one GROUP BY over (document, code)."""
    clause, params = coder_clause(scope)
    found = project.execute(
        f"SELECT document_id, code_id, COUNT(*) FROM codings{clause}"
        " GROUP BY document_id, code_id",
        params,
    ).fetchall()
    if not found:
        return
    n_cols = len(scope.columns)
    doc_ids, codes, counts = zip(*found, strict=True)
    docs = np.array(doc_ids, dtype=np.int64)
    # Row of each document id; -1 for documents out of scope.
    row_of = np.full(int(docs.max()) + 1, -1, dtype=np.int64)
    for doc_id in scope.docs:
        if doc_id < len(row_of):
            row_of[doc_id] = rows.doc_row(doc_id)
    row = row_of[docs]
    index = scope.code_index
    code = np.array([index.get(c, -1) for c in codes], dtype=np.int64)
    keep = (row >= 0) & (code >= 0)
    groups = np.flatnonzero(keep)
    owner, col = coding_columns(scope, code[keep])
    flat = row[groups[owner]] * n_cols + col
    size = len(rows.rows) * n_cols
    if "codings" in result:
        weights = np.array(counts, dtype=np.int64)[groups[owner]]
        result["codings"] += (
            np.bincount(flat, weights, minlength=size)
            .astype(np.int64)
            .reshape(result["codings"].shape)
        )
    if "documents" in result:
        # A document counts once per cell, however many of its codes roll up there.
        doc = docs[groups[owner]]
        pairs = np.unique(np.stack([doc, flat]), axis=1)
        result["documents"] += np.bincount(pairs[1], minlength=size).reshape(
            result["documents"].shape
        )


def theme_matrix(
    project: Project,
    *,
    rows: str | Sequence[str] = "case",
    cols: str = "codes",
    cell: str = "codings",
    coder: str | None = None,
    whose: Whose | None = None,
    rollup: bool = False,
    where: Sequence[str | Filter] = (),
    segment_kind: str = "sentence",
) -> Matrix:
    """Rows (cases, documents, speakers or attribute values) x codes.

    Args:
        project: The open project.
        rows: ``case``, ``document``, ``speaker``, ``attr:NAME``, or two joined
            by a comma (``case,attr:role``).
        cols: ``codes`` (every code in tree order) or ``level:N`` (1 = top).
        cell: ``codings``, ``segments``, ``documents``, ``speakers`` or ``words``.
        coder: Only this coder's codings (e.g. ``consensus``); default everyone's.
        rollup: Count descendants' codings in their ancestors' cells.
        where: Filters on documents: ``attr:NAME=VALUE``, ``case=NAME``,
            ``document=NAME``; all must hold.
        segment_kind: ``sentence`` or ``turn``, for the ``segments`` cell.

    Returns:
        The matrix; ``words`` cells are shares from 0 to 1.
    """
    check_choice(cell, CELLS, "cell")
    check_choice(segment_kind, SEGMENT_KINDS, "segment kind")
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
    counts, row_words = count_cells(project, scope, row_index, {cell}, segment_kind)
    return matrix_in_scope(scope, row_index, cell, counts[cell], row_words, rollup)


def matrix_in_scope(
    scope: Scope,
    row_index: Rows,
    cell: str,
    values: np.ndarray,
    row_words: np.ndarray,
    rollup: bool,
) -> Matrix:
    if cell == "words":
        with np.errstate(divide="ignore", invalid="ignore"):
            shares = np.where(
                row_words[:, None] > 0, values / np.maximum(row_words[:, None], 1), 0.0
            )
        cells = [[float(v) for v in line] for line in shares]
    else:
        cells = values.tolist()
    return Matrix(
        rows=row_index.rows,
        columns=scope.columns,
        cells=cells,
        cell=cell,
        dimensions=row_index.dimensions,
        coders=scope.coders,
        whose=scope.whose,
        rollup=rollup,
        filters=scope.filters,
        row_documents=row_index.documents,
        row_words=row_words.tolist() if cell == "words" else [],
    )
