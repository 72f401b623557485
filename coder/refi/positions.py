"""Selection positions in REFI-QDA files: the conventions tools use, and telling them apart.

coder keeps a source's text with ``\\n`` line ends and spans as Unicode code
points into it. The standard counts code points into the plain-text file,
but tools differ: NVivo for Windows counts UTF-16 code units with ``\\r\\n``
as two, and some tools count a line end as one character while their file
holds ``\\r\\n``. A :class:`Convention` maps positions both ways;
:func:`choose_convention` picks one for a file from the evidence its
selections carry (their text, qc's ``line:N``, word boundaries).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Convention:
    """How a tool counts positions: in which units, over which line ends.

    Attributes:
        key: Short name used in reports and tests.
        label: How it is described to the user.
        utf16: Counts UTF-16 code units (a character beyond U+FFFF is two).
        crlf: Counts over a file whose line ends are ``\\r\\n`` (each is two).
    """

    key: str
    label: str
    utf16: bool
    crlf: bool


STANDARD = Convention(
    "codepoints", "Unicode code points, a line end as one character", False, False
)
# The same counting over a CRLF file: the standard read literally.
CODEPOINTS_CRLF = Convention(
    "codepoints-crlf",
    "code points with \\r\\n as two (the standard over a CRLF file)",
    False,
    True,
)
UTF16_CRLF = Convention(
    "utf16-crlf", "UTF-16 code units with \\r\\n as two (NVivo for Windows)", True, True
)
UTF16 = Convention("utf16", "UTF-16 code units, a line end as one", True, False)

CONVENTIONS = (STANDARD, CODEPOINTS_CRLF, UTF16_CRLF, UTF16)
_PREFERENCE = (CODEPOINTS_CRLF, STANDARD, UTF16_CRLF, UTF16)


class SourceText:
    """A source's text as stored (LF) with what is needed to map positions.

    Args:
        raw: The text as the file holds it (BOM removed, line ends as written).
    """

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.text = raw.replace("\r\n", "\n").replace("\r", "\n")
        self.has_crlf = "\r\n" in raw
        # Offsets in the stored text of characters beyond U+FFFF.
        self.astral = [match.start() for match in _ASTRAL.finditer(self.text)]
        # Offsets in the stored text of each "\n" that was "\r\n" in the file.
        self.crlf_at: list[int] = []
        if self.has_crlf:
            index = raw.find("\n")
            while index >= 0:
                # Its stored offset: the raw index less the CRs dropped so far.
                stored = index - len(self.crlf_at)
                if index > 0 and raw[index - 1] == "\r":
                    self.crlf_at.append(stored - 1)
                index = raw.find("\n", index + 1)
        # Where each CR stands in the counted text of a CRLF convention.
        self._crs = [stored + k for k, stored in enumerate(self.crlf_at)]
        self._units: dict[bool, list[int]] = {}

    def to_offset(self, position: int, convention: Convention) -> int | None:
        """The stored offset of a position, or None if it cannot be one.

        None: negative, beyond the text, or inside a UTF-16 surrogate pair.
        """
        if position < 0:
            return None
        value = position
        if convention.utf16 and self.astral:
            # Unit index of each astral character in the counted text.
            units = self._astral_units(convention)
            before = bisect.bisect_left(units, value)
            if before and units[before - 1] + 1 == value:
                return None  # between the two halves of a surrogate pair
            value -= before
        if convention.crlf and self.crlf_at:
            # Counted text has "\r\n": position of each CR in it.
            crs = self._crs
            before = bisect.bisect_left(crs, value)
            # A position between \r and \n lands on the line end.
            if before and crs[before - 1] + 1 == value:
                before -= 1
                value -= 1
            value -= before
        if value > len(self.text):
            return None
        return value

    def _astral_units(self, convention: Convention) -> list[int]:
        if convention.crlf in self._units:
            return self._units[convention.crlf]
        units = []
        for k, offset in enumerate(self.astral):
            unit = offset + k
            if convention.crlf and self.crlf_at:
                unit += bisect.bisect_left(self.crlf_at, offset)
            units.append(unit)
        self._units[convention.crlf] = units
        return units

    def to_position(self, offset: int, convention: Convention) -> int:
        """A stored offset as a position under a convention (for exports).

        The counted text is the stored one, with ``\\r\\n`` for every line end
        when ``convention.crlf``.
        """
        value = offset
        if convention.utf16:
            value += bisect.bisect_left(self.astral, offset)
        if convention.crlf:
            value += self.text.count("\n", 0, offset)
        return value


def boundary(text: str, offset: int) -> bool:
    """Whether an offset is at a word boundary (a selection edge a person makes)."""
    if offset <= 0 or offset >= len(text):
        return True
    return not (text[offset - 1].isalnum() and text[offset].isalnum())


def _same_text(found: str, named: str) -> bool:
    """Whether a selection's text matches its name (which may be cut short)."""
    found, named = " ".join(found.split()), " ".join(named.split())
    for ellipsis in ("...", "\u2026"):
        if named.endswith(ellipsis) and len(named) > len(ellipsis) + 3:
            return found.startswith(named[: -len(ellipsis)].rstrip())
    return found == named


