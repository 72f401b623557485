"""Opening, creating and writing to a project: one SQLite file, nothing to configure."""

from __future__ import annotations

import functools
import getpass
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coder import __version__
from coder.errors import ProjectError, database_error
from coder.store.database import database
from coder.store.locking import begin_immediate, busy_timeout_ms
from coder.store.migrations import APPLICATION_ID, SCHEMA_VERSION, migrate

if TYPE_CHECKING:
    from sqlite_utils import Database

DEFAULT_PROJECT = "coder.db"
SQLITE_HEADER = b"SQLite format 3\x00"


def now() -> str:
    """An ISO 8601 UTC timestamp with milliseconds, as stored everywhere."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def default_actor() -> str:
    """Who is working: CODER_USER, else the login name."""
    name = os.environ.get("CODER_USER")
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "coder"


class Project:
    """An open project file with its connection and the person working on it."""

    def __init__(
        self, path: Path, conn: sqlite3.Connection, actor: str | None = None
    ) -> None:
        self.path = path
        self.conn = conn
        self.actor = actor or default_actor()
        self.busy_timeout_ms = busy_timeout_ms()

    @functools.cached_property
    def db(self) -> Database:
        """sqlite-utils' `Database` on the project's connection, made on first use.

        Reads and simple writes go through `execute` on the connection; the
        quick commands never pay for importing sqlite-utils (see
        `coder.store.database`).
        """
        return database(self.conn)

    def execute(self, sql: str, parameters: Any = None) -> sqlite3.Cursor:
        """Run one statement on the project's connection (as ``Database.execute``)."""
        if parameters is None:
            return self.conn.execute(sql)
        return self.conn.execute(sql, parameters)

    def query(self, sql: str, parameters: Any = None) -> Iterator[dict[str, Any]]:
        """Rows of a query as dicts by column name (as ``Database.query``)."""
        cursor = self.execute(sql, parameters)
        keys = [column[0] for column in cursor.description]
        for row in cursor:
            yield dict(zip(keys, row, strict=True))

    @contextmanager
    def atomic(self) -> Iterator[Project]:
        """One write transaction (a savepoint when nested): all or nothing.

        The outermost block takes the write lock before its first statement
        (BEGIN IMMEDIATE), so reads inside it see the latest data and the
        writes that follow never fail on a lock; other writers wait their
        turn. Keep slow work (parsing, segmenting, training) outside.
        """
        conn = self.conn
        if conn.in_transaction:
            with self.db.atomic():  # a savepoint
                yield self
            return
        begin_immediate(conn, self.path, self.busy_timeout_ms)
        try:
            yield self
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    @contextmanager
    def lock_wait(self, milliseconds: int) -> Iterator[None]:
        """Wait at most this long for the write lock inside the block.

        A front end that must not freeze tries a write with a short wait and,
        when the project is busy (BusyError), tries again later itself.
        """
        previous = self.busy_timeout_ms
        self.busy_timeout_ms = milliseconds
        self.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
        try:
            yield
        finally:
            self.busy_timeout_ms = previous
            self.execute(f"PRAGMA busy_timeout = {int(previous)}")

    def log(self, action: str, entity: str, entity_id: Any = None, **data: Any) -> int:
        """Append to the event log: who changed what, when. Returns the event's id."""
        return self.execute(
            "INSERT INTO events (at, actor, action, entity, entity_id, data)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                now(),
                self.actor,
                action,
                entity,
                None if entity_id is None else str(entity_id),
                json.dumps(data, ensure_ascii=False, sort_keys=True),
            ],
        ).lastrowid

    def log_many(self, rows: Iterable[tuple[str, str, Any, dict[str, Any]]]) -> int:
        """Append many events at one time stamp, e.g. one per coding of a merge.

        Args:
            rows: (action, entity, entity_id, data) per event, as for `log`.

        Returns:
            How many events were written.
        """
        at, actor = now(), self.actor
        return self.conn.executemany(
            "INSERT INTO events (at, actor, action, entity, entity_id, data)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                (
                    at,
                    actor,
                    action,
                    entity,
                    None if entity_id is None else str(entity_id),
                    json.dumps(data, ensure_ascii=False, sort_keys=True),
                )
                for action, entity, entity_id, data in rows
            ),
        ).rowcount

    def coder_id(self, name: str | None = None) -> int:
        """The id of a coder (default: the actor), created on first use."""
        name = name or self.actor
        row = self.execute("SELECT id FROM coders WHERE name = ?", [name]).fetchone()
        if row:
            return row[0]
        cursor = self.execute(
            "INSERT INTO coders (name, created_at) VALUES (?, ?)", [name, now()]
        )
        return cursor.lastrowid

    def meta(self, key: str) -> str | None:
        row = self.execute("SELECT value FROM project WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.execute(
            "INSERT INTO project (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _inspect(path: Path) -> tuple[int, int]:
    """Read application_id and user_version without writing a byte."""
    with path.open("rb") as handle:
        header = handle.read(100)
    if header[: len(SQLITE_HEADER)] != SQLITE_HEADER:
        raise ProjectError(f"{path}: not a coder project (not an SQLite database)")
    if len(header) < 100:
        # SQLite never writes a file shorter than its header: this one was cut short.
        cut = sqlite3.DatabaseError(
            f"file is not a database: cut short at {len(header)} bytes"
        )
        raise unreadable_error(path, cut) from cut
    if not path.with_name(f"{path.name}-wal").exists():
        # Without a WAL the file header is current. Read it directly: a
        # read-only connection to a WAL-mode file would leave -wal and -shm
        # files behind next to a file we then refuse to open.
        user_version = int.from_bytes(header[60:64], "big", signed=True)
        app_id = int.from_bytes(header[68:72], "big", signed=True)
        return app_id, user_version
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        # The header says SQLite, so a file SQLite cannot read is damaged.
        if is_damaged(exc):
            raise unreadable_error(path, exc) from exc
        raise ProjectError(f"{path}: not a coder project ({exc})") from exc
    return app_id, version


def is_damaged(exc: BaseException) -> bool:
    """Whether an SQLite error means the file's content is damaged."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    name = getattr(exc, "sqlite_errorname", None) or ""
    text = str(exc)
    return (
        name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
        or "malformed" in text
        or "not a database" in text
    )


def unreadable_error(path: Path, exc: sqlite3.Error) -> ProjectError:
    """The one-line error for a project SQLite cannot read (with what to do)."""
    problem = database_error(exc, path)
    if isinstance(problem, ProjectError):
        return problem
    return ProjectError(f"{path}: {exc}")


def inspect_project(path: str | os.PathLike[str]) -> int:
    """Check that a file is a coder project this coder can open; return its schema.

    Reads the header only: writes nothing and migrates nothing.

    Raises:
        ProjectError: missing, a folder, foreign, damaged, or newer than this coder.
    """
    path = Path(path)
    if not path.exists():
        raise ProjectError(
            f"{path}: no coder project here; create one with `coder init {path}`"
        )
    if path.is_dir():
        raise ProjectError(f"{path}: is a folder, not a coder project file")
    app_id, version = _inspect(path)
    if app_id != APPLICATION_ID:
        raise ProjectError(
            f"{path}: not a coder project (an SQLite file of another tool)"
        )
    if version > SCHEMA_VERSION:
        raise ProjectError(
            f"{path}: written by a newer coder (schema {version}; this coder "
            f"{__version__} knows up to {SCHEMA_VERSION}); upgrade coder to open it"
        )
    return version


def _connect(path: Path, actor: str | None) -> Project:
    # Autocommit at the driver level: Python's sqlite3 would otherwise open a
    # deferred transaction before a write and keep it (and the write lock)
    # until someone commits. Transactions are explicit: Project.atomic().
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")
    conn.execute("PRAGMA foreign_keys = ON")
    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        conn.execute("PRAGMA journal_mode = wal")
    return Project(path, conn, actor)


def open_project(
    path: str | os.PathLike[str], *, create: bool = False, actor: str | None = None
) -> Project:
    """Open a project, migrating it forward if it is older than this coder.

    Args:
        path: The project file.
        create: Create the file when it does not exist.
        actor: Who is working (default: CODER_USER or the login name).

    Raises:
        ProjectError: missing (and not `create`), foreign, damaged, or newer
            than this coder.
    """
    path = Path(path)
    if not path.exists() and create:
        return create_project(path, actor=actor)
    version = inspect_project(path)
    try:
        project = _connect(path, actor)
    except sqlite3.DatabaseError as exc:
        if is_damaged(exc):
            raise unreadable_error(path, exc) from exc
        raise
    try:
        # Reading the schema now shows a damaged first page or schema here,
        # as one line naming the file, not in whichever query comes first.
        project.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        if version < SCHEMA_VERSION:
            migrate(project.db)
    except BaseException as exc:
        project.close()
        if is_damaged(exc):
            raise unreadable_error(path, exc) from exc
        raise
    return project


def create_project(
    path: str | os.PathLike[str], *, actor: str | None = None
) -> Project:
    """Create a new, empty project file."""
    path = Path(path)
    if path.exists():
        raise ProjectError(f"{path}: already exists")
    path.parent.mkdir(parents=True, exist_ok=True)
    project = _connect(path, actor)
    try:
        migrate(project.db)
        with project.atomic():
            project.set_meta("created_at", now())
            project.set_meta("created_by_version", __version__)
            project.log("create", "project", str(path.name))
    except BaseException:
        project.close()
        path.unlink(missing_ok=True)
        raise
    return project
