"""Cells a spreadsheet would run as a formula, neutralised for CSV and XLSX.

Excel, LibreOffice and Google Sheets read a cell that starts with ``=``,
``+``, ``-`` or ``@`` as a formula (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``),
and some strip a leading tab or carriage return first. An attribute value,
memo, quote or code name is text someone typed or imported; it must reach
the spreadsheet as that text. OWASP's rule for CSV injection
(https://owasp.org/www-community/attacks/CSV_Injection): prefix such a cell
with a single quote, which spreadsheets take as "this is text".
"""

from __future__ import annotations

import re
from typing import Any

# What a formula (or a cell a spreadsheet strips down to one) starts with.
FORMULA_START = frozenset("=+-@\t\r")
# Text that is only a number (-3, +0.25, -1e5) is read as that number, never
# run: it keeps its value in the spreadsheet.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def formula_like(value: Any) -> bool:
    """Whether a spreadsheet would read this cell as a formula: text only."""
    return (
        isinstance(value, str)
        and value[:1] in FORMULA_START
        and _NUMBER.fullmatch(value) is None
    )


def spreadsheet_safe(value: Any) -> Any:
    """The value as a CSV or XLSX cell: a formula-like text behind a ``'``.

    Numbers (int, float) and other text are returned as they are.

    Args:
        value: A cell's value.

    Returns:
        ``"'" + value`` for text starting with ``= + - @``, a tab or a
        carriage return (unless the text is just a number); else `value`.
    """
    return "'" + value if formula_like(value) else value
