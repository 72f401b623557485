"""Plain-text transcripts: ``Name: text`` turns in their common styles, or bare paragraphs.

Recognised labels: ``Name: text`` (text may be padded to a column),
``[00:01:23] Name: text``, ``Name (00:01:23): text``, ``Name 00:01:23`` on a
line of its own, the name and the time on two lines of their own (text copied
from a meeting tool's web viewer), ``[id1] text`` focus-group tags, and
``Q:``/``A:``, ``I:``/``R:``, ``Interviewer:``/``Respondent:``. Lines without a
label continue the turn (hard wrap); a blank line followed by unlabelled text
starts a new paragraph of the same speaker.

Caption and podcast transcripts, whose lines begin with a bare timestamp
(``00:00:06 text``, ``[0:06] text``, ``(1:02:03) text``), are read by
`_parse_captions`: the timestamps become times, hard-wrapped lines join into
paragraphs.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

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
# A meeting tool's web viewer: the name on one line, the time on the next.
NAME_LINE = re.compile(rf"^(?P<name>{_NAME})$")
# The longest line NAME_LINE matches: a name of 40 characters and the line
# end that ``$`` allows.
NAME_LINE_LENGTH = 41
CLOCK_LINE = re.compile(rf"^{_CLOCK}$")
TAG = re.compile(r"^\[(?P<name>[^\W\d_][\w\-]{0,15})\]\s+(?P<text>.+)$")

# A timestamp opening a line, with no speaker before it (captions, podcasts).
# Text follows after white space, so ``10:30am`` and ``3:15pm`` are not times.
LEADING_CLOCK = re.compile(
    rf"^(?:\[(?P<bracketed>{_CLOCK})\]|\((?P<parenthesised>{_CLOCK})\)"
    rf"|(?P<bare>{_CLOCK}))(?:\s+(?P<text>.*))?$"
)
# Caption detection: at least this many lines open with a timestamp and no
# speaker label, and lines opening with a timestamp are at least half the text.
MIN_CAPTION_LINES = 3
# A caption line longer than this is not hard-wrapped: it is a paragraph's end.
WRAPPED_LINE = 80
# A pause starts a paragraph: the next line comes more than PAUSE seconds later
# than the previous line's words take to say at a slow two words a second.
PAUSE = 2.0
SECONDS_PER_WORD = 0.5
# Broadcast captions mark a new, unnamed speaker with ">>".
SPEAKER_CHANGE = ">>"

# Labels common enough to trust on a single occurrence.
STANDARD_LABELS = {
    "q", "a", "i", "r", "p", "interviewer", "interviewee", "respondent",
    "moderator", "facilitator", "participant", "question", "answer",
}  # fmt: skip
# Leftovers of meeting-tool web viewers that are not speech.
INTERFACE_LINES = {"user avatar", "profile picture", "avatar"}


@dataclass
class Label:
    """A line that opens a turn."""

    speaker: str
    text: str
    clock: str | None = None
    # A timestamp beside the name makes it a speaker even if it speaks once.
    certain: bool = False
    # Lines after this one that the label uses up (the web viewer's time line).
    consumed: int = 0
    # A ``Name 00:01:23`` line of its own.
    header: bool = False
    # After a blank line (or first) and followed by text, as a header stands.
    stands_alone: bool = False


def _label(line: str, next_line: str = "") -> Label | None:
    """The label when the (stripped) line opens a turn, else None.

    Each pattern is tried, in turn, only on a line with what it needs (a
    ``[``, a ``(``, a colon, a short line): most lines of speech have none,
    and a file's lines are read here once each.
    """
    bracket = line.startswith("[")
    if bracket:
        match = TIMED_LABEL.match(line)
        if match:
            return Label(match["name"].strip(), match["text"], match["time"], True)
    if "(" in line:
        match = LABEL_TIMED.match(line)
        if match:
            return Label(match["name"].strip(), match["text"], match["time"], True)
    if len(line) <= NAME_LINE_LENGTH:
        match = NAME_LINE.match(line)
        if match and CLOCK_LINE.match(next_line):
            return Label(match["name"].strip(), "", next_line, True, consumed=1)
    colon = ":" in line
    if colon and line.rstrip()[-1:].isdecimal():
        match = HEADER.match(line)
        if match:
            return Label(match["name"].strip(), "", match["time"], header=True)
    if colon:
        match = LABEL.match(line)
        if match:
            if match["bare"]:
                return Label(match["bare"].strip(), "")
            return Label(match["name"].strip(), match["text"])
    if bracket:
        match = TAG.match(line)
        if (
            match
            and not re.fullmatch(_CLOCK, match["name"])
            and is_speaker_tag(match["name"])
        ):
            return Label(match["name"], match["text"])
    return None


def _known_label(line: str, known: set[str]) -> Label | None:
    """A ``Name: text`` line for a name known to be a speaker, whatever its spelling."""
    for name in known:
        if line.startswith(f"{name}:") and (
            len(line) == len(name) + 1 or line[len(name) + 1].isspace()
        ):
            return Label(name, line[len(name) + 1 :].strip(), certain=True)
    return None


def _labels(lines: list[str], known: set[str]) -> dict[int, Label]:
    """Every line that looks like a label, by its index."""
    found = {}
    for index, line in enumerate(lines):
        line = line.strip()
        if not line:
            continue
        following = lines[index + 1].strip() if index + 1 < len(lines) else ""
        label = _known_label(line, known) or _label(line, following)
        if label:
            after_blank = index == 0 or not lines[index - 1].strip()
            label.stands_alone = after_blank and bool(following)
            found[index] = label
    return found


def _shape(name: str) -> str:
    """``Speaker 3`` and ``id12`` have the shapes ``speaker #`` and ``id#``."""
    return re.sub(r"\d+", "#", name.lower())


def _trusted_labels(labels: list[Label], known: set[str]) -> set[str]:
    """Labels that open turns.

    Trusted are labels used at least twice, standard interview labels, labels
    with a timestamp, the ``known`` names (bold labels in Markdown and Word),
    numbered labels like a trusted one (``id3`` next to ``id1``), and, in a
    file of ``Name 00:01:23`` headers, every such header standing on its own.
    A single ``Note: ...`` or ``The answer is: ...`` inside speech is not a
    speaker.
    """
    counts = Counter(label.speaker for label in labels)
    trusted = {
        label.speaker
        for label in labels
        if counts[label.speaker] >= 2
        or label.certain
        or label.speaker in known
        or label.speaker.lower() in STANDARD_LABELS
    }
    if any(label.header and label.speaker in trusted for label in labels):
        trusted |= {
            label.speaker for label in labels if label.header and label.stands_alone
        }
    shapes = {_shape(name) for name in trusted if re.search(r"\d", name)}
    return trusted | {name for name in counts if _shape(name) in shapes}


def _leading_clocks(lines: list[str]) -> dict[int, tuple[str, str]]:
    """(clock, rest of the line) of every line that opens with a timestamp."""
    found = {}
    for index, raw in enumerate(lines):
        line = raw.strip()
        # A timestamp opens with a digit, a bracket or a parenthesis.
        first = line[:1]
        if not (first in ("[", "(") or first.isdecimal()):
            continue
        match = LEADING_CLOCK.match(line)
        if match:
            clock = match["bracketed"] or match["parenthesised"] or match["bare"]
            found[index] = (clock, (match["text"] or "").strip())
    return found


def _rough_seconds(clock: str) -> float:
    """Seconds of a clock without checking it (for detection only)."""
    fields = [float(part) for part in clock.replace(",", ".").split(":")]
    return sum(value * 60**power for power, value in enumerate(reversed(fields)))


def _caption_labels(
    timed: dict[int, tuple[str, str]], known: set[str]
) -> dict[int, Label]:
    """Trusted ``Name: text`` labels after the timestamps, by line index.

    The timestamp does not make a name certain here: it stands before every
    line, so ``so the answer is: no`` needs the usual proof (twice, standard).
    """
    found = {}
    for index, (_clock, rest) in timed.items():
        label = _known_label(rest, known) or _label(rest)
        if label and not label.clock and not label.consumed and not label.header:
            found[index] = label
    trusted = _trusted_labels(list(found.values()), known)
    return {index: label for index, label in found.items() if label.speaker in trusted}


def _is_captions(
    lines: list[str], timed: dict[int, tuple[str, str]], known: set[str]
) -> bool:
    """Whether lines opening with a bare timestamp make up the file.

    At least `MIN_CAPTION_LINES` of them carry no speaker label (a file of
    ``[00:01:23] Name: text`` turns is read as turns, each name certain);
    lines opening with a timestamp are at least half of the non-blank lines;
    and their times never go back. Ordinary text with a time at the start of
    a line or two, or an agenda inside an interview, is not enough.
    """
    content = sum(
        1
        for line in lines
        if line.strip() and line.strip().lower() not in INTERFACE_LINES
    )
    labelled = len(_caption_labels(timed, known))
    bare = len(timed) - labelled
    if bare < MIN_CAPTION_LINES or 2 * len(timed) < content:
        return False
    times = [_rough_seconds(clock) for clock, _rest in timed.values()]
    return all(a <= b for a, b in pairwise(times))


def _parse_captions(
    lines: list[str],
    timed: dict[int, tuple[str, str]],
    known: set[str],
    builder: TranscriptBuilder,
) -> Transcript:
    """Caption and podcast lines: timestamps become times, wrapped lines join.

    Each line's timestamp is a time mark at its first word; a paragraph
    (a turn when nobody is named) starts at the time of its first line. A new
    paragraph starts after a blank line, after a line longer than
    `WRAPPED_LINE` (not hard-wrapped), at a pause (see `PAUSE`), at ``>>``
    and at a trusted ``Name:`` label, which opens that speaker's turn. A
    timestamp alone on a line times the next line.
    """
    path = builder.path
    labels = _caption_labels(timed, known)
    after_blank = True
    # The last time seen, and the words said since it, for finding pauses.
    last_time: float | None = None
    words_since = 0
    pending: float | None = None
    long_line = False
    for number, raw in enumerate(lines, start=1):
        builder.line = number
        line = raw.strip()
        if not line:
            after_blank = True
            continue
        if line.lower() in INTERFACE_LINES:
            builder.drop(number, line, "interface text, not speech")
            continue
        entry = timed.get(number - 1)
        if entry:
            seconds: float | None = parse_clock(entry[0], path, number)
            text = entry[1]
            if not text:
                pending = seconds
                continue
            pending = None
        else:
            seconds, pending, text = pending, None, line
        pause = (
            seconds is not None
            and last_time is not None
            and seconds - last_time > PAUSE + SECONDS_PER_WORD * words_since
        )
        new_paragraph = after_blank or pause or long_line
        label = labels.get(number - 1)
        if label:
            builder.start_turn(label.speaker)
            text = label.text
        elif text.startswith(SPEAKER_CHANGE):
            builder.start_turn(None)
            text = text[len(SPEAKER_CHANGE) :].strip()
        elif new_paragraph and builder.current_speaker is None:
            builder.start_turn(None)
        builder.add_text(text, new_paragraph=new_paragraph, time=seconds)
        if seconds is not None:
            last_time, words_since = seconds, 0
        words_since += len(text.split())
        long_line = len(text) > WRAPPED_LINE
        after_blank = False
    return builder.build()


def parse(data: bytes, path: str) -> Transcript:
    text, _encoding, notes = decode(data, path)
    return parse_text(text, path, notes=notes)


def parse_text(
    text: str,
    path: str,
    *,
    notes: list[str] | None = None,
    labels: set[str] | None = None,
) -> Transcript:
    """Parse decoded plain text (also used by the Markdown and Word importers).

    Args:
        text: The text, with ``\\n`` line ends.
        path: The file, for messages.
        notes: Notes from decoding, passed on to the transcript.
        labels: Names known to be speakers (bold labels), trusted even when
            they speak once.
    """
    builder = TranscriptBuilder(FORMAT, path)
    builder.notes.extend(notes or [])
    lines = text.split("\n")
    timed = _leading_clocks(lines)
    if timed and _is_captions(lines, timed, labels or set()):
        return _parse_captions(lines, timed, labels or set(), builder)
    found = _labels(lines, labels or set())
    trusted = _trusted_labels(list(found.values()), labels or set())
    after_blank = True
    skip = 0
    for number, raw in enumerate(lines, start=1):
        if skip:
            skip -= 1
            continue
        builder.line = number
        line = raw.strip()
        if not line:
            after_blank = True
            continue
        if line.lower() in INTERFACE_LINES:
            builder.drop(number, line, "interface text, not speech")
            continue
        label = found.get(number - 1)
        if label and label.speaker in trusted:
            start = (
                parse_clock(label.clock, path, number + label.consumed)
                if label.clock
                else None
            )
            builder.start_turn(label.speaker, start)
            builder.add_text(label.text)
            skip = label.consumed
        elif builder.in_turn and builder.current_speaker is not None:
            builder.add_text(line, new_paragraph=after_blank)
        else:
            # No speaker known: each blank-line-separated block is a paragraph.
            if after_blank:
                builder.start_turn(None)
            builder.add_text(line)
        after_blank = False
    return builder.build()
