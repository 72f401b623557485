"""The whole study through the command line (and one coding through the coding screen).

One project is built as a researcher would build it from the bundled demo
study: import, cases and attributes, codebook, coding by hand in the TUI and
on the command line, an inductive code written back to the YAML, suggestions
accepted, a second coder's copy merged, agreement, consensus, matrices, the
report, a REFI-QDA round trip, backup and restore. The final tables are then
checked against figures worked out here from the codings themselves, not
against the program's own arithmetic.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from coder.cli import cli
from coder.reading import document_segments
from coder.store import open_project
from coder.tui.app import CoderApp
from coder.tui.screens.documents import DocumentsScreen
from coder.tui.screens.pick import PickScreen
from coder.tui.screens.transcript import TranscriptScreen

ROOT = Path(__file__).resolve().parents[1]
DOC = "pe-01-farahani"
CODES_COMPARED = ("payment_risk", "sanctions_banking_risk", "needs_identification")


class Study:
    """The study folder and a way to run `coder ...` in it, as alice."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.db = folder / "study.db"
        self.runner = CliRunner()

    def run(self, *args: object, expect: int = 0) -> str:
        result = self.runner.invoke(
            cli,
            [str(a) for a in args],
            env={
                "CODER_PROJECT": str(self.db),
                "CODER_USER": "alice",
                "COLUMNS": "120",
            },
            catch_exceptions=False,
            prog_name="coder",
        )
        assert result.exit_code == expect, f"coder {args}: {result.output}"
        return result.output

    def json(self, *args: object):
        return json.loads(self.run(*args, "--json"))


def code_in_the_coding_screen(db: Path) -> None:
    """Alice opens pe-01-farahani, goes to sentence 37 and codes it payment_risk."""
    with open_project(db, actor="alice") as project:
        app = CoderApp(project, coder="alice")

        async def scenario() -> None:
            async with app.run_test(size=(100, 32)) as pilot:
                await pilot.pause()
                assert isinstance(app.screen, DocumentsScreen)
                await pilot.press("slash", *DOC[:5], "enter", "enter")
                await pilot.pause()
                assert isinstance(app.screen, TranscriptScreen)
                await pilot.press(*["j"] * 36)
                await pilot.press("enter")
                assert isinstance(app.screen, PickScreen)
                await pilot.press(*"payment", "enter")
                await pilot.pause()

        asyncio.run(scenario())


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> Study:
    folder = tmp_path_factory.mktemp("e2e")
    shutil.copytree(ROOT / "transcripts", folder / "transcripts")
    shutil.copytree(ROOT / "codebooks", folder / "codebooks")
    s = Study(folder)
    t, c = folder / "transcripts", folder / "codebooks"

    assert "created project" in s.run("init", s.db)
    assert "imported 9 documents" in s.run("import", t)
    s.run("attributes", "import", t / "attributes.csv")
    s.run("attributes", "import", t / "cases.csv")
    s.run("codebook", "load", c / "export-clusters.yaml")
    s.run("backup", "-o", folder / "bob.db")

    code_in_the_coding_screen(s.db)
    s.run("code", DOC, "--segment", 24, "--code", "needs_identification")
    s.run("code", DOC, "--segment", 38, "--code", "sanctions_banking_risk")
    s.run("codes", "add", "Exchange house", "--parent", "risk_mitigation")
    s.run("code", DOC, "--segment", 40, "--code", "exchange_house")
    s.run("codebook", "write")
    s.run("suggest", "--doc", "pe-02-sadeghi")
    s.run("suggestions", "accept", "--min-score", "0.9")

    gold = t / "gold" / "export-clusters-gold.yaml"
    s.run("codings", "import", "-p", folder / "bob.db", gold, "--coder", "bob")
    s.run("merge", folder / "bob.db")
    s.run("matrix", expect=1)  # two coders, no consensus: it must ask whose
    s.run("consensus", "--coders", "alice,bob")
    return s


def test_the_coding_screen_stored_alices_coding(study):
    codings = study.json("codings", "--doc", DOC, "--coder", "alice")
    sentence_37 = document_segments_of(study, DOC)[36]
    assert ("payment_risk", *sentence_37) in {
        (c["code"], c["start"], c["end"]) for c in codings
    }


def document_segments_of(study, name):
    with open_project(study.db, actor="alice") as project:
        return [
            (s.start, s.end) for s in document_segments(project, name, ("sentence",))
        ]


