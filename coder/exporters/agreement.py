"""The agreement table as CSV, Markdown and HTML for a paper's methods section."""

from __future__ import annotations

import csv
import io
import math

import jinja2

from coder.agreement.report import BANDS, COEFFICIENTS, AgreementReport, band
from coder.exporters.cells import spreadsheet_safe

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("coder", "templates"),
    # Escape HTML templates (*.html.j2) only; Markdown is written as is.
    autoescape=lambda name: bool(name) and name.endswith(".html.j2"),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def fmt(value: float | None, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.{digits}f}"


def _label(name: str) -> str:
    return dict(COEFFICIENTS)[name]


def unit_description(report: AgreementReport) -> str:
    """The unit in words, as a methods section states it."""
    if report.unit == "segment":
        overlap = (
            "any overlap"
            if not report.min_overlap
            else f"a coding covering at least {report.min_overlap:g}% of it"
        )
        return f"each {report.segment_kind} is a unit; a code counts as applied to it with {overlap}"
    if report.unit == "character":
        return "each character of the spoken text is a unit"
    return "each document is a unit (code present or absent)"


def agreement_csv(report: AgreementReport) -> str:
    names = report.coefficient_names
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    header = (["group"] if report.by != "code" else []) + [
        "code",
        "units",
        "prevalence",
    ]
    for name in names:
        header += [name, f"{name}_ci_low", f"{name}_ci_high"]
    writer.writerow(header)
    for row in report.rows:
        # Groups (attribute values) and code names are text someone typed.
        line = ([spreadsheet_safe(row.group)] if report.by != "code" else []) + [
            spreadsheet_safe(row.code),
            row.units,
            fmt(row.prevalence, 4),
        ]
        for name in names:
            low, high = row.intervals.get(name, (float("nan"), float("nan")))
            line += [fmt(row.values.get(name), 4), fmt(low, 4), fmt(high, 4)]
        writer.writerow(line)
    return buffer.getvalue()


def _context(report: AgreementReport) -> dict:
    names = report.coefficient_names
    return {
        "report": report,
        "names": names,
        "labels": {name: _label(name) for name in names},
        "fmt": fmt,
        "band": band,
        "unit_text": unit_description(report),
        "bands": BANDS,
        "level_pct": f"{report.level * 100:g}",
    }


def agreement_markdown(report: AgreementReport) -> str:
    return _ENV.get_template("agreement.md.j2").render(_context(report))


def agreement_html(report: AgreementReport) -> str:
    return _ENV.get_template("agreement.html.j2").render(_context(report))
