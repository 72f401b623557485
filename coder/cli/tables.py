"""Print tables in the terminal or write them in a file format."""

from __future__ import annotations

from pathlib import Path

import click

from coder.cli.base import out


def print_table(table) -> None:
    """A Table in the terminal: labels left, numbers right, nothing cut.

    A matrix with more code columns than rows is printed with the codes down
    the side. When the code columns are still too wide for the terminal they
    are numbered, with a legend of the numbers under the table, and a table
    that is still too wide is split into pages of columns (`coder.cli.fit`).
    """
    from coder.cli.fit import Column, print_fitted
    from coder.exporters.tables import display

    numeric = {"int", "share", "percent", "number"}
    header = table.machine_header if table.heat else table.header
    rows = [
        [display(v, k) for v, k in zip(row, table.kinds, strict=True)]
        for row in table.rows
    ]
    kinds = list(table.kinds)
    caption = table.caption
    index = table.index
    if table.heat and len(header) - index > len(rows) + index:
        labels = [" / ".join(row[:index]) for row in rows]
        corner = " / ".join(header[:index])
        header = ["code", *labels]
        rows = [
            [code, *(row[i] for row in rows)]
            for i, code in enumerate(table.machine_header[index:], index)
        ]
        kinds = ["text"] + [kinds[-1]] * len(labels)
        caption = f"{caption} Codes down, {corner} across."
        index = 1
    legend = ""
    if table.heat and not _fits(header, rows, out.width):
        # Code columns by number, the numbers explained under the table.
        names = header[index:]
        if len(table.header) == len(table.machine_header) == len(header):
            names = table.header[index:]  # people's names, not ids, in the legend
        numbers = {}
        for number, (code, name) in enumerate(
            zip(header[index:], names, strict=True), 1
        ):
            numbers[code] = numbers[name] = str(number)
        header = [*header[:index], *(str(n) for n in range(1, len(names) + 1))]
        if index == 1 and all(row[0] in numbers for row in rows):
            # A code-by-code table: its rows carry their numbers too.
            rows = [[f"{numbers[row[0]]} {row[0]}", *row[1:]] for row in rows]
        legend = "Columns: " + "; ".join(
            f"{number} {name}" for number, name in enumerate(names, 1)
        )
        legend += "."
    columns = [
        Column(name, right=kind in numeric, key=position < index)
        for position, (name, kind) in enumerate(zip(header, kinds, strict=True))
    ]
    full_caption = " ".join(part for part in (caption, legend) if part) or None
    print_fitted(out, columns, rows, caption=full_caption)


def _fits(header: list[str], rows: list[list[str]], width: int) -> bool:
    """Whether the table fits `width` on one page, its headers wrapped at spaces."""
    from coder.cli.fit import CELL_PADDING

    widths = [
        max(
            [
                max((len(word) for word in str(name).split()), default=1),
                *(len(str(row[i])) for row in rows),
            ]
        )
        for i, name in enumerate(header)
    ]
    return sum(w + CELL_PADDING for w in widths) <= width


def emit(tables: list, fmt: str, output: Path | None) -> None:
    """Print or write tables: the terminal table, or a file format's bytes."""
    from coder.exporters.formats import export_tables

    if fmt == "table":
        for table in tables:
            print_table(table)
        return
    data = export_tables(tables, fmt)
    # A CSV file has no place for a caption: what the cells count (and whose
    # codings) goes beside it, or to stderr when the CSV goes to stdout.
    about = tables[0].caption if fmt == "csv" and len(tables) == 1 else ""
    if output is not None:
        output.write_bytes(data)
        click.echo(f"wrote {output}", err=True)
        if about:
            sidecar = about_path(output)
            sidecar.write_text(about + "\n", encoding="utf-8")
            click.echo(f"wrote {sidecar}", err=True)
    else:
        click.echo(data.decode("utf-8"), nl=False)
        if about:
            click.echo(f"about: {about}", err=True)


def about_path(output: Path) -> Path:
    """The text file that says what a CSV file's cells count: ``matrix.about.txt``."""
    return output.with_suffix(".about.txt")
