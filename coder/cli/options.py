"""Options shared by the analysis and export commands, declared once.

Each decorator adds one family of options, so every command that takes it
offers the same names, defaults and help (click's reusable-options pattern).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import click

from coder.errors import CoderError

FORMATS = ("table", "csv", "xlsx", "md", "html", "json")


def selection_options(func: Callable) -> Callable:
    """--cols, --coder, --rollup and --where: which codings and columns count."""
    for option in reversed(
        [
            click.option(
                "--cols",
                default="codes",
                show_default=True,
                help="Columns: every code, or level:N (1 = the top-level codes).",
            ),
            click.option(
                "--coder",
                help="Only this coder's codings (e.g. consensus); default: everyone's.",
            ),
            click.option(
                "--rollup",
                is_flag=True,
                help="Count a code's children's codings in the code too.",
            ),
            click.option(
                "--where",
                "where",
                multiple=True,
                metavar="attr:NAME=VALUE",
                help="Only documents with this value (also case=NAME, document=NAME);"
                " repeat to narrow.",
            ),
        ]
    ):
        func = option(func)
    return func


def output_options(formats: Sequence[str] = FORMATS) -> Callable:
    def decorate(func: Callable) -> Callable:
        func = click.option(
            "-o",
            "--output",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Write to this file (its suffix picks the format if --format is not given).",
        )(func)
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(list(formats)),
            help=f"Output format [default: {formats[0]}, or the suffix of -o].",
        )(func)

    return decorate


def pick_format(fmt: str | None, output: Path | None, formats: Sequence[str]) -> str:
    """The format asked for, else the one the output's suffix names; checked early."""
    from coder.exporters.tables import BINARY, SUFFIXES

    if not fmt and output is not None:
        fmt = SUFFIXES.get(output.suffix.lower())
        if fmt not in formats:
            raise CoderError(
                f"{output}: cannot tell the format from '{output.suffix or 'no suffix'}';"
                f" give --format ({', '.join(f for f in formats if f != 'table')})"
            )
    fmt = fmt or formats[0]
    if fmt in BINARY and output is None:
        raise CoderError(f"{fmt} is a binary format; write it to a file with -o FILE")
    if fmt == "table" and output is not None:
        raise CoderError(
            "the table format is for the terminal; give --format csv, xlsx, md,"
            " json or html with -o"
        )
    return fmt
