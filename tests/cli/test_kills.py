"""Killed at any moment, a command leaves all of its work or none, a sound file, no process behind.

Each operation runs as a real `coder` process on a copy of one project and is
sent SIGKILL after a random delay within the time a whole run takes. Then:
`coder check` finds nothing wrong, the project's content is exactly as before
or exactly as after a clean run, no process of the command is still alive,
and running the command again finishes the work.

CI runs CODER_KILLS kills per operation (default 3); the closing figures come
from CODER_KILLS=12.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from coder.check import check_project
from coder.coding import list_codings, remove_coding
from coder.coding_import import import_codings
from coder.store import open_project

KILLS = int(os.environ.get("CODER_KILLS", "3"))
GOLD = Path(__file__).parents[2] / "transcripts" / "gold" / "export-clusters-gold.yaml"
CODEBOOK = Path(__file__).parents[2] / "codebooks" / "export-clusters.yaml"

# What an operation's result is made of: each table's content without ids or times.
CONTENT = {
    "documents": "SELECT name, sha256, length(text) FROM documents",
    "segments": 'SELECT d.name, s.kind, s.start, s."end" FROM segments s'
    " JOIN documents d ON d.id = s.document_id",
    "codes": "SELECT id, name, parent_id FROM codes",
    "codings": 'SELECT d.name, c.code_id, c.start, c."end", k.name, c.memo'
    " FROM codings c JOIN documents d ON d.id = c.document_id"
    " JOIN coders k ON k.id = c.coder_id",
    "suggestions": 'SELECT document_id, start, "end", code_id, method, status'
    " FROM suggestions",
    "models": "SELECT key, fingerprint FROM suggestion_models",
    "resolutions": "SELECT COUNT(*) FROM resolutions",
}


def content(path: Path) -> str:
    """A digest of everything an operation may change."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        digest = hashlib.sha256()
        for name, sql in CONTENT.items():
            rows = sorted(map(repr, conn.execute(sql).fetchall()))
            digest.update(f"{name}:{len(rows)}:".encode())
            digest.update("\n".join(rows).encode())
        return digest.hexdigest()
    finally:
        conn.close()


def live_processes(group: int) -> list[int]:
    """Processes of a process group that are still running (zombies aside)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after ")".
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == group and fields[0] != "Z":
            alive.append(int(entry.name))
    return alive


def run(args: list[str], project: Path, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "coder", *args, "-p", str(project)],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "CODER_USER": "alice"},
    )


@dataclass
class Operation:
    name: str
    args: list[str]
    # Whether a run that finished may be run again (else it is refused: the
    # codes it merged are gone).
    rerun_after_done: bool = True


def _team_project(demo_path: Path) -> None:
    """The demo with alice's and bob's codings: bob left every third one out."""
    with open_project(demo_path, actor="alice") as project:
        import_codings(project, GOLD, coder="alice")
        import_codings(project, GOLD, coder="bob")
        for coding in list_codings(project, coder="bob")[::3]:
            remove_coding(project, coding.id)
        project.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _write_transcripts(folder: Path) -> None:
    folder.mkdir()
    for number in range(24):
        reply = " ".join(
            f"Sentence {k} of answer {number} tells how trust grew among members."
            for k in range(300)
        )
        (folder / f"late-{number:02d}.txt").write_text(
            f"Interviewer: How did it start?\n\nManager {number}: {reply}\n"
        )


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, demo_template) -> Path:
    """The team project, the files each operation needs, built once."""
    folder = tmp_path_factory.mktemp("kills")
    base = folder / "base.db"
    shutil.copyfile(demo_template, base)
    _team_project(base)
    # merge: carol's copy, with the gold coding as hers.
    carol = folder / "carol.db"
    shutil.copyfile(demo_template, carol)
    with open_project(carol, actor="carol") as project:
        import_codings(project, GOLD, coder="carol")
        project.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    # codebook load: a codebook without informal_network (its codings go).
    book = yaml.safe_load(CODEBOOK.read_text())
    book["codes"] = [c for c in book["codes"] if c["id"] != "informal_network"]
    (folder / "smaller.yaml").write_text(yaml.safe_dump(book, sort_keys=False))
    _write_transcripts(folder / "incoming")
    return folder


OPERATIONS = [
    Operation("import", ["import", "incoming", "--jobs", "2"]),
    Operation("codebook load", ["codebook", "load", "smaller.yaml", "--force"]),
    Operation("merge", ["merge", "carol.db"]),
    Operation(
        "codes merge",
        ["codes", "merge", "trust_in_manager", "trust_between_members"],
        rerun_after_done=False,
    ),
    Operation("suggest", ["suggest", "--coder", "alice"]),
    Operation("consensus", ["consensus", "--coders", "alice,bob"]),
]


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda o: o.name)
def test_killed_at_any_moment_all_or_nothing(operation, workspace, tmp_path):
    rng = random.Random(operation.name)
    base = workspace / "base.db"
    before = content(base)

    # A clean run: the result to expect, and how long a run takes.
    clean = tmp_path / "clean.db"
    shutil.copyfile(base, clean)
    began = time.monotonic()
    process = run(operation.args, clean, workspace)
    _out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err
    took = time.monotonic() - began
    after = content(clean)
    assert after != before

    outcomes = {"none": 0, "all": 0}
    for attempt in range(KILLS):
        project = tmp_path / f"killed-{attempt}.db"
        shutil.copyfile(base, project)
        process = run(operation.args, project, workspace)
        time.sleep(rng.uniform(0.2, 1.05) * took)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        deadline = time.monotonic() + 5
        while live_processes(process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert live_processes(process.pid) == [], "a worker outlived the command"

        problems = [p for p in check_project(project) if p.severity == "error"]
        assert problems == [], problems
        state = content(project)
        assert state in (before, after), f"kill {attempt}: a partial {operation.name}"
        outcomes["all" if state == after else "none"] += 1
        if state == before or operation.rerun_after_done:
            again = run(operation.args, project, workspace)
            _out, err = again.communicate(timeout=600)
            assert again.returncode == 0, err
            assert content(project) == after
    print(f"{operation.name}: {KILLS} kills, {outcomes}")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["TERM", "HUP"])
def test_terminated_import_stops_its_workers_and_stores_nothing(
    signum, workspace, tmp_path
):
    project = tmp_path / "study.db"
    shutil.copyfile(workspace / "base.db", project)
    before = content(project)
    process = run(["import", "incoming", "--jobs", "2"], project, workspace)
    # Past start-up, into the parsing: wait for the workers to appear.
    deadline = time.monotonic() + 60
    while len(live_processes(process.pid)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    if process.poll() is not None:
        pytest.skip("the import finished before it could be stopped")
    process.send_signal(signum)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert err.strip().splitlines()[-1] == "coder: interrupted"
    assert "Traceback" not in err
    deadline = time.monotonic() + 5
    while live_processes(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert live_processes(process.pid) == []
    assert content(project) == before
