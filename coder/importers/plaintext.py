"""Plain-text transcripts: ``Name: text`` turns in their common styles, or bare paragraphs.

Recognised labels: ``Name: text`` (text may be padded to a column),
``[00:01:23] Name: text``, ``Name (00:01:23): text``, ``Name 00:01:23`` on a
line of its own, ``[id1] text`` focus-group tags, and ``Q:``/``A:``,
``I:``/``R:``, ``Interviewer:``/``Respondent:``. Lines without a label continue
the turn (hard wrap); a blank line followed by unlabelled text starts a new
paragraph of the same speaker.
"""

from __future__ import annotations

import re
from collections import Counter

from coder.importers._text import TranscriptBuilder, decode, is_speaker_tag, parse_clock
from coder.model import Transcript

FORMAT = "text"

_NAME = r"[^\W\d_][\w.'’\- ]{0,39}?"
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
TIMED_LABEL = re.compile(
    rf"^\[(?P<time>{_CLOCK})\]\s*(?P<name>{_NAME})\s*:\s*(?P<text>.*)$"
)
LABEL_TIMED = re.compile(
    rf"^(?P<name>{_NAME})\s*\((?P<time>{_CLOCK})\)\s*:\s*(?P<text>.*)$"
)
LABEL = re.compile(rf"^(?P<name>{_NAME})\s*:\s+(?P<text>.*)$|^(?P<bare>{_NAME}):$")
HEADER = re.compile(rf"^(?P<name>{_NAME})\s+(?P<time>{_CLOCK})\s*$")
TAG = re.compile(r"^\[(?P<name>[^\W\d_][\w\-]{0,15})\]\s+(?P<text>.+)$")

# Labels common enough to trust on a single occurrence.
STANDARD_LABELS = {
    "q", "a", "i", "r", "p", "interviewer", "interviewee", "respondent",
    "moderator", "facilitator", "participant", "question", "answer",
}  # fmt: skip
# Leftovers of meeting-tool web viewers that are not speech.
INTERFACE_LINES = {"user avatar", "profile picture", "avatar"}


def _label(line: str) -> tuple[str, str, str | None] | None:
    """(speaker, text, clock) when the line opens a turn, else None."""
    for pattern in (TIMED_LABEL, LABEL_TIMED):
        match = pattern.match(line)
        if match:
            return match["name"].strip(), match["text"], match["time"]
    match = HEADER.match(line)
    if match:
        return match["name"].strip(), "", match["time"]
    match = LABEL.match(line)
    if match:
        if match["bare"]:
            return match["bare"].strip(), "", None
        return match["name"].strip(), match["text"], None
    match = TAG.match(line)
    if (
        match
        and not re.fullmatch(_CLOCK, match["name"])
        and is_speaker_tag(match["name"])
    ):
        return match["name"], match["text"], None
    return None


def _trusted_labels(lines: list[str]) -> set[str]:
    """Labels that open turns: used at least twice, or standard interview labels.

    A single ``Note: ...`` or ``The answer is: ...`` inside speech is not a speaker.
    """
    counts = Counter(found[0] for line in lines if (found := _label(line.strip())))
    return {
        name
        for name, count in counts.items()
        if count >= 2 or name.lower() in STANDARD_LABELS
    }


def parse(data: bytes, path: str) -> Transcript:
    text, _encoding, notes = decode(data, path)
    return parse_text(text, path, notes=notes)


def parse_text(text: str, path: str, *, notes: list[str] | None = None) -> Transcript:
    """Parse decoded plain text (also used by the Markdown importer)."""
    builder = TranscriptBuilder(FORMAT, path)
    builder.notes.extend(notes or [])
    lines = text.split("\n")
    trusted = _trusted_labels(lines)
    after_blank = True
    for number, raw in enumerate(lines, start=1):
        builder.line = number
        line = raw.strip()
        if not line:
            after_blank = True
            continue
        if line.lower() in INTERFACE_LINES:
            builder.drop(number, line, "interface text, not speech")
            continue
        found = _label(line)
        if found and found[0] in trusted:
            speaker, words, clock = found
            start = parse_clock(clock, path, number) if clock else None
            builder.start_turn(speaker, start)
            builder.add_text(words)
        elif builder.in_turn and builder.current_speaker is not None:
            builder.add_text(line, new_paragraph=after_blank)
        else:
            # No speaker known: each blank-line-separated block is a paragraph.
            if after_blank:
                builder.start_turn(None)
            builder.add_text(line)
        after_blank = False
    return builder.build()
