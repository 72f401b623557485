"""Tables as an XLSX workbook: one sheet per table, bold frozen headers, colour scales."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from coder.exporters.cells import formula_like
from coder.exporters.tables import Table

# Widths in characters: wide enough for a code name, quotes wrap at QUOTE_WIDTH.
MIN_WIDTH, MAX_WIDTH, QUOTE_WIDTH = 6, 40, 70
NUMBER_FORMATS = {"share": "0.0%", "percent": "0.0", "number": "0.000", "int": "0"}
# Characters Excel refuses in sheet names.
_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")
# Control characters are not allowed in XML cells.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def sheet_name(name: str, taken: set[str]) -> str:
    base = _BAD_SHEET.sub(" ", name).strip()[:31] or "Sheet"
    candidate, number = base, 1
    while candidate.lower() in taken:
        number += 1
        suffix = f" {number}"
        candidate = base[: 31 - len(suffix)] + suffix
    taken.add(candidate.lower())
    return candidate


def _value(value):
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    return value


def _append(sheet, values) -> None:
    """Append a row; text is always a string cell, never a formula or an error.

    openpyxl makes a text starting with ``=`` a formula and ``#N/A`` an error
    value, so every text cell is typed as a string. A formula-like text
    (`formula_like`, the rule CSV files follow with a leading ``'``) also gets
    Excel's quote prefix: the cell shows the text exactly as it was written
    (a memo's ``- `` list stays ``- ``), and stays text when someone edits it,
    where a plain string cell would be read as a formula again.
    """
    sheet.append([_value(v) for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if formula_like(cell.value):
                cell.quotePrefix = True


def _write_sheet(sheet, table: Table) -> None:
    bold = Font(bold=True)
    _append(sheet, table.header)
    for cell in sheet[1]:
        cell.font = bold
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in table.rows:
        _append(sheet, row)
    for index, kind in enumerate(table.kinds, start=1):
        letter = get_column_letter(index)
        if kind in NUMBER_FORMATS or kind == "quote":
            for (cell,) in sheet.iter_rows(
                min_row=2, min_col=index, max_col=index, max_row=sheet.max_row
            ):
                if kind == "quote":
                    cell.alignment = wrap
                else:
                    cell.number_format = NUMBER_FORMATS[kind]
        longest = max(
            [len(str(table.header[index - 1]))]
            + [
                max((len(line) for line in str(row[index - 1]).splitlines()), default=0)
                for row in table.rows
                if row[index - 1] is not None
            ]
        )
        width = (
            QUOTE_WIDTH
            if kind == "quote"
            else min(max(longest + 2, MIN_WIDTH), MAX_WIDTH)
        )
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = sheet.cell(row=2, column=table.index + 1)
    if table.caption:
        # What the cells count and whose codings: a note on the first cell, so
        # the rows stay pure data for anything that reads the sheet.
        note = Comment(table.caption, "coder")
        note.width, note.height = 420, 140
        sheet.cell(row=1, column=1).comment = note
    if table.heat and table.rows and len(table.header) > table.index:
        first = get_column_letter(table.index + 1)
        last = get_column_letter(len(table.header))
        sheet.conditional_formatting.add(
            f"{first}2:{last}{len(table.rows) + 1}",
            ColorScaleRule(
                start_type="min",
                start_color="FFFFFF",
                end_type="max",
                end_color="5B8BD0",
            ),
        )


def write(tables: Sequence[Table]) -> bytes:
    """The workbook's bytes."""
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for table in tables:
        _write_sheet(book.create_sheet(sheet_name(table.name, taken)), table)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
