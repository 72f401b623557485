"""Commands for cases and attributes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click
from rich.table import Table

from coder.cli.base import (
    cli,
    handle_errors,
    json_option,
    open_existing,
    out,
    print_json,
    project_option,
)
from coder.errors import CoderError


@cli.command()
@project_option
@json_option
@handle_errors
def cases(project_path, as_json) -> None:
    """List cases with their documents.

    Example:

        coder cases --json
    """
    from coder.cases import list_cases

    with open_existing(project_path) as project:
        found = list_cases(project)
    if as_json:
        print_json(
            [
                {"name": c.name, "documents": c.documents, "attributes": c.attributes}
                for c in found
            ]
        )
        return
    table = Table(box=None, header_style="bold")
    table.add_column("case")
    table.add_column("documents", justify="right")
    table.add_column("names")
    for c in found:
        table.add_row(c.name, str(len(c.documents)), ", ".join(c.documents))
    out.print(table)


@cli.group()
def case() -> None:
    """Put documents into cases.

    Example:

        coder case set og-02-tehrani "Pars Oil & Gas Services"
    """


@case.command(name="set")
@click.argument("document")
@click.argument("case_name", metavar="CASE")
@project_option
@handle_errors
def case_set(document, case_name, project_path) -> None:
    """Put DOCUMENT in CASE (created if new).

    Example:

        coder case set og-02-tehrani "Pars Oil & Gas Services"
    """
    from coder.cases import set_case

    with open_existing(project_path) as project:
        set_case(project, document, case_name)
    click.echo(f"{document} is in case '{case_name}'")


def parse_types(values: tuple[str, ...]) -> dict[str, str]:
    types = {}
    for value in values:
        name, sep, kind = value.partition("=")
        if not sep or not name or not kind:
            raise CoderError(f"--type wants NAME=TYPE, got '{value}'")
        types[name.strip()] = kind.strip()
    return types


@cli.group(invoke_without_command=True)
@project_option
@json_option
@click.pass_context
@handle_errors
def attributes(ctx, project_path, as_json) -> None:
    """List attributes (or import them with `coder attributes import`).

    Example:

        coder attributes --json
    """
    if ctx.invoked_subcommand is not None:
        return
    from coder.attributes import list_attributes

    with open_existing(project_path) as project:
        found = list_attributes(project)
    if as_json:
        print_json([dataclasses.asdict(a) for a in found])
        return
    table = Table(box=None, header_style="bold")
    for column in ("attribute", "type", "documents", "cases", "values"):
        table.add_column(
            column, justify="right" if column in {"documents", "cases"} else "left"
        )
    for a in found:
        shown = a.values if len(a.values) <= 8 else [*a.values[:8], "..."]
        table.add_row(
            a.name, a.type, str(a.documents), str(a.cases), ", ".join(map(str, shown))
        )
    out.print(table)


@attributes.command(name="import")
@click.argument("csv_file", type=click.Path(path_type=Path))
@project_option
@click.option(
    "--type",
    "types",
    multiple=True,
    metavar="NAME=TYPE",
    help="Override an inferred type (text, number, date, category).",
)
@handle_errors
def attributes_import(csv_file, project_path, types) -> None:
    """Set attributes from a CSV: first column a document or case name.

    A column named `case` puts each document in that case.

    Example:

        coder attributes import transcripts/attributes.csv --type employees=number
    """
    from coder.attribute_table import import_csv

    with open_existing(project_path) as project:
        result = import_csv(project, csv_file, parse_types(types))
    click.echo(
        f"set {len(result.attributes)} attribute{'s' if len(result.attributes) != 1 else ''}"
        f" on {result.documents} documents and {result.cases} cases"
        + (
            f"; {result.case_assignments} documents put in cases"
            if result.case_assignments
            else ""
        )
    )
