"""Markdown transcripts, with optional YAML front matter whose keys become attributes.

Turns are written ``**Name:** text``, ``**Name**: text``, ``Name: text`` or in
Otter's tidied form (``**Emma** 0:00`` above the text). Descript's inline
``[hh:mm:ss]`` markers become time marks. Headings are not speech and are
dropped and reported; emphasis markers are removed from the text.
"""

from __future__ import annotations

import datetime as dt
import re

import yaml

from coder.errors import InputError
from coder.importers import otter, plaintext
from coder.importers._text import decode
from coder.limits import MAX_FRONT_MATTER_CHARS, check_size, load_yaml
from coder.model import DroppedLine, Transcript

FORMAT = "md"
BOLD_LABEL = re.compile(r"^\*\*(?P<name>[^*\n]{1,40}?)(?::\*\*|\*\*:)\s*")
EMPHASIS = re.compile(
    r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?!\w)"
)
HEADING = re.compile(r"^#{1,6}\s")
RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
FRONT_MATTER = re.compile(
    r"\A---[ \t]*\n(?P<body>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S
)


def _front_matter(text: str, path: str) -> tuple[dict, str, int]:
    """Split off YAML front matter; return (attributes, body, lines consumed)."""
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text, 0
    body = match["body"]
    check_size(body, path, MAX_FRONT_MATTER_CHARS, "front matter")
    try:
        # The body starts on line 2, after the opening ---.
        data = load_yaml(body, path, first_line=2)[1] or {}
    except yaml.YAMLError as exc:
        line = None
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            line = mark.line + 2  # +1 for 1-based lines, +1 for the opening ---
        raise InputError(
            path, f"invalid YAML front matter: {getattr(exc, 'problem', exc)}", line
        ) from exc
    if not isinstance(data, dict):
        raise InputError(path, "front matter must be a mapping of keys to values", 2)
    consumed = text[: match.end()].count("\n")
    # Keep line numbers of the body true to the file for error messages.
    return data, "\n" * consumed + text[match.end() :], consumed


def _plain_value(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return value


def _unmark(
    line: str, number: int, dropped: list[DroppedLine], labels: set[str]
) -> str:
    """The line without Markdown marks; bold labels are collected in ``labels``."""
    stripped = line.strip()
    if HEADING.match(stripped):
        dropped.append(DroppedLine(number, stripped, "heading, not speech"))
        return ""
    if RULE.match(stripped):
        return ""
    label = BOLD_LABEL.match(stripped)
    if label:
        labels.add(label["name"].strip())
        stripped = f"{label['name'].strip()}: {stripped[label.end() :]}"
    stripped = EMPHASIS.sub(lambda m: m[2] or m[3], stripped)
    return stripped


def parse(data: bytes, path: str) -> Transcript:
    text, _encoding, notes = decode(data, path)
    attributes, body, _ = _front_matter(text, path)
    dropped: list[DroppedLine] = []
    labels: set[str] = set()
    lines = [
        _unmark(line, number, dropped, labels)
        for number, line in enumerate(body.split("\n"), start=1)
    ]
    clean = "\n".join(lines)
    if otter.looks_like_otter(clean):
        transcript = otter.parse_text(clean, path, notes=notes)
    else:
        transcript = plaintext.parse_text(clean, path, notes=notes, labels=labels)
    transcript.format = FORMAT
    language = attributes.pop("language", None) or attributes.pop("lang", None)
    if language:
        transcript.language = str(language)
    transcript.attributes = {
        str(key): _plain_value(value) for key, value in attributes.items()
    }
    transcript.dropped = sorted(transcript.dropped + dropped, key=lambda d: d.line)
    return transcript
