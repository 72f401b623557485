"""Terminal tables fit the terminal: no cut number or name at 80, 120 or 200 columns."""

from __future__ import annotations

import bisect
import os
import subprocess
import sys

import pytest
from rich.console import Console
from rich.text import Text

from coder.agreement.report import agreement_report
from coder.agreement.units import reliability_data
from coder.cli.fit import Column, pages, print_fitted
from coder.codes import current_codebook
from coder.coding import list_codings, remove_coding
from coder.coding_import import import_codings
from coder.exporters.agreement import fmt
from coder.store import open_project

GOLD = "transcripts/gold/export-clusters-gold.yaml"


def test_pages_keep_the_labels_and_fit_the_rest_in_order():
    # Labels 10 wide; values 8, 8, 8, 30; each column takes 2 more.
    widths = [10, 8, 8, 8, 30]
    assert pages(widths, [0], 80) == [[1, 2, 3, 4]]
    assert pages(widths, [0], 42) == [[1, 2, 3], [4]]
    assert pages(widths, [0], 41) == [[1, 2], [3], [4]]
    assert pages(widths, [0], 20) == [[1], [2], [3], [4]]


def _render(columns, rows, width: int) -> str:
    console = Console(width=width, record=True, color_system=None)
    print_fitted(console, columns, rows, width=width)
    return console.export_text()


def test_a_wide_table_is_paged_never_cut():
    columns = [Column("code", key=True)] + [
        Column(f"Coefficient number {n}", right=True) for n in range(8)
    ]
    rows = [
        ["trust_between_members", *(f"{0.1 * n:.3f}" for n in range(8))],
        ["social_power", *(Text(f"0.9{n}0\n[0.81, 0.97]") for n in range(8))],
    ]
    for width in (80, 120, 200):
        text = _render(columns, rows, width)
        assert "…" not in text
        assert all(len(line) <= width for line in text.splitlines())
        assert text.count("trust_between_members") == len(
            pages([21, *[12] * 8], [0], width)
        )
        for n in range(8):
            assert f"{0.1 * n:.3f}" in text
            assert f"0.9{n}0" in text
        assert text.count("[0.81, 0.97]") == 8
    # Narrow headers wrap at their spaces instead of widening the column.
    assert "Coefficient" in _render(columns, rows, 80).splitlines()[0]


@pytest.fixture(scope="module")
def team_project(tmp_path_factory, demo_template):
    """alice's gold coding and bob's, who left every fourth coding out."""
    path = tmp_path_factory.mktemp("fit") / "team.db"
    path.write_bytes(demo_template.read_bytes())
    with open_project(path) as project:
        import_codings(project, GOLD, coder="alice")
        import_codings(project, GOLD, coder="bob")
        for coding in list_codings(project, coder="bob")[::4]:
            remove_coding(project, coding.id)
    return path


def _coder(path, width: int, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "coder", *args, "-p", str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": str(width)},
        check=True,
    )
    return done.stdout


@pytest.mark.parametrize("width", [80, 160])
def test_the_agreement_table_shows_every_value_and_interval_whole(team_project, width):
    text = _coder(
        team_project, width, "agreement", "--coders", "alice,bob", "--bootstrap", "200"
    )
    with open_project(team_project) as project:
        data = reliability_data(project, ["alice", "bob"], unit="segment")
    report = agreement_report(data, n_boot=200, seed=0)
    assert "…" not in text
    assert all(len(line) <= width for line in text.splitlines())
    lines = text.splitlines()
    for row in report.rows:
        # The full name, on as many lines as there are pages.
        assert any(line.split()[:1] == [row.code] for line in lines), row.code
        for name, value in row.values.items():
            assert fmt(value) in text, (row.code, name)
        for low, high in row.intervals.values():
            assert f"[{fmt(low, 2)}, {fmt(high, 2)}]" in text
    assert "Under each value its 95% bootstrap interval (200 resamples)." in text


@pytest.mark.parametrize("width", [80, 160])
@pytest.mark.parametrize(
    "args",
    [
        ("cooccurrence", "--jaccard", "--coder", "alice"),
        ("cooccurrence", "--coder", "alice"),
        ("matrix", "--rows", "case", "--cols", "level:2", "--coder", "alice"),
        ("matrix", "--rows", "document", "--coder", "alice"),
    ],
    ids=["jaccard", "cooccurrence", "matrix-cases", "matrix-documents"],
)
def test_matrix_tables_never_cut_a_number_or_a_name(team_project, width, args):
    text = _coder(team_project, width, *args)
    assert "…" not in text
    assert all(len(line) <= width for line in text.splitlines())
    with open_project(team_project) as project:
        names = [code.name for code, _, _ in current_codebook(project).walk()]
    if args[0] == "cooccurrence":
        # A code-by-code table keeps every code's whole name on its row.
        for name in names:
            assert name in text, name
    # Every value of the CSV is on screen, to the decimals the terminal shows.
    shown = sorted(float(cell) for cell in text.split() if _number(cell))
    csv_lines = _coder(team_project, width, *args, "--format", "csv").splitlines()
    for line in csv_lines[1:]:
        for value in line.split(",")[1:]:
            if _number(value):
                at = bisect.bisect_left(shown, float(value) - 0.0006)
                assert at < len(shown) and shown[at] <= float(value) + 0.0006, value


def _number(cell: str) -> bool:
    return cell.replace(".", "", 1).isdigit()
