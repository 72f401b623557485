"""Everything the report shows, computed in one pass over the documents: theme
and framework matrices, frequencies, co-occurrence and saturation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from coder.analysis.cooccurrence import Cooccurrence, Pairs
from coder.analysis.framework import FrameworkMatrix, Passages, framework_in_scope
from coder.analysis.frequencies import Frequencies, frequencies_in_scope
from coder.analysis.passes import run_pass
from coder.analysis.saturation import (
    Saturation,
    Used,
    in_order,
    saturation_in_scope,
)
from coder.analysis.scope import (
    CELLS,
    MODES,
    SEGMENT_KINDS,
    Filter,
    Rows,
    Whose,
    build_scope,
    check_choice,
    check_dimensions,
    parse_rows,
    uses_attributes,
)
from coder.analysis.theme import Cells, Matrix, matrix_in_scope
from coder.store import Project


@dataclass
class Analysis:
    """The views of one selection, computed in one pass (what the report shows)."""

    theme: Matrix
    framework: FrameworkMatrix
    cooccurrence: Cooccurrence
    saturation: Saturation
    frequencies: Frequencies


def analyse(
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
    limit: int | None = 3,
    mode: str = "overlap",
    jaccard: bool = True,
    order: str = "import",
) -> Analysis:
    """Theme and framework matrices, co-occurrence, saturation and frequencies at once.

    The same as calling each function with these options (frequencies are per
    code, without roll-up), but the codings, turns, sentences and words of
    each document are read once for all of them.
    """
    check_choice(cell, CELLS, "cell")
    check_choice(segment_kind, SEGMENT_KINDS, "segment kind")
    check_choice(mode, MODES, "mode")
    dimensions = parse_rows(rows)
    scope = build_scope(
        project,
        cols=cols,
        coder=coder,
        whose=whose,
        rollup=rollup,
        where=where,
        attributes=uses_attributes(dimensions, order),
    )
    check_dimensions(scope, dimensions)
    docs, values = in_order(scope, order)
    every_code = build_scope(
        project, coder=coder, whose=whose, where=where, attributes=False
    )
    row_index = Rows(project, scope, dimensions)
    one_row = Rows(project, every_code, [])
    theme = Cells(scope, row_index, {cell}, segment_kind)
    passages = Passages(scope, row_index, limit)
    pairs = Pairs(scope, mode, segment_kind, jaccard)
    used = Used(scope)
    counts = Cells(every_code, one_row, set(CELLS), segment_kind)
    run_pass(project, scope, [theme, passages, pairs, used, counts])
    theme_counts, row_words = theme.finish()
    all_counts, all_words = counts.finish()
    return Analysis(
        theme=matrix_in_scope(
            scope, row_index, cell, theme_counts[cell], row_words, rollup
        ),
        framework=framework_in_scope(project, scope, row_index, passages, rollup),
        cooccurrence=pairs.finish(rollup),
        saturation=saturation_in_scope(scope, order, docs, values, used.used),
        frequencies=frequencies_in_scope(
            every_code, all_counts, all_words, segment_kind
        ),
    )
