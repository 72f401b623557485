"""Several processes writing to one project at once: every writer waits its turn, nothing is lost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from coder.check import check_project
from coder.errors import BusyError
from coder.store import open_project
from coder.store.locking import begin_immediate

WRITERS = 8
# 8 x 1,000 codings take about 15 s on two cores; CODER_STRESS_CODINGS changes it.
CODINGS = int(os.environ.get("CODER_STRESS_CODINGS", "1000"))

# One writer: codes CODINGS distinct spans as its own coder, at random
# moments, writes a memo on every 25th coding, and prints what it stored.
WRITER = textwrap.dedent(
    """
    import json, random, sys, time
    from coder.coding import apply_coding
    from coder.memos import set_memo
    from coder.reading import list_documents
    from coder.store import open_project
    from coder.codes import current_codebook

    path, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rng = random.Random(name)
    project = open_project(path, actor=name)
    documents = [(d.name, len(d.text)) for d in list_documents(project, with_text=True)]
    codes = [code.id for code, _, _ in current_codebook(project).walk()]
    stored = []
    for number in range(count):
        if rng.random() < 0.3:
            time.sleep(rng.random() * 0.004)
        document, length = documents[number % len(documents)]
        start = (number * 7) % (length - 40)
        end = start + 5 + rng.randrange(30)
        coding = apply_coding(project, document, start, end, rng.choice(codes))
        stored.append(coding)
        if number % 25 == 0:
            set_memo(project, "coding", coding, f"memo {number} by {name}")
    project.close()
    print(json.dumps(stored))
    """
)


def _write_transcripts(folder: Path, count: int) -> None:
    folder.mkdir()
    for number in range(count):
        reply = " ".join(
            f"Sentence {k} of reply {number} is about trust in the cluster."
            for k in range(150)
        )
        (folder / f"late-{number:02d}.txt").write_text(
            f"Interviewer: How did it start?\n\nManager {number}: {reply}\n"
        )


def test_eight_writers_and_an_import_lose_nothing(demo_path, tmp_path):
    folder = tmp_path / "incoming"
    _write_transcripts(folder, 30)
    with open_project(demo_path) as project:
        before = project.db.execute("SELECT COUNT(*) FROM codings").fetchone()[0]
        first_event = project.db.execute("SELECT MAX(id) FROM events").fetchone()[0]
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(demo_path), f"w{n}", str(CODINGS)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(WRITERS)
    ]
    importer = subprocess.Popen(
        [sys.executable, "-m", "coder", "import", "-p", str(demo_path), str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    results = {}
    try:
        for n, process in enumerate(writers):
            out, err = process.communicate(timeout=600)
            assert process.returncode == 0, err
            assert err == ""
            results[f"w{n}"] = json.loads(out)
        _out, err = importer.communicate(timeout=600)
        assert importer.returncode == 0, err
        assert "Traceback" not in err
    finally:
        for process in [*writers, importer]:
            if process.poll() is None:
                process.kill()

    with open_project(demo_path) as project:
        db = project.db
        total = db.execute("SELECT COUNT(*) FROM codings").fetchone()[0]
        assert total == before + WRITERS * CODINGS
        for name, ids in results.items():
            # Every call stored a new coding: no id returned twice, none lost.
            assert len(set(ids)) == CODINGS
            rows = db.execute(
                "SELECT c.id FROM codings c JOIN coders k ON k.id = c.coder_id"
                " WHERE k.name = ?",
                [name],
            ).fetchall()
            assert sorted(r[0] for r in rows) == sorted(ids)
            logged = db.execute(
                "SELECT entity_id FROM events WHERE action = 'code' AND actor = ?"
                " AND id > ?",
                [name, first_event],
            ).fetchall()
            assert sorted(int(r[0]) for r in logged) == sorted(ids)
            memos = db.execute(
                "SELECT COUNT(*) FROM codings c JOIN coders k ON k.id = c.coder_id"
                " WHERE k.name = ? AND c.memo LIKE 'memo % by ' || k.name",
                [name],
            ).fetchone()[0]
            assert memos == len(range(0, CODINGS, 25))
            memo_events = db.execute(
                "SELECT COUNT(*) FROM events WHERE action = 'memo' AND actor = ?",
                [name],
            ).fetchone()[0]
            assert memo_events == memos
        imported = db.execute(
            "SELECT COUNT(*) FROM documents WHERE name LIKE 'late-%'"
        ).fetchone()[0]
        assert imported == 30
    assert [p for p in check_project(demo_path) if p.severity == "error"] == []


def test_a_writer_that_waits_too_long_gets_one_clear_error(project):
    """A lock held past the wait ends in BusyError, not sqlite3's 'database is locked'."""
    other = open_project(project.path, actor="other")
    try:
        begin_immediate(other.db.conn, other.path, 1000)
        with (
            project.lock_wait(100),
            pytest.raises(BusyError) as raised,
            project.atomic(),
        ):
            pass
        assert str(raised.value).startswith(f"{project.path}: the project is busy")
        other.db.conn.execute("COMMIT")
        with project.atomic():
            project.log("test", "project")
    finally:
        other.close()


def test_a_read_then_write_transaction_waits_instead_of_failing(project):
    """The case a deferred BEGIN got wrong: our read is older than another's commit."""
    other = open_project(project.path, actor="other")
    try:
        with project.atomic():
            project.db.execute("SELECT COUNT(*) FROM events").fetchone()
            # Another connection cannot even start writing until we are done ...
            with other.lock_wait(50), pytest.raises(BusyError), other.atomic():
                pass
            project.log("test", "project", note="first")
        # ... and then it can, reading what we wrote.
        with other.atomic():
            count = other.db.execute(
                "SELECT COUNT(*) FROM events WHERE action = 'test'"
            ).fetchone()[0]
            other.log("test", "project", note="second")
        assert count == 1
    finally:
        other.close()


def test_coder_code_processes_at_once_each_store_their_coding(demo_path):
    """The CLI too: `coder code` runs at once, all stored, no traceback."""
    env = {**os.environ, "CODER_PROJECT": str(demo_path)}
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "coder",
                "code",
                "pe-01-farahani",
                "--segment",
                str(n + 1),
                "--code",
                "trust",
                "--coder",
                f"c{n % 4}",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for n in range(12)
    ]
    for process in processes:
        _out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        assert "Traceback" not in err
    with open_project(demo_path) as project:
        stored = project.db.execute(
            "SELECT COUNT(*) FROM codings c JOIN coders k ON k.id = c.coder_id"
            " WHERE k.name LIKE 'c_'"
        ).fetchone()[0]
    assert stored == 12
