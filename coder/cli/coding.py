"""Coding from the command line: code, uncode, codings (for scripts and batch work)."""

from __future__ import annotations

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
@click.argument("document")
@click.option("--code", "code_id", required=True, help="Code id to apply.")
@click.option("--start", type=int, help="Start offset (characters).")
@click.option("--end", type=int, help="End offset (characters, exclusive).")
@click.option("--segment", type=int, help="Sentence number as `coder show` prints it.")
@click.option("--turn", type=int, help="Turn number (from 1) instead of a sentence.")
@click.option("--coder", help="Who codes (default: CODER_USER or the login name).")
@click.option("--memo", help="A memo on the coding.")
@project_option
@handle_errors
def code(
    document, code_id, start, end, segment, turn, coder, memo, project_path: Path
) -> None:
    """Apply a code to a span, a sentence or a turn of DOCUMENT.

    Example:

        coder code pe-01-farahani --segment 12 --code trust
    """
    from coder.coding import apply_coding, segment_span

    chosen = [
        start is not None or end is not None,
        segment is not None,
        turn is not None,
    ]
    if sum(chosen) != 1:
        raise CoderError("give either --start and --end, or --segment, or --turn")
    with open_existing(project_path) as project:
        if segment is not None:
            start, end = segment_span(project, document, segment)
        elif turn is not None:
            start, end = segment_span(project, document, turn, kind="turn")
        elif start is None or end is None:
            raise CoderError("give both --start and --end")
        coding_id = apply_coding(
            project, document, start, end, code_id, coder=coder, memo=memo
        )
    click.echo(f"coding {coding_id}: {code_id} on {document} [{start}:{end}]")


@cli.command()
@click.argument("coding_id", type=int)
@project_option
@handle_errors
def uncode(coding_id: int, project_path: Path) -> None:
    """Remove a coding by its id (see `coder codings`).

    Example:

        coder uncode 42
    """
    from coder.coding import remove_coding

    with open_existing(project_path) as project:
        removed = remove_coding(project, coding_id)
    click.echo(
        f"removed coding {coding_id}: {removed.code} on {removed.document} [{removed.start}:{removed.end}]"
    )


@cli.command()
@click.option("--doc", "document", help="Only this document.")
@click.option("--code", "code_id", help="Only this code.")
@click.option("--coder", help="Only this coder.")
@project_option
@json_option
@handle_errors
def codings(document, code_id, coder, project_path: Path, as_json: bool) -> None:
    """List codings with their id, document, offsets, text, code, coder and time.

    Example:

        coder codings --code trust --json
    """
    from coder.coding import list_codings

    with open_existing(project_path) as project:
        found = list_codings(project, document=document, code=code_id, coder=coder)
    if as_json:
        print_json([c.to_dict() for c in found])
        return
    table = Table(box=None, header_style="bold")
    for column in ("id", "document", "span", "code", "coder", "text"):
        table.add_column(column)
    for c in found:
        text = " ".join(c.text.split())
        table.add_row(
            str(c.id),
            c.document,
            f"{c.start}-{c.end}",
            c.code,
            c.coder,
            text[:70] + ("…" if len(text) > 70 else ""),
        )
    out.print(table)
