"""WebVTT (.vtt) and SubRip (.srt) transcripts, read with webvtt-py.

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
from dataclasses import dataclass

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from coder.errors import InputError
from coder.importers._text import TranscriptBuilder, decode, is_speaker_tag
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
# Cues further apart than this start a new paragraph when nobody is named.
PARAGRAPH_PAUSE_S = 2.0


@dataclass
class Cue:
    start: float
    end: float
    text: str
    speaker: str | None


def _seconds(clock: str) -> float:
    parts = clock.replace(",", ".").split(":")
    seconds = float(parts[-1])
    minutes = int(parts[-2])
    hours = int(parts[-3]) if len(parts) == 3 else 0
    return hours * 3600 + minutes * 60 + seconds


def _check_timings(text: str, path: str, kind: str) -> list[tuple[float, float]]:
    """Validate every timing line; return each cue's start and end in seconds."""
    pattern = TIMING[kind]
    timings = []
    for number, line in enumerate(text.split("\n"), start=1):
        if "-->" not in line:
            continue
        match = pattern.match(line)
        if not match:
            loose = LOOSE_TIME.match(line)
            bad = line.strip()
            if loose:
                clock = VTT_TIME if kind == "vtt" else SRT_TIME
                start_ok = re.fullmatch(clock, loose["start"])
                bad = loose["end"] if start_ok else loose["start"]
            raise InputError(path, f"malformed timestamp '{bad}'", number)
        for clock in (match["start"], match["end"]):
            minutes, seconds = clock.replace(",", ".").split(":")[-2:]
            if int(minutes) > 59 or float(seconds) >= 60:
                raise InputError(path, f"malformed timestamp '{clock}'", number)
        start, end = _seconds(match["start"]), _seconds(match["end"])
        if end < start:
            raise InputError(
                path,
                f"cue ends before it starts ('{match['start']}' --> '{match['end']}')",
                number,
            )
        timings.append((start, end))
    if not timings:
        raise InputError(path, "no cues with timings found")
    return timings


def _read_cues(text: str, path: str, kind: str) -> list[Cue]:
    timings = _check_timings(text, path, kind)
    try:
        # webvtt-py wants an SRT file to start with its first cue number.
        captions = webvtt.from_buffer(
            io.StringIO(text.lstrip() if kind == "srt" else text),
            format=kind,
            strict=kind == "vtt",
        )
    except (MalformedFileError, MalformedCaptionError) as exc:
        raise InputError(path, f"not a valid {kind.upper()} file: {exc}") from exc
    if len(captions) != len(timings):
        raise InputError(
            path, f"{len(timings)} cue timings but only {len(captions)} readable cues"
        )
    cues = []
    # The timings checked above are the captions', already in seconds.
    for caption, (start, end) in zip(captions, timings, strict=True):
        voice = getattr(caption, "voice", None)
        body = " ".join(caption.text.split())
        if kind == "vtt":
            # WebVTT escapes &, < and > in cue text (&amp; &lt; &gt;, also &nbsp;).
            body = " ".join(html.unescape(body).split())
        cues.append(Cue(start, end, body, voice))
    return cues


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
