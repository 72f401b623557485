"""The project report: one self-contained HTML file with the codebook, matrices and curves.

Inline CSS and SVG, no scripts and no network: it opens offline and prints.
Sections: overview, codebook with frequencies, theme matrix (heatmap),
framework matrix (quotes and summaries), co-occurrence, saturation curve, and
inter-coder agreement when two or more coders have coded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from coder import __version__
from coder.analysis.overview import analyse
from coder.analysis.scope import Filter, whose_codings
from coder.errors import CoderError
from coder.exporters.html import ENV
from coder.exporters.tables import (
    cooccurrence_table,
    frequencies_table,
    matrix_table,
    quote_text,
    saturation_table,
)
from coder.store import Project
from coder.store.project import now

CONSENSUS = "consensus"
# The saturation table is listed in full up to this many documents; the curve always.
SATURATION_TABLE_LIMIT = 60
# Document names under the curve's axis up to this many documents.
SATURATION_LABEL_LIMIT = 30
TOP_PAIRS = 12


@dataclass
class ReportOptions:
    """What the report shows; the matrix options mean what `coder matrix` says."""

    rows: str = "case"
    cols: str = "codes"
    cell: str = "codings"
    coder: str | None = None
    coders: tuple[str, ...] = ()  # pooled on purpose
    count_each: bool = False
    rollup: bool = False
    where: Sequence[str | Filter] = ()
    quotes: int = 3
    order: str = "import"
    mode: str = "overlap"
    segment_kind: str = "sentence"
    bootstrap: int = 1000
    seed: int = 0
    title: str | None = None


@dataclass
class Curve:
    """The saturation curve's geometry in SVG user units."""

    width: int
    height: int
    left: int
    top: int
    plot_width: float
    plot_height: float
    bars: list[dict[str, Any]] = field(default_factory=list)
    line: str = ""
    dots: list[dict[str, Any]] = field(default_factory=list)
    ticks: list[dict[str, Any]] = field(default_factory=list)
    labels: list[dict[str, Any]] = field(default_factory=list)


def saturation_curve(steps: Sequence[Any], total: int) -> Curve:
    """Bars of new codes per document and the cumulative line, scaled to the codebook."""
    n = len(steps)
    labelled = 0 < n <= SATURATION_LABEL_LIMIT
    width, height = 760, 260 + (70 if labelled else 0)
    left, top, right, bottom = 46, 14, 14, 20 + (70 if labelled else 0)
    plot_w, plot_h = width - left - right, height - top - bottom
    curve = Curve(width, height, left, top, plot_w, plot_h)
    scale = max(total, 1)
    step = plot_w / max(n, 1)
    points = []
    for i, s in enumerate(steps):
        x = left + step * i
        bar = plot_h * len(s.new) / scale
        curve.bars.append(
            {
                "x": round(x + step * 0.15, 1),
                "y": round(top + plot_h - bar, 1),
                "w": round(max(step * 0.7, 0.5), 1),
                "h": round(bar, 1),
                "title": f"{s.document}: {len(s.new)} new, {s.cumulative} in all",
            }
        )
        cx = round(x + step / 2, 1)
        cy = round(top + plot_h - plot_h * s.cumulative / scale, 1)
        points.append(f"{cx},{cy}")
        if n <= 120:
            curve.dots.append({"x": cx, "y": cy})
        if labelled:
            curve.labels.append({"x": cx, "y": top + plot_h + 8, "text": s.document})
    curve.line = " ".join(points)
    for value in axis_ticks(total):
        curve.ticks.append(
            {"y": round(top + plot_h - plot_h * value / scale, 1), "value": value}
        )
    return curve


def axis_ticks(total: int, most: int = 6) -> list[int]:
    """Round tick values from 0 to `total` (1, 2 or 5 times a power of ten apart), and `total`."""
    step = 1
    while total / step > most - 1:
        step = _next_step(step)
    ticks = list(range(0, total + 1, step))
    if ticks[-1] != total:
        # The codebook's size is the line the curve climbs to: always label it.
        if total - ticks[-1] <= step / 2:
            ticks.pop()
        ticks.append(total)
    return ticks


def _next_step(step: int) -> int:
    """1, 2, 5, 10, 20, 50, ..."""
    digits = str(step)
    lead, zeros = int(digits[0]), len(digits) - 1
    return {1: 2, 2: 5, 5: 10}[lead] * 10**zeros


def _codebook_rows(project: Project, freq) -> list[dict[str, Any]]:
    from coder.codes import current_codebook

    return [
        {
            "number": f.code.number,
            "code": code,
            "depth": min(depth, 3),
            "freq": f,
        }
        for (code, _parent, depth), f in zip(
            current_codebook(project).walk(), freq.codes, strict=True
        )
    ]


