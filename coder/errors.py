"""The errors coder raises for a user's mistakes, each one line that names its place."""

from __future__ import annotations

import sqlite3
from pathlib import Path


class CoderError(Exception):
    """A problem the user can act on; shown without a traceback.

    Attributes:
        hint: What to do about it, in one line (shown as ``hint: ...``), or None.
    """

    hint: str | None = None

    def __init__(self, *args: object, hint: str | None = None) -> None:
        super().__init__(*args)
        if hint is not None:
            self.hint = hint


class InputError(CoderError):
    """Bad input in a file: names the file and, where known, the line."""

    def __init__(
        self,
        path: str,
        message: str,
        line: int | None = None,
        *,
        hint: str | None = None,
    ) -> None:
        self.path = str(path)
        self.line = line
        self.detail = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}", hint=hint)

    def __reduce__(self):
        # Rebuilt from its parts when it travels back from a worker process;
        # the instance dict carries the hint along.
        return type(self), (self.path, self.detail, self.line), self.__dict__


class ProjectError(CoderError):
    """The project file is missing, foreign, or from a newer coder."""


class NotFoundError(CoderError):
    """A named document, case, code or attribute does not exist."""


class ConflictError(CoderError):
    """An action would lose or duplicate stored work unless forced."""


class PipelineError(CoderError):
    """A spaCy pipeline cannot be loaded."""


class BusyError(ProjectError):
    """Another process held the project's write lock for longer than we wait."""


class LimitError(InputError):
    """An input file exceeds a safety limit (size, expansion, nesting, members)."""


RESTORE_HINT = "restore a backup: `coder backups` lists them, `coder restore SNAPSHOT` brings one back"


def restore_hint(path: str | Path | None = None) -> str:
    """RESTORE_HINT naming the project, so the commands it gives work as typed."""
    if path is None:
        return RESTORE_HINT
    return (
        f"restore a backup: `coder backups -p {path}` lists them,"
        f" `coder restore -p {path} SNAPSHOT` brings one back"
    )


def database_error(
    exc: sqlite3.Error, path: str | Path | None = None
) -> CoderError | None:
    """The user's side of an SQLite error that reached the top, or None for a bug.

    A locked, damaged, read-only or full project is something the user can act
    on; any other SQLite error (a constraint, a syntax error) is coder's own.

    Args:
        exc: The error SQLite raised.
        path: The project file, named at the start of the message when known.
    """
    where = f"{path}: " if path is not None else ""
    text = str(exc)
    # Python names SQLite's result code (SQLITE_BUSY, ...) when SQLite raised it.
    name = getattr(exc, "sqlite_errorname", None) or ""
    code = name.removeprefix("SQLITE_").split("_")[0]  # SQLITE_IOERR_READ: IOERR
    if code in ("BUSY", "LOCKED") or " is locked" in text:
        return BusyError(
            f"{where}the project is busy: another coder process is writing to it"
            " and did not finish in time",
            hint="try again in a moment, or set CODER_BUSY_TIMEOUT=SECONDS to wait longer",
        )
    if code in ("CORRUPT", "NOTADB") or "malformed" in text or "not a database" in text:
        return ProjectError(
            f"{where}the project file is damaged ({text})", hint=restore_hint(path)
        )
    if code == "READONLY" or "readonly database" in text:
        return ProjectError(
            f"{where}cannot write to the project: the file or its folder is read-only",
            hint="check their permissions, or work on a copy you may write to",
        )
    if code == "FULL" or "disk is full" in text:
        return ProjectError(
            f"{where}the disk is full", hint="free some space and try again"
        )
    if code == "CANTOPEN" or "unable to open database" in text:
        return ProjectError(
            f"{where}cannot open the project file",
            hint="check that it and its folder exist and that you may write to them",
        )
    if code == "IOERR" or "disk I/O error" in text:
        return ProjectError(
            f"{where}disk I/O error ({text})",
            hint="check the disk and try again; if it repeats, " + restore_hint(path),
        )
    return None
