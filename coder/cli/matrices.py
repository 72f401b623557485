"""Commands for cross-case analysis: matrix, quotes, cooccurrence, saturation, frequencies,
crosstab and report."""

from __future__ import annotations

from pathlib import Path

import click

from coder.cli.base import cli, err, handle_errors, open_existing, out, project_option
from coder.cli.options import FORMATS, output_options, pick_format, selection_options
from coder.cli.tables import emit
from coder.errors import CoderError


def note_pooled(coders: list[str], coder: str | None) -> None:
    if coder is None and len(coders) > 1:
        err.print(
            f"note: counting the codings of {len(coders)} coders together"
            f" ({', '.join(coders)}); pick one with --coder"
        )


@cli.command()
@click.option(
    "--rows",
    default="case",
    show_default=True,
    help="case, document, speaker or attr:NAME; two joined by a comma (case,attr:role).",
)
@click.option(
    "--cell",
    type=click.Choice(["codings", "segments", "documents", "speakers", "words"]),
    default="codings",
    show_default=True,
    help="What a cell counts (words: share of the row's words coded).",
)
@click.option(
    "--segment-kind",
    type=click.Choice(["sentence", "turn"]),
    default="sentence",
    show_default=True,
    help="What --cell segments counts.",
)
@selection_options
@output_options()
@project_option
@handle_errors
def matrix(
    rows, cell, segment_kind, cols, coder, rollup, where, fmt, output, project_path
) -> None:
    """The theme matrix: rows (cases, documents, speakers, attribute values) x codes.

    Example:

        coder matrix --rows case,attr:role --cols level:1 --rollup --cell documents
    """
    from coder.analysis.theme import theme_matrix
    from coder.exporters.tables import matrix_table

    fmt = pick_format(fmt, output, FORMATS)
    with open_existing(project_path) as project:
        result = theme_matrix(
            project,
            rows=rows,
            cols=cols,
            cell=cell,
            coder=coder,
            rollup=rollup,
            where=where,
            segment_kind=segment_kind,
        )
    note_pooled(result.coders, coder)
    emit([matrix_table(result)], fmt, output)


@cli.command()
@click.option("--code", "code_id", required=True, help="The code (its id).")
@click.option("--case", "case_name", help="Only this case's documents.")
@click.option("--doc", "document", help="Only this document.")
@click.option("--coder", help="Only this coder's codings.")
@click.option("--rollup", is_flag=True, help="Include the code's children.")
@click.option(
    "--where",
    "where",
    multiple=True,
    metavar="attr:NAME=VALUE",
    help="Only these documents.",
)
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
    coder,
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
    from coder.exporters.tables import Table

    fmt = pick_format(fmt, output, ("table", "csv", "xlsx", "md", "json"))
    row_key = None
    if case_name is not None and document is None:
        row_key = Dimension("case").key(case_name)
    elif document is not None and case_name is None:
        row_key = Dimension("document").key(document)
    with open_existing(project_path) as project:
        found = find_quotes(
            project,
            code_id,
            case=case_name,
            document=document,
            coder=coder,
            rollup=rollup,
            where=where,
        )
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
        current = get_cell_summary(project, code_id, row_key) if row_key else ""
    if fmt == "table":
        if current:
            out.print(f"[bold]Summary:[/bold] {current}\n", markup=True)
        for q in found:
            who = f"{q.speaker}, " if q.speaker else ""
            coders = ", ".join(q.coders)
            out.print(f"[bold]{who}{q.source}[/bold] [dim]{coders}[/dim]", markup=True)
            out.print("  " + " ".join(q.text.split()), markup=False)
        err.print(f"{len(found)} passages")
        return
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
    table = Table(
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
        kinds=[
            "text",
            "text",
            "text",
            "int",
            "text",
            "number",
            "int",
            "int",
            "text",
            "text",
            "quote",
        ],
        index=1,
        data={
            "code": code_id,
            "summary": current,
            "quotes": [q.to_dict() for q in found],
        },
    )
    emit([table], fmt, output)


@cli.command()
@click.option(
    "--mode",
    type=click.Choice(["overlap", "segment"]),
    default="overlap",
    show_default=True,
    help="overlap: two codings share a character; segment: both codes in one segment.",
)
@click.option(
    "--segment-kind",
    type=click.Choice(["sentence", "turn"]),
    default="sentence",
    show_default=True,
    help="The segment of --mode segment.",
)
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
    mode, segment_kind, jaccard, cols, coder, rollup, where, fmt, output, project_path
) -> None:
    """Code co-occurrence: codes x codes, by overlapping codings or shared segments.

    Example:

        coder cooccurrence --mode segment --jaccard --format md
    """
    from coder.analysis.cooccurrence import cooccurrence as compute
    from coder.exporters.tables import cooccurrence_table

    fmt = pick_format(fmt, output, FORMATS)
    with open_existing(project_path) as project:
        result = compute(
            project,
            mode=mode,
            cols=cols,
            coder=coder,
            rollup=rollup,
            where=where,
            segment_kind=segment_kind,
            jaccard=jaccard,
        )
    note_pooled(result.coders, coder)
    emit([cooccurrence_table(result, jaccard=jaccard)], fmt, output)


