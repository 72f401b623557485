"""Commands that keep a project safe: backup, backups, restore, check.

Also `snapshot_first`, which the destructive commands (codebook load that
removes codes, codes merge and split, import --replace, merge, consensus,
resolve over an earlier decision) wrap around their write.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def snapshot_first(project, reason: str, *, when: bool = True) -> Iterator[None]:
    """Snapshot the project before the block's destructive write; name it on stderr.

    The snapshot goes again when the block is refused (a CoderError: nothing
    was written); after anything else it is named, so it can be restored.
    """
    from coder.backup import snapshot_before
    from coder.errors import CoderError

    taken = None
    try:
        with snapshot_before(project, reason, when=when) as taken:
            yield
    except CoderError:
        raise
    except BaseException:
        if taken is not None:
            click.echo(f"snapshot: {taken}", err=True)
        raise
    if taken is not None:
        click.echo(f"snapshot: {taken}", err=True)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1000
    raise AssertionError("unreachable")  # pragma: no cover


@cli.command()
@project_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: a new file in the project's snapshot folder).",
)
@handle_errors
def backup(project_path: Path, output: Path | None) -> None:
    """Copy the project to one self-contained file, safely while others work in it.

    The copy is what the project held at one moment (SQLite's online backup),
    never half of a change. Backups made here are never rotated away.

    Example:

        coder backup -p study.db -o ~/backups/study-2026-12-07.db
    """
    from coder.backup import backup as copy

    with open_existing(project_path) as project:
        written = copy(project, output)
    click.echo(f"wrote {written} ({_size(written.stat().st_size)})")


@cli.command()
@project_option
@json_option
@handle_errors
def backups(project_path: Path, as_json: bool) -> None:
    """List the project's snapshots and backups, newest first.

    Snapshots are taken before every command that removes or replaces work,
    in a folder beside the project (study.db.backups/); the newest 20 are
    kept (CODER_SNAPSHOTS=N keeps another number, 0 takes none).

    Example:

        coder backups -p study.db
    """
    from coder.backup import list_snapshots, snapshot_folder

    found = list_snapshots(project_path)
    if as_json:
        print_json([s.to_dict() for s in found])
        return
    if not found:
        click.echo(f"no snapshots in {snapshot_folder(project_path)}", err=True)
        return
    table = Table(box=None, header_style="bold")
    # The name starts with the time it was taken (UTC): no column of its own.
    table.add_column("snapshot", no_wrap=True)
    table.add_column("reason", no_wrap=True)
    for column in ("size", "documents", "codings"):
        table.add_column(column, justify="right")

    def count(n: int | None) -> str:
        return "?" if n is None else f"{n:,}"

    for s in found:
        table.add_row(
            s.path.name,
            s.reason,
            _size(s.size),
            count(s.documents),
            count(s.codings),
        )
    out.print(table)
    err.print(
        f"{len(found)} in {snapshot_folder(project_path)};"
        f" bring one back with `coder restore -p {project_path} NAME`",
        markup=False,
    )


@cli.command()
@click.argument("snapshot")
@project_option
@handle_errors
def restore(snapshot: str, project_path: Path) -> None:
    """Replace the project's content with a snapshot's (a name from `coder backups`, or a file).

    What the project held is snapshotted first, so a restore can be undone by
    restoring that. Others with the project open see the old content or the
    restored one, never a mix. A snapshot from an older coder is migrated.

    Example:

        coder restore -p study.db 2026-12-07T10-00-00Z-codes-merge.db
    """
    from coder.backup import find_snapshot
    from coder.backup import restore as bring_back

    source = find_snapshot(project_path, snapshot)
    done = bring_back(project_path, source)
    if done.before is not None:
        click.echo(f"snapshot: {done.before}", err=True)
    notes = []
    if done.migrated:
        notes.append(f"migrated from schema {done.schema}")
    if done.replaced_file:
        notes.append("the file was replaced")
    click.echo(
        f"restored {project_path} from {source}"
        + (f" ({'; '.join(notes)})" if notes else "")
    )


@cli.command()
@project_option
@json_option
@click.option(
    "--quick",
    is_flag=True,
    help="SQLite's quick_check instead of the full integrity_check (faster on big files).",
)
@handle_errors
def check(project_path: Path, as_json: bool, quick: bool) -> None:
    """Check the project file: SQLite's integrity, and what refers to what.

    Finds damaged pages, rows naming a document, code or coder that does not
    exist, codings outside their document's text, memos whose target is gone,
    and a tampered event log. Exits 1 when there are errors (warnings alone
    exit 0).

    Example:

        coder check -p study.db
    """
    from coder.check import NOUNS, check_report, damaged_error

    report = check_report(project_path, quick=quick)
    if report.damaged:
        raise damaged_error(report)
    if as_json:
        print_json(report.to_dict())
    else:
        for problem in report.problems:
            click.echo(f"{problem.severity}: {problem}")
        errors = _plural(len(report.errors), "error")
        warnings = _plural(len(report.warnings), "warning")
        if report.errors:
            click.echo(
                f"{project_path}: {errors}"
                + (f", {warnings}" if report.warnings else "")
            )
        else:
            counted = ", ".join(
                f"{n:,} {NOUNS.get(name, name) if n == 1 else name}"
                for name, n in report.counts.items()
            )
            click.echo(
                f"{project_path}: ok ({counted})"
                + (f"; {warnings}" if report.warnings else "")
            )
    if report.errors:
        sys.exit(1)
