"""`check_project`: a sound project passes; each kind of damage is found and counted."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from coder.check import ERROR, WARNING, Problem, check_project, check_report
from coder.codebook import read_codebook
from coder.codes import load_codebook
from coder.coding import apply_coding
from coder.documents import import_transcripts
from coder.errors import ProjectError
from coder.memos import segment_key, set_memo
from coder.store import create_project

DATA = Path(__file__).parent / "data"
SMALL = DATA / "projects" / "small"
MINI = DATA / "codebooks" / "mini.yaml"


@pytest.fixture
def sound(tmp_path) -> Path:
    """A closed project with something in every table the check reads."""
    path = tmp_path / "study.db"
    with create_project(path, actor="tester") as project:
        import_transcripts(project, [SMALL / "alpha.txt", SMALL / "beta.vtt"])
        load_codebook(project, read_codebook(MINI), source="mini.yaml")
        apply_coding(project, "alpha", 0, 5, "trust", memo="why trust")
        apply_coding(project, "alpha", 6, 12, "trust_members", coder="bob")
        set_memo(project, "document", "alpha", "a first reading")
        set_memo(project, "code", "trust", "what trust means here")
        set_memo(project, "segment", segment_key("alpha", 0, 5), "the opening")
        set_memo(project, "project", None, "the study")
        set_memo(project, "code", "trust|case:North", "a framework cell")
        with project.atomic():
            project.db.execute(
                'INSERT INTO suggestions (document_id, start, "end", code_id, score, method,'
                " created_at) VALUES (1, 0, 5, 'trust', 0.9, 'rules', '2026-01-01')"
            )
    return path


@contextmanager
def raw(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection that breaks the rules: no foreign keys, one transaction."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("BEGIN")
    try:
        yield conn
        conn.execute("COMMIT")
    finally:
        conn.close()


def _one(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


def test_a_sound_project_has_no_problems(sound):
    assert check_project(sound) == []
    report = check_report(sound)
    assert report.counts == {
        "documents": 2,
        "segments": report.counts["segments"],
        "codes": report.counts["codes"],
        "codings": 2,
        "coders": 2,
        "memos": 6,  # five in the memos table, one on a coding (as coder info counts)
        "suggestions": 1,
        "events": report.counts["events"],
    }
    assert report.to_dict()["ok"] is True


def test_the_demo_project_has_no_problems(demo_path):
    assert check_project(demo_path) == []
    assert check_project(demo_path, quick=True) == []


def test_check_writes_nothing(sound):
    before = hashlib.sha256(sound.read_bytes()).hexdigest()
    check_project(sound)
    assert hashlib.sha256(sound.read_bytes()).hexdigest() == before


def test_codings_outside_their_text(sound):
    with raw(sound) as conn:
        length = conn.execute(
            "SELECT length(text) FROM documents WHERE id = 1"
        ).fetchone()[0]
        conn.execute('UPDATE codings SET "end" = ? WHERE id = 1', [length + 1])
        conn.execute("UPDATE codings SET start = -2 WHERE id = 2")
    problem = _one(check_project(sound))
    assert problem == Problem(
        "coding_spans",
        "codings outside their document's text",
        2,
        (
            f"coding 1 on alpha [0:{length + 1}], text of {length:,} characters",
            f"coding 2 on alpha [-2:12], text of {length:,} characters",
        ),
        ERROR,
    )


def test_segments_and_suggestions_outside_their_text(sound):
    with raw(sound) as conn:
        conn.execute('UPDATE segments SET "end" = 100000 WHERE id = 1')
        conn.execute('UPDATE suggestions SET start = 5, "end" = 100000')
    kinds = {p.kind: p.count for p in check_project(sound)}
    assert kinds == {"segment_spans": 1, "suggestion_spans": 1}


def test_a_coding_of_a_code_that_does_not_exist(sound):
    with raw(sound) as conn:
        conn.execute("UPDATE codings SET code_id = 'ghost' WHERE id = 2")
    problem = _one(check_project(sound))
    assert problem == Problem(
        "codings.code_id",
        "codings whose code_id names no code",
        1,
        ("coding 2: code_id 'ghost'",),
    )


def test_a_coding_by_a_coder_who_does_not_exist(sound):
    with raw(sound) as conn:
        conn.execute("UPDATE codings SET coder_id = 99 WHERE id = 1")
    problem = _one(check_project(sound))
    assert (problem.kind, problem.message, problem.count, problem.examples) == (
        "codings.coder_id",
        "codings whose coder_id names no coder",
        1,
        ("coding 1: coder_id 99",),
    )


def test_a_coding_of_a_document_that_does_not_exist(sound):
    with raw(sound) as conn:
        conn.execute("UPDATE codings SET document_id = 42")
    problem = _one(check_project(sound))
    assert (problem.kind, problem.count) == ("codings.document_id", 2)
    assert problem.message == "codings whose document_id names no document"


def test_a_suggestion_of_a_code_that_does_not_exist(sound):
    with raw(sound) as conn:
        conn.execute("DELETE FROM codes WHERE id = 'trust_members'")
        conn.execute("UPDATE suggestions SET code_id = 'trust_members'")
    kinds = {p.kind: p.count for p in check_project(sound)}
    # The coding of that code too.
    assert kinds == {"codings.code_id": 1, "suggestions.code_id": 1}


def test_a_memo_whose_target_is_gone_is_a_warning(sound):
    with raw(sound) as conn:
        conn.execute(
            "UPDATE memos SET target_id = 'nobody' WHERE target_type = 'document'"
        )
        conn.execute(
            "UPDATE memos SET target_id = 'alpha:0-99999' WHERE target_type = 'segment'"
        )
        conn.execute(
            "UPDATE memos SET target_id = 'gone|case:North' WHERE target_id = 'trust|case:North'"
        )
    problem = _one(check_project(sound))
    assert problem.kind == "memo_targets"
    assert problem.severity == WARNING
    assert problem.count == 3
    assert problem.examples == (
        "memo 1 on document 'nobody'",
        "memo 3 on segment 'alpha:0-99999'",
        "memo 5 on code 'gone|case:North'",
    )
    report = check_report(sound)
    assert report.errors == [] and report.to_dict()["ok"] is True


def test_a_loop_in_the_code_tree(sound):
    with raw(sound) as conn:
        conn.execute("UPDATE codes SET parent_id = 'trust_members' WHERE id = 'trust'")
    problem = _one(check_project(sound))
    assert (problem.kind, problem.count) == ("code_tree", 2)


def test_the_event_log_without_its_triggers(sound):
    with raw(sound) as conn:
        conn.execute("DROP TRIGGER events_append_only_delete")
    problem = _one(check_project(sound))
    assert problem == Problem(
        "event_triggers",
        "the event log accepts DELETE (its append-only trigger is gone)",
        1,
    )


def test_events_deleted_from_the_log(sound):
    with raw(sound) as conn:
        last = conn.execute("SELECT MAX(id) FROM events").fetchone()[0]
        conn.execute("DROP TRIGGER events_append_only_delete")
        conn.execute("DELETE FROM events WHERE id IN (2, 3, ?)", [last])
        conn.execute(
            "CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events"
            " BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END"
        )
    problem = _one(check_project(sound))
    assert problem == Problem(
        "event_gaps",
        "events missing from the log (ids that were used and are gone)",
        3,
        ("ids 2-3", f"id {last}"),
    )


def test_events_with_bad_or_backward_times(sound):
    with raw(sound) as conn:
        for at in ("yesterday", "2001-01-01T00:00:00.000+00:00"):
            conn.execute(
                "INSERT INTO events (at, actor, action, entity) VALUES (?, 'x', 'edit', 'code')",
                [at],
            )
    problems = {p.kind: p for p in check_project(sound)}
    assert set(problems) == {"event_times", "event_order"}
    assert problems["event_times"].count == 1
    assert problems["event_times"].severity == ERROR
    assert problems["event_order"].count == 1
    assert problems["event_order"].severity == WARNING


def test_a_damaged_file_is_an_integrity_problem(sound):
    data = bytearray(sound.read_bytes())
    for i in range(4096 * 3, len(data)):
        data[i] = 0xAB if i % 3 else 0x00
    sound.write_bytes(bytes(data))
    problem = _one(check_project(sound))
    assert problem.kind == "integrity"
    assert problem.count >= 1


def test_a_file_sqlite_cannot_open(sound):
    data = bytearray(sound.read_bytes())
    data[100:4096] = b"\xab" * (4096 - 100)  # the first page, after the header
    sound.write_bytes(bytes(data))
    problem = _one(check_project(sound))
    assert (problem.kind, problem.count) == ("integrity", 1)
    assert problem.examples[0] in (
        "file is not a database",
        "database disk image is malformed",
    )


def test_a_file_cut_short(sound):
    data = sound.read_bytes()
    sound.write_bytes(data[: 4096 * 3 + 100])
    problem = _one(check_project(sound))
    assert problem.kind == "integrity"
    sound.write_bytes(data[:60])
    problem = _one(check_project(sound))
    assert problem.examples == ("file is not a database: cut short at 60 bytes",)


def test_what_is_not_a_project_is_refused(tmp_path):
    path = tmp_path / "x.db"
    path.write_text("hello")
    with pytest.raises(ProjectError) as caught:
        check_project(path)
    assert str(caught.value) == f"{path}: not a coder project (not an SQLite database)"


def test_problems_read_as_one_line():
    problem = Problem("coding_spans", "codings outside", 7, ("coding 1", "coding 2"))
    assert str(problem) == "codings outside: 7 (coding 1; coding 2; ...)"
    assert str(Problem("x", "the log accepts DELETE", 1)) == "the log accepts DELETE: 1"
