"""`coder import`: what a user sees when importing, re-importing and replacing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

DATA = Path(__file__).parents[1] / "data"
SMALL = DATA / "projects" / "small"
CHANGED = DATA / "bad" / "changed" / "alpha.txt"


def _one(path: Path, sql: str, params: tuple = ()) -> tuple:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchone()
    finally:
        conn.close()


def _totals(path: Path) -> tuple[int, int]:
    """(words, segments) stored, which the import summary reports."""
    words = _one(path, "SELECT SUM(words) FROM documents")[0]
    segments = _one(path, "SELECT COUNT(*) FROM segments")[0]
    return words, segments


def test_import_refuses_a_missing_project_and_creates_nothing(coder, tmp_path):
    path = tmp_path / "typo.db"
    result = coder("import", SMALL, "-p", path)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"coder: error: {path}: no coder project here;"
        f" create one with `coder init {path}`\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_import_with_create_makes_a_missing_project(coder, tmp_path):
    path = tmp_path / "study.db"
    result = coder("import", SMALL, "--create", "-p", path)
    assert result.exit_code == 0, result.stderr
    words, segments = _totals(path)
    assert result.stdout == (
        f"created project {path}\n"
        f"imported 3 documents ({words:,} words, {segments:,} segments)\n"
    )
    assert result.stderr == ""
    docs = json.loads(coder("docs", "--json", "-p", path).stdout)
    assert [d["name"] for d in docs] == ["alpha", "beta", "gamma"]
    assert [d["format"] for d in docs] == ["text", "vtt", "srt"]


def test_import_creates_missing_folders(coder, tmp_path):
    path = tmp_path / "new" / "study.db"
    result = coder("import", SMALL / "alpha.txt", "--create", "-p", path)
    assert result.exit_code == 0, result.stderr
    assert path.is_file()


def test_import_from_project_env_var(coder, tmp_path, monkeypatch):
    path = tmp_path / "study.db"
    monkeypatch.setenv("CODER_PROJECT", str(path))
    assert coder("import", SMALL / "alpha.txt", "--create").exit_code == 0
    assert _one(path, "SELECT name FROM documents") == ("alpha",)


def test_reimport_of_same_file_is_skipped_and_writes_nothing(coder, state, one_doc):
    before = state(one_doc)
    alpha = SMALL / "alpha.txt"
    result = coder("import", alpha, "-p", one_doc)
    assert result.exit_code == 0
    assert (
        result.stderr
        == f"{alpha}: already imported as 'alpha' (same content); skipped\n"
    )
    assert result.stdout == (
        "imported 0 documents (0 words, 0 segments), skipped 1 already imported\n"
    )
    assert state(one_doc) == before


def test_same_content_under_another_name_is_skipped(coder, one_doc, tmp_path):
    copy = tmp_path / "alpha-copy.txt"
    copy.write_bytes((SMALL / "alpha.txt").read_bytes())
    result = coder("import", copy, "-p", one_doc)
    assert result.exit_code == 0
    assert (
        result.stderr
        == f"{copy}: already imported as 'alpha' (same content); skipped\n"
    )
    assert _one(one_doc, "SELECT COUNT(*) FROM documents") == (1,)


def test_new_and_known_files_together(coder, one_doc):
    result = coder("import", SMALL, "-p", one_doc)
    assert result.exit_code == 0
    assert result.stdout.startswith("imported 2 documents (")
    assert result.stdout.endswith(", skipped 1 already imported\n")


def test_replace_keeps_case_and_reports_it(coder, one_doc):
    assert coder("case", "set", "alpha", "North", "-p", one_doc).exit_code == 0
    result = coder("import", CHANGED, "--replace", "-p", one_doc)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("imported 1 document (")
    assert result.stdout.endswith("), replaced 1\n")
    shown = json.loads(coder("show", "alpha", "--json", "-p", one_doc).stdout)
    assert shown["case"] == "North"
    turns = [s["text"] for s in shown["segments"] if s["kind"] == "turn"]
    assert turns[-1] == "It did. The shared lab saved us two years."


def test_replace_force_drops_codings(coder, one_doc):
    conn = sqlite3.connect(one_doc)
    with conn:
        conn.execute("INSERT INTO coders (name, created_at) VALUES ('ana', 'now')")
        conn.execute("INSERT INTO codes (id, name) VALUES ('need', 'Need')")
        conn.execute(
            'INSERT INTO codings (code_id, document_id, start, "end", coder_id,'
            " created_at) VALUES ('need', 1, 0, 5, 1, 'now')"
        )
    conn.close()
    result = coder("import", CHANGED, "--replace", "--force", "-p", one_doc)
    assert result.exit_code == 0, result.stderr
    assert _one(one_doc, "SELECT COUNT(*) FROM codings") == (0,)
    event = _one(
        one_doc,
        "SELECT actor, data FROM events WHERE action = 'delete' AND entity = 'document'",
    )
    assert event[0] == "tester"
    assert json.loads(event[1]) == {"codings_lost": 1, "name": "alpha"}


def test_case_option_puts_every_document_in_the_case(coder, tmp_path):
    path = tmp_path / "study.db"
    result = coder("import", SMALL, "--create", "--case", "North", "-p", path)
    assert result.exit_code == 0
    cases = json.loads(coder("cases", "--json", "-p", path).stdout)
    assert cases == [
        {"name": "North", "documents": ["alpha", "beta", "gamma"], "attributes": {}}
    ]


def test_import_with_jobs_reports_what_it_stored(coder, tmp_path):
    path = tmp_path / "study.db"
    result = coder("import", SMALL, "--create", "--jobs", "2", "-p", path)
    assert result.exit_code == 0, result.stderr
    words, segments = _totals(path)
    assert result.stdout.endswith(
        f"imported 3 documents ({words:,} words, {segments:,} segments)\n"
    )
    assert coder("import", SMALL, "--jobs", "0", "-p", path).exit_code == 2


def test_a_line_dropped_fifty_times_is_one_line_of_output(coder, tmp_path):
    # A meeting tool's web viewer leaves "user avatar" above every turn.
    viewer = tmp_path / "viewer.txt"
    viewer.write_text(
        "\n".join(
            f"user avatar\n{('Jane Doe', 'Omid')[n % 2]}\n{n // 60}:{n % 60:02d}\n"
            f"Turn {n}.\n"
            for n in range(50)
        ),
        encoding="utf-8",
    )
    path = tmp_path / "study.db"

    result = coder("import", viewer, "--create", "-p", path)

    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        f"{viewer}:1: dropped 'user avatar' (interface text, not speech)"
        " and 49 more like it (lines 6, 11, 16, 21, 26, ...)\n"
    )
