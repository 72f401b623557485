"""Code co-occurrence: how often two codes overlap in the same characters, or
meet in the same sentence, with Jaccard similarity (shared / either) as an
option.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coder.analysis.passes import (
    DocCodings,
    View,
    coding_columns,
    expand,
    interval_union,
    json_number,
    overlapping,
    run_pass,
    unique_pairs,
)
from coder.analysis.scope import (
    MODES,
    SEGMENT_KINDS,
    Column,
    Filter,
    Scope,
    Whose,
    build_scope,
    check_choice,
)
from coder.store import Project


@dataclass
class Cooccurrence:
    """Codes x codes: how often two codes occur together.

    Off the diagonal, ``overlap`` mode counts pairs of codings (one in each
    code, not the same coding) that share a character; ``segment`` mode counts
    segments holding both codes. The diagonal holds each code's own count
    (codings, or segments). ``jaccard`` is |A ∩ B| / |A ∪ B| over characters
    (overlap mode) or segments (segment mode).
    """

    codes: list[Column]
    counts: list[list[int]]
    mode: str
    segment_kind: str
    coders: list[str]
    jaccard: list[list[float]] | None = None
    rollup: bool = False
    filters: list[Filter] = field(default_factory=list)
    whose: Whose = field(default_factory=Whose)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "counted": self.whose.to_dict(),
            "rows": [code.id for code in self.codes],
            "columns": [code.id for code in self.codes],
            "cells": self.counts,
        }
        if self.jaccard is not None:
            data["jaccard"] = [[json_number(v) for v in line] for line in self.jaccard]
        return data

    def pairs(self) -> list[tuple[Column, Column, int, float | None]]:
        """Every pair of different codes that co-occur, most frequent first."""
        found = []
        for i, a in enumerate(self.codes):
            for j in range(i + 1, len(self.codes)):
                if self.counts[i][j]:
                    found.append(
                        (
                            a,
                            self.codes[j],
                            self.counts[i][j],
                            self.jaccard[i][j] if self.jaccard else None,
                        )
                    )
        found.sort(key=lambda p: (-p[2], p[0].id, p[1].id))
        return found


def cooccurrence(
    project: Project,
    *,
    mode: str = "overlap",
    cols: str = "codes",
    coder: str | None = None,
    whose: Whose | None = None,
    rollup: bool = False,
    where: Sequence[str | Filter] = (),
    segment_kind: str = "sentence",
    jaccard: bool = False,
) -> Cooccurrence:
    """Codes x codes: codings that overlap, or segments that hold both codes.

    Args:
        mode: ``overlap`` (two codings share a character) or ``segment`` (both
            codes touch the same sentence or turn).
        jaccard: Also compute |A ∩ B| / |A ∪ B| (characters in overlap mode,
            segments in segment mode).
    """
    check_choice(mode, MODES, "mode")
    check_choice(segment_kind, SEGMENT_KINDS, "segment kind")
    scope = build_scope(
        project,
        cols=cols,
        coder=coder,
        whose=whose,
        rollup=rollup,
        where=where,
        attributes=False,
    )
    pairs = Pairs(scope, mode, segment_kind, jaccard)
    run_pass(project, scope, [pairs])
    return pairs.finish(rollup)


class Pairs:
    """Co-occurrence counts (and the units Jaccard needs), a document at a time."""

    def __init__(
        self, scope: Scope, mode: str, segment_kind: str, jaccard: bool
    ) -> None:
        self.scope, self.mode, self.segment_kind, self.jaccard = (
            scope,
            mode,
            segment_kind,
            jaccard,
        )
        k = len(scope.columns)
        self.counts = np.zeros((k, k), dtype=np.int64)
        self.inter = np.zeros((k, k), dtype=np.int64)  # Jaccard: shared units
        self.sizes = np.zeros(k, dtype=np.int64)  # Jaccard: units of each code

    def add(self, view: View) -> None:
        dc = view.dc
        if dc.coders is None:
            self._add(view, dc)
            return
        # Several coders counted each: pairs only ever within one coder's codings.
        for coder in np.unique(dc.coders).tolist():
            mine = dc.coders == coder
            self._add(
                view,
                DocCodings(dc.doc, dc.codes[mine], dc.starts[mine], dc.ends[mine]),
            )

    def _add(self, view: View, dc: DocCodings) -> None:
        counts = self.counts
        if not len(dc):
            return
        owner, col = coding_columns(self.scope, dc.codes)
        if self.mode == "overlap":
            starts, ends = dc.starts[owner], dc.ends[owner]
            k = len(counts)
            counts[np.diag_indices(k)] += np.bincount(col, minlength=k)
            a, b = _overlap_pairs(starts, ends)
            # Two codings of one column are not a co-occurrence (its own count is
            # the diagonal), nor is one coding counted in two columns.
            distinct = (owner[a] != owner[b]) & (col[a] != col[b])
            a, b = col[a[distinct]], col[b[distinct]]
            found = np.bincount(a * k + b, minlength=k * k).reshape(k, k)
            counts += found + found.T
            if self.jaccard:
                _character_overlaps(col, starts, ends, self.inter, self.sizes)
            return
        segs = view.segments(self.segment_kind)
        first, last = overlapping(
            segs.starts, segs.ends, dc.starts[owner], dc.ends[owner]
        )
        s_owner, s_index = expand(first, last)
        k = len(counts)
        seg, c = unique_pairs(s_index, col[s_owner], k)
        counts[np.diag_indices(k)] += np.bincount(c, minlength=k)
        # Every ordered pair of different codes within each segment.
        group_start = np.searchsorted(seg, seg, side="left")
        group_end = np.searchsorted(seg, seg, side="right")
        x, y = expand(group_start, group_end)
        keep = x != y
        counts += np.bincount(c[x[keep]] * k + c[y[keep]], minlength=k * k).reshape(
            k, k
        )

    def finish(self, rollup: bool) -> Cooccurrence:
        counts, inter, sizes = self.counts, self.inter, self.sizes
        if self.mode == "segment":
            inter, sizes = counts, np.diag(counts).copy()
        similarity = None
        if self.jaccard:
            union = sizes[:, None] + sizes[None, :] - inter
            with np.errstate(divide="ignore", invalid="ignore"):
                values = np.where(union > 0, inter / np.maximum(union, 1), 0.0)
            np.fill_diagonal(values, np.where(sizes > 0, 1.0, 0.0))
            similarity = [[float(v) for v in line] for line in values]
        return Cooccurrence(
            codes=self.scope.columns,
            counts=counts.tolist(),
            mode=self.mode,
            segment_kind=self.segment_kind,
            coders=self.scope.coders,
            whose=self.scope.whose,
            jaccard=similarity,
            rollup=rollup,
            filters=self.scope.filters,
        )


def _overlap_pairs(
    starts: np.ndarray, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i, j), i != j, of spans sharing a character; each pair once."""
    order = np.lexsort((ends, starts))
    s, e = starts[order], ends[order]
    # Partners of i come after it in start order and start before it ends.
    last = np.searchsorted(s, e, side="left")
    i, j = expand(np.arange(len(s)) + 1, last)
    return order[i], order[j]


def _character_overlaps(
    col: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    inter: np.ndarray,
    sizes: np.ndarray,
) -> None:
    """Add shared and own coded characters per column, over each column's union of spans."""
    if not len(col):
        return
    mc, ms, me = interval_union(col, starts, ends, int(ends.max()) + 1)
    np.add.at(sizes, mc, me - ms)
    order = np.argsort(ms, kind="stable")
    mc, ms, me = mc[order], ms[order], me[order]
    i, j = _overlap_pairs(ms, me)
    shared = np.minimum(me[i], me[j]) - np.maximum(ms[i], ms[j])
    np.add.at(inter, (mc[i], mc[j]), shared)
    np.add.at(inter, (mc[j], mc[i]), shared)
