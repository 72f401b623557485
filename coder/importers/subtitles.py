"""WebVTT (.vtt) and SubRip (.srt) transcripts.

The plain WebVTT that Zoom, Teams, Otter and Whisper write, and SubRip files
of numbered cues, are read directly (see `_plain_vtt` and `_plain_srt`), to
the same result as webvtt-py and several times faster; anything else (WebVTT
styles, regions or cue settings, SubRip cues with blank lines inside or
without their number) is read with webvtt-py.

Speakers come from ``<v Name>`` voice spans or a ``Name: text`` / ``[Name]``
prefix; consecutive cues of one speaker merge into one turn that keeps the
first cue's start and the last cue's end, and every cue start stays as a time
mark so sentences can be timed. Without any speaker, cues are grouped into
paragraphs at pauses. Timings are checked line by line first, because
webvtt-py skips a malformed cue silently and its words would be lost.
"""

from __future__ import annotations

import html
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from coder.errors import InputError
from coder.importers._text import TranscriptBuilder, decode, is_speaker_tag
from coder.limits import excerpt
from coder.model import Transcript

VTT_TIME = r"(?:\d{2,}:)?\d{2}:\d{2}\.\d{3}"
SRT_TIME = r"\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}"
TIMING = {
    "vtt": re.compile(
        rf"^\s*(?P<start>{VTT_TIME})\s+-->\s+(?P<end>{VTT_TIME})(?:\s+.*)?$"
    ),
    "srt": re.compile(rf"^\s*(?P<start>{SRT_TIME})\s*-->\s*(?P<end>{SRT_TIME})\s*.*$"),
}
VTT_HEADER = re.compile(r"^WEBVTT(?:[ \t].*)?$")
LOOSE_TIME = re.compile(r"^\s*(?P<start>\S+)\s*-->\s*(?P<end>\S+)")
PREFIX = re.compile(r"^(?P<name>[^\W\d_][\w.'’\- ]{0,39}?)\s*:\s+(?P<text>\S.*)$", re.S)
BRACKET = re.compile(r"^\[(?P<name>[^\W\d_][\w.'’\- ]{0,39})\]\s*(?P<text>\S.*)$", re.S)
# What `_plain_vtt` reads: blocks end at an empty line (a line of spaces
# belongs to its block); a timing line with no cue settings; the voice span
# opening a cue, and any cue tag, as webvtt-py reads them.
BLOCK_BREAK = re.compile(r"\n\n+")
PLAIN_TIMING = re.compile(rf"^\s*{VTT_TIME}\s+-->\s+{VTT_TIME}\s*$")
VOICE = re.compile(r"<v(?:\.\w+)*\s+([^>\s][^>]*)>")
CUE_TAG = re.compile(r"<[^>\n]*>")
# What `_plain_srt` reads: blocks end at a line of nothing but white space
# (as str.strip() sees it); a timing line with nothing after the end time.
SRT_BLOCK_BREAK = re.compile(r"\n(?:[^\S\n]*\n)+")
PLAIN_SRT_TIMING = re.compile(rf"\s*{SRT_TIME}\s*-->\s*{SRT_TIME}\s*")
# Cues further apart than this start a new paragraph when nobody is named.
PARAGRAPH_PAUSE_S = 2.0


@dataclass
class Cue:
    start: float
    end: float
    text: str
    speaker: str | None


def _seconds(clock: str) -> float | None:
    """Seconds from a cue clock, or None when its minutes or seconds are impossible."""
    *hours, minutes, seconds = clock.replace(",", ".").split(":")
    whole_minutes, fraction = int(minutes), float(seconds)
    if whole_minutes > 59 or fraction >= 60:
        return None
    return (int(hours[0]) * 3600 if hours else 0) + whole_minutes * 60 + fraction


def _arrow_lines(text: str) -> Iterator[tuple[int, str]]:
    """Each line holding a cue arrow ``-->``, with its line number."""
    number, counted = 1, 0
    at = text.find("-->")
    while at >= 0:
        start = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        number += text.count("\n", counted, start)
        counted = start
        yield number, text[start:end]
        at = text.find("-->", end)


# Every timing line of a file at once, when all are well formed: `TIMING`
# applied line by line, with white space that stays on its line.
_CLOCKS = {
    "vtt": r"(?:(\d{2,}):)?(\d{2}):(\d{2}\.\d{3})",
    "srt": r"(\d{1,2}):(\d{2}):(\d{2})[,.](\d{1,3})",
}
ALL_TIMINGS = {
    "vtt": re.compile(
        rf"^[^\S\n]*{_CLOCKS['vtt']}[^\S\n]+-->[^\S\n]+{_CLOCKS['vtt']}"
        r"(?:[^\S\n]+.*)?$",
        re.M,
    ),
    "srt": re.compile(
        rf"^[^\S\n]*{_CLOCKS['srt']}[^\S\n]*-->[^\S\n]*{_CLOCKS['srt']}"
        r"[^\S\n]*.*$",
        re.M,
    ),
}


