"""Tables as one self-contained HTML page (inline CSS, no scripts, opens offline)."""

from __future__ import annotations

from collections.abc import Sequence

import jinja2

from coder.exporters.tables import Table, display

NUMERIC = frozenset({"int", "share", "percent", "number"})
# The heat scale runs from white to this blue; text turns white past HALF.
HEAT = (47, 95, 168)
HALF = 0.55

ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("coder", "templates"),
    # The templates end in .html.j2, which select_autoescape(["html"]) would miss.
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def heat_style(value: object, maximum: float) -> str:
    """Inline CSS for a heatmap cell: a background from white to blue by value."""
    if not isinstance(value, int | float) or isinstance(value, bool) or maximum <= 0:
        return ""
    share = max(0.0, min(1.0, float(value) / maximum))
    if share == 0:
        return ""
    r, g, b = (round(255 + (c - 255) * share) for c in HEAT)
    ink = "color:#fff;" if share > HALF else ""
    return f"background:#{r:02x}{g:02x}{b:02x};{ink}"


ENV.globals.update(display=display, heat_style=heat_style, NUMERIC=NUMERIC)


def write(tables: Sequence[Table]) -> bytes:
    """The tables on one page, matrices as heatmaps."""
    title = " · ".join(table.name for table in tables)
    return (
        ENV.get_template("tables.html.j2")
        .render(tables=tables, title=title)
        .encode("utf-8")
    )
