"""Word (.docx) transcripts via python-docx.

Reads paragraphs with bold or ``Name:`` speaker labels, Otter's docx export
(header paragraph, then text), and the speaker | text tables (optionally with
a time column) that some transcription services produce. Headings and titles
are not speech: they are dropped and reported.
"""

from __future__ import annotations

import io
import zipfile

from coder.errors import InputError
from coder.importers import otter, plaintext
from coder.importers._text import CLOCK, TranscriptBuilder, parse_clock
from coder.model import Transcript

FORMAT = "docx"
HEADER_WORDS = {"speaker", "name", "text", "time", "timestamp", "transcript", "start"}


def _open(data: bytes, path: str):
    import docx  # python-docx; imported here to keep `coder --help` fast
    from docx.opc.exceptions import PackageNotFoundError

    try:
        return docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise InputError(
            path, f"not a readable .docx (broken or truncated zip: {exc})"
        ) from exc


def _is_heading(paragraph) -> bool:
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    return style.startswith(("Heading", "Title", "Subtitle"))


def _paragraph_line(paragraph) -> str:
    """The paragraph as text, with a leading bold label made into ``Name: ``."""
    runs = [run for run in paragraph.runs if run.text]
    bold = []
    for run in runs:
        if not run.bold:
            break
        bold.append(run.text)
    label = "".join(bold).strip()
    rest = "".join(run.text for run in runs[len(bold) :]).strip()
    if label and rest and 0 < len(label.rstrip(":")) <= 40:
        if label.endswith(":"):
            return f"{label} {rest}"
        if rest.startswith(":"):
            return f"{label}: {rest[1:].strip()}"
        return f"{label}: {rest}"
    return paragraph.text.strip()


def _table_transcript(table, path: str) -> Transcript | None:
    """Read a speaker | text table (time column optional), or None if it is not one."""
    rows = [[cell.text.strip() for cell in row.cells] for row in table.rows]
    rows = [row for row in rows if any(row)]
    if not rows or not 2 <= len(rows[0]) <= 3:
        return None
    if {cell.lower() for cell in rows[0]} & HEADER_WORDS:
        rows = rows[1:]
    if not rows:
        return None
    width = len(rows[0])
    time_col = next(
        (
            col
            for col in range(width)
            if all(CLOCK.fullmatch(row[col]) for row in rows if row[col])
        ),
        None,
    )
    others = [col for col in range(width) if col != time_col]
    if len(others) != 2:
        return None
    lengths = {col: sum(len(row[col]) for row in rows) for col in others}
    text_col = max(others, key=lengths.__getitem__)
    speaker_col = min(others, key=lengths.__getitem__)
    builder = TranscriptBuilder(FORMAT, path)
    for number, row in enumerate(rows, start=1):
        builder.line = number
        speaker = row[speaker_col].rstrip(":").strip() or builder.current_speaker
        clock = row[time_col] if time_col is not None and row[time_col] else None
        start = parse_clock(clock, path, number) if clock else None
        if (
            speaker != builder.current_speaker
            or not builder.in_turn
            or start is not None
        ):
            builder.start_turn(speaker, start)
        builder.add_text(row[text_col], new_paragraph=True)
    return builder.build()


def parse(data: bytes, path: str) -> Transcript:
    document = _open(data, path)
    for table in document.tables:
        transcript = _table_transcript(table, path)
        if transcript is not None:
            return transcript
    lines: list[str] = []
    dropped: list[tuple[int, str]] = []
    for number, paragraph in enumerate(document.paragraphs, start=1):
        text = paragraph.text.strip()
        if not text:
            continue
        if _is_heading(paragraph):
            dropped.append((number, text))
            continue
        lines.append(_paragraph_line(paragraph))
    if not lines:
        raise InputError(path, "no transcript text found in the document")
    # A blank line between paragraphs: unlabelled ones continue the speaker.
    text = "\n\n".join(lines)
    reader = otter if otter.looks_like_otter("\n".join(lines)) else plaintext
    if reader is otter:
        text = "\n".join(lines)
    transcript = reader.parse_text(text, path)
    transcript.format = FORMAT
    transcript.notes.extend(
        f"paragraph {number}: heading '{text}' dropped (not speech)"
        for number, text in dropped
    )
    return transcript
