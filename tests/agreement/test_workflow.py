"""The team workflow on the demo: two copies, merge, agreement, disagreements, consensus."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest
from click.testing import CliRunner

from coder.agreement.report import agreement_report
from coder.agreement.resolution import find_disagreements, resolve, seed_consensus
from coder.agreement.units import reliability_data
from coder.cli import cli
from coder.codes import merge_codes
from coder.coding import apply_coding, list_codings, segment_span
from coder.errors import ConflictError
from coder.memos import get_memo, set_memo
from coder.merge import merge_projects
from coder.store import open_project

DOC = "pe-01-farahani"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def team(demo_template, tmp_path):
    """team.db plus alice's and bob's copies, coded independently."""
    paths = {}
    for name in ("team", "alice", "bob"):
        paths[name] = tmp_path / f"{name}.db"
        shutil.copyfile(demo_template, paths[name])
    plan = {
        "alice": [
            (20, "trust"),
            (21, "trust"),
            (30, "informal_network"),
            (40, "public_relations"),
        ],
        "bob": [
            (20, "trust"),
            (30, "social_power"),
            (40, "public_relations"),
            (41, "public_relations"),
        ],
    }
    for coder, items in plan.items():
        with open_project(paths[coder], actor=coder) as project:
            for sentence, code in items:
                apply_coding(project, DOC, *segment_span(project, DOC, sentence), code)
            set_memo(
                project, "document", DOC, f"{coder}'s reading of the manager interview"
            )
    return paths


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_merge_then_agreement_then_consensus(team):
    result = run("merge", "-p", team["team"], team["alice"], team["bob"])
    assert result.stdout == "merged 8 codings and 2 memos from alice, bob\n"
    # Merging again adds nothing.
    again = run("merge", "-p", team["team"], team["alice"])
    assert (
        again.stdout
        == "merged 0 codings and 0 memos from alice; 4 codings were already here\n"
    )

    with open_project(team["team"], actor="lead") as project:
        assert (
            get_memo(project, "document", DOC, coder="bob")
            == "bob's reading of the manager interview"
        )
        data = reliability_data(project, ["alice", "bob"])
        sentences = project.db.execute(
            "SELECT COUNT(*) FROM segments s JOIN documents d ON d.id = s.document_id"
            " WHERE d.name = ? AND s.kind = 'sentence'",
            [DOC],
        ).fetchone()[0]
        report = agreement_report(data, n_boot=200, seed=1)
        rows = {row.code: row for row in report.rows}
        assert set(rows) == {
            "trust",
            "informal_network",
            "social_power",
            "public_relations",
        }
        assert rows["trust"].units == sentences
        # trust: both on one sentence, alice alone on another: 1 disagreement in n units.
        assert rows["trust"].values["percent_agreement"] == pytest.approx(
            (sentences - 1) / sentences
        )
        assert rows["informal_network"].values["cohen_kappa"] == pytest.approx(0.0)
        assert report.multi_category is not None
        for unit in ("character", "document"):
            other = agreement_report(
                reliability_data(project, ["alice", "bob"], unit=unit), n_boot=0
            )
            assert {row.code for row in other.rows} == set(rows)

        found = find_disagreements(project, ["alice", "bob"])
        assert [(d.code, d.applied_by, d.not_applied_by) for d in found] == [
            ("trust", ["alice"], ["bob"]),
            ("informal_network", ["alice"], ["bob"]),
            ("social_power", ["bob"], ["alice"]),
            ("public_relations", ["bob"], ["alice"]),
        ]
        assert (
            seed_consensus(project, ["alice", "bob"]) == 2
        )  # trust@20 and public_relations@40
        by_code = {d.code: d for d in found}
        resolve(
            project, by_code["trust"], "alice", memo="explicit reliance on the manager"
        )
        resolve(
            project,
            by_code["informal_network"],
            "neither",
            memo="formal meeting, not a network",
        )
        start, end = segment_span(project, DOC, 30)
        resolve(
            project,
            by_code["social_power"],
            "span",
            span=(start, end - 1),
            memo="trimmed",
        )
        consensus = [
            (c.code, c.start, c.end, c.memo)
            for c in list_codings(project, coder="consensus")
        ]
        expected = sorted(
            [
                ("trust", *segment_span(project, DOC, 20), None),
                ("public_relations", *segment_span(project, DOC, 40), None),
                (
                    "trust",
                    *segment_span(project, DOC, 21),
                    "explicit reliance on the manager",
                ),
                ("social_power", start, end - 1, "trimmed"),
            ],
            key=lambda c: (c[1], c[2], c[0]),
        )
        assert sorted(consensus, key=lambda c: (c[1], c[2], c[0])) == expected
        decisions = {
            d.code: (d.decision, d.memo)
            for d in find_disagreements(project, ["alice", "bob"])
        }
        assert decisions["informal_network"] == (
            "neither",
            "formal meeting, not a network",
        )
        assert decisions["public_relations"] == (None, "")
        # Deciding again replaces the earlier decision's coding.
        resolve(project, by_code["trust"], "neither", memo="on second thought")
        assert [
            c for c in list_codings(project, coder="consensus") if c.code == "trust"
        ] == [
            c
            for c in list_codings(project, coder="consensus")
            if c.code == "trust" and c.start == segment_span(project, DOC, 20)[0]
        ]

    # Through the CLI: the remaining disagreement, then agreement of alice with the consensus.
    listed = json.loads(
        run(
            "disagreements",
            "-p",
            team["team"],
            "--coders",
            "alice,bob",
            "--open-only",
            "--json",
        ).output
    )
    assert [d["code"] for d in listed] == ["public_relations"]
    key = listed[0]["key"]
    result = run(
        "resolve",
        "-p",
        team["team"],
        key,
        "--coders",
        "alice,bob",
        "--take",
        "bob",
        "--memo",
        "promotion abroad",
    )
    assert result.output == f"resolved {key}: bob (1 consensus coding)\n"
    table = json.loads(
        run(
            "agreement",
            "-p",
            team["team"],
            "--coders",
            "alice,consensus",
            "--format",
            "json",
            "--bootstrap",
            "0",
        ).output
    )
    assert table["unit"] == "segment" and table["coders"] == ["alice", "consensus"]
    assert table["codebook"].startswith("Export clusters")
    assert {row["code"] for row in table["codes"]} >= {"trust", "public_relations"}


def test_merge_refuses_conflicts_and_changes_nothing(team, tmp_path):
    # A copy whose codebook has a code this project lacks.
    with open_project(team["alice"], actor="alice") as project:
        project.db.execute(
            "INSERT INTO codes (id, name) VALUES ('new_code', 'New code')"
        )
        apply_coding(project, DOC, 0, 10, "new_code")
    before = sha(team["team"])
    with open_project(team["team"]) as project, pytest.raises(ConflictError) as caught:
        merge_projects(project, [team["alice"]])
    assert (
        str(caught.value)
        == f"nothing merged:\n{team['alice']}: code 'new_code' is not in this project's codebook"
    )
    result = run("merge", "-p", team["team"], team["alice"])
    assert result.exit_code == 1
    assert (
        result.stderr.splitlines()[-1]
        == f"coder: error: {team['alice']}: code 'new_code' is not in this project's codebook"
    )
    assert sha(team["team"]) == before


def test_agreement_formats(team, tmp_path):
    run("merge", "-p", team["team"], team["alice"], team["bob"])
    base = [
        "agreement",
        "-p",
        team["team"],
        "--coders",
        "alice,bob",
        "--bootstrap",
        "50",
    ]
    csv_text = run(*base, "--format", "csv").output
    assert csv_text.splitlines()[0].startswith(
        "code,units,prevalence,percent_agreement,percent_agreement_ci_low"
    )
    md = run(*base, "--format", "md").output
    assert "| Code | Units | Prevalence | Percent | Cohen κ |" in md
    assert "Landis & Koch (1977)" in md and "Krippendorff (2004)" in md
    out = tmp_path / "agreement.html"
    run(*base, "--format", "html", "-o", out)
    assert "<h1>Inter-coder agreement</h1>" in out.read_text("utf-8")
    by_case = json.loads(run(*base, "--format", "json", "--by", "case").output)
    assert {row["group"] for row in by_case["codes"]} == {"Kaveh Power Equipment"}
    # The suffix of -o picks the format, as for the matrices.
    written = tmp_path / "agreement.md"
    run(*base, "-o", written, "--segment-kind", "sentence")
    assert "| Code | Units | Prevalence | Percent | Cohen κ |" in written.read_text(
        "utf-8"
    )
    refused = CliRunner().invoke(cli, [*map(str, base), "-o", str(tmp_path / "a.txt")])
    assert refused.exit_code == 1 and "cannot tell the format from '.txt'" in (
        refused.output
    )


def test_merge_refuses_when_the_project_changed_while_reading_the_copies(
    team, monkeypatch
):
    """The copies are read without the write lock; a change meanwhile stops the merge."""
    import coder.merge

    real_open = coder.merge._open_other

    def open_while_someone_edits(path):
        # Another coder removes a code alice used, between planning and storing.
        with open_project(team["team"], actor="carol") as other:
            merge_codes(other, "public_relations", "trust")
        return real_open(path)

    monkeypatch.setattr(coder.merge, "_open_other", open_while_someone_edits)
    with open_project(team["team"]) as project:
        before = project.db.execute("SELECT COUNT(*) FROM codings").fetchone()[0]
        with pytest.raises(ConflictError) as caught:
            merge_projects(project, [team["alice"]])
        assert "changed while the copies were read; nothing merged" in str(caught.value)
        assert (
            project.db.execute("SELECT COUNT(*) FROM codings").fetchone()[0] == before
        )
