"""Fixtures for the fuzz tests: folders and projects made once per session."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest

from coder.attribute_table import import_csv
from coder.documents import import_transcripts
from coder.store import create_project

SMALL = Path(__file__).parents[1] / "data" / "projects" / "small"


@pytest.fixture(scope="session")
def scratch(tmp_path_factory) -> Callable[[str], Path]:
    """A fresh path for each example's file (hypothesis runs many per test)."""
    folder = tmp_path_factory.mktemp("fuzz")
    counter = itertools.count()

    def path(name: str) -> Path:
        sub = folder / str(next(counter))
        sub.mkdir()
        return sub / name

    return path


@pytest.fixture(scope="session")
def small_template(tmp_path_factory) -> Path:
    """alpha, beta and gamma with their attributes; copy it, don't write to it."""
    path = tmp_path_factory.mktemp("fuzz-small") / "study.db"
    project = create_project(path, actor="tester")
    import_transcripts(project, [SMALL])
    import_csv(project, SMALL / "attributes.csv")
    project.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    project.close()
    return path