def _all_timings(text: str, kind: str) -> list[tuple[float, float]] | None:
    """Each cue's start and end in seconds, or None unless every timing line is good.

    One regular expression over the whole text instead of a look at every
    line (half of a subtitle file's reading time); None sends the file to
    `_check_timings`' line-by-line check, which names the bad line.
    """
    found = ALL_TIMINGS[kind].findall(text)
    if not found or len(found) != text.count("-->"):
        return None  # a bad line, or an arrow elsewhere than once per timing line
    timings = []
    if kind == "vtt":
        for hours, minutes, seconds, end_hours, end_minutes, end_seconds in found:
            start = _clock_seconds(hours, minutes, float(seconds))
            end = _clock_seconds(end_hours, end_minutes, float(end_seconds))
            if start is None or end is None or end < start:
                return None
            timings.append((start, end))
    else:
        for hours, minutes, seconds, millis, *ending in found:
            start = _clock_seconds(hours, minutes, float(f"{seconds}.{millis}"))
            end_hours, end_minutes, end_seconds, end_millis = ending
            end = _clock_seconds(
                end_hours, end_minutes, float(f"{end_seconds}.{end_millis}")
            )
            if start is None or end is None or end < start:
                return None
            timings.append((start, end))
    return timings


def _clock_seconds(hours: str, minutes: str, fraction: float) -> float | None:
    """As `_seconds`, from a clock's parts (`hours` may be empty)."""
    whole_minutes = int(minutes)
    if whole_minutes > 59 or fraction >= 60:
        return None
    return (int(hours) * 3600 if hours else 0) + whole_minutes * 60 + fraction


def _check_timings(text: str, path: str, kind: str) -> list[tuple[float, float]]:
    """Validate every timing line; return each cue's start and end in seconds."""
    timings = _all_timings(text, kind)
    return _timings_by_line(text, path, kind) if timings is None else timings


def _timings_by_line(text: str, path: str, kind: str) -> list[tuple[float, float]]:
    """`_check_timings` line by line: the first bad line is the error."""
    pattern = TIMING[kind]
    timings = []
    for number, line in _arrow_lines(text):
        match = pattern.match(line)
        if not match:
            loose = LOOSE_TIME.match(line)
            bad = line.strip()
            if loose:
                clock = VTT_TIME if kind == "vtt" else SRT_TIME
                start_ok = re.fullmatch(clock, loose["start"])
                bad = loose["end"] if start_ok else loose["start"]
            raise InputError(path, f"malformed timestamp '{excerpt(bad)}'", number)
        start, end = _seconds(match["start"]), _seconds(match["end"])
        if start is None or end is None:
            bad = match["start"] if start is None else match["end"]
            raise InputError(path, f"malformed timestamp '{excerpt(bad)}'", number)
        if end < start:
            raise InputError(
                path,
                f"cue ends before it starts ('{excerpt(match['start'])}'"
                f" --> '{excerpt(match['end'])}')",
                number,
            )
        timings.append((start, end))
    if not timings:
        raise InputError(path, "no cues with timings found")
    return timings


def _read_cues(text: str, path: str, kind: str) -> list[Cue]:
    timings = _check_timings(text, path, kind)
    reader = _plain_vtt if kind == "vtt" else _plain_srt
    found = reader(text, len(timings))
    if found is None:
        found = _library_cues(text, path, kind, len(timings))
    cues = []
    # The timings checked above are the cues', already in seconds.
    for (voice, raw), (start, end) in zip(found, timings, strict=True):
        body = " ".join(raw.split())
        if kind == "vtt" and "&" in body:
            # WebVTT escapes &, < and > in cue text (&amp; &lt; &gt;, also &nbsp;).
            body = " ".join(html.unescape(body).split())
        cues.append(Cue(start, end, body, voice))
    return cues


def _library_cues(
    text: str, path: str, kind: str, expected: int
) -> list[tuple[str | None, str]]:
    """Each cue's voice and text (cue tags removed), as webvtt-py reads them."""
    try:
        # webvtt-py wants an SRT file to start with its first cue number.
        captions = webvtt.from_buffer(
            io.StringIO(text.lstrip() if kind == "srt" else text),
            format=kind,
            strict=kind == "vtt",
        )
    except (MalformedFileError, MalformedCaptionError) as exc:
        raise InputError(path, f"not a valid {kind.upper()} file: {exc}") from exc
    if len(captions) != expected:
        raise InputError(
            path, f"{expected} cue timings but only {len(captions)} readable cues"
        )
    return [(getattr(caption, "voice", None), caption.text) for caption in captions]


