"""A project of every earlier schema version opens, migrates and keeps every row.

The projects are tests/data/projects/schema-K.db.gz, made by make_fixtures.py
there; adding a migration asks for one more (the version before it).
"""

from __future__ import annotations

import gzip
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from coder import __version__
from coder.codes import current_codebook
from coder.documents import list_documents
from coder.errors import ProjectError
from coder.store import create_project, open_project
from coder.store.migrations import SCHEMA_VERSION

FIXTURES = Path(__file__).parents[1] / "data" / "projects"
NAME = re.compile(r"schema-(\d+)\.db\.gz")
PRESENT = sorted(
    int(match.group(1))
    for path in FIXTURES.iterdir()
    if (match := NAME.fullmatch(path.name))
)

# The tables each version added (the first migration made the rest).
ADDED_IN = {
    "codebook_versions": 2,
    "suggestions": 3,
    "resolutions": 4,
    "suggestion_models": 5,
}


def fixture(version: int) -> Path:
    return FIXTURES / f"schema-{version}.db.gz"


def unpack(version: int, folder: Path) -> Path:
    """A private copy of the fixture of `version`, as a plain project file."""
    target = folder / f"schema-{version}.db"
    with gzip.open(fixture(version), "rb") as packed, target.open("wb") as out:
        shutil.copyfileobj(packed, out)
    return target


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def rows(path: Path) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every table's columns and rows, in row order."""
    conn = _connect(path)
    try:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        found = {}
        for table in tables:
            columns = [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')]
            order = "" if table == "sqlite_sequence" else " ORDER BY rowid"
            found[table] = (
                columns,
                conn.execute(f'SELECT * FROM "{table}"{order}').fetchall(),
            )
        return found
    finally:
        conn.close()


def _schema(path: Path) -> set[tuple[str, str]]:
    conn = _connect(path)
    try:
        return set(conn.execute("SELECT type, name FROM sqlite_master"))
    finally:
        conn.close()


def test_every_earlier_schema_version_has_a_fixture():
    missing = [v for v in range(1, SCHEMA_VERSION) if v not in PRESENT]
    assert not missing, (
        f"no fixture project for schema version {', '.join(map(str, missing))}"
        f" (this coder is at {SCHEMA_VERSION}): run `python"
        f" tests/data/projects/make_fixtures.py {' '.join(map(str, missing))}` and"
        f" commit tests/data/projects/schema-N.db.gz, so the new migration is"
        " tested on a project of the version before it"
    )


@pytest.mark.parametrize("version", [v for v in PRESENT if v < SCHEMA_VERSION])
def test_a_project_of_an_earlier_version_migrates_and_keeps_every_row(
    version, tmp_path
):
    path = unpack(version, tmp_path)
    before = rows(path)
    conn = _connect(path)
    assert conn.execute("PRAGMA user_version").fetchone() == (version,)
    conn.close()
    for table, added in ADDED_IN.items():
        assert (table in before) == (version >= added), table

    with open_project(path, actor="tester") as project:
        assert project.db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        # What coder reads from it, through its services.
        documents = list_documents(project)
        assert [(d.name, d.case, d.words) for d in documents] == [
            ("alpha", "North Cluster", 33),
            ("beta", "North Cluster", 25),
            ("gamma", "South Cluster", 21),
        ]
        assert documents[0].speakers == ["Interviewer", "Anna Berg"]
        codebook = current_codebook(project)
        assert [c.id for c in codebook.codes] == ["benefits", "expectations"]
        assert codebook.codes[1].name == "Expectations and worries"
        assert project.db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert project.db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        # The event log is still append-only.
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            project.db.execute("DELETE FROM events")

    after = rows(path)
    for table, (columns, kept) in before.items():
        assert table in after, f"table {table} is gone"
        new_columns, now = after[table]
        assert new_columns[: len(columns)] == columns, table
        # Every row, every value it had (columns a migration added come after).
        assert len(now) == len(kept), (
            f"{table}: {len(kept)} rows before, {len(now)} after"
        )
        assert [row[: len(columns)] for row in now] == kept, table
    counts = {table: len(found) for table, (_, found) in after.items()}
    assert {
        table: counts[table]
        for table in (
            "cases",
            "documents",
            "speakers",
            "segments",
            "attribute_values",
            "coders",
            "codes",
            "codings",
            "memos",
            "events",
        )
    } == {
        "cases": 2,
        "documents": 3,
        "speakers": 4,
        "segments": 30,
        "attribute_values": 16,
        "coders": 3,
        "codes": 4,
        "codings": 11,
        "memos": 6,
        "events": 45,
    }
    # The file has everything a new project has.
    fresh = tmp_path / "fresh.db"
    create_project(fresh).close()
    assert _schema(path) == _schema(fresh)


def _one(path: Path, sql: str) -> list[tuple]:
    conn = _connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize("version", [v for v in PRESENT if v < SCHEMA_VERSION])
def test_exact_rows_survive_migration(version, tmp_path):
    path = unpack(version, tmp_path)
    open_project(path, actor="tester").close()
    assert _one(
        path,
        'SELECT c.code_id, d.name, c.start, c."end", k.name, c.memo, c.source'
        " FROM codings c JOIN documents d ON d.id = c.document_id"
        " JOIN coders k ON k.id = c.coder_id WHERE c.memo IS NOT NULL ORDER BY c.id",
    ) == [
        (
            "certification",
            "alpha",
            60,
            84,
            "ana",
            "the first reason she gives",
            "manual",
        ),
        ("contacts", "beta", 56, 81, "ben", "buyers are contacts too", "manual"),
        (
            "certification",
            "alpha",
            150,
            181,
            "consensus",
            "the lab is certification",
            "consensus",
        ),
    ]
    assert _one(path, "SELECT target_type, target_id, text FROM memos ORDER BY id") == [
        (
            "code",
            "certification|case:North Cluster",
            "Certification is why members joined.",
        ),
        ("project", None, "Pilot of three interviews, May 2024."),
        ("document", "alpha", "Recorded at the cluster office."),
        ("segment", "26", "Asked before the recorder was on."),
        ("code", "contacts", "Split into buyers and fairs?"),
        ("case", "South Cluster", "Funded by the ministry."),
    ]
    assert _one(
        path,
        'SELECT kind, start, "end", lemmas FROM segments WHERE document_id = 1'
        " AND kind = 'sentence' ORDER BY start LIMIT 1",
    ) == [("sentence", 0, 22, "thank you for join .")]
    assert _one(path, "SELECT id, action, entity FROM events ORDER BY id LIMIT 2") == [
        (1, "create", "project"),
        (2, "import", "document"),
    ]
    # Tables of later versions are there, empty, where the file predates them;
    # those it had keep their rows.
    assert _one(path, "SELECT version FROM codebook_versions ORDER BY id") == (
        [("1.0",), ("1.1",)] if version >= 2 else []
    )
    assert _one(
        path, "SELECT code_id, method, status FROM suggestions ORDER BY id"
    ) == (
        [
            ("expectations", "rules", "accepted"),
            ("contacts", "rules", "rejected"),
            ("expectations", "rules", "pending"),
        ]
        if version >= 3
        else []
    )
    assert _one(path, "SELECT unit_key, decision, coding_ids FROM resolutions") == (
        [("certification@alpha:150-181", "ana", "[11]")] if version >= 4 else []
    )
    assert _one(path, "SELECT key, length(arrays) > 0 FROM suggestion_models") == (
        [("learned:ana", 1)] if version >= 5 else []
    )


def test_a_project_of_a_newer_version_is_refused(tmp_path):
    path = unpack(PRESENT[0], tmp_path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(ProjectError) as raised:
        open_project(path)
    assert str(raised.value) == (
        f"{path}: written by a newer coder (schema {SCHEMA_VERSION + 1}; this coder"
        f" {__version__} knows up to {SCHEMA_VERSION}); upgrade coder to open it"
    )
    # Refused without writing a byte or leaving a WAL behind.
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]
