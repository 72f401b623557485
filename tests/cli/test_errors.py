"""Every error in one style: `coder: error: ...`, a hint line, and a known exit status."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from coder.cli.base import err, out
from coder.errors import CoderError


def restore(path) -> str:
    return (
        f"hint: restore a backup: `coder backups -p {path}` lists them,"
        f" `coder restore -p {path} SNAPSHOT` brings one back\n"
    )


@pytest.fixture
def summarize_raises(monkeypatch):
    """Make `coder info` raise `exc` where it reads the project."""

    def install(exc: BaseException) -> None:
        def raise_it(project):
            raise exc

        monkeypatch.setattr("coder.summary.summarize", raise_it)

    return install


@pytest.fixture
def state_home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("CODER_DEBUG", raising=False)
    return tmp_path / "state" / "coder" / "tracebacks"


def test_success_exits_0(coder, one_doc):
    result = coder("info", "-p", one_doc)
    assert result.exit_code == 0
    assert result.stderr == ""


def test_a_user_error_is_one_line_and_exits_1(coder, tmp_path):
    missing = tmp_path / "nope.db"
    result = coder("info", "-p", missing)
    assert result.exit_code == 1
    assert result.stderr == (
        f"coder: error: {missing}: no coder project here;"
        f" create one with `coder init {missing}`\n"
    )


def test_a_hint_follows_the_message(coder, one_doc, summarize_raises):
    summarize_raises(CoderError("study.db: no codebook yet", hint="load one first"))
    result = coder("info", "-p", one_doc)
    assert result.exit_code == 1
    assert (
        result.stderr
        == "coder: error: study.db: no codebook yet\nhint: load one first\n"
    )


def test_an_error_of_several_problems_prints_one_line_each(
    coder, one_doc, summarize_raises
):
    summarize_raises(CoderError("book.yaml:3: no name\nbook.yaml:9: duplicate id 'x'"))
    result = coder("info", "-p", one_doc)
    assert result.exit_code == 1
    assert result.stderr == (
        "coder: error: book.yaml:3: no name\ncoder: error: book.yaml:9: duplicate id 'x'\n"
    )


def test_a_long_message_is_never_wrapped(coder, one_doc, summarize_raises, monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    message = "transcripts/a03.vtt:41: " + "very long explanation " * 20
    summarize_raises(CoderError(message.strip()))
    result = coder("info", "-p", one_doc)
    assert result.stderr == f"coder: error: {message.strip()}\n"


@pytest.mark.parametrize("console", [out, err], ids=["stdout", "stderr"])
def test_the_rich_consoles_do_not_wrap_lines(console):
    saved = console._width
    console.width = 40
    try:
        with console.capture() as captured:
            console.print("note: " + "word " * 30, markup=False)
    finally:
        console._width = saved
    assert captured.get().count("\n") == 1


@pytest.mark.parametrize(
    "args",
    [["info", "--bogus"], ["--bogus", "info"], ["no-such-command"]],
    ids=["command option", "group option", "command"],
)
def test_a_usage_error_exits_2_in_the_same_style(coder, args):
    result = coder(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    *usage, last = result.stderr.splitlines()
    assert usage[0].startswith("Usage: coder")
    assert re.fullmatch(r"coder: error: No such (option|command) '[-\w]+'\..*", last)


def test_no_command_prints_the_help(coder):
    result = coder()
    assert "Commands:" in result.stdout + result.stderr
    assert "coder: error" not in result.stdout + result.stderr


def test_an_internal_error_exits_3_and_saves_its_traceback(
    coder, one_doc, summarize_raises, state_home
):
    summarize_raises(ValueError("cannot\nparse"))
    result = coder("info", "-p", one_doc)
    assert result.exit_code == 3
    first, hint = result.stderr.splitlines()
    match = re.fullmatch(
        r"coder: error: internal error: ValueError: cannot parse;"
        r" the traceback is in (.+\.txt)",
        first,
    )
    assert match, first
    saved = Path(match.group(1))
    assert saved.parent == state_home
    assert hint == (
        "hint: this is a bug in coder: please report it with that file"
        " (--debug shows the traceback here)"
    )
    text = saved.read_text()
    assert f"command: coder info -p {one_doc}" in text
    assert "Traceback (most recent call last):" in text
    assert "in raise_it" in text
    assert text.endswith("ValueError: cannot\nparse\n")
    assert "Traceback" not in result.stderr


def test_the_traceback_goes_to_the_temp_folder_when_the_state_folder_fails(
    coder, one_doc, summarize_raises, tmp_path, monkeypatch
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker))
    monkeypatch.delenv("CODER_DEBUG", raising=False)
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(temp))
    summarize_raises(KeyError("segment"))
    result = coder("info", "-p", one_doc)
    assert result.exit_code == 3
    [saved] = temp.glob("coder-*.txt")
    assert result.stderr.startswith(
        f"coder: error: internal error: KeyError: 'segment'; the traceback is in {saved}\n"
    )


@pytest.mark.parametrize("how", ["option", "environment"])
def test_debug_shows_the_traceback_instead(
    coder, one_doc, summarize_raises, state_home, monkeypatch, how
):
    summarize_raises(ValueError("cannot parse"))
    if how == "option":
        result = coder("--debug", "info", "-p", one_doc)
    else:
        monkeypatch.setenv("CODER_DEBUG", "1")
        result = coder("info", "-p", one_doc)
    assert result.exit_code == 3
    assert result.stderr.startswith("Traceback (most recent call last):\n")
    assert result.stderr.endswith(
        "ValueError: cannot parse\ncoder: error: internal error: ValueError: cannot parse\n"
    )
    assert not state_home.exists()


def test_an_interrupt_exits_130_with_one_line(coder, one_doc, summarize_raises):
    summarize_raises(KeyboardInterrupt())
    result = coder("info", "-p", one_doc)
    assert result.exit_code == 130
    assert result.stderr == "coder: interrupted\n"


def test_a_project_locked_by_another_writer_is_one_line(coder, one_doc, monkeypatch):
    monkeypatch.setenv("CODER_BUSY_TIMEOUT", "0.1")
    holder = sqlite3.connect(one_doc, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        result = coder("case", "set", "alpha", "North", "-p", one_doc)
    finally:
        holder.close()
    assert result.exit_code == 1
    assert result.stderr.startswith(f"coder: error: {one_doc}: the project is busy")
    assert all(
        line.startswith(("coder: error: ", "hint: "))
        for line in result.stderr.splitlines()
    )
    assert "Traceback" not in result.stderr


def test_database_is_locked_reaching_the_top_is_a_busy_message(
    coder, one_doc, summarize_raises
):
    summarize_raises(sqlite3.OperationalError("database is locked"))
    result = coder("info", "-p", one_doc)
    assert result.exit_code == 1
    assert result.stderr == (
        f"coder: error: {one_doc}: the project is busy: another coder process is"
        " writing to it and did not finish in time\n"
        "hint: try again in a moment, or set CODER_BUSY_TIMEOUT=SECONDS to wait longer\n"
    )


def _damage(path: Path, how: str) -> None:
    data = bytearray(path.read_bytes())
    if how == "malformed":
        # Keep the first page (the header and the schema's root), garble the rest.
        for i in range(4096, len(data)):
            data[i] = 0xAB if i % 3 else 0x00
    else:
        data[16:18] = b"\x00\x03"  # a page size SQLite refuses
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("how", "detail"),
    [
        ("malformed", "database disk image is malformed"),
        ("not a database", "file is not a database"),
    ],
)
def test_a_damaged_project_names_the_file_and_the_backups(coder, one_doc, how, detail):
    _damage(one_doc, how)
    result = coder("info", "-p", one_doc)
    assert result.exit_code == 1
    assert result.stderr == (
        f"coder: error: {one_doc}: the project file is damaged ({detail})\n"
        + restore(one_doc)
    )


def test_a_damaged_project_through_the_real_entry_point(one_doc):
    """`python -m coder`, as a shell runs it: the same line, exit 1."""
    _damage(one_doc, "malformed")
    env = {**os.environ, "CODER_DEBUG": ""}
    done = subprocess.run(
        [sys.executable, "-m", "coder", "info", "-p", str(one_doc)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr == (
        f"coder: error: {one_doc}: the project file is damaged"
        " (database disk image is malformed)\n" + restore(one_doc)
    )


def test_another_sqlite_error_is_an_internal_error(
    coder, one_doc, summarize_raises, state_home
):
    summarize_raises(sqlite3.IntegrityError("UNIQUE constraint failed: codes.id"))
    result = coder("info", "-p", one_doc)
    assert result.exit_code == 3
    assert result.stderr.startswith(
        "coder: error: internal error: IntegrityError:"
        " UNIQUE constraint failed: codes.id; the traceback is in "
    )
