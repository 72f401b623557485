"""Every bad input ends in one line naming the file (and line), exit 1, project untouched."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from coder import __version__
from coder.store.migrations import SCHEMA_VERSION

DATA = Path(__file__).parents[1] / "data"
BAD = DATA / "bad"
SMALL = DATA / "projects" / "small"
KINDS = ".docx, .markdown, .md, .srt, .text, .txt, .vtt, .webvtt"

# (arguments after `coder`, the message after "coder: error: ")
BAD_INPUTS = {
    "missing file": (
        ["import", BAD / "nope.txt"],
        f"{BAD / 'nope.txt'}: no such file or folder",
    ),
    "folder without transcripts": (
        ["import", BAD / "no_transcripts"],
        f"{BAD / 'no_transcripts'}: no transcripts in this folder (looked for {KINDS})",
    ),
    "empty file": (
        ["import", BAD / "empty.txt"],
        f"{BAD / 'empty.txt'}: file is empty",
    ),
    "random bytes named .vtt": (
        ["import", BAD / "garbage.vtt"],
        f"{BAD / 'garbage.vtt'}:1: not text: bytes are neither UTF-8, UTF-16 nor cp1252",
    ),
    "random bytes named .txt": (
        ["import", BAD / "garbage.txt"],
        f"{BAD / 'garbage.txt'}:1: not text: bytes are neither UTF-8, UTF-16 nor cp1252",
    ),
    "control bytes named .srt": (
        ["import", BAD / "garbage.srt"],
        f"{BAD / 'garbage.srt'}: not a text transcript (binary data)",
    ),
    "truncated docx": (
        ["import", BAD / "truncated.docx"],
        f"{BAD / 'truncated.docx'}: not a readable .docx"
        " (broken or truncated zip: File is not a zip file)",
    ),
    "vtt minute 61": (
        ["import", BAD / "bad_timing.vtt"],
        f"{BAD / 'bad_timing.vtt'}:6: malformed timestamp '00:61:00.000'",
    ),
    "srt semicolon": (
        ["import", BAD / "bad_timing.srt"],
        f"{BAD / 'bad_timing.srt'}:6: malformed timestamp '00:00:07;500'",
    ),
    "utf-16 bom with an odd byte": (
        ["import", BAD / "utf16_odd.txt"],
        f"{BAD / 'utf16_odd.txt'}:3: cannot decode as UTF-16: truncated data",
    ),
    "changed file without --replace": (
        ["import", BAD / "changed" / "alpha.txt"],
        f"{BAD / 'changed' / 'alpha.txt'}: the project already has a document 'alpha'"
        " from a different file; use --replace to re-import it",
    ),
    "one bad file of three": (
        ["import", SMALL / "beta.vtt", BAD / "bad_timing.srt", SMALL / "gamma.srt"],
        f"{BAD / 'bad_timing.srt'}:6: malformed timestamp '00:00:07;500'",
    ),
    "attributes for an unknown document": (
        ["attributes", "import", BAD / "attributes_unknown.csv"],
        f"{BAD / 'attributes_unknown.csv'}:3: no document or case 'alpah'; did you mean 'alpha'?",
    ),
    "ragged attributes row": (
        ["attributes", "import", BAD / "attributes_ragged.csv"],
        f"{BAD / 'attributes_ragged.csv'}:3: 4 fields, header has 3",
    ),
    "attribute value against --type": (
        [
            "attributes",
            "import",
            BAD / "attributes_words.csv",
            "--type",
            "employees=number",
        ],
        f"{BAD / 'attributes_words.csv'}:2: column 'employees': 'twelve' is not a number",
    ),
    "unknown document to show": (
        ["show", "alpah"],
        "no document 'alpah'; did you mean 'alpha'?",
    ),
    "case for an unknown document": (
        ["case", "set", "alpah", "North"],
        "no document 'alpah'; did you mean 'alpha'?",
    ),
}


@pytest.mark.parametrize(("args", "message"), BAD_INPUTS.values(), ids=list(BAD_INPUTS))
def test_bad_input_is_one_line_and_changes_nothing(
    coder, state, one_doc, args, message
):
    before = state(one_doc)
    result = coder(*args, "-p", one_doc)
    assert result.exit_code == 1
    assert result.stderr == f"coder: error: {message}\n"
    assert result.stdout == ""
    assert state(one_doc) == before


def test_one_bad_file_of_three_imports_none(coder, one_doc):
    result = coder(
        "import", SMALL / "beta.vtt", BAD / "bad_timing.srt", SMALL / "gamma.srt",
        "-p", one_doc,
    )  # fmt: skip
    assert result.exit_code == 1
    names = [row[0] for row in _rows(one_doc, "SELECT name FROM documents")]
    assert names == ["alpha"]


def _rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _add_codings(path: Path, count: int) -> None:
    """Code the first words of `alpha` directly, as a coding session would."""
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("INSERT INTO coders (name, created_at) VALUES ('ana', 'now')")
        conn.execute("INSERT INTO codes (id, name) VALUES ('need', 'Need')")
        for end in range(5, 5 + count):
            conn.execute(
                'INSERT INTO codings (code_id, document_id, start, "end", coder_id,'
                " created_at) VALUES ('need', 1, 0, ?, 1, 'now')",
                [end],
            )
    conn.close()


def test_replace_with_codings_needs_force(coder, state, one_doc):
    _add_codings(one_doc, 2)
    before = state(one_doc)
    changed = BAD / "changed" / "alpha.txt"
    result = coder("import", changed, "--replace", "-p", one_doc)
    assert result.exit_code == 1
    assert result.stderr == (
        f"coder: error: {changed}: replacing 'alpha' would lose 2 codings;"
        " use --force to replace it anyway\n"
    )
    assert state(one_doc) == before


def test_replace_names_a_single_coding(coder, one_doc):
    _add_codings(one_doc, 1)
    result = coder("import", BAD / "changed" / "alpha.txt", "--replace", "-p", one_doc)
    assert "would lose 1 coding;" in result.stderr


def _text_file(project: Path) -> Path:
    path = project.with_name("notes.db")
    path.write_text("Remember to ask about the bank.\n")
    return path


def _other_app(project: Path) -> Path:
    # Another tool's database, in WAL mode as many apps keep theirs.
    path = project.with_name("other.db")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = wal")
    conn.execute("CREATE TABLE bookmarks (url TEXT)")
    conn.execute("INSERT INTO bookmarks VALUES ('https://example.org')")
    conn.commit()
    conn.close()
    return path


def _newer(project: Path) -> Path:
    # The project with its document, as a later coder would have left it.
    conn = sqlite3.connect(project)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    return project


PROJECT_FILES = {
    "text file": (
        _text_file,
        "{path}: not a coder project (not an SQLite database)",
    ),
    "another app's sqlite": (
        _other_app,
        "{path}: not a coder project (an SQLite file of another tool)",
    ),
    "newer schema": (
        _newer,
        f"{{path}}: written by a newer coder (schema {SCHEMA_VERSION + 1};"
        f" this coder {__version__} knows up to {SCHEMA_VERSION}); upgrade coder to open it",
    ),
}
COMMANDS = {
    "import": ["import", SMALL / "beta.vtt"],
    "docs": ["docs"],
    "info": ["info", "--json"],
    "attributes import": ["attributes", "import", SMALL / "attributes.csv"],
}


@pytest.mark.parametrize("command", COMMANDS.values(), ids=list(COMMANDS))
@pytest.mark.parametrize(
    ("make", "message"), PROJECT_FILES.values(), ids=list(PROJECT_FILES)
)
def test_project_that_coder_cannot_open(coder, state, one_doc, make, message, command):
    path = make(one_doc)
    before = state(path)
    result = coder(*command, "-p", path)
    assert result.exit_code == 1
    assert result.stderr == "coder: error: " + message.format(path=path) + "\n"
    assert state(path) == before


def test_missing_project_is_not_created_by_listing(coder, tmp_path):
    path = tmp_path / "study.db"
    result = coder("docs", "-p", path)
    assert result.exit_code == 1
    assert result.stderr == (
        f"coder: error: {path}: no coder project here;"
        f" create one with `coder init {path}`\n"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ([BAD / "nope.txt"], f"{BAD / 'nope.txt'}: no such file or folder"),
        ([BAD / "empty.txt"], f"{BAD / 'empty.txt'}: file is empty"),
        (
            [SMALL / "alpha.txt", BAD / "bad_timing.vtt"],
            f"{BAD / 'bad_timing.vtt'}:6: malformed timestamp '00:61:00.000'",
        ),
    ],
    ids=["missing file", "empty file", "one bad of two"],
)
def test_failed_import_into_missing_project_leaves_nothing(
    coder, tmp_path, inputs, message
):
    path = tmp_path / "new" / "deeper" / "study.db"
    result = coder("import", *inputs, "--create", "-p", path)
    assert result.exit_code == 1
    assert result.stderr == f"coder: error: {message}\n"
    assert list(tmp_path.iterdir()) == []


def test_failed_import_keeps_folders_that_existed(coder, tmp_path):
    (tmp_path / "mine").mkdir()
    result = coder(
        "import", BAD / "empty.txt", "--create", "-p", tmp_path / "mine" / "study.db"
    )
    assert result.exit_code == 1
    assert list(tmp_path.iterdir()) == [tmp_path / "mine"]
    assert list((tmp_path / "mine").iterdir()) == []
