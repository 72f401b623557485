"""Commands for cross-case analysis: matrix, quotes, cooccurrence, saturation, frequencies,
crosstab and report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import click

from coder.cli.base import cli, err, handle_errors, open_existing, out, project_option
from coder.cli.options import (
    FORMATS,
    cell_option,
    coder_options,
    mode_option,
    order_option,
    output_options,
    pick_format,
    rows_option,
    scope_options,
    segment_kind_option,
    selection_options,
)
from coder.cli.tables import emit
from coder.errors import CoderError


def counted_table(project, choice, compute: Callable, to_table: Callable):
    """The table of one analysis for the coders chosen: one, or one per coder stacked.

    `compute` takes a `Whose` and returns the analysis; `to_table` makes it a
    Table. Whose codings counted is in the table's caption and data.
    """
    from coder.exporters.tables import stack_by_coder

    whose = choice.resolve(project)
    if not whose:
        raise CoderError("no coder has codings yet: nothing to split by coder")
    tables = [to_table(compute(w)) for w in whose]
    return stack_by_coder(tables, whose) if choice.by_coder else tables[0]


def run_analysis(
    project_path, choice, fmt, output, compute: Callable, to_table: Callable, **options
) -> None:
    """The body every table command shares: check the format, count, print or write.

    `compute(project, whose=..., **options)` is the analysis; `to_table` turns
    its result into a Table.
    """
    fmt = pick_format(fmt, output, FORMATS)
    with open_existing(project_path) as project:
        table = counted_table(
            project,
            choice,
            lambda whose: compute(project, whose=whose, **options),
            to_table,
        )
    emit([table], fmt, output)


@cli.command()
@rows_option
@cell_option()
@segment_kind_option()
@selection_options
@output_options()
@project_option
@handle_errors
def matrix(
    rows, cell, segment_kind, cols, choice, rollup, where, fmt, output, project_path
) -> None:
    """The theme matrix: rows (cases, documents, speakers, attribute values) x codes.

    Example:

        coder matrix --rows case,attr:role --cols level:1 --rollup --cell documents
    """
    from coder.analysis.theme import theme_matrix
    from coder.exporters.tables import matrix_table

    run_analysis(
        project_path,
        choice,
        fmt,
        output,
        theme_matrix,
        matrix_table,
        rows=rows,
        cols=cols,
        cell=cell,
        rollup=rollup,
        where=where,
        segment_kind=segment_kind,
    )


def quotes_table(code_id: str, found: list, current: str, whose):
    """The quotes of one code as a table: where each passage is, who coded it, its text."""
    from coder.exporters.tables import Table

    header = [
        "document",
        "case",
        "speaker",
        "turn",
        "time",
        "seconds",
        "start",
        "end",
        "coders",
        "codes",
        "text",
    ]
    kinds = ["text", "text", "text", "int", "text", "number", "int", "int"]
    return Table(
        name=f"Quotes {code_id}"[:31],
        header=header,
        rows=[
            [
                q.document,
                q.case,
                q.speaker,
                q.turn,
                # hh:mm:ss for people; the seconds beside it for machines.
                q.clock,
                q.time,
                q.start,
                q.end,
                ", ".join(q.coders),
                ", ".join(q.codes),
                q.text,
            ]
            for q in found
        ],
        kinds=[*kinds, "text", "text", "quote"],
        index=1,
        caption=f"Passages coded {code_id}; {whose.describe()}.",
        data={
            "counted": whose.to_dict(),
            "code": code_id,
            "summary": current,
            "quotes": [q.to_dict() for q in found],
        },
    )


@cli.command()
@click.option("--code", "code_id", required=True, help="The code (its id).")
@click.option("--case", "case_name", help="Only this case's documents.")
@click.option("--doc", "document", help="Only this document.")
@coder_options
@scope_options
@click.option(
    "--summary",
    help="Write the framework-matrix summary of this code in --case (or --doc);"
    " an empty text clears it.",
)
@output_options(("table", "csv", "xlsx", "md", "json"))
@project_option
@handle_errors
def quotes(
    code_id,
    case_name,
    document,
    choice,
    rollup,
    where,
    summary,
    fmt,
    output,
    project_path,
) -> None:
    """The passages coded with a code, with document, speaker and timestamp.

    Example:

        coder quotes --code payment_risk --case "Kaveh Power Equipment"
    """
    from coder.analysis.framework import get_cell_summary, set_cell_summary
    from coder.analysis.framework import quotes as find_quotes
    from coder.analysis.scope import Dimension
    from coder.exporters.tables import stack_by_coder

    fmt = pick_format(fmt, output, ("table", "csv", "xlsx", "md", "json"))
    row_key = None
    if case_name is not None and document is None:
        row_key = Dimension("case").key(case_name)
    elif document is not None and case_name is None:
        row_key = Dimension("document").key(document)
    with open_existing(project_path) as project:
        if summary is not None:
            if row_key is None:
                raise CoderError(
                    "a summary belongs to one cell of the framework matrix:"
                    " give --case NAME or --doc NAME (one of them)"
                )
            set_cell_summary(project, code_id, row_key, summary)
            click.echo(
                f"{'cleared' if not summary.strip() else 'saved'} the summary of"
                f" {code_id} in {row_key}",
                err=True,
            )
            return
        whose = choice.resolve(project)
        if not whose:
            raise CoderError("no coder has codings yet: nothing to split by coder")
        found = [
            find_quotes(
                project,
                code_id,
                case=case_name,
                document=document,
                whose=w,
                rollup=rollup,
                where=where,
            )
            for w in whose
        ]
        current = get_cell_summary(project, code_id, row_key) if row_key else ""
    if fmt == "table":
        if current:
            out.print(f"[bold]Summary:[/bold] {current}\n", markup=True)
        for w, passages in zip(whose, found, strict=True):
            if choice.by_coder:
                out.print(
                    f"[bold underline]{w.coders[0]}[/bold underline]", markup=True
                )
            for q in passages:
                who = f"{q.speaker}, " if q.speaker else ""
                coders = ", ".join(q.coders)
                out.print(
                    f"[bold]{who}{q.source}[/bold] [dim]{coders}[/dim]", markup=True
                )
                out.print("  " + " ".join(q.text.split()), markup=False)
            err.print(f"{len(passages)} passages; {w.describe()}")
        return
    tables = [
        quotes_table(code_id, passages, current, w)
        for w, passages in zip(whose, found, strict=True)
    ]
    emit([stack_by_coder(tables, whose) if choice.by_coder else tables[0]], fmt, output)


@cli.command()
@mode_option
@segment_kind_option("The segment of --mode segment.")
@click.option(
    "--jaccard",
    is_flag=True,
    help="Cells are Jaccard coefficients |A∩B|/|A∪B| instead of counts.",
)
@selection_options
@output_options()
@project_option
@handle_errors
def cooccurrence(
    mode, segment_kind, jaccard, cols, choice, rollup, where, fmt, output, project_path
) -> None:
    """Code co-occurrence: codes x codes, by overlapping codings or shared segments.

    Example:

        coder cooccurrence --mode segment --jaccard --format md
    """
    from coder.analysis.cooccurrence import cooccurrence as compute
    from coder.exporters.tables import cooccurrence_table

    run_analysis(
        project_path,
        choice,
        fmt,
        output,
        compute,
        lambda result: cooccurrence_table(result, jaccard=jaccard),
        mode=mode,
        cols=cols,
        rollup=rollup,
        where=where,
        segment_kind=segment_kind,
        jaccard=jaccard,
    )


@cli.command()
@order_option
@selection_options
@output_options()
@project_option
@handle_errors
def saturation(order, cols, choice, rollup, where, fmt, output, project_path) -> None:
    """Saturation: how many new codes each interview added, and the cumulative count.

    Example:

        coder saturation --order attr:interview_date
    """
    from coder.analysis.saturation import saturation as compute
    from coder.exporters.tables import saturation_table

    run_analysis(
        project_path,
        choice,
        fmt,
        output,
        compute,
        saturation_table,
        order=order,
        cols=cols,
        rollup=rollup,
        where=where,
    )


@cli.command()
@segment_kind_option("What the segments column counts.")
@selection_options
@output_options()
@project_option
@handle_errors
def frequencies(
    segment_kind, cols, choice, rollup, where, fmt, output, project_path
) -> None:
    """Per code: codings, documents, segments, speakers, words coded and coverage.

    Example:

        coder frequencies --cols level:1 --rollup --format md
    """
    from coder.analysis.frequencies import frequencies as compute
    from coder.exporters.tables import frequencies_table

    run_analysis(
        project_path,
        choice,
        fmt,
        output,
        compute,
        frequencies_table,
        cols=cols,
        rollup=rollup,
        where=where,
        segment_kind=segment_kind,
    )


@cli.command()
@click.argument("attribute")
@cell_option(
    ("documents", "codings", "segments", "speakers"), "documents", "What a cell counts."
)
@selection_options
@output_options()
@project_option
@handle_errors
def crosstab(
    attribute, cell, cols, choice, rollup, where, fmt, output, project_path
) -> None:
    """Codes by the values of an attribute, with counts and row percentages.

    Example:

        coder crosstab role --cols level:1 --rollup
    """
    from coder.analysis.frequencies import crosstab as compute
    from coder.exporters.tables import crosstab_table

    run_analysis(
        project_path,
        choice,
        fmt,
        output,
        lambda project, **options: compute(project, attribute, **options),
        crosstab_table,
        cell=cell,
        cols=cols,
        rollup=rollup,
        where=where,
    )


@cli.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default="report.html",
    show_default=True,
    help="The HTML file to write.",
)
@rows_option
@cell_option(help="What the theme matrix counts.")
@selection_options
@click.option(
    "--quotes",
    "limit",
    type=click.IntRange(min=0),
    default=3,
    show_default=True,
    help="Quotes per framework cell.",
)
@order_option
@mode_option
@click.option(
    "--bootstrap",
    type=click.IntRange(min=0),
    default=1000,
    show_default=True,
    help="Bootstrap resamples for the agreement intervals (0: none).",
)
@click.option("--title", help="The report's title.")
@project_option
@handle_errors
def report(
    output,
    rows,
    cell,
    cols,
    choice,
    rollup,
    where,
    limit,
    order,
    mode,
    bootstrap,
    title,
    project_path,
) -> None:
    """One self-contained HTML report: codebook, matrices, co-occurrence, saturation, agreement.

    Example:

        coder report -o report.html --order attr:interview_date
    """
    from coder.exporters.report import ReportOptions, build_report

    if choice.count_each and len(choice.coders) < 2:
        raise CoderError("--count-each goes with --coders a,b (two or more coders)")
    options = ReportOptions(
        rows=rows,
        cols=cols,
        cell=cell,
        coder=choice.coder,
        coders=choice.coders,
        count_each=choice.count_each,
        rollup=rollup,
        where=where,
        quotes=limit,
        order=order,
        mode=mode,
        bootstrap=bootstrap,
        title=title,
    )
    with open_existing(project_path) as project:
        if not choice.by_coder:
            reports = [(output, build_report(project, options))]
        else:
            # Split by coder: one report per coder, beside each other.
            reports = [
                (
                    output.with_name(f"{output.stem}-{whose.coders[0]}{output.suffix}"),
                    build_report(
                        project,
                        replace(
                            options, coder=whose.coders[0], coders=(), count_each=False
                        ),
                    ),
                )
                for whose in choice.resolve(project)
            ]
            if not reports:
                raise CoderError("no coder has codings yet: nothing to split by coder")
    for path, html in reports:
        path.write_text(html, encoding="utf-8")
        click.echo(f"wrote {path}", err=True)
