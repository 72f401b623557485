"""Otter.ai exports: a ``Speaker Name  0:03`` header line, the turn's text below.

Also reads the hand-tidied Markdown variant with bold names (``**Emma** 0:00``)
and turns with no header, which continue the previous speaker. The footer
``Transcribed by https://otter.ai`` is dropped and reported.
"""

from __future__ import annotations

import re

from coder.importers._text import TranscriptBuilder, decode, parse_clock
from coder.model import Transcript

FORMAT = "otter"

HEADER = re.compile(
    r"^(?:\*\*)?(?P<name>[^\W\d_][^:*\n]{0,39}?)(?:\*\*)?[ \t]+"
    r"(?P<time>\d{1,2}:\d{2}(?::\d{2})?)[ \t]*$"
)
FOOTER = re.compile(r"^transcribed by\s+(https?://)?(www\.)?otter\.ai\S*$", re.I)


def looks_like_otter(text: str) -> bool:
    """At least two header lines, each followed by a line of text."""
    lines = text.split("\n")
    hits = 0
    for index, line in enumerate(lines[:-1]):
        if HEADER.match(line.strip()) and lines[index + 1].strip():
            hits += 1
            if hits >= 2:
                return True
    return False


def parse(data: bytes, path: str) -> Transcript:
    text, _encoding, notes = decode(data, path)
    return parse_text(text, path, notes=notes)


def parse_text(text: str, path: str, *, notes: list[str] | None = None) -> Transcript:
    builder = TranscriptBuilder(FORMAT, path)
    builder.notes.extend(notes or [])
    after_blank = True
    for number, raw in enumerate(text.split("\n"), start=1):
        builder.line = number
        line = raw.strip()
        if not line:
            after_blank = True
            continue
        if FOOTER.match(line):
            builder.drop(number, line, "Otter footer, not speech")
            continue
        # A one-line turn such as "See you at 5:30" looks like a header: a
        # header follows a blank line and never an empty turn's header.
        header = after_blank and not builder.awaiting_text and HEADER.match(line)
        if header:
            builder.start_turn(
                header["name"].strip(), parse_clock(header["time"], path, number)
            )
        else:
            builder.add_text(line, new_paragraph=after_blank)
        after_blank = False
    return builder.build()
