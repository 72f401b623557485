"""backup, backups, restore, check, and the snapshot every destructive command takes first."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from coder.backup import list_snapshots, snapshot_folder

DATA = Path(__file__).parents[1] / "data"
MINI = DATA / "codebooks" / "mini.yaml"
SNAPSHOT_LINE = re.compile(
    r"^snapshot: (?P<path>.+\.backups/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ(?:-\d+)?-(?P<reason>[a-z-]+)\.db)$"
)


def restore_hint(path) -> str:
    return (
        f"hint: restore a backup: `coder backups -p {path}` lists them,"
        f" `coder restore -p {path} SNAPSHOT` brings one back\n"
    )


@pytest.fixture(autouse=True)
def _default_keep(monkeypatch):
    monkeypatch.delenv("CODER_SNAPSHOTS", raising=False)


@pytest.fixture
def coded(coder, one_doc) -> Path:
    """The one-document project with the mini codebook and two coders' codings."""
    assert coder("codebook", "load", "-p", one_doc, MINI).exit_code == 0
    for who, sentence, code in [
        ("alice", 1, "trust"),
        ("bob", 1, "trust"),
        ("alice", 2, "trust_members"),
        ("bob", 3, "trust_members"),
    ]:
        result = coder(
            "code", "-p", one_doc, "alpha", "--segment", sentence,
            "--code", code, "--coder", who,
        )  # fmt: skip
        assert result.exit_code == 0, result.stderr
    assert list_snapshots(one_doc) == []
    return one_doc


def snapshot_named(result, reason: str) -> Path:
    """The snapshot the command named on stderr; it must exist."""
    lines = [
        line for line in result.stderr.splitlines() if line.startswith("snapshot:")
    ]
    assert len(lines) == 1, result.stderr
    match = SNAPSHOT_LINE.match(lines[0])
    assert match, lines[0]
    assert match["reason"] == reason
    path = Path(match["path"])
    assert path.is_file()
    return path


def _codings(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0]
    finally:
        conn.close()


# backup and backups ------------------------------------------------------------


def test_backup_prints_where_it_wrote(coder, coded, tmp_path):
    result = coder("backup", "-p", coded)
    assert result.exit_code == 0, result.stderr
    match = re.fullmatch(r"wrote (.+-backup\.db) \(\d+\.\d kB\)\n", result.stdout)
    assert match, result.stdout
    assert Path(match[1]).parent == snapshot_folder(coded)
    assert _codings(Path(match[1])) == 4
    target = tmp_path / "elsewhere" / "copy.db"
    result = coder("backup", "-p", coded, "-o", target)
    assert result.stdout.startswith(f"wrote {target} (")
    assert _codings(target) == 4


def test_backup_never_overwrites(coder, coded, tmp_path):
    target = tmp_path / "copy.db"
    target.write_text("mine")
    result = coder("backup", "-p", coded, "-o", target)
    assert result.exit_code == 1
    assert result.stderr == (
        f"coder: error: {target}: already exists; choose another file name\n"
    )
    assert target.read_text() == "mine"


def test_backups_lists_the_snapshots(coder, coded, monkeypatch):
    assert coder("backup", "-p", coded).exit_code == 0
    merged = coder("codes", "merge", "-p", coded, "trust_members", "trust")
    taken = snapshot_named(merged, "codes-merge")
    result = coder("backups", "-p", coded)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["snapshot", "reason", "size", "documents", "codings"]
    assert lines[1].split()[:2] == [taken.name, "codes-merge"]
    assert lines[1].split()[-2:] == ["1", "4"]
    assert lines[2].split()[1] == "backup"
    assert result.stderr == (
        f"2 in {snapshot_folder(coded)}; bring one back with"
        f" `coder restore -p {coded} NAME`\n"
    )
    listed = json.loads(coder("backups", "-p", coded, "--json").stdout)
    assert [item["reason"] for item in listed] == ["codes-merge", "backup"]
    assert listed[0] == {
        "name": taken.name,
        "path": str(taken),
        "taken_at": listed[0]["taken_at"],
        "reason": "codes-merge",
        "size_bytes": taken.stat().st_size,
        "documents": 1,
        "codings": 4,
        "schema_version": listed[0]["schema_version"],
    }


def test_backups_of_a_project_without_any(coder, one_doc):
    result = coder("backups", "-p", one_doc)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == f"no snapshots in {snapshot_folder(one_doc)}\n"
    assert coder("backups", "-p", one_doc, "--json").stdout == "[]\n"


# restore -----------------------------------------------------------------------


