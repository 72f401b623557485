"""Shared pieces of the importers: decoding bytes, clock times, and a transcript builder."""

from __future__ import annotations

import re

from coder.errors import InputError
from coder.limits import excerpt
from coder.model import DroppedLine, Transcript, Turn

BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# How an encoding is named to the user.
ENCODING_NAMES = {"utf-8-sig": "UTF-8", "utf-16": "UTF-16"}


# The last file decoded: detecting a plain-text file's format decodes it, and
# its importer then decodes the same bytes again.
_last_decoded: tuple[bytes, str, str, str, list[str]] | None = None


def decode(data: bytes, path: str) -> tuple[str, str, list[str]]:
    """Decode transcript bytes and normalise line endings to ``\\n``.

    UTF-8 (with or without BOM) and UTF-16 with BOM are read as such; other
    bytes fall back to cp1252 with a note, because old Windows tools write it.

    Returns:
        The text, the encoding used, and notes for the user.
    """
    global _last_decoded
    last = _last_decoded
    if last is not None and last[0] is data and last[1] == path:
        return last[2], last[3], list(last[4])
    text, encoding, notes = _decode(data, path)
    _last_decoded = (data, path, text, encoding, notes)
    return text, encoding, list(notes)


def _decode(data: bytes, path: str) -> tuple[str, str, list[str]]:
    if not data.strip():
        raise InputError(path, "file is empty")
    notes: list[str] = []
    encoding = next((name for bom, name in BOMS if data.startswith(bom)), None)
    try:
        if encoding:
            text = data.decode(encoding)
        else:
            encoding = "utf-8"
            text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if encoding != "utf-8":
            raise InputError(
                path,
                f"cannot decode as {ENCODING_NAMES[encoding]}: {exc.reason}",
                _line_at(exc, encoding),
            ) from exc
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc2:
            raise InputError(
                path,
                "not text: bytes are neither UTF-8, UTF-16 nor cp1252",
                _line_at(exc, "utf-8"),
            ) from exc2
        encoding = "cp1252"
        notes.append("not valid UTF-8; decoded as cp1252 (Windows-1252)")
    text = text.lstrip("\ufeff")
    if "\x00" in text or _mostly_control(text):
        raise InputError(path, "not a text transcript (binary data)")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(path, "file is empty")
    return text, encoding, notes


def _line_at(exc: UnicodeDecodeError, encoding: str) -> int:
    """The line of the first undecodable byte.

    Counting ``\\n`` bytes would be wrong for UTF-16, where other characters
    (for example U+010A) contain the byte 0x0A. ``exc.start`` counts in
    ``exc.object``, which for UTF-8 with a BOM is the data after the BOM.
    """
    before = exc.object[: exc.start].decode(encoding, errors="replace")
    return before.count("\n") + 1


