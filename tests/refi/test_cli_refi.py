"""`coder export qdpx` and `coder import study.qdpx` as a user types them."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from coder.cli import cli

from .conftest import REFI, project_state
from .test_project_import import F4


@pytest.fixture
def coder(monkeypatch):
    monkeypatch.delenv("CODER_PROJECT", raising=False)
    monkeypatch.setenv("CODER_USER", "tester")
    runner = CliRunner()

    def run(*args):
        return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return run


def test_export_then_import_into_a_new_project(coder, coded_demo, tmp_path):
    output = tmp_path / "study.qdpx"
    result = coder("export", "qdpx", "-p", coded_demo, "-o", output, "--for", "nvivo")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(
        f"wrote {output}: 10 documents, 27 codes, 3 coders,"
    )
    assert result.stdout.rstrip().endswith("(conventions for nvivo)")

    copy = tmp_path / "copy.db"
    result = coder("import", output, "-p", copy, "--create")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("imported 10 text sources, 27 codes, 3 coders,")
    assert "written by coder " in result.stderr
    assert (
        "positions read as UTF-16 code units with \\r\\n as two (NVivo for Windows)"
        in result.stderr
    )


def test_import_refuses_a_missing_project_without_create(coder, tmp_path):
    result = coder(
        "import", REFI / "nvivo_mac15_project.qdpx", "-p", tmp_path / "no.db"
    )
    assert result.exit_code == 1
    assert "no coder project here" in result.stderr
    assert not (tmp_path / "no.db").exists()


def test_dry_run_prints_the_summary_and_changes_nothing(coder, coded_demo, tmp_path):
    before = project_state(coded_demo)
    bare = tmp_path / "f4.qde"
    bare.write_bytes((F4 / "project.qde").read_bytes())
    result = coder("import", bare, "-p", coded_demo, "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "would import 0 text sources, 1 codes, 0 coders, 0 codings, 0 memos, 0 cases,"
        " 0 attributes, 0 sets as attributes",
        "written by f4 2025.2.9",
        "not imported: 2 notes on what was not imported",
        "not imported: 1 notes without text",
        "not imported: 4 selections in text sources without their text",
        "not imported: 4 text sources without their text",
        f"{bare}: source 'Interview 15mins': internal://333e1cde-f6c3-46c8-98cb-6e92eb1169a1.txt"
        " is not in the package",
        f"{bare}: source 'Interview 30mins': internal://fb212a01-b4b5-41ba-bd9f-b66bb210b204.txt"
        " is not in the package",
        f"{bare}: source 'Interview 60mins': internal://834517f4-6e9f-4425-9bdd-a4be2d36e7a0.txt"
        " is not in the package",
        f"{bare}: source 'testfile': internal://87c38791-4e98-494a-a0f9-905a813921b4.txt"
        " is not in the package",
        f"{bare}: note 768169b3-d336-4ef3-8060-83bcb776a23d:"
        " internal://768169b3-d336-4ef3-8060-83bcb776a23d.txt is not in the package",
        f"{bare}: note 7b5e2e19-bae9-4450-97d0-f548e3e4ec76:"
        " internal://7b5e2e19-bae9-4450-97d0-f548e3e4ec76.txt is not in the package",
        f"{bare}: note b4352c05-1171-41d9-9d27-401fd25cd8e7:"
        " internal://b4352c05-1171-41d9-9d27-401fd25cd8e7.txt is not in the package",
    ]
    assert project_state(coded_demo) == before


def test_a_hostile_file_is_one_error_line(coder, coded_demo, tmp_path):
    from .test_package import LAUGHS
    from .test_project_import import make_qdpx

    before = project_state(coded_demo)
    path = make_qdpx(tmp_path / "x.qdpx", LAUGHS)
    result = coder("import", path, "-p", coded_demo)
    assert result.exit_code == 1
    assert result.stderr == (
        f"coder: error: {path}: project.qde line 2 declares a DTD (<!DOCTYPE); coder does"
        " not read DTDs or expand entities\n"
    )
    assert project_state(coded_demo) == before


def test_one_package_at_a_time(coder, coded_demo, tmp_path):
    result = coder(
        "import",
        F4 / "project.qde",
        REFI / "nvivo_mac15_project.qdpx",
        "-p",
        coded_demo,
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "coder: error: import one .qdpx or .qde at a time, without other files\n"
    )


def test_help_has_an_example(coder):
    result = coder("export", "qdpx", "--help")
    assert "coder export qdpx -o study.qdpx --for nvivo" in result.stdout
    assert "nvivo|atlasti|maxqda|qualcoder" in result.stdout


def test_dry_run_is_for_refi_projects_only(coder, coded_demo, tmp_path):
    transcript = tmp_path / "a.txt"
    transcript.write_text("Hello there.\n")
    result = coder("import", transcript, "-p", coded_demo, "--dry-run")
    assert result.exit_code == 2
    assert "coder: error: --dry-run is for a .qdpx or .qde project" in result.stderr


def test_transcript_options_do_not_apply_to_a_package(coder, coded_demo):
    result = coder(
        "import", REFI / "nvivo_mac15_project.qdpx", "-p", coded_demo, "--case", "X"
    )
    assert result.exit_code == 2
    assert (
        "coder: error: --case does not apply to a .qdpx or .qde: its cases and codes"
        " come with it" in result.stderr
    )


def test_a_failed_import_with_create_leaves_nothing_behind(coder, tmp_path):
    bad = tmp_path / "bad.qde"
    bad.write_text("not xml")
    result = coder("import", bad, "-p", tmp_path / "new" / "sub" / "x.db", "--create")
    assert result.exit_code == 1
    assert result.stderr == (
        f"coder: error: {bad}:1: not well-formed XML: Start tag expected,"
        " '<' not found\n"
    )
    assert not (tmp_path / "new").exists()