@cli.command()
@click.option(
    "--order",
    default="import",
    show_default=True,
    help="import, name, or attr:NAME (e.g. attr:interview_date).",
)
@selection_options
@output_options()
@project_option
@handle_errors
def saturation(order, cols, coder, rollup, where, fmt, output, project_path) -> None:
    """Saturation: how many new codes each interview added, and the cumulative count.

    Example:

        coder saturation --order attr:interview_date
    """
    from coder.analysis.saturation import saturation as compute
    from coder.exporters.tables import saturation_table

    fmt = pick_format(fmt, output, FORMATS)
    with open_existing(project_path) as project:
        result = compute(
            project, order=order, cols=cols, coder=coder, rollup=rollup, where=where
        )
    note_pooled(result.coders, coder)
    emit([saturation_table(result)], fmt, output)


@cli.command()
@click.option(
    "--segment-kind",
    type=click.Choice(["sentence", "turn"]),
    default="sentence",
    show_default=True,
    help="What the segments column counts.",
)
@selection_options
@output_options()
@project_option
@handle_errors
def frequencies(
    segment_kind, cols, coder, rollup, where, fmt, output, project_path
) -> None:
    """Per code: codings, documents, segments, speakers, words coded and coverage.

    Example:

        coder frequencies --cols level:1 --rollup --format md
    """
    from coder.analysis.frequencies import frequencies as compute
    from coder.exporters.tables import frequencies_table

    fmt = pick_format(fmt, output, FORMATS)
    with open_existing(project_path) as project:
        result = compute(
            project,
            cols=cols,
            coder=coder,
            rollup=rollup,
            where=where,
            segment_kind=segment_kind,
        )
    note_pooled(result.coders, coder)
    emit([frequencies_table(result)], fmt, output)


@cli.command()
@click.argument("attribute")
@click.option(
    "--cell",
    type=click.Choice(["documents", "codings", "segments", "speakers"]),
    default="documents",
    show_default=True,
    help="What a cell counts.",
)
@selection_options
@output_options()
@project_option
@handle_errors
def crosstab(
    attribute, cell, cols, coder, rollup, where, fmt, output, project_path
) -> None:
    """Codes by the values of an attribute, with counts and row percentages.

    Example:

        coder crosstab role --cols level:1 --rollup
    """
    from coder.analysis.frequencies import crosstab as compute
    from coder.exporters.tables import crosstab_table

    fmt = pick_format(fmt, output, FORMATS)
    with open_existing(project_path) as project:
        result = compute(
            project,
            attribute,
            cell=cell,
            cols=cols,
            coder=coder,
            rollup=rollup,
            where=where,
        )
    note_pooled(result.coders, coder)
    emit([crosstab_table(result)], fmt, output)


@cli.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default="report.html",
    show_default=True,
    help="The HTML file to write.",
)
@click.option("--rows", default="case", show_default=True, help="Rows of the matrices.")
@click.option(
    "--cell",
    type=click.Choice(["codings", "segments", "documents", "speakers", "words"]),
    default="codings",
    show_default=True,
    help="What the theme matrix counts.",
)
@selection_options
@click.option(
    "--quotes",
    "limit",
    type=click.IntRange(min=0),
    default=3,
    show_default=True,
    help="Quotes per framework cell.",
)
@click.option(
    "--order",
    default="import",
    show_default=True,
    help="Order of the saturation curve: import, name or attr:NAME.",
)
@click.option(
    "--mode",
    type=click.Choice(["overlap", "segment"]),
    default="overlap",
    show_default=True,
    help="Co-occurrence by overlapping codings or shared sentences.",
)
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
    coder,
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

    options = ReportOptions(
        rows=rows,
        cols=cols,
        cell=cell,
        coder=coder,
        rollup=rollup,
        where=where,
        quotes=limit,
        order=order,
        mode=mode,
        bootstrap=bootstrap,
        title=title,
    )
    with open_existing(project_path) as project:
        html = build_report(project, options)
    output.write_text(html, encoding="utf-8")
    click.echo(f"wrote {output}", err=True)
