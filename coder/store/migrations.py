"""Forward-only schema migrations; `PRAGMA user_version` counts those applied.

Each migration is a named function run inside the caller's transaction. Never
edit a released migration: add a new one at the end of `MIGRATIONS`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

from coder.store.locking import begin_immediate, busy_timeout_ms

# "cOdR": marks a SQLite file as a coder project (PRAGMA application_id).
APPLICATION_ID = 0x634F6452


def _initial_schema(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE project (
            key TEXT PRIMARY KEY,
            value TEXT
        );
        CREATE TABLE cases (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            description TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            filename TEXT NOT NULL,
            format TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            text TEXT NOT NULL,
            language TEXT NOT NULL,
            imported_at TEXT NOT NULL,
            words INTEGER NOT NULL DEFAULT 0,
            case_id INTEGER REFERENCES cases(id) ON DELETE SET NULL,
            meta TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX documents_sha256 ON documents(sha256);
        CREATE INDEX documents_case ON documents(case_id);
        CREATE TABLE speakers (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE
        );
        CREATE TABLE segments (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('turn', 'paragraph', 'sentence')),
            parent_id INTEGER REFERENCES segments(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            speaker_id INTEGER REFERENCES speakers(id),
            start_time REAL,
            end_time REAL,
            lemmas TEXT,
            CHECK (start <= "end")
        );
        CREATE INDEX segments_document ON segments(document_id, kind, start);
        CREATE INDEX segments_parent ON segments(parent_id);
        CREATE INDEX segments_speaker ON segments(speaker_id);
        CREATE TABLE attributes (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            type TEXT NOT NULL CHECK (type IN ('text', 'number', 'date', 'category'))
        );
        CREATE TABLE attribute_values (
            attribute_id INTEGER NOT NULL REFERENCES attributes(id) ON DELETE CASCADE,
            document_id INTEGER REFERENCES documents(id) ON DELETE CASCADE,
            case_id INTEGER REFERENCES cases(id) ON DELETE CASCADE,
            value TEXT,
            CHECK ((document_id IS NULL) <> (case_id IS NULL))
        );
        CREATE UNIQUE INDEX attribute_values_document
            ON attribute_values(attribute_id, document_id) WHERE document_id IS NOT NULL;
        CREATE UNIQUE INDEX attribute_values_case
            ON attribute_values(attribute_id, case_id) WHERE case_id IS NOT NULL;
        CREATE TABLE coders (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL
        );
        CREATE TABLE codes (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            parent_id TEXT REFERENCES codes(id) ON DELETE RESTRICT,
            position INTEGER NOT NULL DEFAULT 0,
            definition TEXT NOT NULL DEFAULT '',
            include TEXT NOT NULL DEFAULT '',
            exclude TEXT NOT NULL DEFAULT '',
            examples TEXT NOT NULL DEFAULT '[]',
            colour TEXT,
            key TEXT,
            memo TEXT NOT NULL DEFAULT '',
            patterns TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX codes_parent ON codes(parent_id);
        CREATE TABLE codings (
            id INTEGER PRIMARY KEY,
            code_id TEXT NOT NULL REFERENCES codes(id) ON DELETE RESTRICT,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            coder_id INTEGER NOT NULL REFERENCES coders(id),
            created_at TEXT NOT NULL,
            memo TEXT,
            source TEXT NOT NULL DEFAULT 'manual',
            CHECK (start < "end")
        );
        CREATE INDEX codings_document ON codings(document_id, start);
        CREATE INDEX codings_code ON codings(code_id);
        CREATE INDEX codings_coder ON codings(coder_id);
        CREATE TABLE memos (
            id INTEGER PRIMARY KEY,
            target_type TEXT NOT NULL CHECK (target_type IN
                ('project', 'document', 'segment', 'code', 'coding', 'case')),
            target_id TEXT,
            coder_id INTEGER REFERENCES coders(id),
            text TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX memos_target ON memos(target_type, target_id);
        CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            entity TEXT NOT NULL,
            entity_id TEXT,
            data TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX events_entity ON events(entity, entity_id);
        CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
            BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
        CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
            BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
        """
    )


def _codebook_versions(db: Database) -> None:
    """Keep every version of the codebook, so reports can name the one they used."""
    db.executescript(
        """
        CREATE TABLE codebook_versions (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            version TEXT NOT NULL DEFAULT '',
            loaded_at TEXT NOT NULL,
            actor TEXT NOT NULL,
            source TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            yaml TEXT NOT NULL
        );
        """
    )


def _suggestions(db: Database) -> None:
    """Suggested codings waiting for a person to accept or reject them."""
    db.executescript(
        """
        CREATE TABLE suggestions (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            code_id TEXT NOT NULL REFERENCES codes(id) ON DELETE CASCADE,
            score REAL NOT NULL,
            method TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'accepted', 'rejected')),
            created_at TEXT NOT NULL,
            decided_at TEXT,
            decided_by INTEGER REFERENCES coders(id),
            coding_id INTEGER REFERENCES codings(id) ON DELETE SET NULL,
            CHECK (start < "end")
        );
        CREATE INDEX suggestions_queue ON suggestions(status, document_id, start);
        CREATE UNIQUE INDEX suggestions_unique
            ON suggestions(document_id, start, "end", code_id, method);
        """
    )


