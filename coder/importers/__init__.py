"""Transcript importers: one module per format behind `read_transcript`.

Each importer is a function ``parse(data: bytes, path: str) -> Transcript``.
The format is chosen by extension and by sniffing the content, or named.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from coder.errors import CoderError, InputError
from coder.importers import docx, markdown, otter, plaintext, subtitles
from coder.importers._text import BOMS, decode
from coder.limits import (
    MAX_DOCX_BYTES,
    MAX_TRANSCRIPT_BYTES,
    check_size,
    read_limited,
)
from coder.model import Transcript

Importer = Callable[[bytes, str], Transcript]

IMPORTERS: dict[str, Importer] = {
    "text": plaintext.parse,
    "otter": otter.parse,
    "vtt": subtitles.parse_vtt,
    "srt": subtitles.parse_srt,
    "docx": docx.parse,
    "md": markdown.parse,
}

EXTENSIONS: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".vtt": "vtt",
    ".webvtt": "vtt",
    ".srt": "srt",
    ".docx": "docx",
    ".md": "md",
    ".markdown": "md",
}

# Files in a transcripts folder that are about the study, not interviews.
NOT_TRANSCRIPTS = ("readme", "license", "licence", "notice", "changelog")
NOT_TRANSCRIPT_NAME = re.compile(
    rf"^(?:{'|'.join(NOT_TRANSCRIPTS)})(?:[\W_]|$)", re.IGNORECASE
)


def format_names() -> str:
    return ", ".join(IMPORTERS)


def is_transcript_file(path: Path) -> bool:
    """A file a folder import should pick up.

    Skipped: other extensions, hidden files, Word's ``~$`` lock files, and
    READMEs and the like (``README.md``, ``LICENSE.txt``, ``readme-first.txt``,
    but not ``noticeboard-interview.txt``).
    """
    return (
        path.is_file()
        and path.suffix.lower() in EXTENSIONS
        and not path.name.startswith((".", "~$"))
        and not NOT_TRANSCRIPT_NAME.match(path.stem)
    )


def _head(data: bytes) -> str:
    """The first characters of a file, decoded as its BOM says (or as UTF-8)."""
    encoding = next((name for bom, name in BOMS if data.startswith(bom)), "utf-8")
    return data[:256].decode(encoding, errors="ignore").lstrip("\ufeff")


def detect_format(path: Path, data: bytes) -> str:
    """The importer for a file, by content first where it is unambiguous, then extension."""
    if _head(data).lstrip().startswith("WEBVTT"):
        return "vtt"
    suffix = path.suffix.lower()
    if suffix not in EXTENSIONS:
        valid = ", ".join(sorted(EXTENSIONS))
        raise InputError(
            str(path),
            f"unknown transcript type '{suffix or path.name}' (known: {valid})",
        )
    fmt = EXTENSIONS[suffix]
    if fmt == "text":
        try:
            text, _encoding, _notes = decode(data, str(path))
        except InputError:
            return fmt  # the importer reports it
        if otter.looks_like_otter(text):
            return "otter"
    return fmt


def check_format(fmt: str | None) -> None:
    """Refuse a format name no importer has (None means: detect it)."""
    if fmt is not None and fmt not in IMPORTERS:
        raise CoderError(f"unknown format '{fmt}' (known: {format_names()})")


def check_transcript_size(data: bytes, path: str, fmt: str | None) -> None:
    """Refuse a transcript larger than coder reads in its format (docs/limits.md)."""
    if fmt == "docx":
        check_size(data, path, MAX_DOCX_BYTES, "Word documents")
    else:
        check_size(data, path, MAX_TRANSCRIPT_BYTES, "text transcripts")


def read_bytes(path: str | Path) -> bytes:
    """A transcript file's bytes, or an error naming it; refused past its size limit."""
    path = Path(path)
    if not path.exists():
        raise InputError(str(path), "no such file")
    if path.is_dir():
        raise InputError(
            str(path), "is a folder; give the files or use the folder as a whole"
        )
    if EXTENSIONS.get(path.suffix.lower()) == "docx":
        return read_limited(path, MAX_DOCX_BYTES, "Word documents")
    return read_limited(path, MAX_TRANSCRIPT_BYTES, "text transcripts")


def parse_transcript(
    data: bytes, path: str | Path, fmt: str | None = None
) -> Transcript:
    """Parse a transcript file's bytes.

    Args:
        data: The file's bytes.
        path: Its path, for detecting the format and for messages.
        fmt: A format name from `IMPORTERS`; detected when None.
    """
    path = Path(path)
    if not data.strip():
        raise InputError(str(path), "file is empty")
    check_format(fmt)
    # Checked before detecting, which decodes the text, and again after it.
    check_transcript_size(data, str(path), fmt or EXTENSIONS.get(path.suffix.lower()))
    if fmt is None:
        fmt = detect_format(path, data)
        check_transcript_size(data, str(path), fmt)
    return IMPORTERS[fmt](data, str(path))


def read_transcript(
    path: str | Path, fmt: str | None = None
) -> tuple[Transcript, bytes]:
    """Read and parse one transcript file.

    Args:
        path: The file.
        fmt: A format name from `IMPORTERS`; detected when None.

    Returns:
        The transcript and the original bytes (for the sha256).
    """
    data = read_bytes(path)
    return parse_transcript(data, path, fmt), data
