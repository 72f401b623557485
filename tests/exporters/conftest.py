"""Fixtures for the export tests: the demo with the fixed codings of tests/analysis/fixed.py."""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from coder.cli import cli
from coder.store import open_project

# tests/analysis is a sibling package; load its helper by path (importlib mode).
_spec = importlib.util.spec_from_file_location(
    "matrices_fixed", Path(__file__).parents[1] / "analysis" / "fixed.py"
)
fixed_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fixed_module)

GOLDEN = Path(__file__).parents[1] / "data" / "golden"


@pytest.fixture(scope="session")
def export_template(demo_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "fixed.db"
    project = fixed_module.fixed_project(demo_template, path)
    project.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    project.close()
    return path


@pytest.fixture
def export_path(export_template, tmp_path) -> Path:
    target = tmp_path / "fixed.db"
    shutil.copyfile(export_template, target)
    return target


@pytest.fixture
def export_project(export_path):
    with open_project(export_path, actor="tester") as project:
        yield project


@pytest.fixture
def coder_cli(monkeypatch) -> Callable[..., Result]:
    """Run `coder ARGS...` in-process; stdout and stderr kept apart."""
    monkeypatch.delenv("CODER_PROJECT", raising=False)
    monkeypatch.setenv("CODER_USER", "tester")
    runner = CliRunner()

    def run(*args: object) -> Result:
        return runner.invoke(
            cli, [str(a) for a in args], catch_exceptions=False, prog_name="coder"
        )

    return run