# Control characters other than line ends, tabs and form feeds.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def _mostly_control(text: str) -> bool:
    sample = text[:4096]
    control = len(_CONTROL.findall(sample))
    return control > max(2, len(sample) // 100)


CLOCK = re.compile(
    r"(?:(?P<h>\d{1,3}):)?(?P<m>\d{1,2}):(?P<s>\d{1,2})(?:[.,](?P<ms>\d{1,3}))?"
)


def parse_clock(value: str, path: str, line: int | None = None) -> float:
    """Seconds from ``h:mm:ss(.mmm)``, ``mm:ss`` or ``m:ss``; reject impossible times."""
    match = CLOCK.fullmatch(value.strip())
    if not match:
        raise InputError(path, f"malformed timestamp '{excerpt(value.strip())}'", line)
    hours = int(match["h"] or 0)
    minutes = int(match["m"])
    seconds = int(match["s"])
    if (match["h"] is not None and minutes > 59) or seconds > 59:
        raise InputError(path, f"malformed timestamp '{excerpt(value.strip())}'", line)
    millis = int((match["ms"] or "0").ljust(3, "0"))
    return hours * 3600 + minutes * 60 + seconds + millis / 1000


# Bracketed stage directions that are not speaker names.
NON_SPEECH_TAGS = {
    "laughs", "laughter", "laughing", "inaudible", "crosstalk", "music", "applause",
    "pause", "silence", "noise", "coughs", "cough", "sighs", "background noise",
    "unintelligible", "phone rings", "overlapping", "indistinct", "break",
}  # fmt: skip


def is_speaker_tag(name: str) -> bool:
    """Whether a ``[name]`` tag names a speaker rather than a sound."""
    return name.strip().lower() not in NON_SPEECH_TAGS


INLINE_MARK = re.compile(r"\s*\[(\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)\]\s*")


class TranscriptBuilder:
    """Collects turns and composes the stored text: blank line between turns.

    Paragraphs inside a turn are separated by one newline; hard-wrapped lines of
    one paragraph are joined by a space. Inline ``[hh:mm:ss]`` markers become
    time marks at their place instead of staying in the coded text.
    """

    def __init__(self, fmt: str, path: str) -> None:
        self.format = fmt
        self.path = path
        self._parts: list[str] = []
        self._length = 0
        self.turns: list[Turn] = []
        self.time_marks: list[tuple[int, float]] = []
        self.dropped: list[DroppedLine] = []
        self.notes: list[str] = []
        self.attributes: dict[str, object] = {}
        self.language: str | None = None
        self._open: dict | None = None
        # The source line being read, for error messages.
        self.line: int | None = None

    # Turns ---------------------------------------------------------------
    def start_turn(self, speaker: str | None, start_time: float | None = None) -> None:
        self.end_turn()
        self._open = {
            "speaker": speaker,
            "start": None,
            "start_time": start_time,
            "end_time": None,
            "pending_mark": None,
        }

    @property
    def current_speaker(self) -> str | None:
        return self._open["speaker"] if self._open else None

    @property
    def in_turn(self) -> bool:
        return self._open is not None

    @property
    def awaiting_text(self) -> bool:
        """A turn is open and has no words yet."""
        return self._open is not None and self._open["start"] is None

    def add_text(
        self, text: str, *, new_paragraph: bool = False, time: float | None = None
    ) -> None:
        """Append words to the open turn (opening a speakerless one if needed)."""
        if self._open is None:
            self.start_turn(None)
        turn = self._open
        if "[" not in text and time is None and turn["pending_mark"] is None:
            # The common case: words alone, no time to place.
            words = " ".join(text.split())
            if words:
                if turn["start"] is None:
                    if self._parts:
                        self._append("\n\n")
                    turn["start"] = self._length
                else:
                    self._append("\n" if new_paragraph else " ")
                self._parts.append(words)
                self._length += len(words)
            return
        # split() alternates text and the captured clock value of each marker.
        fragments = INLINE_MARK.split(text) if "[" in text else [text]
        mark = time if time is not None else turn["pending_mark"]
        turn["pending_mark"] = None
        for index, fragment in enumerate(fragments):
            if index % 2:
                mark = parse_clock(fragment, self.path, self.line)
                continue
            words = " ".join(fragment.split())
            if not words:
                continue
            if turn["start"] is None:
                if self._parts:
                    self._append("\n\n")
                turn["start"] = self._length
            else:
                self._append("\n" if new_paragraph else " ")
            if mark is not None:
                self.time_marks.append((self._length, mark))
                if turn["start"] == self._length and turn["start_time"] is None:
                    turn["start_time"] = mark
                mark = None
            self._append(words)
            new_paragraph = False
        turn["pending_mark"] = mark

    def set_end_time(self, end_time: float | None) -> None:
        if self._open is not None and end_time is not None:
            self._open["end_time"] = end_time

    def end_turn(self) -> None:
        turn, self._open = self._open, None
        if turn is None or turn["start"] is None:
            return
        # A marker after the last words of a turn ("... so. [00:02:00]") is
        # the time the turn ends.
        end_time = turn["end_time"]
        if end_time is None:
            end_time = turn["pending_mark"]
        self.turns.append(
            Turn(
                start=turn["start"],
                end=self._length,
                speaker=turn["speaker"],
                start_time=turn["start_time"],
                end_time=end_time,
            )
        )

    def drop(self, line: int, text: str, reason: str) -> None:
        self.dropped.append(DroppedLine(line, text.strip(), reason))

    def _append(self, piece: str) -> None:
        self._parts.append(piece)
        self._length += len(piece)

    def build(self) -> Transcript:
        self.end_turn()
        if not self.turns:
            raise InputError(self.path, "no transcript text found")
        text = "".join(self._parts)
        turns = self.turns
        # Turns without an end time end where the next timed turn starts.
        fixed = []
        for index, turn in enumerate(turns):
            end_time = turn.end_time
            if end_time is None and turn.start_time is not None:
                following = next(
                    (
                        t.start_time
                        for t in turns[index + 1 :]
                        if t.start_time is not None
                    ),
                    None,
                )
                end_time = following
            fixed.append(
                Turn(turn.start, turn.end, turn.speaker, turn.start_time, end_time)
            )
        return Transcript(
            text=text,
            turns=fixed,
            format=self.format,
            attributes=dict(self.attributes),
            time_marks=sorted(self.time_marks),
            dropped=self.dropped,
            notes=self.notes,
            language=self.language,
        )
