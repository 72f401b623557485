"""Shared pieces of the command line: the group, options, error handling, output.

Data goes to stdout (tables, or one JSON document with ``--json``);
progress and diagnostics go to stderr.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from coder import __version__
from coder.errors import CoderError
from coder.store import DEFAULT_PROJECT

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class CoderClickError(click.ClickException):
    """Prints ``coder: error: <message>`` on one line and exits with 1."""

    def show(self, file=None) -> None:
        # A codebook can have several problems: one line each, all reported.
        for line in self.format_message().splitlines() or [""]:
            click.echo(f"coder: error: {line}", err=True, file=file)


def handle_errors(func: Callable) -> Callable:
    """Turn coder's errors into one-line messages; the one place that does."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except CoderError as exc:
            raise CoderClickError(str(exc)) from exc

    return wrapper


def project_option(func: Callable) -> Callable:
    return click.option(
        "-p",
        "--project",
        "project_path",
        envvar="CODER_PROJECT",
        default=DEFAULT_PROJECT,
        show_default=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="Project file (also from CODER_PROJECT).",
    )(func)


json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON document."
)


def open_existing(path: Path):
    from coder.store import open_project

    return open_project(path)


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="coder")
def cli() -> None:
    """Qualitative interview coding from the terminal.

    Example:

        coder import transcripts/ --case "Kaveh Power Equipment"
    """


def print_summary(summary: dict[str, Any]) -> None:
    table = Table(box=None, show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    for key, value in summary.items():
        table.add_row(
            key.replace("_", " "),
            f"{value:,}" if isinstance(value, int) else str(value),
        )
    out.print(table)
