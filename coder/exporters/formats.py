"""The file formats tables are written in: a name, a suffix, a writer.

The writers import `coder.exporters.tables` for the `Table` they write; this
map imports the writers, so nothing imports in a circle.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from coder.errors import CoderError
from coder.exporters import csv_, html, json_, markdown, xlsx
from coder.exporters.tables import Table

Writer = Callable[[Sequence[Table]], bytes]

WRITERS: dict[str, Writer] = {
    "csv": csv_.write,
    "xlsx": xlsx.write,
    "md": markdown.write,
    "json": json_.write,
    "html": html.write,
}
FORMAT_NAMES = tuple(WRITERS)
BINARY = frozenset({"xlsx"})
SUFFIXES = {
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".md": "md",
    ".json": "json",
    ".html": "html",
}


def get_format(name: str) -> Writer:
    """The writer of a format, or an error naming the valid ones."""
    if name not in WRITERS:
        raise CoderError(
            f"unknown format '{name}' (formats: {', '.join(FORMAT_NAMES)})"
        )
    return WRITERS[name]


def export_tables(tables: Sequence[Table], fmt: str) -> bytes:
    """The tables written in a format, as the bytes of a file."""
    return get_format(fmt)(list(tables))
