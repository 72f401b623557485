"""Writing a codebook back into its YAML: the file's comments, layout and untouched codes kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder.codebook import Code, parse_codebook
from coder.codebook_file import update_yaml

BUNDLED = sorted((Path(__file__).parents[1] / "codebooks").glob("*.yaml"))

SMALL = """\
# The study's codebook.
name: Small
codes:
  # ---- first
  - id: a
    name: A   # short
    definition: |
      What A is.

  # ---- b, a theme
  - id: b
    name: 'B'
    children:
      - id: b1
        name: B one
        colour: "#112233"

  # ---- c
  - id: c
    name: C
    patterns:
      lemmas: [x, y]

  # ---- d
  - id: d
    name: D
# the end
"""


def comments(text: str) -> list[str]:
    return [
        line.strip()
        for line in text.splitlines()
        if "#" in line and "colour" not in line
    ]


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_an_unchanged_codebook_is_written_back_byte_for_byte(path):
    text = path.read_text(encoding="utf-8")
    assert update_yaml(text, parse_codebook(text, str(path))) == text


def test_moves_merges_and_new_codes_keep_every_comment_in_order():
    book = parse_codebook(SMALL, "small.yaml")
    codes = book.by_id()
    # c moves under b; d goes (merged away); e is new at the top, f under a.
    book.codes.remove(codes["c"])
    codes["b"].children.append(codes["c"])
    book.codes.remove(codes["d"])
    book.codes.append(Code("e", "E", colour="#445566"))
    codes["a"].children.append(Code("f", "F", definition="Two\nlines"))
    codes["b1"].name = "B one, renamed"
    written = update_yaml(SMALL, book)
    assert comments(written) == comments(SMALL)
    again = parse_codebook(written, "small.yaml")
    assert again.parents() == book.parents()
    assert again.by_id()["b1"].name == "B one, renamed"
    assert again.by_id()["f"].definition == "Two\nlines"
    # Untouched lines stay as written, quotes, comments and flow lists too
    # (c's one level deeper under its new parent).
    lines = written.splitlines()
    assert "    name: A   # short" in lines
    assert "    name: 'B'" in lines
    assert "          lemmas: [x, y]" in lines
    # A new code is quoted like the file's other codes, and spaced like them.
    assert '[x, y]\n\n  - id: e\n    name: E\n    colour: "#445566"\n' in written