def _agreement(project: Project, options: ReportOptions) -> tuple[Any, str]:
    """The agreement report between the coders who coded (not the consensus), or why not."""
    from coder.agreement.report import agreement_report
    from coder.agreement.units import reliability_data
    from coder.codes import latest_version

    coders = [
        name
        for (name,) in project.execute(
            "SELECT name FROM coders WHERE id IN (SELECT DISTINCT coder_id FROM codings)"
            " AND name != ? ORDER BY name",
            [CONSENSUS],
        )
    ]
    if len(coders) < 2:
        return None, (
            "Only one coder has coded, so there is no agreement to report."
            if coders
            else "Nobody has coded yet."
        )
    try:
        data = reliability_data(
            project, coders, unit="segment", segment_kind=options.segment_kind
        )
    except CoderError as exc:
        return None, f"Agreement could not be computed: {exc}."
    if not data.codes:
        return None, "These coders have no codings to compare."
    latest = latest_version(project)
    label = f"{latest.name} {latest.version}".strip() if latest else ""
    report = agreement_report(
        data, n_boot=options.bootstrap, seed=options.seed, codebook=label
    )
    return report, ""


def report_context(project: Project, options: ReportOptions) -> dict[str, Any]:
    """Everything the report template shows, computed once."""
    from coder.agreement.report import COEFFICIENTS, band
    from coder.codes import latest_version
    from coder.exporters.agreement import fmt, unit_description

    whose = whose_codings(
        project,
        coder=options.coder,
        coders=options.coders,
        count_each=options.count_each,
    )
    found = analyse(
        project,
        rows=options.rows,
        cols=options.cols,
        cell=options.cell,
        whose=whose,
        rollup=options.rollup,
        where=options.where,
        segment_kind=options.segment_kind,
        limit=options.quotes,
        mode=options.mode,
        order=options.order,
    )
    theme, framework, co = found.theme, found.framework, found.cooccurrence
    sat, freq = found.saturation, found.frequencies
    agreement, agreement_note = _agreement(project, options)
    latest = latest_version(project)
    db = project
    codings = sum(f.codings for f in freq.codes)
    # Framework sections: one per code that has passages or a summary.
    sections = []
    for c, column in enumerate(framework.columns):
        cells = []
        for r, row in enumerate(framework.rows):
            found = framework.quotes[r][c]
            notes = framework.summaries[r][c]
            if found or notes:
                cells.append(
                    {
                        "row": row,
                        "quotes": found,
                        "count": framework.counts[r][c],
                        "summaries": notes,
                    }
                )
        if cells:
            sections.append({"column": column, "cells": cells})
    empty_codes = [
        column
        for c, column in enumerate(framework.columns)
        if not any(framework.counts[r][c] for r in range(len(framework.rows)))
    ]
    names = [d.name for d in theme.dimensions]
    return {
        "title": options.title or f"Coding report: {project.path.stem}",
        "generated": now()[:16].replace("T", " ") + " UTC",
        "version": __version__,
        "project": project.path.name,
        "codebook": latest,
        "counts": {
            "documents": freq.documents,
            "cases": db.execute("SELECT COUNT(*) FROM cases").fetchone()[0],
            "words": freq.words,
            "codings": codings,
            "codes": len(freq.codes),
        },
        "coders": theme.coders,
        "counted": whose.describe(),
        "options": options,
        "filters": theme.filters,
        "row_names": " × ".join(names),
        "codebook_rows": _codebook_rows(project, freq),
        "frequencies": frequencies_table(freq),
        "theme": theme,
        "theme_table": matrix_table(theme),
        "framework": framework,
        "sections": sections,
        "empty_codes": empty_codes,
        "cooccurrence": co,
        "cooccurrence_table": cooccurrence_table(co),
        "pairs": co.pairs()[:TOP_PAIRS],
        "saturation": sat,
        "saturation_table": saturation_table(sat),
        "saturation_listed": len(sat.steps) <= SATURATION_TABLE_LIMIT,
        "curve": saturation_curve(sat.steps, sat.total_codes),
        "agreement": agreement,
        "agreement_note": agreement_note,
        "agreement_unit": unit_description(agreement) if agreement else "",
        "coefficients": dict(COEFFICIENTS),
        "fmt": fmt,
        "band": band,
        "quote_text": quote_text,
    }


def build_report(project: Project, options: ReportOptions | None = None) -> str:
    """The report as one HTML document."""
    context = report_context(project, options or ReportOptions())
    return ENV.get_template("report.html.j2").render(context)
