"""Fixtures for the command-line tests: a runner and small projects to copy."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from coder.attribute_table import import_csv
from coder.cli import cli
from coder.documents import import_transcripts
from coder.store import create_project

SMALL = Path(__file__).parents[1] / "data" / "projects" / "small"


@pytest.fixture
def coder(monkeypatch) -> Callable[..., Result]:
    """Run `coder ARGS...` in-process; stdout and stderr are kept apart."""
    monkeypatch.delenv("CODER_PROJECT", raising=False)
    monkeypatch.setenv("CODER_USER", "tester")
    runner = CliRunner()

    def run(*args: object) -> Result:
        # Unexpected exceptions propagate: a traceback is a failed test.
        return runner.invoke(
            cli, [str(a) for a in args], catch_exceptions=False, prog_name="coder"
        )

    return run


def file_state(path: Path) -> tuple[str, list[str]]:
    """The file's sha256 and the names of files beside it (-wal, -shm, ...).

    A WAL left behind could hold writes the main file does not show yet, so
    "unchanged" means the same bytes and no new companions.
    """
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    companions = sorted(
        p.name for p in path.parent.glob(f"{path.name}*") if p.name != path.name
    )
    return digest, companions


@pytest.fixture
def state() -> Callable[[Path], tuple[str, list[str]]]:
    return file_state


def _close_cleanly(project) -> None:
    project.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    project.close()


@pytest.fixture(scope="session")
def one_doc_template(tmp_path_factory) -> Path:
    """A project holding only `alpha` (from alpha.txt); copy it, don't write to it."""
    path = tmp_path_factory.mktemp("one-doc") / "study.db"
    project = create_project(path, actor="tester")
    import_transcripts(project, [SMALL / "alpha.txt"])
    _close_cleanly(project)
    return path


@pytest.fixture
def one_doc(one_doc_template, tmp_path) -> Path:
    """A private copy of the one-document project."""
    target = tmp_path / "study.db"
    shutil.copyfile(one_doc_template, target)
    return target


@pytest.fixture(scope="session")
def small_template(tmp_path_factory) -> Path:
    """alpha, beta and gamma in two cases, with document and case attributes."""
    path = tmp_path_factory.mktemp("small") / "study.db"
    project = create_project(path, actor="tester")
    import_transcripts(project, [SMALL])
    import_csv(project, SMALL / "attributes.csv")
    import_csv(project, SMALL / "cases.csv")
    _close_cleanly(project)
    return path


@pytest.fixture
def small(small_template, tmp_path) -> Path:
    """A private copy of the three-document project."""
    target = tmp_path / "study.db"
    shutil.copyfile(small_template, target)
    return target
