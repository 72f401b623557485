"""`coder suggest`, `coder suggestions ...` and `coder codings import` on the demo project."""

from __future__ import annotations

import json

import pytest

CODINGS = """\
coder: gold
codebook: export-clusters.yaml
codings:
  - document: pe-01-farahani
    code: payment_risk
    quote: "Payment comes first."
  - document: og-01-karimi
    code: payment_risk
    quote: "Payment, payment, and then payment."
"""


@pytest.fixture
def gold_file(tmp_path):
    path = tmp_path / "gold.yaml"
    path.write_text(CODINGS, encoding="utf-8")
    return path


def test_codings_import_then_list(coder, demo_path, gold_file):
    result = coder("codings", "import", "-p", demo_path, gold_file)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "imported 2 codings by gold from gold.yaml\n"
    listed = json.loads(coder("codings", "-p", demo_path, "--json").stdout)
    assert [(c["document"], c["coder"], c["source"]) for c in listed] == [
        ("og-01-karimi", "gold", "import"),
        ("pe-01-farahani", "gold", "import"),
    ]
    again = coder("codings", "import", "-p", demo_path, gold_file, "--coder", "gold")
    assert again.stdout == (
        "imported 0 codings by gold from gold.yaml (2 were already there)\n"
    )


def test_codings_import_errors_are_one_line_each(coder, demo_path, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "codings:\n  - {document: nobody, code: payment_risk, quote: x}\n"
        "  - {document: og-01-karimi, code: payment_risk, quote: Not said at all.}\n",
        encoding="utf-8",
    )
    result = coder("codings", "import", "-p", demo_path, bad)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"coder: error: {bad}:2: entry 1: no document 'nobody'")
    assert lines[1] == (
        f'coder: error: {bad}:3: entry 2: quote not found in og-01-karimi: "Not said at all."'
    )
    assert json.loads(coder("codings", "-p", demo_path, "--json").stdout) == []


def test_suggest_rules_then_review(coder, demo_path):
    made = coder("suggest", "-p", demo_path, "--rules", "--code", "payment_risk")
    assert made.exit_code == 0, made.stderr
    assert made.stdout.startswith("rules: ")
    listed = json.loads(coder("suggestions", "list", "-p", demo_path, "--json").stdout)
    assert listed and {s["code"] for s in listed} == {"payment_risk"}
    assert set(listed[0]) >= {
        "id",
        "document",
        "start",
        "end",
        "text",
        "code",
        "score",
        "reason",
    }
    first = listed[0]
    accepted = coder("suggestions", "accept", "-p", demo_path, str(first["id"]))
    assert accepted.exit_code == 0, accepted.stderr
    assert accepted.stdout == "accepted 1 suggestion: 1 coding by tester\n"
    (coding,) = json.loads(coder("codings", "-p", demo_path, "--json").stdout)
    assert (coding["start"], coding["end"], coding["source"]) == (
        first["start"],
        first["end"],
        "suggestion:rules",
    )
    rejected = coder("suggestions", "reject", "-p", demo_path, str(listed[1]["id"]))
    assert rejected.stdout == "rejected 1 suggestion (as tester)\n"
    left = json.loads(coder("suggestions", "list", "-p", demo_path, "--json").stdout)
    assert len(left) == len(listed) - 2


def test_accept_above_a_score_with_dry_run(coder, demo_path):
    coder("suggest", "-p", demo_path, "--rules")
    pending = json.loads(coder("suggestions", "list", "-p", demo_path, "--json").stdout)
    high = [s for s in pending if s["score"] >= 0.9]
    dry = coder(
        "suggestions", "accept", "-p", demo_path, "--min-score", "0.9", "--dry-run"
    )
    assert dry.exit_code == 0
    assert dry.stdout.splitlines()[-1] == (
        f"would accept {len(high)} suggestions (dry run: nothing changed)"
    )
    assert json.loads(coder("codings", "-p", demo_path, "--json").stdout) == []
    done = coder("suggestions", "accept", "-p", demo_path, "--min-score", "0.9")
    assert (
        done.stdout
        == f"accepted {len(high)} suggestions: {len(high)} codings by tester\n"
    )


def test_decisions_need_ids_or_a_score(coder, demo_path):
    result = coder("suggestions", "reject", "-p", demo_path)
    assert result.exit_code == 1
    assert result.stderr == (
        "coder: error: give suggestion ids, or --min-score to take every pending"
        " suggestion scoring at least that\n"
    )
    missing = coder("suggestions", "accept", "-p", demo_path, "999")
    assert missing.stderr == "coder: error: no suggestion with id 999\n"


def test_learned_without_codings_says_why(coder, demo_path):
    result = coder("suggest", "-p", demo_path, "--learned", "--coder", "nobody")
    assert result.exit_code == 1
    assert "nobody has no codings to learn from" in result.stderr
    default = coder("suggest", "-p", demo_path, "--coder", "nobody")
    assert default.exit_code == 0
    assert "combined: nobody has no codings to learn from" in default.stderr
    # Nothing to learn from yet: the codebook's patterns suggest in its place.
    assert default.stdout.startswith("rules: ")
    listed = json.loads(coder("suggestions", "list", "-p", demo_path, "--json").stdout)
    assert listed and {s["method"] for s in listed} == {"rules"}


