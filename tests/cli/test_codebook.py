"""The codebook, codes and coding commands, as a user runs them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from coder.cli import cli

DATA = Path(__file__).parent.parent / "data" / "codebooks"


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def study(tmp_path):
    """A project with one interview and the mini codebook loaded."""
    source = tmp_path / "a.txt"
    source.write_text(
        "Q: Who do you trust?\n\nA: The manager. Not the bank. Friends help.\n",
        encoding="utf-8",
    )
    db = tmp_path / "s.db"
    assert run("import", "--create", "-p", db, source).exit_code == 0
    result = run("codebook", "load", "-p", db, DATA / "mini.yaml")
    assert result.exit_code == 0, result.output
    return db


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_load_prints_the_changes(study):
    result = run("codebook", "load", "-p", study, DATA / "mini.yaml", "--dry-run")
    assert result.output == (
        f"codebook 'Mini' version 1 from {DATA / 'mini.yaml'}\n  no changes\ndry run: nothing changed\n"
    )


def test_invalid_codebook_lists_every_error_and_changes_nothing(study):
    before = sha(study)
    result = run("codebook", "load", "-p", study, DATA / "broken.yaml")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 10
    assert (
        lines[0]
        == f"coder: error: {DATA / 'broken.yaml'}:6:13: colour '#12' is not #rrggbb or #rgb"
    )
    assert all(
        line.startswith(f"coder: error: {DATA / 'broken.yaml'}:") for line in lines
    )
    assert sha(study) == before


def test_code_by_segment_list_and_uncode(study):
    result = run(
        "code", "-p", study, "a", "--segment", "2", "--code", "trust", "--coder", "ana"
    )
    assert result.exit_code == 0, result.output
    assert result.output == "coding 1: trust on a [19:31]\n"
    listed = json.loads(run("codings", "-p", study, "--json").output)
    assert listed == [
        {
            "id": 1,
            "document": "a",
            "code": "trust",
            "start": 19,
            "end": 31,
            "coder": "ana",
            "created_at": listed[0]["created_at"],
            "text": "The manager.",
            "memo": None,
            "source": "manual",
            "case": None,
        }
    ]
    show = json.loads(run("codebook", "show", "-p", study, "--json").output)
    assert show["codes"][0]["codings"] == 1
    assert (
        run("uncode", "-p", study, "1").output
        == "removed coding 1: trust on a [19:31]\n"
    )
    assert json.loads(run("codings", "-p", study, "--json").output) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["a", "--start", "0", "--end", "500", "--code", "trust"],
            "span 0-500 is outside a (offsets 0 to 59)",
        ),
        (
            ["b", "--segment", "1", "--code", "trust"],
            "no document 'b' (documents: a)",
        ),
        (
            ["a", "--segment", "1", "--code", "nope"],
            "no code 'nope' (codes: expert_power, informal_network, social_power, trust, trust_members)",
        ),
        (
            ["a", "--code", "trust"],
            "give either --start and --end, or --segment, or --turn",
        ),
    ],
)
def test_coding_errors_are_one_line_and_write_nothing(study, args, message):
    before = sha(study)
    result = run("code", "-p", study, *args)
    assert result.exit_code == 1
    assert result.stderr == f"coder: error: {message}\n"
    assert sha(study) == before


def test_codes_maintenance_commands(study):
    run("code", "-p", study, "a", "--segment", "2", "--code", "trust_members")
    assert run("codes", "rename", "-p", study, "trust", "Trust (all)").output == (
        "renamed trust: 'Trust' -> 'Trust (all)'\n"
    )
    assert run("codes", "move", "-p", study, "trust_members", "--top").output == (
        "moved trust_members: under trust -> under (top)\n"
    )
    assert run("codes", "merge", "-p", study, "trust_members", "trust").stdout == (
        "merged trust_members into trust: 1 coding moved\n"
    )
    result = run(
        "codes",
        "split",
        "-p",
        study,
        "trust",
        "--into",
        "trust_manager:Trust in the manager",
        "--rule",
        "trust_manager=manager",
    )
    assert result.stdout == (
        "split trust into trust_manager (trust_manager: 1); 0 codings left on trust for review\n"
    )
    history = json.loads(run("codebook", "history", "-p", study, "--json").output)
    assert [v["source"] for v in history] == [
        str(DATA / "mini.yaml"),
        "codes rename trust",
        "codes move trust_members",
        "codes merge trust_members trust",
        "codes split trust",
    ]


def test_export_formats(study, tmp_path):
    yaml_text = run("codebook", "export", "-p", study).output
    assert yaml_text.startswith("name: Mini\nversion: '1'\n")
    md = run("codebook", "export", "-p", study, "--format", "md").output
    assert md.startswith(
        "# Codebook: Mini (version 1, revision 1)\n\nA small codebook for tests.\n\n| No. | Code | Id | Codings |"
    )
    assert "| 1.1 | &nbsp;&nbsp;Trust between members | `trust_members` | 0 |" in md
    assert "**Definition.** Willingness to be vulnerable to another party." in md
    assert (
        "> We share, but we lock the drawings. *[borderline: Trust and caution at once.]*"
        in md
    )
    out = tmp_path / "book.html"
    assert (
        run("codebook", "export", "-p", study, "--format", "html", "-o", out).exit_code
        == 0
    )
    html = out.read_text("utf-8")
    assert "<title>Codebook: Mini</title>" in html and 'id="expert_power"' in html
    assert "http" not in html.replace(
        "http-equiv", ""
    )  # nothing fetched from the network
    result = run("codebook", "export", "-p", study, "--format", "qdc")
    assert (
        result.stderr == "coder: error: --format qdc writes a file: give -o FILE.qdc\n"
    )


def test_show_without_codebook_says_how_to_load_one(tmp_path):
    db = tmp_path / "empty.db"
    run("init", db)
    result = run("codebook", "show", "-p", db)
    assert (
        result.stderr
        == "coder: error: the project has no codebook yet; load one with `coder codebook load FILE`\n"
    )


def test_qdc_export_and_load_through_the_cli(study, tmp_path):
    from lxml import etree

    out = tmp_path / "book.qdc"
    assert (
        run("codebook", "export", "-p", study, "--format", "qdc", "-o", out).exit_code
        == 0
    )
    schema = etree.XMLSchema(etree.parse(str(DATA.parent / "refi" / "Codebook.xsd")))
    assert schema.validate(etree.parse(str(out)))
    fresh = tmp_path / "fresh.db"
    run("init", fresh)
    result = run(
        "codebook", "load", "-p", fresh, DATA.parent / "refi" / "taguette_codebook.qdc"
    )
    assert result.exit_code == 0, result.output
    assert "empty <Sets/> ignored" in result.stderr
    assert (
        result.output.splitlines()[-1]
        == "loaded 3 codes: 3 added, 0 renamed, 0 moved, 0 edited, 0 removed"
    )


def test_html_appendix_escapes_names(tmp_path):
    from coder.codebook import Code, Codebook
    from coder.exporters.codebook import codebook_html, codebook_markdown

    book = Codebook("R&D <pilot>", [Code("x", "Costs & <risks>", definition="a < b")])
    html = codebook_html(book)
    assert "Costs &amp; &lt;risks&gt;" in html and "<risks>" not in html
    assert "a &lt; b" in html
    assert "Costs & <risks>" in codebook_markdown(book)