def test_restore_round_trip(coder, coded):
    merged = coder("codes", "merge", "-p", coded, "trust_members", "trust")
    taken = snapshot_named(merged, "codes-merge")
    assert (
        coder("codebook", "show", "-p", coded, "--json").stdout.count("trust_members")
        == 0
    )
    result = coder("restore", "-p", coded, taken.name)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"restored {coded} from {taken}\n"
    before = snapshot_named(result, "before-restore")
    assert "trust_members" in coder("codebook", "show", "-p", coded, "--json").stdout
    # Undo the restore.
    result = coder("restore", "-p", coded, before)
    assert result.stdout == f"restored {coded} from {before}\n"
    assert (
        "trust_members" not in coder("codebook", "show", "-p", coded, "--json").stdout
    )
    assert coder("check", "-p", coded).exit_code == 0


def test_restore_names_an_unknown_snapshot(coder, coded):
    result = coder("restore", "-p", coded, "2020-01-01T00-00-00Z-merge.db")
    assert result.exit_code == 1
    assert result.stderr == (
        "coder: error: 2020-01-01T00-00-00Z-merge.db: no such snapshot;"
        f" `coder backups -p {coded}` lists them\n"
    )


def test_restore_refuses_a_file_of_another_tool(coder, coded, tmp_path, state):
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    before = state(coded)
    result = coder("restore", "-p", coded, other)
    assert result.exit_code == 1
    assert result.stderr == (
        f"coder: error: {other}: not a coder project (an SQLite file of another tool)\n"
    )
    assert state(coded) == before


# check -------------------------------------------------------------------------


def test_check_says_ok(coder, coded):
    result = coder("check", "-p", coded)
    assert result.exit_code == 0
    assert re.fullmatch(
        rf"{re.escape(str(coded))}: ok \(1 document, \d+ segments, 5 codes,"
        r" 4 codings, 2 coders, 0 memos, 0 suggestions, \d+ events\)\n",
        result.stdout,
    ), result.stdout
    report = json.loads(coder("check", "-p", coded, "--json").stdout)
    assert report["ok"] is True
    assert report["problems"] == []


def test_check_lists_problems_and_exits_1(coder, coded):
    conn = sqlite3.connect(coded, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("UPDATE codings SET coder_id = 99 WHERE id = 2")
    conn.execute(
        "INSERT INTO memos (target_type, target_id, text, created_at, updated_at)"
        " VALUES ('document', 'gone', 'a note', 'x', 'x')"
    )
    conn.close()
    result = coder("check", "-p", coded)
    assert result.exit_code == 1
    assert result.stdout == (
        "error: codings whose coder_id names no coder: 1 (coding 2: coder_id 99)\n"
        "warning: memos on something that no longer exists: 1 (memo 1 on document 'gone')\n"
        f"{coded}: 1 error, 1 warning\n"
    )
    result = coder("check", "-p", coded, "--json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert [(p["kind"], p["severity"], p["count"]) for p in problems] == [
        ("codings.coder_id", "error", 1),
        ("memo_targets", "warning", 1),
    ]


def test_check_passes_with_warnings_only(coder, coded):
    conn = sqlite3.connect(coded, isolation_level=None)
    conn.execute(
        "INSERT INTO memos (target_type, target_id, text, created_at, updated_at)"
        " VALUES ('code', 'gone', 'a note', 'x', 'x')"
    )
    conn.close()
    result = coder("check", "-p", coded)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1].endswith("; 1 warning")


@pytest.mark.parametrize("where", ["pages", "first page"])
def test_check_on_a_damaged_file_is_one_line(coder, coded, where):
    data = bytearray(coded.read_bytes())
    start, end = (4096 * 2, len(data)) if where == "pages" else (100, 4096)
    for i in range(start, end):
        data[i] = 0xAB if i % 3 else 0x00
    coded.write_bytes(bytes(data))
    for args in (["check"], ["check", "--json"], ["info"]):
        result = coder(*args, "-p", coded)
        assert result.exit_code == 1
        assert result.stdout == ""
        first, hint = result.stderr.splitlines(keepends=True)
        assert first.startswith(f"coder: error: {coded}: the project file is damaged (")
        assert hint == restore_hint(coded)


def test_a_damaged_project_comes_back_from_its_snapshot(coder, coded):
    taken = snapshot_named(
        coder("codes", "merge", "-p", coded, "trust_members", "trust"), "codes-merge"
    )
    coded.write_bytes(coded.read_bytes()[: 4096 * 2])
    assert coder("check", "-p", coded).exit_code == 1
    result = coder("restore", "-p", coded, taken.name)
    assert result.exit_code == 0, result.stderr
    assert coder("check", "-p", coded).exit_code == 0
    assert _codings(coded) == 4