def test_evaluate_prints_a_table_per_code(coder, demo_path, gold_file):
    coder("codings", "import", "-p", demo_path, gold_file)
    result = coder(
        "suggest", "-p", demo_path, "--evaluate", "--coder", "gold", "--folds", "2"
    )
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    # 80 columns: two pages of columns, the code and n on each.
    assert lines[0].split() == ["rules"] * 4 + ["learned"] * 3
    assert lines[1].split() == ["code", "n", "P", "R", "F1", "κ", "P", "R", "F1"]
    assert lines[2].split()[:2] == ["payment_risk", "2"]
    assert len(lines[2].split()) == 2 + 7
    assert lines[3].split()[:2] == ["macro", "2"]
    assert lines[4].split()[:2] == ["median", "kappa"]
    assert lines[5] == ""
    assert lines[6].split() == ["learned"] + ["combined"] * 4
    assert lines[7].split() == ["code", "κ", "P", "R", "F1", "κ"]
    assert lines[8].split()[0] == "payment_risk"
    assert all(len(line) <= 80 for line in lines[:9])
    assert "2-fold cross-validation grouped by" in result.stdout
    as_json = json.loads(
        coder(
            "suggest",
            "-p",
            demo_path,
            "--evaluate",
            "--coder",
            "gold",
            "--folds",
            "2",
            "--json",
        ).stdout
    )
    assert as_json["codes"][0]["code"] == "payment_risk"
    assert set(as_json["macro"]) == {"rules", "learned", "combined"}
    assert set(as_json["macro"]["combined"]) == {
        "precision",
        "recall",
        "f1",
        "kappa",
        "median_kappa",
    }
    assert as_json["curve"] == []


def test_suggest_changes_no_codings(coder, demo_path, gold_file):
    coder("codings", "import", "-p", demo_path, gold_file)
    before = coder("codings", "-p", demo_path, "--json").stdout
    result = coder("suggest", "-p", demo_path, "--coder", "gold")
    assert result.exit_code == 0, result.stderr
    assert coder("codings", "-p", demo_path, "--json").stdout == before


def test_evaluate_takes_codes_but_not_documents(coder, demo_path, gold_file):
    coder("codings", "import", "-p", demo_path, gold_file)
    result = coder(
        "suggest",
        "-p",
        demo_path,
        "--evaluate",
        "--coder",
        "gold",
        "--doc",
        "og-01-karimi",
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("coder: error: --doc does not go with --evaluate")
    other = coder(
        "suggest", "-p", demo_path, "--evaluate", "--coder", "gold", "--code", "trust"
    )
    assert other.stderr == "coder: error: gold has not used the codes asked for\n"


def test_curve_prints_figures_after_each_document(coder, demo_path, tmp_path):
    quotes = tmp_path / "three.yaml"
    quotes.write_text(
        CODINGS
        + """  - document: re-02-hosseini
    code: payment_risk
    quote: "Then payment."
""",
        encoding="utf-8",
    )
    imported = coder("codings", "import", "-p", demo_path, quotes)
    assert imported.exit_code == 0, imported.stderr
    result = coder(
        "suggest", "-p", demo_path, "--evaluate", "--curve", "--coder", "gold"
    )
    assert result.exit_code == 0, result.stderr
    lines = [line.strip() for line in result.stdout.splitlines()]
    start = lines.index(next(line for line in lines if line.startswith("documents")))
    assert lines[start].split()[:2] == ["documents", "tested"]
    assert lines[start + 1].split()[:3] == ["trained", "on", "F1"]
    # Three coded documents: after one and after two.
    assert [line.split()[:2] for line in lines[start + 2 : start + 4]] == [
        ["1", "2"],
        ["2", "1"],
    ]
    assert "learning curve: trained on the first documents" in result.stdout
    alone = coder("suggest", "-p", demo_path, "--curve")
    assert alone.exit_code == 1
    assert alone.stderr == "coder: error: --curve goes with --evaluate\n"


def test_suggest_runs_the_combined_model_by_default(coder, demo_path):
    from pathlib import Path

    gold = (
        Path(__file__).parents[2] / "transcripts" / "gold" / "export-clusters-gold.yaml"
    )
    coder("codings", "import", "-p", demo_path, gold)
    result = coder("suggest", "-p", demo_path, "--coder", "gold")
    assert result.exit_code == 0, result.stderr
    (line,) = result.stdout.splitlines()
    assert line.startswith("combined: ")
    assert "gold's model " in line and " codes learned from " in line
    listed = json.loads(
        coder(
            "suggestions", "list", "-p", demo_path, "--json", "--method", "combined"
        ).stdout
    )
    assert listed and {s["method"] for s in listed} == {"combined"}
    version = line.split("gold's model ")[1].split(",")[0]
    # Each names the model that made it and how much it learned from.
    assert all(f"model {version}" in s["reason"] for s in listed)
    assert all(0 <= s["score"] <= 1 for s in listed)
    # Run again with nothing changed: the stored model, the same suggestions.
    again = coder("suggest", "-p", demo_path, "--coder", "gold")
    assert f"gold's model {version}, stored," in again.stdout
    assert "(0 new, 0 updated, 0 withdrawn)" in again.stdout


def test_codes_with_too_few_examples_are_listed_on_one_line():
    from coder.cli.suggest import _grouped

    messages = [
        "trust: 2 coded sentences; needs 1 more to be learned (its rules suggest"
        " meanwhile)",
        "pr_abroad: 0 coded sentences; needs 3 more to be learned (its rules"
        " suggest meanwhile)",
        "export_risks: every read sentence has it; nothing to tell it from",
    ]
    assert _grouped(messages) == [
        "2 codes need more coded sentences to be learned (their rules suggest"
        " meanwhile): trust (1 more), pr_abroad (3 more)",
        "export_risks: every read sentence has it; nothing to tell it from",
    ]
