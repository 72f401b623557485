"""Commands for the team workflow: merge, agreement, disagreements, resolve, consensus."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from coder.cli.base import (
    cli,
    err,
    handle_errors,
    json_option,
    open_existing,
    out,
    print_json,
    project_option,
)
from coder.cli.maintenance import snapshot_first
from coder.cli.options import output_options, pick_format
from coder.errors import CoderError

AGREEMENT_FORMATS = ("table", "json", "csv", "md", "html")


def coder_list(value: str) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    if len(names) < 2:
        raise CoderError(
            "--coders wants two or more names separated by commas, e.g. alice,bob"
        )
    return names


def unit_options(func):
    func = click.option(
        "--min-overlap",
        type=float,
        default=0.0,
        show_default=True,
        help="Segment units: percent of a segment a coding must cover (0: any overlap).",
    )(func)
    func = click.option(
        "--segment",
        "--segment-kind",
        "segment_kind",
        type=click.Choice(["sentence", "turn"]),
        default="sentence",
        show_default=True,
        help="Segment units: sentences or turns.",
    )(func)
    return click.option(
        "--coders",
        "coders",
        required=True,
        help="Coders to compare, comma-separated (e.g. alice,bob).",
    )(func)


@cli.command()
@click.argument(
    "others", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path)
)
@project_option
@handle_errors
def merge(others, project_path: Path) -> None:
    """Bring codings and memos from other copies of the project into this one.

    Documents match by their file's sha256, codes by id, coders by name. If
    anything does not match, nothing is merged and every problem is listed.

    Example:

        coder merge -p team.db alice.db bob.db
    """
    from coder.merge import merge_projects

    with open_existing(project_path) as project, snapshot_first(project, "merge"):
        report = merge_projects(project, others)
    for note in report.notes:
        err.print(note, markup=False)
    click.echo(
        f"merged {report.codings_added} codings and {report.memos_added} memos"
        f" from {', '.join(report.coders) or 'nobody'}"
        + (
            f"; {report.codings_present} codings were already here"
            if report.codings_present
            else ""
        )
    )


@cli.command()
@unit_options
@project_option
@click.option(
    "--unit",
    type=click.Choice(["segment", "character", "document"]),
    default="segment",
    show_default=True,
    help="What one rating is: a segment (see --segment-kind), a character, or a"
    " whole document.",
)
@click.option("--code", "code_ids", multiple=True, help="Only these codes (repeat).")
@click.option(
    "--by",
    type=click.Choice(["code", "case", "document"]),
    default="code",
    show_default=True,
    help="Rows per code, or per code within each case or document.",
)
@output_options(AGREEMENT_FORMATS)
@click.option(
    "--bootstrap",
    "n_boot",
    type=int,
    default=1000,
    show_default=True,
    help="Bootstrap resamples for the intervals (0: none).",
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seed of the bootstrap."
)
@handle_errors
def agreement(
    coders,
    segment_kind,
    min_overlap,
    project_path,
    unit,
    code_ids,
    by,
    fmt,
    output,
    n_boot,
    seed,
) -> None:
    """Inter-coder agreement per code: percent, Cohen, Fleiss, Krippendorff, Gwet, Brennan-Prediger.

    Example:

        coder agreement --coders alice,bob --unit segment --format md -o agreement.md
    """
    from coder.agreement.report import agreement_report
    from coder.agreement.units import reliability_data
    from coder.codes import latest_version
    from coder.exporters.agreement import (
        agreement_csv,
        agreement_html,
        agreement_markdown,
    )

    fmt = pick_format(fmt, output, AGREEMENT_FORMATS)
    with open_existing(project_path) as project:
        data = reliability_data(
            project,
            coder_list(coders),
            unit=unit,
            segment_kind=segment_kind,
            min_overlap=min_overlap,
            codes=list(code_ids) or None,
        )
        latest = latest_version(project)
    if not data.codes:
        raise CoderError("these coders have no codings to compare")
    label = (
        f"{latest.name} {latest.version} (revision {latest.revision})".replace(
            "  ", " "
        )
        if latest
        else ""
    )
    report = agreement_report(data, by=by, n_boot=n_boot, seed=seed, codebook=label)
    if fmt == "table":
        print_agreement_table(report, unit, segment_kind)
        return
    if fmt == "json":
        import json

        text = json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
    elif fmt == "csv":
        text = agreement_csv(report)
    elif fmt == "md":
        text = agreement_markdown(report)
    else:
        text = agreement_html(report)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


def print_agreement_table(report, unit: str, segment_kind: str) -> None:
    """The agreement table in the terminal: every coefficient with its interval.

    Each coefficient's cell holds the value and, under it, its confidence
    interval (two decimals, as the Markdown and HTML reports show them); code
    names are never shortened, and a table wider than the terminal is split
    into pages of coefficients (see `coder.cli.fit`).
    """
    from rich.text import Text

    from coder.agreement.report import COEFFICIENTS
    from coder.cli.fit import Column, print_fitted
    from coder.exporters.agreement import fmt as num

    names = report.coefficient_names
    labels = dict(COEFFICIENTS)
    columns = [Column(report.by, key=True)] if report.by != "code" else []
    columns += [
        Column("code", key=True),
        Column("units", right=True),
        Column("prev.", right=True),
        *(Column(labels[name], right=True) for name in names),
    ]

    def cell(value, interval=None) -> Text:
        text = Text(num(value))
        if interval is not None:
            text.append(f"\n[{num(interval[0], 2)}, {num(interval[1], 2)}]", "dim")
        return text

    rows: list[list] = []
    styles: list[str | None] = []
    for row in report.rows:
        cells = [row.group] if report.by != "code" else []
        cells += [row.code, str(row.units), num(row.prevalence, 3)]
        cells += [cell(row.values.get(n), row.intervals.get(n)) for n in names]
        rows.append(cells)
        styles.append(None)
    if report.by == "code":
        totals = [("mean", report.overall)]
        if report.multi_category:
            totals.append(("one variable", report.multi_category))
        for label, values in totals:
            rows.append([label, "", "", *[cell(values.get(n)) for n in names]])
            styles.append("bold")
    title = f"unit: {unit}" + (f" ({segment_kind})" if unit == "segment" else "")
    caption = (
        f"Under each value its {report.level * 100:g}% bootstrap interval"
        f" ({report.n_boot} resamples)."
        if report.n_boot
        else None
    )
    print_fitted(out, columns, rows, title=title, caption=caption, row_styles=styles)


@cli.command()
@unit_options
@project_option
@click.option("--code", "code_id", help="Only this code.")
@click.option(
    "--consensus",
    default="consensus",
    show_default=True,
    help="Name of the consensus coder.",
)
@click.option("--open-only", is_flag=True, help="Only disagreements not yet resolved.")
@json_option
@handle_errors
def disagreements(
    coders,
    segment_kind,
    min_overlap,
    project_path,
    code_id,
    consensus,
    open_only,
    as_json,
) -> None:
    """List, per code, the units where coders differ, with the text and who did what.

    Example:

        coder disagreements --coders alice,bob --code trust
    """
    from coder.agreement.resolution import find_disagreements

    with open_existing(project_path) as project:
        found = find_disagreements(
            project,
            coder_list(coders),
            segment_kind=segment_kind,
            min_overlap=min_overlap,
            code=code_id,
            consensus=consensus,
        )
    if open_only:
        found = [d for d in found if d.decision is None]
    if as_json:
        print_json([d.to_dict() for d in found])
        return
    table = Table(box=None, header_style="bold")
    for column in ("unit", "code", "applied by", "not by", "decision", "text"):
        table.add_column(column)
    for d in found:
        text = " ".join(d.text.split())
        table.add_row(
            f"{d.document}:{d.start}-{d.end}",
            d.code,
            ", ".join(d.applied_by),
            ", ".join(d.not_applied_by),
            d.decision or "",
            text[:60] + ("…" if len(text) > 60 else ""),
        )
    out.print(table)
    resolved = sum(1 for d in found if d.decision)
    click.echo(f"{len(found)} disagreements, {resolved} resolved", err=True)


@cli.command()
@click.argument("key")
@click.option(
    "--take",
    "decision",
    required=True,
    help="A coder's name, 'all', 'neither', or 'span' (with --start/--end).",
)
@unit_options
@project_option
@click.option("--memo", default="", help="The reason for the decision.")
@click.option(
    "--start", type=int, help="With --take span: the first character (an offset)."
)
@click.option("--end", type=int, help="With --take span: the character after the last.")
@click.option(
    "--consensus",
    default="consensus",
    show_default=True,
    help="Name of the consensus coder.",
)
@handle_errors
def resolve(
    key,
    decision,
    coders,
    segment_kind,
    min_overlap,
    project_path,
    memo,
    start,
    end,
    consensus,
) -> None:
    """Settle one disagreement (KEY from `coder disagreements --json`) into the consensus.

    Example:

        coder resolve "trust@pe-01-farahani:445-471" --coders alice,bob --take alice --memo "explicit reliance"
    """
    from coder.agreement.resolution import get_disagreement
    from coder.agreement.resolution import resolve as settle

    del min_overlap  # a key names its unit exactly
    span = (start, end) if start is not None and end is not None else None
    with open_existing(project_path) as project:
        item = get_disagreement(
            project,
            key,
            coder_list(coders),
            segment_kind=segment_kind,
            consensus=consensus,
        )
        # A first decision only adds; a new one replaces the consensus codings
        # of the earlier decision.
        with snapshot_first(project, "resolve", when=item.decision is not None):
            written = settle(
                project, item, decision, memo=memo, span=span, consensus=consensus
            )
    click.echo(
        f"resolved {key}: {decision} ({len(written)} consensus coding{'s' if len(written) != 1 else ''})"
    )


@cli.command()
@unit_options
@project_option
@click.option(
    "--consensus",
    default="consensus",
    show_default=True,
    help="Name of the consensus coder.",
)
@handle_errors
def consensus(coders, segment_kind, min_overlap, project_path, consensus) -> None:
    """Start the consensus coding from the units every coder coded alike.

    Example:

        coder consensus --coders alice,bob
    """
    from coder.agreement.resolution import seed_consensus

    with (
        open_existing(project_path) as project,
        snapshot_first(project, "consensus"),
    ):
        written = seed_consensus(
            project,
            coder_list(coders),
            segment_kind=segment_kind,
            min_overlap=min_overlap,
            consensus=consensus,
        )
    click.echo(f"copied {written} agreed codings to '{consensus}'")