@dataclass
class Evidence:
    """What one selection says about the conventions."""

    start: int
    end: int
    # The selected text it carries (its name), if any.
    text: str | None = None
    # qc's ``line:N``: the 0-based line it starts.
    line: int | None = None


@dataclass
class Verdict:
    """The convention chosen for a file and why."""

    convention: Convention
    checked: int = 0
    confirmed: int = 0
    on_boundaries: int = 0
    selections: int = 0
    basis: str = "agree"
    rejected: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        """One line for the import summary."""
        label = self.convention.label
        if self.basis == "agree":
            return (
                f"positions read as {label}: no selection's reading depends on it"
                " (no \\r\\n and no characters beyond U+FFFF before a selection)"
            )
        if self.basis == "text":
            return (
                f"positions read as {label}: {self.confirmed} of {self.checked}"
                " selections confirmed by the text they carry"
            )
        return (
            f"positions read as {label}: {self.on_boundaries} of"
            f" {self.selections * 2} selection edges on word or line boundaries"
            " (no selection carries its text)"
        )


def _line_starts(text: str) -> list[int]:
    starts = [0]
    index = text.find("\n")
    while index >= 0:
        starts.append(index + 1)
        index = text.find("\n", index + 1)
    return starts


@dataclass
class _Score:
    convention: Convention
    valid: bool = True
    checked: int = 0
    confirmed: int = 0
    on_boundaries: int = 0
    mapped: tuple = ()


def choose_convention(
    sources: list[tuple[SourceText, list[Evidence]]], hint: Convention | None = None
) -> Verdict:
    """Pick the convention under which a file's selections make the most sense.

    A convention that puts any selection outside its text or inside a
    character is out. Among the rest: most selections whose carried text
    (name, or qc's ``line:N``) matches, then most edges on word boundaries,
    then the tool's known habit (``hint``), then the standard.
    """
    crlf = any(source.has_crlf for source, _ in sources)
    astral = any(source.astral for source, _ in sources)
    # Conventions that differ only in what these files do not hold are one.
    candidates = [
        convention
        for convention in CONVENTIONS
        if (crlf or not convention.crlf) and (astral or not convention.utf16)
    ]
    scores = []
    for convention in candidates:
        score = _Score(convention)
        mapped = []
        for source, selections in sources:
            starts = None
            for selection in selections:
                start = source.to_offset(selection.start, convention)
                end = source.to_offset(selection.end, convention)
                if start is None or end is None or start > end:
                    score.valid = False
                    break
                mapped.append((start, end))
                text = source.text
                score.on_boundaries += boundary(text, start) + boundary(text, end)
                if selection.text is not None:
                    score.checked += 1
                    score.confirmed += _same_text(text[start:end], selection.text)
                elif selection.line is not None:
                    if starts is None:
                        starts = _line_starts(text)
                    score.checked += 1
                    score.confirmed += (
                        selection.line < len(starts) and starts[selection.line] == start
                    )
            if not score.valid:
                break
        score.mapped = tuple(mapped)
        scores.append(score)
    valid = [score for score in scores if score.valid]
    total = sum(len(selections) for _, selections in sources)
    if not valid:
        return Verdict(STANDARD, selections=total, basis="none")
    distinct = {score.mapped for score in valid}
    if len(distinct) == 1 and len(valid) == len(scores):
        return Verdict(STANDARD, selections=total)

    def rank(score: _Score) -> tuple:
        return (
            score.confirmed,
            score.on_boundaries,
            score.convention == hint,
            # The standard read literally counts every character of the file.
            -_PREFERENCE.index(score.convention),
        )

    best = max(valid, key=rank)
    verdict = Verdict(
        best.convention,
        checked=best.checked,
        confirmed=best.confirmed,
        on_boundaries=best.on_boundaries,
        selections=total,
        basis="text" if best.confirmed else "boundaries",
    )
    for score in scores:
        if not score.valid:
            verdict.rejected[score.convention.key] = "puts a selection outside its text"
    return verdict


def origin_hint(origin: str) -> Convention | None:
    """The convention a tool is known for, from the project's ``origin``: a tie-breaker only."""
    lowered = origin.lower()
    if "nvivo" in lowered and "mac" not in lowered:
        return UTF16_CRLF
    return None
