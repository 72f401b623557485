"""Tables for export: the matrices as neutral tables, and the registry of table formats.

Every result of `coder.analysis` becomes one or more `Table`s; a format module
(`csv_`, `xlsx`, `markdown`, `json_`, `html`) turns a list of tables into bytes.
`FORMATS` maps a format name to its writer; `get_format` names the valid ones
when asked for another.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from coder.analysis.cooccurrence import Cooccurrence
from coder.analysis.framework import FrameworkMatrix, Quote
from coder.analysis.frequencies import Crosstab, Frequencies
from coder.analysis.saturation import Saturation
from coder.analysis.theme import Matrix

# What a column holds, which decides how each format writes it.
KINDS = ("text", "int", "share", "percent", "number", "quote")

CELL_LABELS = {
    "codings": "codings",
    "segments": "segments touched",
    "documents": "documents that mention the code",
    "speakers": "speakers that mention the code",
    "words": "share of the row's words coded",
}


@dataclass
class Table:
    """A rectangular table with typed columns.

    Attributes:
        name: Short name: the XLSX sheet, the heading of a section.
        header: Column titles for people (code names).
        rows: Values: str, int, float or None.
        kinds: One of KINDS per column.
        keys: Column names for machines (code ids), used by CSV; default `header`.
        index: How many leading columns label the rows.
        heat: Colour the value cells by size (matrices).
        caption: One sentence saying what the cells are.
        data: The JSON document for this table (default: a list of records).
        heat_max: The value of the darkest colour (default: the largest cell).
    """

    name: str
    header: list[str]
    rows: list[list[Any]]
    kinds: list[str]
    keys: list[str] | None = None
    index: int = 1
    heat: bool = False
    caption: str = ""
    data: Any = None
    heat_max: float | None = None

    @property
    def machine_header(self) -> list[str]:
        return self.keys or self.header

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.machine_header, row, strict=True)) for row in self.rows]

    @property
    def maximum(self) -> float:
        """The value of the darkest colour: `heat_max`, else the largest cell."""
        if self.heat_max is not None:
            return self.heat_max
        values = [
            v
            for row in self.rows
            for v in row[self.index :]
            if isinstance(v, int | float) and not isinstance(v, bool)
        ]
        return max(values, default=0)


def display(value: Any, kind: str) -> str:
    """A value as people read it (Markdown, HTML, the terminal)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if kind == "share":
        return f"{value * 100:.1f}%"
    if kind == "percent":
        return f"{value:.1f}%"
    if kind == "number":
        return f"{value:.3f}"
    if kind == "int":
        return str(value)
    return " ".join(str(value).split())


