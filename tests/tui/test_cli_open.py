"""`coder open`: opens the project as the coder given (the app's run is replaced here)."""

from __future__ import annotations

from click.testing import CliRunner

from coder.cli import cli
from coder.tui.app import CoderApp


def _run(monkeypatch, *args):
    opened = {}

    def fake_run(self):
        opened.update(
            coder=self.coder, actor=self.project.actor, doc=self.initial_document
        )

    monkeypatch.setattr(CoderApp, "run", fake_run)
    monkeypatch.delenv("CODER_PROJECT", raising=False)
    monkeypatch.setenv("CODER_USER", "tester")
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result, opened


def test_open_as_the_coder_given(monkeypatch, demo_path):
    result, opened = _run(monkeypatch, "open", "-p", str(demo_path), "--coder", "bo")
    assert result.exit_code == 0, result.output
    assert opened == {"coder": "bo", "actor": "bo", "doc": None}


def test_open_defaults_to_coder_user(monkeypatch, demo_path):
    result, opened = _run(
        monkeypatch, "open", "-p", str(demo_path), "--doc", "og-01-karimi"
    )
    assert result.exit_code == 0, result.output
    assert opened == {"coder": "tester", "actor": "tester", "doc": "og-01-karimi"}


def test_open_errors_in_one_line(monkeypatch, tmp_path, demo_path):
    result, opened = _run(monkeypatch, "open", "-p", str(tmp_path / "none.db"))
    assert result.exit_code == 1 and not opened
    assert result.stderr.startswith("coder: error: ")
    assert "no coder project here" in result.stderr
    result, opened = _run(monkeypatch, "open", "-p", str(demo_path), "--doc", "nope")
    assert result.exit_code == 1 and not opened
    assert "no document 'nope'" in result.stderr


def test_open_has_help_with_an_example(monkeypatch):
    result, _ = _run(monkeypatch, "open", "--help")
    assert result.exit_code == 0
    assert (
        "Example:" in result.output
        and "coder open -p study.db --coder ana" in result.output
    )