# the snapshot before each destructive command ------------------------------------


def test_codebook_load_that_removes_codes(coder, coded, tmp_path):
    smaller = tmp_path / "smaller.yaml"
    smaller.write_text(
        MINI.read_text().split("  - id: informal_network")[0], encoding="utf-8"
    )
    result = coder("codebook", "load", "-p", coded, smaller)
    assert result.exit_code == 0, result.stderr
    taken = snapshot_named(result, "codebook-load")
    assert "informal_network" in json.dumps(_codes(taken))
    # Loading without removing anything takes none.
    again = coder("codebook", "load", "-p", coded, MINI)
    assert "snapshot:" not in again.stderr
    assert len(list_snapshots(coded)) == 1


def _codes(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [row[0] for row in conn.execute("SELECT id FROM codes ORDER BY id")]
    finally:
        conn.close()


def test_a_refused_load_keeps_no_snapshot(coder, coded, tmp_path):
    smaller = tmp_path / "smaller.yaml"
    smaller.write_text(MINI.read_text().split("    children:")[0], encoding="utf-8")
    result = coder("codebook", "load", "-p", coded, smaller)
    assert result.exit_code == 1  # trust_members has codings: --force needed
    assert "snapshot:" not in result.stderr
    assert list_snapshots(coded) == []
    result = coder("codebook", "load", "-p", coded, smaller, "--force")
    assert result.exit_code == 0
    assert _codings(snapshot_named(result, "codebook-load")) == 4


def test_codes_merge_and_split(coder, coded):
    result = coder("codes", "merge", "-p", coded, "trust_members", "trust")
    assert result.stdout == "merged trust_members into trust: 2 codings moved\n"
    assert "trust_members" in _codes(snapshot_named(result, "codes-merge"))
    result = coder(
        "codes", "split", "-p", coded, "trust", "--into", "trust_lab:Lab",
        "--rule", "trust_lab=lab",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "trust_lab" not in _codes(snapshot_named(result, "codes-split"))


def test_a_mistyped_code_keeps_no_snapshot(coder, coded):
    for _ in range(3):
        result = coder("codes", "merge", "-p", coded, "trsut", "trust")
        assert result.exit_code == 1
        assert "snapshot:" not in result.stderr
    assert not snapshot_folder(coded).exists()


def test_import_replace(coder, tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("Q: Hello?\n\nA: Yes. Fine.\n", encoding="utf-8")
    project = tmp_path / "s.db"
    first = coder("import", "--create", "-p", project, source)
    assert "snapshot:" not in first.stderr
    source.write_text("Q: Hello?\n\nA: No. Not fine.\n", encoding="utf-8")
    result = coder("import", "-p", project, source, "--replace")
    assert result.exit_code == 0, result.stderr
    taken = snapshot_named(result, "import-replace")
    conn = sqlite3.connect(taken)
    assert "Yes. Fine." in conn.execute("SELECT text FROM documents").fetchone()[0]
    conn.close()


def test_merge(coder, coded, tmp_path):
    copy = tmp_path / "carol.db"
    shutil.copyfile(coded, copy)
    assert coder("code", "-p", copy, "alpha", "--segment", "4", "--code", "trust",
                 "--coder", "carol").exit_code == 0  # fmt: skip
    result = coder("merge", "-p", coded, copy)
    assert result.exit_code == 0, result.stderr
    assert _codings(snapshot_named(result, "merge")) == 4
    assert _codings(coded) == 5


def test_consensus_and_resolve(coder, coded):
    result = coder("consensus", "-p", coded, "--coders", "alice,bob")
    assert result.exit_code == 0, result.stderr
    assert _codings(snapshot_named(result, "consensus")) == 4
    listed = coder("disagreements", "-p", coded, "--coders", "alice,bob", "--json")
    key = json.loads(listed.stdout)[0]["key"]
    # A first decision only adds to the consensus: no snapshot.
    first = coder(
        "resolve", key, "-p", coded, "--coders", "alice,bob", "--take", "alice"
    )
    assert first.exit_code == 0, first.stderr
    assert "snapshot:" not in first.stderr
    # A second one replaces the first's codings.
    second = coder(
        "resolve", key, "-p", coded, "--coders", "alice,bob", "--take", "bob"
    )
    assert second.exit_code == 0, second.stderr
    snapshot_named(second, "resolve")


def test_snapshots_turned_off(coder, coded, monkeypatch):
    monkeypatch.setenv("CODER_SNAPSHOTS", "0")
    result = coder("codes", "merge", "-p", coded, "trust_members", "trust")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert list_snapshots(coded) == []
