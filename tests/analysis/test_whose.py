"""Whose codings an analysis counts: one rule for every command, the report and the TUI.

A three-coder project: alice and bob coded the same payment passage (their
spans differ by a few characters) and, on the currency passage, alice chose
currency risk where bob chose input cost risk; the consensus kept payment
risk only. Every analysis must count the consensus by default, refuse when
two coders and no consensus coded, count a passage once when coders are
pooled, split by coder on request, and never pair codings of two coders.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from coder.analysis.scope import CoderChoiceError, whose_codings
from coder.coding import apply_coding
from coder.exporters.report import ReportOptions, build_report
from coder.store import open_project

from .fixed import PE, Q_CURRENCY, Q_PAYMENT, place

REFUSAL = (
    "coder: error: 2 coders have codings (alice, bob) and none is 'consensus':"
    " choose one with --coder NAME, pool them on purpose with --coders alice,bob"
    " (a passage coded by several counts once), or split the table with"
    " --by-coder\n"
)

# Each analysis command with the options that make its JSON easy to read.
COMMANDS = {
    "matrix": ["matrix", "--rows", "document"],
    "frequencies": ["frequencies"],
    "cooccurrence": ["cooccurrence"],
    "crosstab": ["crosstab", "role", "--cell", "codings"],
    "saturation": ["saturation"],
    "quotes": ["quotes", "--code", "payment_risk"],
}


def _code(project, coder: str, quote: str, code: str, shift: int = 0) -> None:
    start, end = place(project, PE, quote)
    apply_coding(project, PE, start + shift, end, code, coder=coder)


@pytest.fixture
def team_path(demo_path):
    with open_project(demo_path, actor="tester") as project:
        _code(project, "alice", Q_PAYMENT, "payment_risk")
        _code(project, "bob", Q_PAYMENT, "payment_risk", shift=4)
        _code(project, "alice", Q_CURRENCY, "currency_risk")
        _code(project, "bob", Q_CURRENCY, "input_cost_risk")
    return demo_path


@pytest.fixture
def consensus_path(team_path):
    with open_project(team_path, actor="tester") as project:
        _code(project, "consensus", Q_PAYMENT, "payment_risk")
    return team_path


def run_json(coder_cli, path, name, *extra):
    result = coder_cli(*COMMANDS[name], *extra, "-p", path, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def counts(name: str, data: dict) -> dict[str, int]:
    """Codings (or passages) per code, read from each command's JSON."""
    if name in ("matrix", "cooccurrence"):
        found = {}
        for j, code in enumerate(data["columns"]):
            if name == "matrix":
                found[code] = sum(line[j] for line in data["cells"])
            else:
                found[code] = data["cells"][j][j]
        return {code: n for code, n in found.items() if n}
    if name == "frequencies":
        return {c["code"]: c["codings"] for c in data["codes"] if c["codings"]}
    if name == "crosstab":
        return {c["code"]: c["total"] for c in data["codes"] if c["total"]}
    if name == "saturation":
        return {"new codes": sum(d["new"] for d in data["documents"])}
    return {"payment_risk": len(data["quotes"])}


def pairs(data: dict) -> dict[tuple[str, str], int]:
    columns = data["columns"]
    return {
        (a, b): data["cells"][i][j]
        for i, a in enumerate(columns)
        for j, b in enumerate(columns)
        if i < j and data["cells"][i][j]
    }


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_consensus_counts_by_default(coder_cli, consensus_path, name):
    data = run_json(coder_cli, consensus_path, name)
    expected = {
        "saturation": {"new codes": 1},
    }.get(name, {"payment_risk": 1})
    assert counts(name, data) == expected
    assert data["counted"]["coders"] == ["consensus"]
    assert data["counted"]["text"].startswith("codings of consensus (the consensus)")
    if name == "quotes":
        assert data["quotes"][0]["coders"] == ["consensus"]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_two_coders_without_a_consensus_are_refused(coder_cli, team_path, name):
    result = coder_cli(*COMMANDS[name], "-p", team_path)
    assert result.exit_code == 1
    assert result.stderr == REFUSAL
    assert result.stdout == ""


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_pooled_coders_count_a_passage_once(coder_cli, consensus_path, name):
    pooled = run_json(coder_cli, consensus_path, name, "--coders", "alice,bob")
    each = run_json(
        coder_cli, consensus_path, name, "--coders", "alice,bob", "--count-each"
    )
    assert pooled["counted"]["pooled"] and not each["counted"]["pooled"]
    if name == "saturation":
        assert counts(name, pooled) == counts(name, each) == {"new codes": 3}
        return
    if name == "quotes":
        # One passage, both coders named on it.
        assert counts(name, pooled) == {"payment_risk": 1}
        assert pooled["quotes"][0]["coders"] == ["alice", "bob"]
        assert counts(name, each) == {"payment_risk": 2}
        return
    assert counts(name, pooled) == {
        "payment_risk": 1,
        "currency_risk": 1,
        "input_cost_risk": 1,
    }
    assert counts(name, each) == {
        "payment_risk": 2,
        "currency_risk": 1,
        "input_cost_risk": 1,
    }


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_by_coder_splits(coder_cli, consensus_path, name):
    data = run_json(coder_cli, consensus_path, name, "--by-coder")
    split = data["by_coder"]
    assert list(split) == ["alice", "bob", "consensus"]
    assert data["counted"]["by_coder"] == ["alice", "bob", "consensus"]
    found = {coder: counts(name, part) for coder, part in split.items()}
    if name == "saturation":
        assert found == {
            "alice": {"new codes": 2},
            "bob": {"new codes": 2},
            "consensus": {"new codes": 1},
        }
    elif name == "quotes":
        assert found == {coder: {"payment_risk": 1} for coder in split}
    else:
        assert found == {
            "alice": {"payment_risk": 1, "currency_risk": 1},
            "bob": {"payment_risk": 1, "input_cost_risk": 1},
            "consensus": {"payment_risk": 1},
        }


