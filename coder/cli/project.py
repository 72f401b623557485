"""Commands about the project file as a whole: init, info, demo."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from coder.cli.base import (
    cli,
    err,
    handle_errors,
    json_option,
    open_existing,
    print_json,
    print_summary,
    project_option,
)
from coder.errors import CoderError


@cli.command()
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@project_option
@handle_errors
def init(path: Path | None, project_path: Path) -> None:
    """Create an empty project file.

    Example:

        coder init study.db
    """
    from coder.store import create_project

    target = path or project_path
    with create_project(target):
        pass
    click.echo(f"created project {target}")


@cli.command()
@project_option
@json_option
@handle_errors
def info(project_path, as_json) -> None:
    """Summarise the project: counts, schema version, size.

    Example:

        coder info -p study.db
    """
    from coder.summary import summarize

    with open_existing(project_path) as project:
        summary = summarize(project)
    if as_json:
        print_json(summary)
        return
    print_summary(summary)


@cli.command()
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the demo project (default: a fresh ./coder-demo).",
)
@click.option("--no-open", is_flag=True, help="Build the project but do not open it.")
@handle_errors
def demo(folder: Path | None, no_open: bool) -> None:
    """Build a project from the bundled demo study and open it.

    Example:

        coder demo --dir /tmp/study
    """
    from coder.demo import build_demo, fresh_folder
    from coder.summary import summarize

    folder = folder or fresh_folder(Path.cwd() / "coder-demo")
    if (folder / "demo.db").exists():
        raise CoderError(f"{folder / 'demo.db'}: already exists; choose another --dir")
    with err.status(
        "building the demo project (importing and segmenting 9 interviews)"
    ):
        built = build_demo(folder)
    with built.project as project:
        summary = summarize(project)
    click.echo(f"demo project: {folder / 'demo.db'}")
    print_summary(summary)
    if no_open or not sys.stdout.isatty():
        click.echo(f"\nnext: coder docs -p {folder / 'demo.db'}")
        return
    from coder.cli.tui import run_tui

    run_tui(folder / "demo.db")
