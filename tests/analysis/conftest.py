"""The demo project with the fixed codings of `fixed.py`, built once and copied per test."""

from __future__ import annotations

import shutil

import pytest

from coder.store import open_project

from .fixed import fixed_project


@pytest.fixture(scope="session")
def fixed_template(demo_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("fixed") / "fixed.db"
    project = fixed_project(demo_template, path)
    project.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    project.close()
    return path


@pytest.fixture
def fixed_path(fixed_template, tmp_path):
    target = tmp_path / "fixed.db"
    shutil.copyfile(fixed_template, target)
    return target


@pytest.fixture
def fixed(fixed_path):
    with open_project(fixed_path, actor="tester") as project:
        yield project


@pytest.fixture
def coder_cli(monkeypatch):
    """Run `coder ARGS...` in-process; stdout and stderr kept apart."""
    from click.testing import CliRunner

    from coder.cli import cli

    monkeypatch.delenv("CODER_PROJECT", raising=False)
    monkeypatch.setenv("CODER_USER", "tester")
    runner = CliRunner()

    def run(*args):
        return runner.invoke(
            cli, [str(a) for a in args], catch_exceptions=False, prog_name="coder"
        )

    return run
