"""The project file: its pragmas, the append-only log, transactions, refusals."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from coder import __version__
from coder.cli import cli
from coder.documents import import_transcripts, list_documents
from coder.errors import ProjectError
from coder.store import create_project, open_project
from coder.store.locking import BUSY_TIMEOUT_MS
from coder.store.migrations import APPLICATION_ID, SCHEMA_VERSION

SMALL = Path(__file__).parents[1] / "data" / "projects" / "small"


def _state(path: Path) -> tuple[str, list[str]]:
    """sha256 of the file, and any -wal/-shm left beside it."""
    companions = sorted(
        p.name for p in path.parent.glob(f"{path.name}*") if p.name != path.name
    )
    return hashlib.sha256(path.read_bytes()).hexdigest(), companions


def _pragma(conn, name: str):
    return conn.execute(f"PRAGMA {name}").fetchone()[0]


@pytest.fixture
def imported(tmp_path) -> Path:
    """A closed project file holding alpha, beta and gamma."""
    path = tmp_path / "study.db"
    with create_project(path, actor="tester") as project:
        import_transcripts(project, [SMALL])
    return path


def test_a_new_project_is_marked_and_configured(project):
    db = project.db
    assert _pragma(db, "user_version") == SCHEMA_VERSION
    assert _pragma(db, "application_id") == APPLICATION_ID
    assert _pragma(db, "journal_mode") == "wal"
    assert _pragma(db, "foreign_keys") == 1
    assert _pragma(db, "busy_timeout") == BUSY_TIMEOUT_MS
    assert project.meta("created_by_version") == __version__
    assert project.meta("created_at")


def test_the_marks_are_in_the_file(tmp_path):
    path = tmp_path / "study.db"
    create_project(path).close()
    conn = sqlite3.connect(path)
    try:
        assert _pragma(conn, "user_version") == SCHEMA_VERSION
        assert _pragma(conn, "application_id") == APPLICATION_ID
        assert _pragma(conn, "journal_mode") == "wal"
    finally:
        conn.close()


def test_reopening_sets_connection_pragmas(imported):
    with open_project(imported) as project:
        assert _pragma(project.db, "foreign_keys") == 1
        assert _pragma(project.db, "busy_timeout") == BUSY_TIMEOUT_MS
        # Foreign keys act: deleting a document takes its segments along.
        project.db.execute("DELETE FROM documents")
        assert project.db.execute("SELECT COUNT(*) FROM segments").fetchone()[0] == 0


@pytest.mark.parametrize(
    "sql", ["UPDATE events SET actor = 'mallory'", "DELETE FROM events"]
)
def test_the_event_log_is_append_only(project, sql):
    project.log("test", "project", None, note="kept")
    before = project.db.execute("SELECT * FROM events").fetchall()
    with pytest.raises(sqlite3.IntegrityError, match="the event log is append-only"):
        project.db.execute(sql)
    assert project.db.execute("SELECT * FROM events").fetchall() == before
    assert json.loads(before[-1][-1]) == {"note": "kept"}


def test_events_name_the_actor(tmp_path, monkeypatch):
    monkeypatch.setenv("CODER_USER", "ana")
    with create_project(tmp_path / "study.db") as project:
        actors = project.db.execute("SELECT actor FROM events").fetchall()
    assert actors == [("ana",)]


def test_a_failed_write_leaves_the_file_as_it_was(imported):
    before = _state(imported)
    with (
        open_project(imported) as project,
        pytest.raises(RuntimeError),
        project.atomic(),
    ):
        project.db.execute("DELETE FROM documents WHERE name = 'alpha'")
        project.db.execute("INSERT INTO cases (name) VALUES ('North')")
        project.log("delete", "document", 1)
        raise RuntimeError("disk full")
    assert _state(imported) == before
    with open_project(imported) as project:
        assert [d.name for d in list_documents(project)] == ["alpha", "beta", "gamma"]


def test_atomic_nests_as_a_savepoint(project):
    with project.atomic():
        project.db.execute("INSERT INTO cases (name) VALUES ('kept')")
        with pytest.raises(RuntimeError), project.atomic():
            project.db.execute("INSERT INTO cases (name) VALUES ('undone')")
            raise RuntimeError
    names = [row[0] for row in project.db.execute("SELECT name FROM cases")]
    assert names == ["kept"]


def test_the_connection_alone_serves_reads_and_writes(imported):
    # Quick commands read and write through the project's connection; the
    # sqlite-utils Database on the same connection, made when first asked
    # for, sees the same rows and the same transaction.
    with open_project(imported) as project:
        assert "db" not in vars(project)  # not made by opening
        sql = "SELECT id, name, words FROM documents ORDER BY name"
        mine = list(project.query(sql))
        assert [row["name"] for row in mine] == ["alpha", "beta", "gamma"]
        assert "db" not in vars(project)
        assert mine == list(project.db.query(sql))
        with project.atomic():
            project.execute("INSERT INTO cases (name) VALUES (?)", ["seen"])
            assert project.db.execute("SELECT name FROM cases").fetchall() == [
                ("seen",)
            ]


LISTINGS = [
    ["docs"],
    ["docs", "--json"],
    ["info"],
    ["info", "--json"],
    ["show", "beta", "--json"],
    ["cases", "--json"],
    ["attributes", "--json"],
]


@pytest.mark.parametrize("args", LISTINGS, ids=" ".join)
def test_listing_does_not_change_the_file(imported, args):
    before = _state(imported)
    result = CliRunner().invoke(
        cli, [*args, "-p", str(imported)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    assert _state(imported) == before


def test_open_missing_project(tmp_path):
    path = tmp_path / "study.db"
    with pytest.raises(ProjectError) as caught:
        open_project(path)
    assert str(caught.value) == (
        f"{path}: no coder project here; create one with `coder init {path}`"
    )
    assert not path.exists()


def test_open_missing_project_with_create(tmp_path):
    path = tmp_path / "study.db"
    with open_project(path, create=True) as project:
        assert _pragma(project.db, "user_version") == SCHEMA_VERSION
    assert path.is_file()


def test_open_a_folder(tmp_path):
    with pytest.raises(ProjectError, match="is a folder, not a coder project file"):
        open_project(tmp_path)


def test_create_never_overwrites(imported):
    before = _state(imported)
    with pytest.raises(ProjectError) as caught:
        create_project(imported)
    assert str(caught.value) == f"{imported}: already exists"
    assert _state(imported) == before


def test_refusing_a_newer_project_leaves_no_trace(imported):
    conn = sqlite3.connect(imported)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    before = _state(imported)
    assert before[1] == []
    with pytest.raises(ProjectError, match="written by a newer coder"):
        open_project(imported)
    assert _state(imported) == before


def test_open_while_another_connection_writes(imported):
    # The other connection keeps its writes in the WAL; opening must see them.
    with open_project(imported) as first:
        first.db.execute("INSERT INTO cases (name) VALUES ('North')")
        assert Path(f"{imported}-wal").exists()
        with open_project(imported) as second:
            names = second.db.execute("SELECT name FROM cases").fetchall()
    assert names == [("North",)]


def test_empty_file_is_not_a_project(tmp_path):
    path = tmp_path / "study.db"
    path.write_bytes(b"")
    with pytest.raises(ProjectError, match="not a coder project"):
        open_project(path)
    assert path.read_bytes() == b""


def test_init_creates_once(tmp_path):
    path = tmp_path / "study.db"
    runner = CliRunner()
    result = runner.invoke(cli, ["init", str(path)], prog_name="coder")
    assert result.exit_code == 0
    assert result.stdout == f"created project {path}\n"
    before = _state(path)
    again = runner.invoke(cli, ["init", str(path)], prog_name="coder")
    assert again.exit_code == 1
    assert again.stderr == f"coder: error: {path}: already exists\n"
    assert _state(path) == before
