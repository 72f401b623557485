"""Schema migrations: an old project opens, moves forward and keeps its data."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from coder.documents import list_documents
from coder.store import create_project, open_project
from coder.store import migrations as migrations_module
from coder.store import project as project_module
from coder.store.migrations import (
    APPLICATION_ID,
    MIGRATIONS,
    SCHEMA_VERSION,
    migrate,
    schema_version,
)


def _oldest_project(path: Path) -> Path:
    """A project as the first coder wrote it: only the first migration, one document."""
    db = Database(path)
    _name, first = MIGRATIONS[0]
    # One transaction, as migrate() runs it (and one fsync, not one per table).
    with db.atomic():
        first(db)
        db.execute("PRAGMA user_version = 1")
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute("INSERT INTO cases (name) VALUES ('North')")
        db.execute(
            "INSERT INTO documents (name, filename, format, sha256, text, language,"
            " imported_at, words, case_id) VALUES ('alpha', 'alpha.txt', 'text',"
            " 'abc', 'Hello there.', 'en', '2024-01-01T00:00:00.000+00:00', 2, 1)"
        )
        db.execute("INSERT INTO speakers (name) VALUES ('Anna')")
        db.execute(
            'INSERT INTO segments (document_id, kind, seq, start, "end", speaker_id)'
            " VALUES (1, 'turn', 0, 0, 12, 1)"
        )
        db.execute(
            "INSERT INTO events (at, actor, action, entity, entity_id)"
            " VALUES ('2024-01-01', 'ana', 'import', 'document', '1')"
        )
    db.close()
    return path


def _schema(path: Path) -> set[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        return set(conn.execute("SELECT type, name FROM sqlite_master"))
    finally:
        conn.close()


def test_the_oldest_project_migrates_forward(tmp_path):
    path = _oldest_project(tmp_path / "old.db")
    with open_project(path) as project:
        assert schema_version(project.db) == SCHEMA_VERSION
        [document] = list_documents(project)
        assert (document.name, document.case, document.words) == ("alpha", "North", 2)
        assert document.speakers == ["Anna"]
        assert document.turns == 1
        events = project.db.execute("SELECT actor, action FROM events").fetchall()
        assert events == [("ana", "import")]
        with pytest.raises(sqlite3.IntegrityError):
            project.db.execute("DELETE FROM events")
    # The migrated file has everything a new project has.
    fresh = tmp_path / "fresh.db"
    create_project(fresh).close()
    assert _schema(path) == _schema(fresh)


def test_an_up_to_date_project_is_not_migrated(project):
    assert migrate(project.db) == []


@pytest.fixture
def one_more_migration(monkeypatch):
    """Pretend this coder knows one migration more than it does."""

    def install(migration) -> None:
        monkeypatch.setattr(
            migrations_module, "MIGRATIONS", [*MIGRATIONS, ("test_step", migration)]
        )
        monkeypatch.setattr(migrations_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
        monkeypatch.setattr(project_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)

    return install


def test_a_new_migration_runs_on_open_and_sees_the_data(tmp_path, one_more_migration):
    path = _oldest_project(tmp_path / "old.db")

    def add_case_notes(db: Database) -> None:
        db.execute("ALTER TABLE cases ADD COLUMN notes TEXT NOT NULL DEFAULT ''")
        db.execute("UPDATE cases SET notes = 'migrated ' || name")

    one_more_migration(add_case_notes)
    with open_project(path) as project:
        assert schema_version(project.db) == SCHEMA_VERSION + 1
        assert project.db.execute("SELECT name, notes FROM cases").fetchall() == [
            ("North", "migrated North")
        ]
        assert [d.name for d in list_documents(project)] == ["alpha"]


def test_a_failed_migration_changes_nothing(tmp_path, one_more_migration):
    path = tmp_path / "study.db"
    create_project(path).close()

    def broken(db: Database) -> None:
        db.execute("CREATE TABLE half_done (x)")
        db.execute("INSERT INTO no_such_table VALUES (1)")

    one_more_migration(broken)
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        open_project(path)
    # The connection was closed (no WAL left) and the version did not move.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["study.db"]
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert "half_done" not in {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master")
        }
    finally:
        conn.close()


def _table_sql(path: Path, name: str) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [name]
        ).fetchone()[0]
    finally:
        conn.close()


def test_segments_are_cheaper_to_write_after_migration_7(tmp_path):
    path = _oldest_project(tmp_path / "old.db")
    assert "kind IN (" in _table_sql(path, "segments")
    with open_project(path) as project:
        indexes = {
            name
            for (name,) in project.db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index'"
                " AND tbl_name = 'segments' AND sql IS NOT NULL"
            )
        }
        assert indexes == {"segments_parent", "segments_matrix"}
        # The stored turn is still there and the check still refuses a bad kind.
        assert project.db.execute("SELECT kind FROM segments").fetchall() == [("turn",)]
        with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
            project.db.execute(
                'INSERT INTO segments (document_id, kind, seq, start, "end")'
                " VALUES (1, 'chapter', 1, 0, 5)"
            )
        assert project.db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert "kind IN (" not in _table_sql(path, "segments")
    assert "kind = 'sentence' OR kind = 'turn'" in _table_sql(path, "segments")
