"""The event log from the command line: who changed what, when."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.markup import escape
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

if TYPE_CHECKING:
    from coder.events import Event


def _local(at: str) -> str:
    """A stored UTC time stamp as local time, to the second."""
    try:
        return datetime.fromisoformat(at).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return at[:19]


def _print_table(events: list[Event]) -> None:
    """One line per event, fitted to the terminal (80 columns when not one)."""
    if not events:
        return
    headers = ("time", "actor", "action", "entity")
    rows = [(_local(e.at), e.actor, e.action, e.entity) for e in events]
    caps = (19, 10, 8, 12)
    widths = [
        min(cap, max(len(header), *(len(row[i]) for row in rows)))
        for i, (header, cap) in enumerate(zip(headers, caps, strict=True))
    ]
    # Two spaces between columns; the description gets what is left, and is
    # shortened before the count of a folded batch, which always shows.
    rest = max(out.width - sum(widths) - 2 * len(widths) - 1, 20)
    table = Table(box=None, header_style="bold", pad_edge=False)
    for name, width in zip(headers, widths, strict=True):
        table.add_column(name, width=width, no_wrap=True, overflow="ellipsis")
    table.add_column("what", no_wrap=True)
    for row, event in zip(rows, events, strict=True):
        what, note = event.what(), event.folded_note()
        room = rest - len(note)
        if len(what) > room:
            what = what[: room - 1] + "…"
        table.add_row(*row, escape(what + note))
    out.print(table)


@cli.command("log")
@click.option("--actor", help="Only changes made by this person.")
@click.option(
    "--action",
    "actions",
    multiple=True,
    help="Only this action (code, uncode, add, remove, recode, import, merge, ...);"
    " repeat for several.",
)
@click.option(
    "--entity", help="Only changes to this kind of thing (coding, document, code, ...)."
)
@click.option("--doc", "document", help="Only changes about this document (by name).")
@click.option(
    "--code", "code_id", help="Only changes about this code (by id), its codings too."
)
@click.option("--since", help="At or after this ISO date or date-time (local time).")
@click.option(
    "--until", help="At or before this ISO date-time; a date includes that day."
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="Show the newest N.",
)
@click.option("--all", "show_all", is_flag=True, help="Show every matching event.")
@click.option(
    "--expand",
    is_flag=True,
    help="One row per coding of a bulk change (merge, imports, code merge...),"
    " not one row for the command with their count.",
)
@project_option
@json_option
@handle_errors
def log_command(
    actor,
    actions,
    entity,
    document,
    code_id,
    since,
    until,
    limit,
    show_all,
    expand,
    project_path: Path,
    as_json: bool,
) -> None:
    """Show the project's event log, newest first: who changed what, when.

    Every change is in it: each coding added or removed by hand (code,
    uncode), and each coding a bulk command added, removed or moved (add,
    remove, recode), under the command's own row. Times are local.

    Example:

        coder log --actor alice --action code --action uncode --since 2024-05-06
    """
    from coder.events import find_events

    with open_existing(project_path) as project:
        found = find_events(
            project,
            actor=actor,
            actions=actions,
            entity=entity,
            document=document,
            code=code_id,
            since=since,
            until=until,
            limit=None if show_all else limit + 1,
            expand=expand,
        )
    more = not show_all and len(found) > limit
    found = found if show_all else found[:limit]
    if as_json:
        print_json([{**e.to_dict(), "description": e.describe()} for e in found])
    else:
        _print_table(found)
        if not found:
            err.print("no events match")
    if more:
        err.print(f"showing the newest {limit}; --limit N or --all for more")
