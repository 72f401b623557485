"""Word (.docx) transcripts via python-docx.

Reads paragraphs with bold or ``Name:`` speaker labels, Otter's docx export
(header paragraph, then text), and the speaker | text tables (optionally with
a time column) that some transcription services produce. Headings, titles and
paragraphs around a speaker table are not speech: they are dropped and
reported. Line numbers in messages count the document's paragraphs, a table
row counting as one.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass

from coder.errors import InputError
from coder.importers import otter, plaintext
from coder.importers._text import CLOCK, TranscriptBuilder, parse_clock
from coder.model import DroppedLine, Transcript

FORMAT = "docx"
HEADER_WORDS = {"speaker", "name", "text", "time", "timestamp", "transcript", "start"}
TIME_WORDS = {"time", "timestamp", "start"}


@dataclass
class _Row:
    number: int
    speaker: str
    clock: str | None
    text: str


def _open(data: bytes, path: str):
    import docx  # python-docx; imported here to keep `coder --help` fast
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    try:
        return docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise InputError(
            path, f"not a readable .docx (broken or truncated zip: {exc})"
        ) from exc
    except XMLSyntaxError as exc:
        raise InputError(
            path, f"not a readable .docx (damaged XML: {exc.msg})"
        ) from exc
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise InputError(path, f"not a Word document ({exc})") from exc


def _is_heading(paragraph) -> bool:
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    return style.startswith(("Heading", "Title", "Subtitle"))


@dataclass
class _Bold:
    """A bold run at the start of a paragraph, and the text after it."""

    name: str
    rest: str
    colon: bool


def _bold_start(paragraph) -> _Bold | None:
    """The paragraph's leading bold run when it may be a label, else None.

    A bold run with a colon (``Name:`` bold, or bold ``Name`` then ``:``)
    may hold anything; one without a colon must look like a name.
    """
    runs = [run for run in paragraph.runs if run.text]
    bold = []
    for run in runs:
        if not run.bold:
            break
        bold.append(run.text)
    raw = "".join(bold)
    label = raw.strip()
    # paragraph.text, unlike paragraph.runs, holds the text of hyperlinks.
    if not label or not paragraph.text.startswith(raw):
        return None
    rest = paragraph.text[len(raw) :].strip()
    name = label.rstrip(":").strip()
    if not rest or not 0 < len(name) <= 40:
        return None
    if label.endswith(":"):
        return _Bold(name, rest, colon=True)
    if rest.startswith(":"):
        return _Bold(name, rest[1:].strip(), colon=True)
    if plaintext.NAME_LINE.match(name):
        return _Bold(name, rest, colon=False)
    return None


def _paragraph_lines(paragraphs) -> tuple[list[tuple[int, str]], set[str]]:
    """Each paragraph as a line of text, leading bold labels made into ``Name: ``.

    A bold label with a colon names a speaker, whatever the name holds; one
    without a colon only when the name recurs or is a standard label, so that
    a bold first word ("**Really** important") keeps its text unchanged.

    Returns:
        (paragraph number, line) pairs, and the names known to be speakers.
    """
    bolds = {number: _bold_start(paragraph) for number, paragraph in paragraphs}
    counts = Counter(bold.name for bold in bolds.values() if bold)
    labels = {bold.name for bold in bolds.values() if bold and bold.colon}
    lines = []
    for number, paragraph in paragraphs:
        bold = bolds[number]
        if bold and CLOCK.fullmatch(bold.rest):
            # Otter's header paragraph with the name in bold: "Name  0:03".
            line = f"{bold.name}  {bold.rest}"
        elif bold and (
            bold.name in labels
            or counts[bold.name] >= 2
            or bold.name.lower() in plaintext.STANDARD_LABELS
        ):
            line = f"{bold.name}: {bold.rest}"
        else:
            line = paragraph.text.strip()
        lines.append((number, line))
    return lines, labels


def _speaker_rows(table, first: int) -> list[_Row] | None:
    """The rows of a speaker | text table (time column optional), or None.

    A table is a speaker table when it has a header row naming its columns
    or a speaker who speaks more than once; a two-column table of facts
    (``Date | 2024-05-01``) is not.
    """
    rows = [
        (first + index, [cell.text.strip() for cell in row.cells])
        for index, row in enumerate(table.rows)
    ]
    rows = [(number, cells) for number, cells in rows if any(cells)]
    if not rows or not 2 <= len(rows[0][1]) <= 3:
        return None
    header = [cell.lower() for cell in rows[0][1]]
    headed = bool(set(header) & HEADER_WORDS)
    if headed:
        rows = rows[1:]
    if not rows:
        return None
    width = len(rows[0][1])
    # A time column is named so in the header, or holds nothing but times; a
    # named one is read even with a typo in it, so the typo is reported.
    time_col = next(
        (
            col
            for col in range(width)
            if (headed and header[col] in TIME_WORDS)
            or (
                any(cells[col] for _, cells in rows)
                and all(CLOCK.fullmatch(cells[col]) for _, cells in rows if cells[col])
            )
        ),
        None,
    )
    others = [col for col in range(width) if col != time_col]
    if len(others) != 2:
        return None
    lengths = {col: sum(len(cells[col]) for _, cells in rows) for col in others}
    text_col = max(others, key=lengths.__getitem__)
    speaker_col = min(others, key=lengths.__getitem__)
    speakers = Counter(cells[speaker_col] for _, cells in rows if cells[speaker_col])
    if not headed and max(speakers.values(), default=0) < 2:
        return None
    return [
        _Row(
            number,
            cells[speaker_col].rstrip(":").strip(),
            cells[time_col] if time_col is not None and cells[time_col] else None,
            cells[text_col],
        )
        for number, cells in rows
    ]


def _table_transcript(rows: list[_Row], path: str) -> TranscriptBuilder:
    builder = TranscriptBuilder(FORMAT, path)
    for row in rows:
        builder.line = row.number
        speaker = row.speaker or builder.current_speaker
        start = parse_clock(row.clock, path, row.number) if row.clock else None
        if (
            speaker != builder.current_speaker
            or not builder.in_turn
            or start is not None
        ):
            builder.start_turn(speaker, start)
        # Paragraphs inside a cell stay paragraphs of the turn.
        for paragraph in row.text.split("\n"):
            builder.add_text(paragraph, new_paragraph=True)
    return builder


def parse(data: bytes, path: str) -> Transcript:
    from docx.table import Table

    document = _open(data, path)
    paragraphs = []  # (number, paragraph)
    tables = []  # (number of the first row, table)
    number = 0
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            tables.append((number + 1, block))
            number += len(block.rows)
        else:
            number += 1
            paragraphs.append((number, block))

    dropped: list[DroppedLine] = []
    speaker_rows: list[_Row] = []
    for first, table in tables:
        rows = _speaker_rows(table, first)
        if rows is None:
            dropped.extend(
                DroppedLine(
                    first + index,
                    " | ".join(cell.text.strip() for cell in row.cells),
                    "table row, not a speaker table",
                )
                for index, row in enumerate(table.rows)
                if any(cell.text.strip() for cell in row.cells)
            )
        else:
            speaker_rows.extend(rows)

    body = []
    for number, paragraph in paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        if _is_heading(paragraph):
            dropped.append(DroppedLine(number, text, "heading, not speech"))
        elif speaker_rows:
            dropped.append(DroppedLine(number, text, "outside the speaker table"))
        else:
            body.append((number, paragraph))
    lines, labels = _paragraph_lines(body)

    if speaker_rows:
        builder = _table_transcript(speaker_rows, path)
        builder.dropped.extend(dropped)
        transcript = builder.build()
    elif lines:
        transcript = _paragraph_transcript(lines, labels, path)
        transcript.dropped.extend(dropped)
    else:
        raise InputError(path, "no transcript text found in the document")
    transcript.format = FORMAT
    transcript.dropped.sort(key=lambda line: line.line)
    return transcript


def _paragraph_transcript(
    lines: list[tuple[int, str]], labels: set[str], path: str
) -> Transcript:
    """Read paragraphs as plain text (or Otter), with messages naming paragraphs."""
    # A blank line between paragraphs: unlabelled ones continue the speaker
    # as a new paragraph. `sources` maps each line of the text to its paragraph.
    sources: list[int] = []
    for number, line in lines:
        sources.extend([number] * (line.count("\n") + 2))
    text = "\n\n".join(line for _, line in lines)

    def paragraph_of(line: int | None) -> int | None:
        return sources[line - 1] if line is not None else None

    try:
        if otter.looks_like_otter("\n".join(line for _, line in lines)):
            transcript = otter.parse_text(text, path)
        else:
            transcript = plaintext.parse_text(text, path, labels=labels)
    except InputError as exc:
        raise InputError(path, exc.detail, paragraph_of(exc.line)) from exc
    transcript.dropped = [
        DroppedLine(paragraph_of(d.line), d.text, d.reason) for d in transcript.dropped
    ]
    return transcript
