"""Tables as CSV: UTF-8, a header row, one table per file."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from coder.errors import CoderError
from coder.exporters.cells import spreadsheet_safe
from coder.exporters.tables import Table, machine


def write(tables: Sequence[Table]) -> bytes:
    """One table as CSV (RFC 4180 quoting, ``\\n`` line ends, numbers unformatted).

    Text a spreadsheet would run as a formula gets a leading ``'``
    (`coder.exporters.cells`).
    """
    if len(tables) != 1:
        names = ", ".join(t.name for t in tables)
        raise CoderError(
            f"a CSV file holds one table and this has {len(tables)} ({names});"
            " use --format xlsx, md or json"
        )
    (table,) = tables
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([spreadsheet_safe(name) for name in table.machine_header])
    for row in table.rows:
        writer.writerow(
            [
                # Text is made safe as stored; numbers are formatted after
                # (a negative number's "-0.2500" is a number, not a formula).
                machine(spreadsheet_safe(value), kind)
                for value, kind in zip(row, table.kinds, strict=True)
            ]
        )
    return buffer.getvalue().encode("utf-8")
