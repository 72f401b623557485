"""Tables as JSON: each table's own document (a matrix is rows, columns and cells)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from coder.exporters.tables import Table


def _document(table: Table):
    return table.data if table.data is not None else table.records()


def write(tables: Sequence[Table]) -> bytes:
    """One table as its document; several as ``{name: document}``."""
    if len(tables) == 1:
        data = _document(tables[0])
    else:
        data = {table.name: _document(table) for table in tables}
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    return (text + "\n").encode("utf-8")
