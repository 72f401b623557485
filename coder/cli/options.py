"""Options shared by the analysis and export commands, declared once.

Each decorator adds one family of options, so every command that takes it
offers the same names, defaults and help (click's reusable-options pattern).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path

import click

from coder.errors import CoderError

FORMATS = ("table", "csv", "xlsx", "md", "html", "json")


def _split_names(ctx, param, value: str | None) -> tuple[str, ...]:
    return tuple(name.strip() for name in (value or "").split(",") if name.strip())


def coder_options(func: Callable) -> Callable:
    """--coder, --coders, --count-each and --by-coder, passed on as one `choice`.

    Without them the rule of `coder.analysis.scope.whose_codings` applies: the
    only coder, else the consensus, else the command refuses and lists these.
    """

    @functools.wraps(func)
    def wrapper(*args, coder, coders, count_each, by_coder, **kwargs):
        from coder.analysis.scope import CoderChoice

        choice = CoderChoice(coder, coders, count_each, by_coder)
        return func(*args, choice=choice, **kwargs)

    for option in reversed(
        [
            click.option(
                "--coder",
                help="Count this coder's codings (default: the only coder, else"
                " consensus).",
            ),
            click.option(
                "--coders",
                callback=_split_names,
                metavar="A,B",
                help="Pool these coders' codings; a passage coded by several counts once.",
            ),
            click.option(
                "--count-each",
                is_flag=True,
                help="With --coders: count every coder's codings, not once per passage.",
            ),
            click.option(
                "--by-coder",
                is_flag=True,
                help="Split the table by coder (with --coders: only those coders).",
            ),
        ]
    ):
        wrapper = option(wrapper)
    return wrapper


def where_option(func: Callable) -> Callable:
    """--where: which documents count."""
    return click.option(
        "--where",
        "where",
        multiple=True,
        metavar="attr:NAME=VALUE",
        help="Only documents with this value (also case=NAME, document=NAME);"
        " repeat to narrow.",
    )(func)


def scope_options(func: Callable) -> Callable:
    """--rollup and --where: which documents count, and whether codes roll up."""
    func = where_option(func)
    return click.option(
        "--rollup",
        is_flag=True,
        help="Count a code's children's codings in the code too.",
    )(func)


def cols_option(func: Callable) -> Callable:
    """--cols: every code, or the codes of one level."""
    return click.option(
        "--cols",
        default="codes",
        show_default=True,
        help="Columns: every code, or level:N (1 = the top-level codes).",
    )(func)


def selection_options(func: Callable) -> Callable:
    """--cols, the coder choice, --rollup and --where: which codings and columns count."""
    return cols_option(coder_options(scope_options(func)))


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
    from coder.exporters.formats import BINARY, SUFFIXES

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


def rows_option(func: Callable) -> Callable:
    """--rows: what the rows of a matrix are."""
    return click.option(
        "--rows",
        default="case",
        show_default=True,
        help="case, document, speaker or attr:NAME; two joined by a comma"
        " (case,attr:role).",
    )(func)


def cell_option(
    choices: Sequence[str] = ("codings", "segments", "documents", "speakers", "words"),
    default: str = "codings",
    help: str = "What a cell counts (words: share of the row's words coded).",
) -> Callable:
    """--cell: what a matrix cell counts."""
    return click.option(
        "--cell",
        type=click.Choice(list(choices)),
        default=default,
        show_default=True,
        help=help,
    )


def segment_kind_option(help: str = "What --cell segments counts.") -> Callable:
    """--segment-kind: sentences or turns, where an analysis counts segments."""
    return click.option(
        "--segment-kind",
        type=click.Choice(["sentence", "turn"]),
        default="sentence",
        show_default=True,
        help=help,
    )


def mode_option(func: Callable) -> Callable:
    """--mode: how co-occurrence is found."""
    return click.option(
        "--mode",
        type=click.Choice(["overlap", "segment"]),
        default="overlap",
        show_default=True,
        help="overlap: two codings share a character; segment: both codes in one"
        " segment.",
    )(func)


def order_option(func: Callable) -> Callable:
    """--order: the interview order of saturation."""
    return click.option(
        "--order",
        default="import",
        show_default=True,
        help="Order of the interviews: import, name, or attr:NAME"
        " (e.g. attr:interview_date).",
    )(func)