def test_the_inductive_code_is_written_back_to_the_yaml(study):
    text = (study.folder / "codebooks" / "export-clusters.yaml").read_text(
        encoding="utf-8"
    )
    assert "id: exchange_house" in text
    assert "name: Exchange house" in text
    assert text.startswith(
        (ROOT / "codebooks" / "export-clusters.yaml").read_text()[:200]
    )


def sentence_units(study, coders):
    """Per code: each sentence of the documents every coder coded, as (alice?, bob?)."""
    codings = study.json("codings")
    mine = [c for c in codings if c["coder"] in coders]
    documents = set.intersection(
        *({c["document"] for c in mine if c["coder"] == k} for k in coders)
    )
    units = {}
    for code in CODES_COMPARED:
        rows = []
        for name in sorted(documents):
            spans = {
                k: [
                    (c["start"], c["end"])
                    for c in mine
                    if c["document"] == name and c["code"] == code and c["coder"] == k
                ]
                for k in coders
            }
            for start, end in document_segments_of(study, name):
                rows.append(
                    tuple(
                        any(s < end and e > start for s, e in spans[k]) for k in coders
                    )
                )
        units[code] = rows
    return units


def cohen_kappa(rows):
    n = len(rows)
    observed = sum(a == b for a, b in rows) / n
    p_a = sum(a for a, _ in rows) / n
    p_b = sum(b for _, b in rows) / n
    expected = p_a * p_b + (1 - p_a) * (1 - p_b)
    return (observed - expected) / (1 - expected)


def krippendorff_alpha(rows):
    values = 2 * len(rows)
    ones = sum(a + b for a, b in rows)
    disagreements = sum(a != b for a, b in rows)
    return 1 - (values - 1) * disagreements / (ones * (values - ones))


def test_agreement_matches_the_coefficients_worked_out_from_the_codings(study):
    report = json.loads(
        study.run(
            "agreement",
            "--coders",
            "alice,bob",
            "--bootstrap",
            0,
            "--format",
            "json",
            *[arg for code in CODES_COMPARED for arg in ("--code", code)],
        )
    )
    units = sentence_units(study, ("alice", "bob"))
    by_code = {row["code"]: row for row in report["codes"]}
    for code in CODES_COMPARED:
        rows = units[code]
        assert by_code[code]["units"] == len(rows) == 432
        assert by_code[code]["percent_agreement"] == pytest.approx(
            sum(a == b for a, b in rows) / len(rows), abs=5e-5
        )
        assert by_code[code]["cohen_kappa"] == pytest.approx(
            cohen_kappa(rows), abs=5e-5
        )
        assert by_code[code]["krippendorff_alpha"] == pytest.approx(
            krippendorff_alpha(rows), abs=5e-5
        )
    # The table a reader sees, rounded to three places.
    table = study.run(
        "agreement", "--coders", "alice,bob", "--bootstrap", 0, "--code", "payment_risk"
    )
    line = next(
        ln for ln in table.splitlines() if ln.strip().startswith("payment_risk")
    )
    kappa = cohen_kappa(units["payment_risk"])
    assert f"{kappa:.3f}" in line.split()


def top_level_codes():
    """Each code's top-level ancestor, read from the codebook file itself."""
    tree = YAML(typ="safe").load(
        (ROOT / "codebooks" / "export-clusters.yaml").read_text()
    )
    top = {}

    def walk(codes, root):
        for code in codes:
            top[code["id"]] = root or code["id"]
            walk(code.get("children", []), root or code["id"])

    walk(tree["codes"], None)
    return top


def test_the_theme_matrix_counts_bobs_codings_by_case_and_theme(study):
    matrix = json.loads(
        study.run(
            "matrix",
            "--coder",
            "bob",
            "--cols",
            "level:1",
            "--rollup",
            "--format",
            "json",
        )
    )
    assert matrix["counted"]["coders"] == ["bob"]
    top = top_level_codes()
    expected = {}
    for coding in study.json("codings", "--coder", "bob"):
        key = (coding["case"], top[coding["code"]])
        expected[key] = expected.get(key, 0) + 1
    for r, case in enumerate(matrix["rows"]):
        for c, theme in enumerate(matrix["columns"]):
            assert matrix["cells"][r][c] == expected.get((case, theme), 0), (
                case,
                theme,
            )
    cell = dict(
        zip(
            matrix["columns"],
            matrix["cells"][matrix["rows"].index("Kaveh Power Equipment")],
            strict=True,
        )
    )
    assert (
        cell["export_risks"] == 43
        and cell["trust"] == 33
        and cell["needs_identification"] == 12
    )