def _resolutions(db: Database) -> None:
    """How each disagreement between coders was settled into the consensus."""
    db.executescript(
        """
        CREATE TABLE resolutions (
            id INTEGER PRIMARY KEY,
            unit_key TEXT NOT NULL,
            consensus_id INTEGER NOT NULL REFERENCES coders(id),
            code_id TEXT NOT NULL REFERENCES codes(id) ON DELETE CASCADE,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            coders TEXT NOT NULL,
            decision TEXT NOT NULL,
            memo TEXT NOT NULL DEFAULT '',
            coding_ids TEXT NOT NULL DEFAULT '[]',
            decided_by TEXT NOT NULL,
            decided_at TEXT NOT NULL,
            UNIQUE (unit_key, consensus_id)
        );
        """
    )


def _suggestion_models(db: Database) -> None:
    """Fitted suggestion models, so opening a project does not retrain them.

    One row per model key (``learned:<coder>``); `fingerprint` digests what it
    was trained on and `arrays` holds its weights as an ``.npz`` file (plain
    arrays, no pickle: a project file from someone else runs no code).
    """
    db.executescript(
        """
        CREATE TABLE suggestion_models (
            key TEXT PRIMARY KEY,
            fingerprint TEXT NOT NULL,
            sklearn_version TEXT NOT NULL,
            coder_version TEXT NOT NULL,
            created_at TEXT NOT NULL,
            meta TEXT NOT NULL DEFAULT '{}',
            arrays BLOB NOT NULL
        );
        """
    )


def _matrix_index(db: Database) -> None:
    """Indexes the matrices read instead of the tables.

    GROUP BY (document, code) for counts and saturation streams from the first
    without sorting, and the per-document passes over codings and segments
    read the two without a lookup into the tables (the id is each index's rowid).
    """
    db.execute(
        'CREATE INDEX codings_matrix ON codings(document_id, code_id, start, "end", coder_id)'
    )
    db.execute(
        'CREATE INDEX segments_matrix ON segments(document_id, kind, start, "end", speaker_id)'
    )


KIND_CHECK_IN = "CHECK (kind IN ('turn', 'paragraph', 'sentence'))"
KIND_CHECK_OR = "CHECK (kind = 'sentence' OR kind = 'turn' OR kind = 'paragraph')"


def _lean_segment_writes(db: Database) -> None:
    """Make storing a segment cheaper: every imported sentence paid for these.

    Drops `segments_document` (a prefix of `segments_matrix`) and
    `segments_speaker` (no query looks segments up by speaker, and coder
    never deletes a speaker, the only thing it would speed up). Rewrites
    the check on `kind` from ``IN (...)``, for which SQLite builds a
    temporary lookup table on every row written (about 3 µs a row), to the
    same test with ``OR``. A check is changed in place in the schema, the
    way SQLite documents for changing constraints that all stored rows
    already meet; where the schema cannot be written (a SQLite built in
    defensive mode) the old check stays, which is only slower.
    """
    db.execute("DROP INDEX segments_document")
    db.execute("DROP INDEX segments_speaker")
    sql = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'segments'"
    ).fetchone()[0]
    if KIND_CHECK_IN not in sql:
        return
    version = db.execute("PRAGMA schema_version").fetchone()[0]
    try:
        db.execute("PRAGMA writable_schema = ON")
        db.execute(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'segments'",
            [sql.replace(KIND_CHECK_IN, KIND_CHECK_OR)],
        )
        db.execute(f"PRAGMA schema_version = {version + 1}")
    except sqlite3.DatabaseError:
        pass
    finally:
        db.execute("PRAGMA writable_schema = OFF")


Migration = Callable[["Database"], None]

MIGRATIONS: list[tuple[str, Migration]] = [
    ("initial_schema", _initial_schema),
    ("codebook_versions", _codebook_versions),
    ("suggestions", _suggestions),
    ("resolutions", _resolutions),
    ("suggestion_models", _suggestion_models),
    ("matrix_index", _matrix_index),
    ("lean_segment_writes", _lean_segment_writes),
]

SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(db: Database) -> int:
    """The number of migrations this file has had."""
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate(db: Database, wait_ms: int | None = None) -> list[str]:
    """Apply the pending migrations in one transaction; return their names.

    The write lock is taken before the version is read, so two processes
    opening an old project at once migrate it once: the second waits, then
    finds nothing to do.
    """
    if not MIGRATIONS[schema_version(db) :]:
        return []
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():
            return _apply_pending(db)
    begin_immediate(conn, "project", busy_timeout_ms() if wait_ms is None else wait_ms)
    try:
        applied = _apply_pending(db)
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return applied


def _apply_pending(db: Database) -> list[str]:
    pending = MIGRATIONS[schema_version(db) :]
    for _name, migration in pending:
        migration(db)
    # PRAGMA user_version is transactional in SQLite, so a failed migration
    # leaves the version where it was.
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    return [name for name, _ in pending]
