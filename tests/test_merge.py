"""Merging reads a colleague's copy without leaving a file or a byte changed beside it."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from coder.coding import apply_coding, segment_span
from coder.merge import merge_projects
from coder.store import open_project

DOC = "pe-01-farahani"


def folder_state(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def code_sentences(path: Path, coder: str, sentences: list[int]) -> None:
    with open_project(path, actor=coder) as project:
        for sentence in sentences:
            span = segment_span(project, DOC, sentence)
            apply_coding(project, DOC, *span, "trust")


@pytest.fixture
def ours(demo_template, tmp_path) -> Path:
    path = tmp_path / "team.db"
    shutil.copyfile(demo_template, path)
    return path


@pytest.fixture
def colleague(tmp_path) -> Path:
    folder = tmp_path / "alice"
    folder.mkdir()
    return folder


def test_merge_leaves_a_wal_mode_copy_without_a_wal_untouched(
    demo_template, ours, colleague
):
    other = colleague / "alice.db"
    shutil.copyfile(demo_template, other)
    code_sentences(other, "alice", [20, 21])
    # Closing checkpointed and removed the -wal: only the file is left.
    with sqlite3.connect(other) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    assert sorted(p.name for p in colleague.iterdir()) == ["alice.db"]
    before = folder_state(colleague)

    with open_project(ours) as project:
        report = merge_projects(project, [other])

    assert report.codings_added == 2
    assert folder_state(colleague) == before


def test_merge_reads_an_existing_wal_and_leaves_it_untouched(
    demo_template, ours, tmp_path, colleague
):
    # A copy handed over mid-session: codings still in its -wal, no -shm.
    work = tmp_path / "work.db"
    shutil.copyfile(demo_template, work)
    project = open_project(work, actor="alice")
    try:
        project.db.execute("PRAGMA wal_autocheckpoint = 0")
        for sentence in (20, 21, 30):
            apply_coding(project, DOC, *segment_span(project, DOC, sentence), "trust")
        shutil.copyfile(work, colleague / "alice.db")
        shutil.copyfile(work.with_name("work.db-wal"), colleague / "alice.db-wal")
    finally:
        project.close()
    assert sorted(p.name for p in colleague.iterdir()) == ["alice.db", "alice.db-wal"]
    before = folder_state(colleague)

    with open_project(ours) as project:
        report = merge_projects(project, [colleague / "alice.db"])

    # The codings only in the -wal were read too.
    assert report.codings_added == 3
    assert report.coders == ["alice"]
    assert folder_state(colleague) == before