def test_with_a_consensus_the_tables_count_the_consensus(study):
    default = json.loads(study.run("matrix", "--format", "json"))
    explicit = json.loads(
        study.run("matrix", "--coder", "consensus", "--format", "json")
    )
    assert default["counted"]["coders"] == ["consensus"]
    assert default["cells"] == explicit["cells"]
    consensus = study.json("codings", "--coder", "consensus")
    assert sum(map(sum, default["cells"])) == len(consensus) > 0


def test_resolving_a_disagreement_writes_the_decision_to_the_consensus(study):
    before = study.json(
        "disagreements", "--coders", "alice,bob", "--code", "sanctions_banking_risk"
    )
    key = before[0]["key"]
    study.run(
        "resolve", key, "--coders", "alice,bob", "--take", "bob", "--memo", "named"
    )
    after = study.json(
        "disagreements",
        "--coders",
        "alice,bob",
        "--code",
        "sanctions_banking_risk",
        "--open-only",
    )
    assert key not in {d["key"] for d in after} and len(after) == len(before) - 1
    consensus = study.json(
        "codings", "--coder", "consensus", "--code", "sanctions_banking_risk"
    )
    assert (before[0]["document"], before[0]["start"], before[0]["end"]) in {
        (c["document"], c["start"], c["end"]) for c in consensus
    }


def test_the_report_and_the_tables_for_the_paper(study):
    report = study.folder / "report.html"
    study.run(
        "report",
        "-o",
        report,
        "--coder",
        "bob",
        "--cols",
        "level:1",
        "--rollup",
        "--bootstrap",
        50,
    )
    html = report.read_text(encoding="utf-8")
    for section in (
        "Codebook and frequencies",
        "Theme matrix",
        "Framework matrix",
        "Code co-occurrence",
        "Saturation",
        "Inter-coder agreement",
    ):
        assert section in html
    assert "Kaveh Power Equipment" in html and "<script" not in html

    md = study.folder / "matrix.md"
    study.run("matrix", "--coder", "bob", "--cols", "level:1", "--rollup", "-o", md)
    kaveh = next(ln for ln in md.read_text().splitlines() if ln.startswith("| Kaveh"))
    assert [cell.strip() for cell in kaveh.strip("|").split("|")][:4] == [
        "Kaveh Power Equipment",
        "12",
        "43",
        "33",
    ]

    xlsx = study.folder / "matrix.xlsx"
    study.run("matrix", "--coder", "bob", "--cols", "level:1", "--rollup", "-o", xlsx)
    from openpyxl import load_workbook

    values = [[c.value for c in row] for row in load_workbook(xlsx).active.iter_rows()]
    assert any(row[:4] == ["Kaveh Power Equipment", 12, 43, 33] for row in values)

    out = study.folder / "codings.csv"
    study.run("export", "codings", "--coder", "bob", "-o", out)
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == 629


def test_a_refi_qda_round_trip_keeps_every_coding_on_its_characters(study):
    package = study.folder / "study.qdpx"
    copy = study.folder / "copy.db"
    study.run("export", "qdpx", "-o", package)
    study.run("import", package, "--create", "-p", copy)

    def names(db):
        """Code id -> name: REFI-QDA codes carry no id, so the import makes them again."""
        found = {}

        def walk(codes):
            for code in codes:
                found[code["id"]] = code["name"]
                walk(code["children"])

        walk(study.json("codebook", "show", "-p", db)["codes"])
        return found

    def codings(db):
        name = names(db)
        return sorted(
            (
                c["document"],
                name[c["code"]],
                c["coder"],
                c["start"],
                c["end"],
                c["text"],
            )
            for c in study.json("codings", "-p", db)
        )

    assert codings(copy) == codings(study.db)
    assert len(codings(copy)) > 629


def test_backup_check_and_restore(study):
    safe = study.folder / "safe.db"
    study.run("backup", "-o", safe)
    assert "ok" in study.run("check")
    count = len(study.json("codings"))
    first = study.json("codings", "--coder", "alice")[0]["id"]
    study.run("uncode", first)
    assert len(study.json("codings")) == count - 1
    study.run("restore", safe)
    assert len(study.json("codings")) == count
    assert "ok" in study.run("check")