def machine(value: Any, kind: str) -> Any:
    """A value as a program reads it (CSV): numbers rounded, text as stored."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if kind in ("share", "number"):
        return f"{value:.4f}"
    if kind == "percent":
        return f"{value:.2f}"
    return value


# The matrices as tables ------------------------------------------------------------


def _filters_text(filters: Sequence[Any]) -> str:
    return (
        f"; only documents with {', '.join(str(f) for f in filters)}" if filters else ""
    )


def matrix_table(matrix: Matrix) -> Table:
    dims = [d.name for d in matrix.dimensions]
    kind = "share" if matrix.cell == "words" else "int"
    rows = [
        [*row.values, *line]
        for row, line in zip(matrix.rows, matrix.cells, strict=True)
    ]
    caption = (
        f"Cells: {CELL_LABELS[matrix.cell]}"
        f"{' (children rolled up into parents)' if matrix.rollup else ''};"
        f" {matrix.whose.describe()}{_filters_text(matrix.filters)}."
    )
    return Table(
        name="Theme matrix",
        header=[*dims, *(c.name for c in matrix.columns)],
        keys=[*dims, *(c.id for c in matrix.columns)],
        rows=rows,
        kinds=["text"] * len(dims) + [kind] * len(matrix.columns),
        index=len(dims),
        heat=True,
        caption=caption,
        data=matrix.to_dict(),
    )


def quote_text(quote: Quote, with_codes: bool = False) -> str:
    codes = f" [{', '.join(quote.codes)}]" if with_codes else ""
    who = f"{quote.speaker}, " if quote.speaker else ""
    return f"“{' '.join(quote.text.split())}” ({who}{quote.source}){codes}"


def framework_table(framework: FrameworkMatrix) -> Table:
    """One line per (row, code) cell that has quotes or a summary."""
    dims = [d.name for d in framework.dimensions]
    rows = []
    for r, row in enumerate(framework.rows):
        for c, column in enumerate(framework.columns):
            found = framework.quotes[r][c]
            summary = "\n".join(
                (f"{s.coder}: " if len(framework.summaries[r][c]) > 1 else "") + s.text
                for s in framework.summaries[r][c]
            )
            if not found and not summary:
                continue
            more = framework.counts[r][c] - len(found)
            text = "\n".join(quote_text(q) for q in found)
            if more > 0:
                text += f"\n(and {more} more)"
            rows.append(
                [*row.values, column.name, framework.counts[r][c], summary, text]
            )
    limit = (
        "all quotes" if framework.limit is None else f"up to {framework.limit} quotes"
    )
    return Table(
        name="Framework matrix",
        header=[*dims, "Code", "Passages", "Summary", "Quotes"],
        keys=[*dims, "code", "passages", "summary", "quotes"],
        rows=rows,
        kinds=["text"] * len(dims) + ["text", "int", "quote", "quote"],
        index=len(dims) + 1,
        caption=f"Each cell: {limit} per code and row, with the researcher's summary;"
        f" {framework.whose.describe()}{_filters_text(framework.filters)}.",
        data=framework.to_dict(),
    )


def cooccurrence_table(result: Cooccurrence, *, jaccard: bool = False) -> Table:
    values = result.jaccard if jaccard and result.jaccard is not None else result.counts
    unit = (
        "codings that share a character"
        if result.mode == "overlap"
        else f"{result.segment_kind}s holding both codes"
    )
    if jaccard:
        caption = "Jaccard coefficient |A ∩ B| / |A ∪ B| over " + (
            "coded characters"
            if result.mode == "overlap"
            else f"{result.segment_kind}s"
        )
    else:
        caption = f"Off the diagonal: {unit}; on it: each code's " + (
            "codings" if result.mode == "overlap" else f"{result.segment_kind}s"
        )
    # The diagonal (each code's own count) would dwarf the pairs.
    off_diagonal = [
        v for i, line in enumerate(values) for j, v in enumerate(line) if i != j
    ]
    return Table(
        name="Jaccard" if jaccard else "Co-occurrence",
        header=["code", *(c.name for c in result.codes)],
        keys=["code", *(c.id for c in result.codes)],
        rows=[
            [code.name, *line] for code, line in zip(result.codes, values, strict=True)
        ],
        kinds=["text"] + ["number" if jaccard else "int"] * len(result.codes),
        heat=True,
        heat_max=max(off_diagonal, default=0),
        caption=f"{caption}; {result.whose.describe()}{_filters_text(result.filters)}.",
        data=result.to_dict(),
    )


def saturation_table(result: Saturation) -> Table:
    ordered = (
        "in import order"
        if result.order == "import"
        else f"ordered by {result.order.removeprefix('attr:')}"
    )
    return Table(
        name="Saturation",
        header=["#", "Document", "Order", "Codes", "New", "Cumulative", "New codes"],
        keys=["n", "document", "order", "codes", "new", "cumulative", "new_codes"],
        rows=[
            [
                i,
                step.document,
                step.order_value,
                step.codes,
                len(step.new),
                step.cumulative,
                ", ".join(step.new),
            ]
            for i, step in enumerate(result.steps, start=1)
        ],
        kinds=["int", "text", "text", "int", "int", "int", "quote"],
        index=2,
        caption=f"Documents {ordered}: the codes each used, how many were new, and"
        f" the running total of {result.total_codes} codes; {result.whose.describe()}.",
        data=result.to_dict(),
    )


def frequencies_table(result: Frequencies) -> Table:
    return Table(
        name="Frequencies",
        header=[
            "No.",
            "Code",
            "Id",
            "Codings",
            "Documents",
            "% documents",
            f"{result.segment_kind.capitalize()}s",
            "Speakers",
            "Words coded",
            "Coverage",
        ],
        keys=[
            "number",
            "name",
            "code",
            "codings",
            "documents",
            "document_share",
            "segments",
            "speakers",
            "words",
            "coverage",
        ],
        rows=[
            [
                f.code.number,
                f.code.name,
                f.code.id,
                f.codings,
                f.documents,
                f.document_share,
                f.segments,
                f.speakers,
                f.words,
                f.coverage,
            ]
            for f in result.codes
        ],
        kinds=[
            "text",
            "text",
            "text",
            "int",
            "int",
            "share",
            "int",
            "int",
            "int",
            "share",
        ],
        index=3,
        caption=f"{result.documents} documents, {result.words} words;"
        f" coverage is the share of all words coded; {result.whose.describe()}.",
        data=result.to_dict(),
    )


def crosstab_table(result: Crosstab) -> Table:
    header = ["Code"]
    keys = ["code"]
    kinds = ["text"]
    for value, n in zip(result.values, result.documents, strict=True):
        header += [f"{value} (n={n})", f"{value} %"]
        keys += [value, f"{value}_pct"]
        kinds += ["int", "percent"]
    header.append("Total")
    keys.append("total")
    kinds.append("int")
    rows = []
    for i, code in enumerate(result.codes):
        line: list[Any] = [code.name]
        for n, pct in zip(result.counts[i], result.percents[i], strict=True):
            line += [n, pct]
        rows.append([*line, result.totals[i]])
    return Table(
        name=f"Crosstab {result.attribute}"[:31],
        header=header,
        keys=keys,
        rows=rows,
        kinds=kinds,
        caption=f"Codes by {result.attribute}: {CELL_LABELS[result.cell]}, with row"
        f" percentages; n is the number of documents; {result.whose.describe()}.",
        data=result.to_dict(),
    )


def codings_table(records: Sequence[Any], attributes: Sequence[str]) -> Table:
    used = [a for a in attributes if any(a in r.attributes for r in records)]
    header = [
        "id",
        "document",
        "case",
        *used,
        "speaker",
        "turn",
        "time",
        "seconds",
        "start",
        "end",
        "coder",
        "code",
        "code_name",
        "text",
        "memo",
        "source",
    ]
    kinds = (
        ["int", "text", "text"]
        + ["text"] * len(used)
        + [
            "text",
            "int",
            "text",
            "number",
            "int",
            "int",
            "text",
            "text",
            "text",
            "quote",
            "text",
            "text",
        ]
    )
    rows = [
        [
            r.id,
            r.document,
            r.case,
            *(r.attributes.get(a) for a in used),
            r.speaker,
            r.turn,
            # hh:mm:ss for people; the seconds beside it for machines.
            r.clock,
            r.time,
            r.start,
            r.end,
            r.coder,
            r.code,
            r.code_name,
            r.text,
            r.memo,
            r.source,
        ]
        for r in records
    ]
    data = [dict(zip(header, row, strict=True)) for row in rows]
    return Table(
        name="Codings",
        header=header,
        rows=rows,
        kinds=kinds,
        index=2,
        caption="Every coding with its document, case, attributes, speaker, turn,"
        " time and text.",
        data=data,
    )


def stack_by_coder(tables: Sequence[Table], whose: Sequence[Any]) -> Table:
    """One coder's table after another, a leading ``coder`` column telling them apart.

    The tables come from the same analysis with the same options, one per
    coder (`coder.analysis.scope.each_coder`), so their columns agree.
    """
    first = tables[0]
    names = [w.coders[0] for w in whose]
    caption = first.caption.replace(
        whose[0].describe(),
        f"each coder's codings in their own rows ({', '.join(names)})"
        + (f"; {whose[0].codebook}" if whose[0].codebook else ""),
    )
    return Table(
        name=first.name,
        header=["coder", *first.header],
        keys=["coder", *first.machine_header],
        rows=[
            [name, *row]
            for name, table in zip(names, tables, strict=True)
            for row in table.rows
        ],
        kinds=["text", *first.kinds],
        index=first.index + 1,
        heat=first.heat,
        caption=caption,
        data={
            "counted": {"by_coder": names, "codebook": whose[0].codebook},
            "by_coder": {
                name: table.data if table.data is not None else table.records()
                for name, table in zip(names, tables, strict=True)
            },
        },
        heat_max=(
            max(t.heat_max for t in tables)
            if all(t.heat_max is not None for t in tables)
            else None
        ),
    )
