"""Fixtures shared across the test suite."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from coder.demo import build_demo
from coder.store import create_project

DATA = Path(__file__).parent / "data"

# Shared CI machines are slow and busy: judge properties, not speed.
settings.register_profile(
    "coder", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("coder")


@pytest.fixture(autouse=True)
def _state_home(tmp_path_factory, monkeypatch):
    """An internal error's traceback file goes to a temporary folder, not the user's."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.getbasetemp() / "state"))


@pytest.fixture
def data_dir() -> Path:
    """The folder of small real-looking sample files."""
    return DATA


@pytest.fixture
def project(tmp_path):
    """A new, empty project, closed after the test."""
    with create_project(tmp_path / "test.db", actor="tester") as opened:
        yield opened


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The demo project, built once per session; copy it, don't write to it."""
    folder = tmp_path_factory.mktemp("demo")
    built = build_demo(folder)
    built.project.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    built.project.close()
    return folder / "demo.db"


@pytest.fixture
def demo_path(demo_template, tmp_path) -> Path:
    """A private copy of the demo project's file."""
    target = tmp_path / "demo.db"
    shutil.copyfile(demo_template, target)
    return target