def test_by_coder_csv_has_a_coder_column(coder_cli, consensus_path):
    result = coder_cli(
        "frequencies", "--by-coder", "-p", consensus_path, "--format", "csv"
    )
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    coded = {(r["coder"], r["code"]) for r in rows if r["codings"] != "0"}
    assert coded == {
        ("alice", "payment_risk"),
        ("alice", "currency_risk"),
        ("bob", "payment_risk"),
        ("bob", "input_cost_risk"),
        ("consensus", "payment_risk"),
    }


def test_cooccurrence_never_pairs_codings_of_two_coders(coder_cli, consensus_path):
    # alice's currency risk and bob's input cost risk share one passage.
    each = run_json(
        coder_cli,
        consensus_path,
        "cooccurrence",
        "--coders",
        "alice,bob",
        "--count-each",
    )
    assert pairs(each) == {}
    for mode in ("overlap", "segment"):
        split = run_json(
            coder_cli, consensus_path, "cooccurrence", "--by-coder", "--mode", mode
        )
        assert all(pairs(part) == {} for part in split["by_coder"].values())
    # Pooled on purpose, the two coders' passages are one set: they meet once.
    pooled = run_json(
        coder_cli, consensus_path, "cooccurrence", "--coders", "alice,bob"
    )
    assert pairs(pooled) == {("currency_risk", "input_cost_risk"): 1}


def test_the_rule_in_the_core(consensus_path):
    with open_project(consensus_path, actor="tester") as project:
        assert whose_codings(project).coders == ("consensus",)
        assert whose_codings(project, coder="bob").coders == ("bob",)
    with open_project(consensus_path, actor="tester") as project:
        project.db.execute(
            "DELETE FROM codings WHERE coder_id = (SELECT id FROM coders WHERE name = ?)",
            ["consensus"],
        )
        with pytest.raises(CoderChoiceError):
            whose_codings(project)
        project.db.execute(
            "DELETE FROM codings WHERE coder_id = (SELECT id FROM coders WHERE name = ?)",
            ["bob"],
        )
        only = whose_codings(project)
        assert only.coders == ("alice",) and only.why == "the only coder"


def test_the_report_counts_the_consensus_and_says_so(team_path):
    with open_project(team_path, actor="tester") as project:
        with pytest.raises(CoderChoiceError):
            build_report(project, ReportOptions(bootstrap=0))
        pooled = build_report(
            project, ReportOptions(bootstrap=0, coders=("alice", "bob"))
        )
        _code(project, "consensus", Q_PAYMENT, "payment_risk")
        html = build_report(project, ReportOptions(bootstrap=0))
    assert "Counted: codings of alice and bob pooled" in pooled
    assert "Counted: codings of consensus (the consensus); codebook" in html


def test_the_report_command_refuses_or_splits_into_one_file_per_coder(
    coder_cli, team_path, tmp_path
):
    target = tmp_path / "r.html"
    result = coder_cli("report", "-p", team_path, "-o", target, "--bootstrap", "0")
    assert result.exit_code == 1
    assert result.stderr == REFUSAL
    assert not target.exists()
    result = coder_cli(
        "report", "-p", team_path, "-o", target, "--bootstrap", "0", "--by-coder"
    )
    assert result.exit_code == 0, result.stderr
    assert not target.exists()
    for coder in ("alice", "bob"):
        html = (tmp_path / f"r-{coder}.html").read_text(encoding="utf-8")
        assert f"Counted: codings of {coder}; codebook" in html
