"""Backups, snapshots and restore: consistent copies while others write, undoable restores."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from coder.backup import (
    DEFAULT_KEEP,
    backup,
    keep_count,
    list_snapshots,
    restore,
    rotate,
    snapshot,
    snapshot_before,
    snapshot_folder,
)
from coder.check import check_project
from coder.codebook import read_codebook
from coder.codes import load_codebook
from coder.coding import apply_coding
from coder.documents import import_transcripts, list_documents
from coder.errors import CoderError, NotFoundError, ProjectError
from coder.store import create_project, open_project
from coder.store.migrations import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

DATA = Path(__file__).parent / "data"
SMALL = DATA / "projects" / "small"
MINI = DATA / "codebooks" / "mini.yaml"


def _companions(path: Path) -> list[str]:
    return sorted(
        p.name for p in path.parent.glob(f"{path.name}*") if p.name != path.name
    )


def _names(project) -> list[str]:
    return [d.name for d in list_documents(project)]


def _codings(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0]
    finally:
        conn.close()


def _damage(path: Path) -> None:
    """Garble every page after the first, as a failing disk would."""
    data = bytearray(path.read_bytes())
    for i in range(4096, len(data)):
        data[i] = 0xAB if i % 3 else 0x00
    path.write_bytes(bytes(data))


@pytest.fixture
def study(tmp_path) -> Path:
    """A closed project: alpha and beta, the mini codebook, one coding."""
    path = tmp_path / "study.db"
    with create_project(path, actor="tester") as project:
        import_transcripts(project, [SMALL / "alpha.txt", SMALL / "beta.vtt"])
        load_codebook(project, read_codebook(MINI), source="mini.yaml")
        apply_coding(project, "alpha", 0, 5, "trust")
    return path


@pytest.fixture(autouse=True)
def _default_keep(monkeypatch):
    monkeypatch.delenv("CODER_SNAPSHOTS", raising=False)


# backup ------------------------------------------------------------------------


def test_a_backup_is_one_self_contained_file(study, tmp_path):
    target = tmp_path / "copies" / "copy.db"
    with open_project(study) as project:
        assert backup(project, target) == target
        expected = _names(project)
    assert _companions(target) == []
    header = target.read_bytes()[:100]
    assert header[18:20] == b"\x01\x01"  # rollback journal: no -wal needed
    assert int.from_bytes(header[68:72], "big") == APPLICATION_ID
    with open_project(target) as copy:
        assert _names(copy) == expected
    assert _codings(target) == 1
    assert check_project(target) == []


def test_a_backup_holds_what_is_still_in_the_wal(tmp_path):
    path = tmp_path / "study.db"
    with create_project(path) as project:
        import_transcripts(project, [SMALL / "alpha.txt"])
        assert path.with_name("study.db-wal").stat().st_size > 0
        target = backup(project, tmp_path / "copy.db")
    with open_project(target) as copy:
        assert _names(copy) == ["alpha"]


def test_a_backup_never_overwrites_a_file(study, tmp_path):
    target = tmp_path / "taken.db"
    target.write_bytes(b"mine")
    with open_project(study) as project, pytest.raises(CoderError) as caught:
        backup(project, target)
    assert str(caught.value) == f"{target}: already exists; choose another file name"
    assert target.read_bytes() == b"mine"


def test_a_backup_by_default_goes_to_the_snapshot_folder(study):
    with open_project(study) as project:
        target = backup(project)
    assert (
        target.parent == snapshot_folder(study) == study.with_name("study.db.backups")
    )
    assert target.name.endswith("Z-backup.db")
    assert [s.reason for s in list_snapshots(study)] == ["backup"]


WRITER = textwrap.dedent(
    """
    import sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)
    conn.execute("PRAGMA busy_timeout = 60000")
    conn.execute("CREATE TABLE IF NOT EXISTS load (batch INTEGER, n INTEGER)")
    print("ready", flush=True)
    batch = 0
    while True:
        batch += 1
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO load (batch, n) VALUES (?, ?)", [(batch, i) for i in range(200)]
        )
        conn.execute(
            "INSERT INTO project (key, value) VALUES ('batches', ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [str(batch)],
        )
        conn.execute("COMMIT")
    """
)


def test_a_backup_while_another_process_writes_is_whole(study, tmp_path):
    """Each copy holds whole transactions only: 200 rows per batch the meta counts."""
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(study)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline() == "ready\n"
        copies = []
        with open_project(study) as project:
            for i in range(5):
                copies.append(backup(project, tmp_path / f"copy-{i}.db"))
    finally:
        writer.kill()
        writer.wait()
    batches_seen = []
    for copy in copies:
        assert _companions(copy) == []
        conn = sqlite3.connect(copy)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            (meta,) = conn.execute(
                "SELECT value FROM project WHERE key = 'batches'"
            ).fetchone() or ("0",)
            rows, batches = conn.execute(
                "SELECT COUNT(*), COUNT(DISTINCT batch) FROM load"
            ).fetchone()
        finally:
            conn.close()
        assert rows == 200 * int(meta) == 200 * batches
        batches_seen.append(batches)
        assert check_project(copy) == []
    assert batches_seen == sorted(batches_seen)
    assert batches_seen[-1] > 0


# snapshots and rotation --------------------------------------------------------


def test_a_snapshot_is_named_by_time_and_reason(study):
    with open_project(study) as project:
        path = snapshot(project, "codes merge")
    assert path.parent == study.with_name("study.db.backups")
    assert path.name.endswith("Z-codes-merge.db")
    assert path.name[:20].replace("-", "").replace("T", "").isalnum()
    (listed,) = list_snapshots(study)
    assert listed.path == path
    assert listed.reason == "codes-merge"
    assert (listed.documents, listed.codings, listed.schema) == (2, 1, SCHEMA_VERSION)
    assert listed.size == path.stat().st_size
    assert listed.taken_at.tzinfo is not None
    assert _companions(path) == []


def test_snapshots_in_the_same_second_get_their_own_names(study):
    with open_project(study) as project:
        paths = [snapshot(project, "merge") for _ in range(3)]
    assert len(set(paths)) == 3
    assert [s.path for s in list_snapshots(study)] == paths[::-1]


def test_rotation_keeps_the_newest_and_every_backup_on_request(study, monkeypatch):
    monkeypatch.setenv("CODER_SNAPSHOTS", "3")
    with open_project(study) as project:
        manual = backup(project)
        taken = [snapshot(project, f"step-{i}") for i in range(5)]
    kept = {s.path for s in list_snapshots(study)}
    assert kept == {manual, *taken[-3:]}
    assert all(not p.exists() for p in taken[:2])


def test_rotation_leaves_other_files_alone(study):
    folder = snapshot_folder(study)
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    (folder / "before-the-workshop.db").write_bytes(study.read_bytes())
    with open_project(study) as project:
        for _ in range(3):
            snapshot(project, "merge", keep=1)
    assert sorted(p.name for p in folder.iterdir())[-2:] == [
        "before-the-workshop.db",
        "notes.txt",
    ]
    assert (
        len(list(folder.glob("*Z-merge.db")) + list(folder.glob("*Z-*-merge.db"))) == 1
    )


def test_snapshots_can_be_turned_off(study, monkeypatch):
    monkeypatch.setenv("CODER_SNAPSHOTS", "0")
    with open_project(study) as project:
        assert snapshot(project, "merge") is None
        with snapshot_before(project, "merge") as taken:
            assert taken is None
    assert not snapshot_folder(study).exists()
    assert rotate(snapshot_folder(study)) == []


def test_the_number_kept_comes_from_the_environment(monkeypatch):
    assert keep_count() == DEFAULT_KEEP == 20
    monkeypatch.setenv("CODER_SNAPSHOTS", "5")
    assert keep_count() == 5
    monkeypatch.setenv("CODER_SNAPSHOTS", "many")
    with pytest.raises(CoderError) as caught:
        keep_count()
    assert str(caught.value) == (
        "CODER_SNAPSHOTS='many': give how many snapshots to keep,"
        " a whole number (0 takes none)"
    )


def test_a_refused_change_leaves_no_snapshot(study, monkeypatch):
    monkeypatch.setenv("CODER_SNAPSHOTS", "2")
    with open_project(study) as project:
        first = snapshot(project, "merge")
        second = snapshot(project, "merge")
        for _ in range(3):
            with pytest.raises(NotFoundError), snapshot_before(project, "codes-merge"):
                raise NotFoundError("no code 'trsut'")
    assert [s.path for s in list_snapshots(study)] == [second, first]


def test_no_snapshot_no_change(study):
    folder = snapshot_folder(study)
    folder.write_text("a file where the folder should be")
    with open_project(study) as project:
        ran = False
        with pytest.raises(ProjectError) as caught, snapshot_before(project, "merge"):
            ran = True
    assert not ran
    assert str(caught.value) == (
        f"{folder}: cannot take the snapshot before merge (File exists);"
        " nothing was changed"
    )
    assert caught.value.hint == (
        "free some disk space or fix the folder's permissions;"
        " CODER_SNAPSHOTS=0 works without snapshots"
    )


def test_a_crash_keeps_the_snapshot(study):
    with (
        open_project(study) as project,
        pytest.raises(RuntimeError),
        snapshot_before(project, "merge") as taken,
    ):
        raise RuntimeError("killed")
    assert taken.exists()


def test_a_snapshot_only_when_asked(study):
    with (
        open_project(study) as project,
        snapshot_before(project, "codebook-load", when=False) as taken,
    ):
        assert taken is None
    assert list_snapshots(study) == []


# restore -----------------------------------------------------------------------


def _add_gamma(path: Path) -> None:
    with open_project(path) as project:
        import_transcripts(project, [SMALL / "gamma.srt"])
        apply_coding(project, "gamma", 0, 4, "trust")


def test_restore_brings_the_snapshot_back_and_can_be_undone(study):
    with open_project(study) as project:
        taken = snapshot(project, "merge")
    _add_gamma(study)
    done = restore(study, taken, actor="lead")
    assert done.before is not None and done.before.name.endswith("before-restore.db")
    assert (done.schema, done.migrated, done.replaced_file) == (
        SCHEMA_VERSION,
        [],
        False,
    )
    with open_project(study) as project:
        assert _names(project) == ["alpha", "beta"]
        event = project.db.execute(
            "SELECT actor, action, entity_id, data FROM events ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert event[:3] == ("lead", "restore", taken.name)
    assert done.before.name in event[3]
    assert _codings(study) == 1
    assert check_project(study) == []
    # The snapshot itself is untouched, and the restore is undone by its own.
    assert _companions(taken) == []
    restore(study, done.before)
    with open_project(study) as project:
        assert _names(project) == ["alpha", "beta", "gamma"]
    assert _codings(study) == 2


def test_an_open_connection_sees_the_restored_project(study):
    with open_project(study) as project:
        taken = snapshot(project, "merge")
    _add_gamma(study)
    with open_project(study) as reader:
        assert _names(reader) == ["alpha", "beta", "gamma"]
        restore(study, taken)
        assert _names(reader) == ["alpha", "beta"]
        # And it can go on writing.
        apply_coding(reader, "beta", 0, 3, "trust")
    assert _codings(study) == 2
    assert check_project(study) == []


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_restore_refuses_what_is_not_a_coder_project(study, tmp_path):
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    text = tmp_path / "notes.db"
    text.write_text("hello")
    before = _sha(study)
    for bad, message in [
        (other, f"{other}: not a coder project (an SQLite file of another tool)"),
        (text, f"{text}: not a coder project (not an SQLite database)"),
    ]:
        with pytest.raises(ProjectError) as caught:
            restore(study, bad)
        assert str(caught.value) == message
    assert _sha(study) == before
    assert list_snapshots(study) == []


def test_restore_refuses_a_snapshot_from_a_newer_coder(study, tmp_path):
    newer = tmp_path / "newer.db"
    shutil.copyfile(study, newer)
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = _sha(study)
    with pytest.raises(ProjectError) as caught:
        restore(study, newer)
    assert str(caught.value).startswith(f"{newer}: written by a newer coder")
    assert _sha(study) == before


def test_restore_refuses_a_damaged_snapshot(study, tmp_path):
    with open_project(study) as project:
        taken = backup(project, tmp_path / "copy.db")
    _damage(taken)
    before = _sha(study)
    with pytest.raises(ProjectError) as caught:
        restore(study, taken)
    assert str(caught.value).startswith(f"{taken}: the snapshot is damaged (")
    assert str(caught.value).endswith("); restore another")
    assert _sha(study) == before
    assert list_snapshots(study) == []


def test_restore_refuses_the_project_itself(study):
    with pytest.raises(CoderError) as caught:
        restore(study, study)
    assert str(caught.value) == f"{study}: is the project itself; name a snapshot"


def _oldest(path: Path) -> Path:
    """A project as the first coder wrote it (only the first migration)."""
    conn = sqlite3.connect(path)
    from sqlite_utils import Database

    db = Database(conn)
    _name, first = MIGRATIONS[0]
    with db.atomic():
        first(db)
        db.execute("PRAGMA user_version = 1")
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute(
            "INSERT INTO documents (name, filename, format, sha256, text, language,"
            " imported_at, words) VALUES ('old', 'old.txt', 'text', 'abc',"
            " 'Hello there.', 'en', '2024-01-01T00:00:00.000+00:00', 2)"
        )
    conn.close()
    return path


def test_restore_migrates_an_older_snapshot(study, tmp_path):
    old = _oldest(tmp_path / "old.db")
    before = _sha(old)
    done = restore(study, old)
    assert done.schema == 1
    assert done.migrated == [name for name, _ in MIGRATIONS[1:]]
    with open_project(study) as project:
        assert _names(project) == ["old"]
        assert project.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert _sha(old) == before


def test_restore_repairs_a_damaged_project(study):
    with open_project(study) as project:
        taken = snapshot(project, "merge")
    damaged = study.read_bytes()
    _damage(study)
    damaged = study.read_bytes()
    with pytest.raises(ProjectError):
        open_project(study)
    done = restore(study, taken)
    with open_project(study) as project:
        assert _names(project) == ["alpha", "beta"]
    assert check_project(study) == []
    # What was there is kept byte for byte, for the record.
    assert done.before.read_bytes() == damaged


def test_restore_replaces_a_project_sqlite_cannot_open(study):
    with open_project(study) as project:
        taken = snapshot(project, "merge")
    data = bytearray(study.read_bytes())
    data[16:18] = b"\x00\x03"  # a page size that is not a power of two
    study.write_bytes(bytes(data))
    with pytest.raises(ProjectError) as caught:
        open_project(study)
    assert "the project file is damaged" in str(caught.value)
    done = restore(study, taken)
    assert done.replaced_file
    assert done.before.read_bytes() == bytes(data)
    with open_project(study) as project:
        assert _names(project) == ["alpha", "beta"]
    assert check_project(study) == []


def test_restore_into_a_missing_project(study, tmp_path):
    with open_project(study) as project:
        taken = backup(project, tmp_path / "elsewhere" / "copy.db")
    gone = tmp_path / "new" / "study.db"
    done = restore(gone, taken)
    assert done.before is None
    with open_project(gone) as project:
        assert _names(project) == ["alpha", "beta"]


def test_list_snapshots_survives_a_damaged_one(study):
    with open_project(study) as project:
        taken = snapshot(project, "merge")
    _damage(taken)
    (listed,) = list_snapshots(study)
    assert (listed.documents, listed.codings) == (None, None)


def test_listing_a_project_without_snapshots(tmp_path):
    assert list_snapshots(tmp_path / "nothing.db") == []


def test_snapshots_leave_no_temporary_files(study):
    with open_project(study) as project:
        snapshot(project, "merge")
        backup(project)
    restore(study, list_snapshots(study)[0].path)
    names = os.listdir(snapshot_folder(study))
    assert all(name.endswith(".db") and not name.startswith(".") for name in names)
