"""coder codes add/edit and coder codebook write: the YAML file kept in step, comments and all."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

BUNDLED = Path(__file__).parents[2] / "codebooks" / "export-clusters.yaml"


@pytest.fixture
def study(coder, one_doc, tmp_path):
    """A project with the bundled codebook loaded from a copy of its YAML."""
    copy = tmp_path / "codebook.yaml"
    shutil.copyfile(BUNDLED, copy)
    result = coder("codebook", "load", copy, "-p", one_doc)
    assert result.exit_code == 0, result.output
    return one_doc, copy


def comment_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.lstrip().startswith("#")]


def code_chunks(text: str) -> dict[str, list[str]]:
    """Each code's own lines (up to its first child or next sibling), comments and blank lines left out."""
    chunks: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        found = re.match(r"\s*- id: (\w+)$", line)
        if found:
            current = chunks.setdefault(found[1], [])
        if current is not None and line.strip() and not line.lstrip().startswith("#"):
            current.append(line.strip())
    return chunks


def test_codes_added_edited_and_moved_are_written_back_keeping_the_rest(coder, study):
    db, yaml_file = study
    before = yaml_file.read_text(encoding="utf-8")
    result = coder(
        "codes", "add", "Informal credit", "--parent", "trust",
        "--definition", "Money lent between firms without a bank", "-p", db,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(
        "added informal_credit 'Informal credit' under trust"
    )
    assert (
        coder("codes", "add", "Family ties", "--id", "family", "-p", db).exit_code == 0
    )
    result = coder(
        "codes",
        "edit",
        "payment_risk",
        "--name",
        "Payment risk",
        "--key",
        "y",
        "-p",
        db,
    )
    assert result.stdout == (
        "payment_risk name: 'Payment and default risk' -> 'Payment risk'\n"
        "payment_risk key: (none) -> 'y'\n"
    )
    assert coder("codes", "move", "political_risk", "trust", "-p", db).exit_code == 0

    result = coder("codebook", "write", "-p", db)
    assert result.exit_code == 0, result.stderr
    after = yaml_file.read_text(encoding="utf-8")
    # The diff it printed is the one it applied.
    assert "-        name: Payment and default risk\n+        name: Payment risk\n" in (
        result.stdout
    )
    assert "+      - id: informal_credit\n" in result.stdout
    assert result.stderr == f"wrote {yaml_file}\n"
    # Every comment is there, as written and in order.
    assert comment_lines(after) == comment_lines(before)
    # Codes nobody touched are byte for byte as they were.
    old, new = code_chunks(before), code_chunks(after)
    touched = {"payment_risk", "political_risk"}
    for code_id, lines in old.items():
        if code_id not in touched:
            assert new[code_id] == lines, code_id
    # The moved code keeps its text (under trust it is as deep as it was).
    assert new["political_risk"] == old["political_risk"]
    assert new["informal_credit"] == [
        "- id: informal_credit",
        "name: Informal credit",
        "definition: |",
        "Money lent between firms without a bank",
        'colour: "#955dd6"',
        "key: a",
    ]
    # Loading the written file changes nothing; writing again has nothing to write.
    result = coder("codebook", "load", yaml_file, "-p", db)
    assert "  no changes\n" in result.stdout
    result = coder("codebook", "write", "-p", db)
    assert (result.stdout, result.stderr) == ("", f"{yaml_file}: already up to date\n")


def test_write_refuses_a_file_changed_on_disk_until_loaded_or_forced(coder, study):
    db, yaml_file = study
    coder("codes", "edit", "trust", "--memo", "Ask about banks too.", "-p", db)
    edited = yaml_file.read_text(encoding="utf-8") + "# a note added by hand\n"
    yaml_file.write_text(edited, encoding="utf-8")
    result = coder("codebook", "write", "-p", db)
    assert result.exit_code == 1
    assert result.stderr == (
        f"coder: error: {yaml_file} changed on disk since the codebook was last"
        f" loaded or written: load it first (coder codebook load {yaml_file}) to"
        " take its changes, then write again; or --force to overwrite them\n"
    )
    assert yaml_file.read_text(encoding="utf-8") == edited
    result = coder("codebook", "write", "--force", "-p", db)
    assert result.exit_code == 0, result.stderr
    written = yaml_file.read_text(encoding="utf-8")
    # Written in the style the file had for it: a | block.
    assert "    memo: |\n      Ask about banks too.\n" in written
    # The hand-added comment survives: writing changes only what differs.
    assert written.endswith("# a note added by hand\n")


def test_write_without_a_known_file_asks_for_one(coder, one_doc, tmp_path):
    coder("codes", "add", "Trust", "-p", one_doc)
    result = coder("codebook", "write", "-p", one_doc)
    assert result.exit_code == 1
    assert "does not know the YAML file of its codebook" in result.stderr
    target = tmp_path / "new.yaml"
    result = coder("codebook", "write", target, "-p", one_doc)
    assert result.exit_code == 0, result.stderr
    assert "id: trust" in target.read_text(encoding="utf-8")
    assert coder("codebook", "write", "-p", one_doc).stderr.endswith("up to date\n")


def test_codes_edit_errors_in_one_line(coder, study):
    db, _ = study
    result = coder("codes", "edit", "trust", "-p", db)
    assert result.exit_code == 1
    assert result.stderr.startswith("coder: error: nothing to change: give --name")
    result = coder("codes", "edit", "trust", "--key", "j", "-p", db)
    assert result.stderr == (
        "coder: error: key 'j' is reserved by the coding screen; choose another letter\n"
    )
    result = coder("codes", "add", "Trust", "-p", db)
    assert result.stderr == "coder: error: code 'trust' is already named 'Trust'\n"
