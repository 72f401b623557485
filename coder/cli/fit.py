"""Terminal tables that fit the terminal: never a cut number or name, pages of columns instead.

A table too wide for the terminal is printed as several tables, each with
the row labels and as many of the value columns as fit, in order. Nothing is
ever shortened with an ellipsis: a cell that still does not fit (a very
narrow terminal) folds onto a second line. Headers of several words wrap at
their spaces so a column is as narrow as its values allow.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table
from rich.text import Text

# rich puts one space either side of every cell (box=None, pad_edge=True).
CELL_PADDING = 2


@dataclass
class Column:
    """A column of a fitted table.

    Attributes:
        header: Its title; wraps at spaces when wider than its values.
        right: Right-aligned (numbers).
        key: One of the row labels, repeated on every page.
    """

    header: str
    right: bool = False
    key: bool = False


def _lines(cell: str | Text) -> list[str]:
    plain = cell.plain if isinstance(cell, Text) else str(cell)
    return plain.split("\n") or [""]


def _width(column: Column, cells: Sequence[str | Text]) -> int:
    values = max((len(line) for cell in cells for line in _lines(cell)), default=0)
    longest_word = max((len(word) for word in column.header.split()), default=0)
    return max(values, longest_word, 1)


def _wrapped(header: str, width: int) -> str:
    """The header broken at spaces into lines of at most `width` characters."""
    lines: list[str] = []
    for word in header.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)


def pages(
    widths: Sequence[int], keys: Sequence[int], available: int
) -> list[list[int]]:
    """The value columns, in order, grouped into pages that fit `available`.

    Args:
        widths: Every column's content width.
        keys: The row-label columns, shown on every page.
        available: The terminal's width.

    Returns:
        Lists of value column indexes; each page holds at least one.
    """
    base = sum(widths[k] + CELL_PADDING for k in keys)
    found: list[list[int]] = []
    used = base
    for index, width in enumerate(widths):
        if index in keys:
            continue
        if found and found[-1] and used + width + CELL_PADDING <= available:
            found[-1].append(index)
            used += width + CELL_PADDING
        else:
            found.append([index])
            used = base + width + CELL_PADDING
    return found or [[]]


def print_fitted(
    console: Console,
    columns: Sequence[Column],
    rows: Sequence[Sequence[str | Text]],
    *,
    title: str | None = None,
    caption: str | None = None,
    row_styles: Sequence[str | None] | None = None,
    width: int | None = None,
) -> None:
    """Print rows under `columns`, in pages of columns when the table is too wide.

    Args:
        console: Where to print.
        columns: The columns, row labels (``key``) first.
        rows: Cells: strings or rich Text, several lines allowed.
        title: Above the first page.
        caption: Below the last page.
        row_styles: A style per row (e.g. bold for a total), or None.
        width: The width to fit (default: the console's).
    """
    available = width or console.width
    widths = [
        _width(column, [row[i] for row in rows]) for i, column in enumerate(columns)
    ]
    keys = [i for i, column in enumerate(columns) if column.key]
    groups = pages(widths, keys, available)
    for number, group in enumerate(groups):
        shown = keys + group
        table = Table(
            box=None, header_style="bold", title=title if number == 0 else None
        )
        for index in shown:
            column = columns[index]
            table.add_column(
                _wrapped(column.header, widths[index]),
                justify="right" if column.right else "left",
                min_width=min(widths[index], available),
                overflow="fold",
            )
        for position, row in enumerate(rows):
            style = row_styles[position] if row_styles else None
            table.add_row(*(row[index] for index in shown), style=style)
        if number:
            console.print()
        console.print(table, width=available)
    if caption:
        # Wrapped here: the console soft-wraps (a message never breaks), so a
        # caption would otherwise run past the table's width.
        console.print(
            textwrap.fill(caption, width=max(available - 1, 20)),
            style="italic dim",
            markup=False,
            highlight=False,
        )
