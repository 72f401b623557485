"""Taking a project's write lock: every writer queues, none fails on a busy file."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from coder.errors import BusyError

# How long a writer waits for another to finish before giving up. Imports and
# merges hold the write lock only while they store, seconds at most, but a
# team's eight writers queue behind each other: wait generously.
BUSY_TIMEOUT_MS = 60_000


def busy_timeout_ms() -> int:
    """The write-lock wait: CODER_BUSY_TIMEOUT seconds, else BUSY_TIMEOUT_MS."""
    value = os.environ.get("CODER_BUSY_TIMEOUT")
    if value:
        try:
            return max(0, int(float(value) * 1000))
        except ValueError:
            pass
    return BUSY_TIMEOUT_MS


def is_locked(exc: BaseException) -> bool:
    """Whether an SQLite error means another connection holds the lock."""
    return isinstance(exc, sqlite3.OperationalError) and (
        "locked" in str(exc) or "busy" in str(exc)
    )


def begin_immediate(conn: sqlite3.Connection, path: Path | str, wait_ms: int) -> None:
    """Start a write transaction, taking the write lock now, waiting our turn.

    A deferred BEGIN that reads and then writes cannot wait: when another
    connection has committed since our read, SQLite reports "database is
    locked" at once instead of calling the busy handler. Taking the lock up
    front makes every writer queue. SQLite's busy handler already sleeps with
    backoff within the connection's busy_timeout; the loop here covers the
    rare SQLITE_BUSY that returns before the timeout (a checkpoint, or a
    WAL recovery by another process).
    """
    deadline = time.monotonic() + wait_ms / 1000
    pause = 0.005
    while True:
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if not is_locked(exc):
                raise
            if time.monotonic() + pause > deadline:
                raise BusyError(
                    f"{path}: the project is busy: another coder process has held "
                    f"its write lock for over {wait_ms / 1000:g} s; nothing was "
                    "changed, try again (or set CODER_BUSY_TIMEOUT to wait longer)"
                ) from exc
            time.sleep(pause)
            pause = min(pause * 2, 0.2)


__all__ = ["BUSY_TIMEOUT_MS", "begin_immediate", "busy_timeout_ms", "is_locked"]
