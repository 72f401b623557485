"""`coder export`: the project's data for other tools."""

from __future__ import annotations

import click

from coder.cli.base import cli, handle_errors, open_existing, project_option
from coder.cli.options import output_options, pick_format, where_option
from coder.cli.tables import emit


@cli.group()
def export() -> None:
    """Export the project's data for other tools.

    Example:

        coder export codings --format xlsx -o codings.xlsx
    """


@export.command(name="codings")
@click.option("--coder", help="Only this coder's codings (default: every coder's).")
@where_option
@output_options(("csv", "xlsx", "json"))
@project_option
@handle_errors
def export_codings(coder, where, fmt, output, project_path) -> None:
    """Every coding with document, case, attributes, speaker, offsets, coder and text.

    Example:

        coder export codings --format csv -o codings.csv
    """
    from coder.analysis.records import coding_records
    from coder.exporters.tables import codings_table

    fmt = pick_format(fmt, output, ("csv", "xlsx", "json"))
    with open_existing(project_path) as project:
        records, attributes = coding_records(project, coder=coder, where=where)
    emit([codings_table(records, attributes)], fmt, output)
