"""Tables as Markdown pipe tables, ready to paste into a paper (pandoc reads the captions)."""

from __future__ import annotations

from collections.abc import Sequence

from coder.exporters.tables import Table, display

NUMERIC = frozenset({"int", "share", "percent", "number"})


def _cell(text: str) -> str:
    # A pipe would end the cell; a line break would end the row.
    return " ".join(text.split()).replace("|", "\\|")


def table_markdown(table: Table) -> str:
    lines = [
        "| " + " | ".join(_cell(h) for h in table.header) + " |",
        "|"
        + "|".join("---:" if kind in NUMERIC else "---" for kind in table.kinds)
        + "|",
    ]
    for row in table.rows:
        cells = [
            _cell(display(value, kind))
            for value, kind in zip(row, table.kinds, strict=True)
        ]
        lines.append("| " + " | ".join(cells) + " |")
    text = "\n".join(lines) + "\n"
    if table.caption:
        text += f"\nTable: {_cell(table.caption)}\n"
    return text


def write(tables: Sequence[Table]) -> bytes:
    """Each table as a pipe table with a ``Table:`` caption; several under headings."""
    if len(tables) == 1:
        return table_markdown(tables[0]).encode("utf-8")
    parts = [f"## {table.name}\n\n{table_markdown(table)}" for table in tables]
    return "\n".join(parts).encode("utf-8")