def _plain_vtt(text: str, expected: int) -> list[tuple[str | None, str]] | None:
    """Each cue's voice and text, read directly from a WebVTT file of the plain shape.

    Zoom, Teams, Otter and Whisper write a header, perhaps NOTE blocks, and
    cues of an optional identifier, a timing line without settings and the
    cue text. webvtt-py builds a caption object with parsed settings for
    every cue, which made a .vtt file import ten times slower than plain
    text; this reads that shape alone, giving exactly what `_library_cues`
    gives (the tests hold the two to it), and returns None for anything
    else (STYLE or REGION blocks, cue settings, text outside a cue), which
    webvtt-py then reads.
    """
    blocks = BLOCK_BREAK.split(text.rstrip("\n"))
    if not VTT_HEADER.match(blocks[0].split("\n", 1)[0]) or "-->" in blocks[0]:
        return None
    cues = []
    for block in blocks[1:]:
        lines = block.split("\n")
        if "-->" in lines[0]:
            timing, payload = lines[0], lines[1:]
        elif len(lines) > 1 and "-->" in lines[1]:
            timing, payload = lines[1], lines[2:]
        elif lines[0].startswith("NOTE") and "-->" not in block:
            continue
        elif not block:
            continue  # the end of the file
        else:
            return None
        # The timing line holds the block's one arrow: none in the text.
        if not PLAIN_TIMING.match(timing) or block.count("-->") != 1:
            return None
        voice = VOICE.match(payload[0]) if payload else None
        body = "\n".join(payload)
        cues.append(
            (
                voice[1] if voice else None,
                CUE_TAG.sub("", body) if "<" in body else body,
            )
        )
    return cues if len(cues) == expected else None


def _plain_srt(text: str, expected: int) -> list[tuple[str | None, str]] | None:
    """Each cue's voice and text, read directly from a SubRip file of numbered cues.

    Most SubRip files are blocks of a cue number, a timing line and the cue
    text, apart by blank lines. This reads that shape alone, giving exactly
    what `_library_cues` gives (the tests hold the two to it; webvtt-py
    built a caption object per cue, which made a .srt file import ten times
    slower than plain text), and returns None for anything else (a cue
    without its number, settings after the times, blank lines inside a cue's
    text, ``-->`` in the text), which webvtt-py then reads.
    """
    blocks = SRT_BLOCK_BREAK.split(text.lstrip())
    cues = []
    last = len(blocks) - 1
    for index, block in enumerate(blocks):
        lines = block.split("\n")
        if index == last:
            # The file's end: its last lines may be white space alone.
            while lines and not lines[-1].strip():
                lines.pop()
            if not lines and cues:
                break
        if (
            len(lines) < 3
            or not lines[0].isdigit()
            or not PLAIN_SRT_TIMING.fullmatch(lines[1])
        ):
            return None
        payload = lines[2:]
        if block.count("-->") != 1:
            return None  # an arrow in the text
        voice = VOICE.match(payload[0])
        body = "\n".join(payload)
        cues.append(
            (
                voice[1] if voice else None,
                CUE_TAG.sub("", body) if "<" in body else body,
            )
        )
    return cues if len(cues) == expected else None


def _assign_prefix_speakers(cues: list[Cue]) -> None:
    """Move ``Name: text`` prefixes into the speaker field.

    A prefix is a speaker when it recurs, or when most cues carry one (Zoom
    labels every cue, so a person who speaks once is still a speaker).
    """
    found = []
    for cue in cues:
        match = (
            None if cue.speaker else PREFIX.match(cue.text) or BRACKET.match(cue.text)
        )
        found.append(match)
    found = [m if m and is_speaker_tag(m["name"]) else None for m in found]
    counts = Counter(match["name"].strip() for match in found if match)
    labelled_throughout = sum(counts.values()) * 2 >= len(cues)
    for cue, match in zip(cues, found, strict=True):
        if match and (labelled_throughout or counts[match["name"].strip()] >= 2):
            cue.speaker = match["name"].strip()
            cue.text = match["text"].strip()


def _build(cues: list[Cue], path: str, kind: str, notes: list[str]) -> Transcript:
    builder = TranscriptBuilder(kind, path)
    builder.notes.extend(notes)
    _assign_prefix_speakers(cues)
    named = any(cue.speaker for cue in cues)
    previous: Cue | None = None
    speaker: str | None = None
    for cue in cues:
        if not cue.text:
            continue
        if named:
            # An unlabelled cue continues whoever spoke last.
            new_turn = previous is None or (cue.speaker and cue.speaker != speaker)
            speaker = cue.speaker or speaker
        else:
            new_turn = previous is None or cue.start - previous.end > PARAGRAPH_PAUSE_S
        if new_turn:
            builder.start_turn(speaker if named else None, cue.start)
        builder.add_text(cue.text, time=cue.start)
        builder.set_end_time(cue.end)
        previous = cue
    return builder.build()


def parse_vtt(data: bytes, path: str) -> Transcript:
    text, _encoding, notes = decode(data, path)
    first = text.lstrip().split("\n", 1)[0]
    if not VTT_HEADER.match(first):
        raise InputError(path, "missing 'WEBVTT' header: not a WebVTT file", 1)
    return _build(_read_cues(text, path, "vtt"), path, "vtt", notes)


def parse_srt(data: bytes, path: str) -> Transcript:
    text, _encoding, notes = decode(data, path)
    return _build(_read_cues(text, path, "srt"), path, "srt", notes)
