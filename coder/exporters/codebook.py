"""The codebook as a paper's appendix: Markdown or a self-contained HTML page.

Both list every code in tree order with its definition, rules, examples and
how often it was applied, so the appendix matches the coding it describes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jinja2

from coder.codebook import Code, Codebook

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("coder", "templates"),
    # Escape HTML templates (*.html.j2) only; Markdown is written as is.
    autoescape=lambda name: bool(name) and name.endswith(".html.j2"),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass
class AppendixEntry:
    code: Code
    depth: int
    number: str
    parent: str | None
    codings: int


def _entries(codebook: Codebook, counts: dict[str, int]) -> list[AppendixEntry]:
    entries = []

    def visit(codes: list[Code], prefix: str, parent: Code | None, depth: int) -> None:
        for index, code in enumerate(codes, start=1):
            number = f"{prefix}{index}"
            entries.append(
                AppendixEntry(
                    code,
                    depth,
                    number,
                    parent.name if parent else None,
                    counts.get(code.id, 0),
                )
            )
            visit(code.children, f"{number}.", code, depth + 1)

    visit(codebook.codes, "", None, 0)
    return entries


def _context(
    codebook: Codebook, counts: dict[str, int], revision: Any
) -> dict[str, Any]:
    return {
        "codebook": codebook,
        "entries": _entries(codebook, counts),
        "revision": revision,
        "total": sum(counts.values()),
    }


def _md_cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


_ENV.filters["md_inline"] = _md_cell


def codebook_markdown(
    codebook: Codebook, counts: dict[str, int] | None = None, revision: Any = None
) -> str:
    """The appendix in Markdown: an overview table, then a section per code."""
    return _ENV.get_template("codebook.md.j2").render(
        _context(codebook, counts or {}, revision)
    )


def codebook_html(
    codebook: Codebook, counts: dict[str, int] | None = None, revision: Any = None
) -> str:
    """The appendix as one HTML file with inline CSS: opens offline, prints cleanly."""
    return _ENV.get_template("codebook.html.j2").render(
        _context(codebook, counts or {}, revision)
    )
