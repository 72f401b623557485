"""Code frequencies (codings, documents, cases, words per code) and crosstabs of
codes against one attribute's values, built on the theme matrix's counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coder.analysis.passes import json_number
from coder.analysis.scope import (
    CELLS,
    SEGMENT_KINDS,
    Column,
    Filter,
    Rows,
    Scope,
    Whose,
    build_scope,
    check_choice,
)
from coder.analysis.theme import count_cells, theme_matrix
from coder.errors import CoderError
from coder.store import Project


@dataclass
class Frequency:
    """How much one code was used, in every measure at once."""

    code: Column
    codings: int
    documents: int
    segments: int
    speakers: int
    words: int
    coverage: float  # share of all words in scope
    document_share: float  # share of documents in scope


@dataclass
class Frequencies:
    codes: list[Frequency]
    documents: int
    words: int
    coders: list[str]
    segment_kind: str = "sentence"
    whose: Whose = field(default_factory=Whose)

    def to_dict(self) -> dict[str, Any]:
        return {
            "counted": self.whose.to_dict(),
            "documents": self.documents,
            "words": self.words,
            "codes": [
                {
                    "code": f.code.id,
                    "name": f.code.name,
                    "codings": f.codings,
                    "documents": f.documents,
                    "document_share": json_number(f.document_share),
                    "segments": f.segments,
                    "speakers": f.speakers,
                    "words": f.words,
                    "coverage": json_number(f.coverage),
                }
                for f in self.codes
            ],
        }


@dataclass
class Crosstab:
    """Codes (rows) by the values of one attribute (columns), with row percentages."""

    attribute: str
    values: list[str]
    codes: list[Column]
    counts: list[list[int]]
    totals: list[int]
    percents: list[list[float]]  # of the row total, 0 to 100
    documents: list[int]  # documents per value (the N of each column)
    cell: str
    coders: list[str]
    whose: Whose = field(default_factory=Whose)

    def to_dict(self) -> dict[str, Any]:
        return {
            "counted": self.whose.to_dict(),
            "attribute": self.attribute,
            "cell": self.cell,
            "values": self.values,
            "documents": self.documents,
            "codes": [
                {
                    "code": code.id,
                    "counts": dict(zip(self.values, self.counts[i], strict=True)),
                    "total": self.totals[i],
                    "percents": {
                        v: json_number(p)
                        for v, p in zip(self.values, self.percents[i], strict=True)
                    },
                }
                for i, code in enumerate(self.codes)
            ],
        }


def frequencies(
    project: Project,
    *,
    cols: str = "codes",
    coder: str | None = None,
    whose: Whose | None = None,
    rollup: bool = False,
    where: Sequence[str | Filter] = (),
    segment_kind: str = "sentence",
) -> Frequencies:
    """Per code: codings, documents, segments, speakers, coded words and coverage."""
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
    row_index = Rows(project, scope, [])
    counts, row_words = count_cells(project, scope, row_index, set(CELLS), segment_kind)
    return frequencies_in_scope(scope, counts, row_words, segment_kind)


def frequencies_in_scope(
    scope: Scope,
    counts: dict[str, np.ndarray],
    row_words: np.ndarray,
    segment_kind: str,
) -> Frequencies:
    total_words = int(row_words[0]) if len(row_words) else 0
    n_docs = len(scope.docs)
    found = []
    for c, column in enumerate(scope.columns):
        words = int(counts["words"][0, c])
        docs = int(counts["documents"][0, c])
        found.append(
            Frequency(
                code=column,
                codings=int(counts["codings"][0, c]),
                documents=docs,
                segments=int(counts["segments"][0, c]),
                speakers=int(counts["speakers"][0, c]),
                words=words,
                coverage=words / total_words if total_words else 0.0,
                document_share=docs / n_docs if n_docs else 0.0,
            )
        )
    return Frequencies(
        found, n_docs, total_words, scope.coders, segment_kind, whose=scope.whose
    )


def crosstab(
    project: Project,
    attribute: str,
    *,
    cell: str = "documents",
    cols: str = "codes",
    coder: str | None = None,
    whose: Whose | None = None,
    rollup: bool = False,
    where: Sequence[str | Filter] = (),
) -> Crosstab:
    """Codes by the values of an attribute: counts, row totals and row percentages."""
    if cell == "words":
        raise CoderError(
            "a crosstab adds counts up; use codings, segments, documents or speakers"
        )
    name = attribute[5:] if attribute.startswith("attr:") else attribute
    matrix = theme_matrix(
        project,
        rows=f"attr:{name}",
        cols=cols,
        cell=cell,
        coder=coder,
        whose=whose,
        rollup=rollup,
        where=where,
    )
    values = [row.values[0] for row in matrix.rows]
    counts = [
        [int(matrix.cells[r][c]) for r in range(len(matrix.rows))]
        for c in range(len(matrix.columns))
    ]
    totals = [sum(line) for line in counts]
    percents = [
        [100.0 * n / total if total else 0.0 for n in line]
        for line, total in zip(counts, totals, strict=True)
    ]
    return Crosstab(
        attribute=name,
        values=values,
        codes=matrix.columns,
        counts=counts,
        totals=totals,
        percents=percents,
        documents=matrix.row_documents,
        cell=cell,
        coders=matrix.coders,
        whose=matrix.whose,
    )
