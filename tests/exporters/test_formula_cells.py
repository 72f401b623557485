"""No CSV or XLSX export hands a spreadsheet a live formula (OWASP CSV injection).

A small project whose attribute values, case, speaker and code names, memos and
quoted text start with ``=``, ``+``, ``-`` or ``@`` goes through every command
that writes CSV or XLSX; each file is read back and no cell may be a formula.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from coder.cli import cli
from coder.exporters.cells import FORMULA_START, formula_like, spreadsheet_safe

SMALL = Path(__file__).parents[1] / "data" / "projects" / "small"

CMD = "=cmd|' /C calc'!A0"
LINK = '=HYPERLINK("http://x","y")'
PLUS = "+1+1"
MINUS = "-2+3"
AT = "@SUM(A1)"
# The text of the first turn of delta (a quote that opens with a formula).
SAID = f"{LINK} was the link in the survey?"

# A turn that opens with a formula, spoken by a speaker whose name is one.
DELTA = f"""Interviewer: {LINK} was the link in the survey?

Mallory: {MINUS} is what I wrote. Nothing else.

Interviewer: Anything more?

Mallory: No.
"""

ATTRIBUTES = f"""document,role,employees
alpha,"{CMD.replace('"', '""')}",-5
beta,{PLUS},85
gamma,{MINUS},140
delta,{AT},-0.25
"""

BOOK = f"""name: Formulas
codes:
  - id: link
    name: '{LINK}'
  - id: plain
    name: '{AT} plain'
  - id: minus
    name: '{MINUS}'
"""

# arguments, then the texts the CSV and the XLSX must hold (behind a quote):
# CSV headers name codes by id, XLSX headers by name.
COMMANDS = {
    "export codings": (
        ["export", "codings"],
        [CMD, LINK, PLUS, MINUS, AT, f"{AT} plain", SAID],
        [CMD, LINK, PLUS, MINUS, AT, f"{AT} plain", SAID],
    ),
    "matrix": (
        ["matrix", "--rows", "case,attr:role"],
        [CMD, PLUS, MINUS, AT],
        [CMD, PLUS, MINUS, AT, LINK],
    ),
    "quotes": (["quotes", "--code", "link"], [AT, MINUS, SAID], [AT, MINUS, SAID]),
    "cooccurrence": (["cooccurrence"], [LINK, MINUS], [LINK, MINUS]),
    "saturation": (
        ["saturation", "--order", "attr:role"],
        [CMD, PLUS, AT],
        [CMD, PLUS, AT],
    ),
    "frequencies": (["frequencies"], [LINK, MINUS], [LINK, MINUS]),
    "crosstab": (
        ["crosstab", "role"],
        [f"{CMD}_pct", f"{PLUS}_pct", MINUS],
        [f"{CMD} %", f"{PLUS} %", MINUS],
    ),
}


def _run(*args: object, check: bool = True):
    result = CliRunner().invoke(
        cli,
        [str(a) for a in args],
        catch_exceptions=False,
        prog_name="coder",
        env={"CODER_USER": "tester", "CODER_PROJECT": None},
    )
    if check:
        assert result.exit_code == 0, (args, result.stderr)
    return result


@pytest.fixture(scope="module")
def formula_template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("formulas")
    transcripts = folder / "transcripts"
    transcripts.mkdir()
    for name in ("alpha.txt", "beta.vtt", "gamma.srt"):
        shutil.copyfile(SMALL / name, transcripts / name)
    (transcripts / "delta.txt").write_text(DELTA, encoding="utf-8")
    (folder / "attributes.csv").write_text(ATTRIBUTES, encoding="utf-8")
    (folder / "book.yaml").write_text(BOOK, encoding="utf-8")
    path = folder / "study.db"
    _run("import", transcripts, "--create", "-p", path)
    _run("attributes", "import", folder / "attributes.csv", "-p", path)
    _run("case", "set", "alpha", AT, "-p", path)
    _run("case", "set", "-p", path, "--", "delta", MINUS)
    _run("codebook", "load", folder / "book.yaml", "-p", path)
    for coder in ("ana", "ben"):
        _run("code", "alpha", "--turn", 2, "--code", "link", "--memo", CMD,
             "--coder", coder, "-p", path)  # fmt: skip
        _run("code", "beta", "--turn", 2, "--code", "minus", "--memo", PLUS,
             "--coder", coder, "-p", path)  # fmt: skip
        _run("code", "delta", "--turn", 1, "--code", "link", "--memo", LINK,
             "--coder", coder, "-p", path)  # fmt: skip
    _run("code", "delta", "--turn", 2, "--code", "plain", "--memo", MINUS,
         "--coder", "ana", "-p", path)  # fmt: skip
    _run("code", "gamma", "--turn", 2, "--code", "minus", "--memo", AT,
         "--coder", "ben", "-p", path)  # fmt: skip
    return path


@pytest.fixture
def formula_project(formula_template, tmp_path) -> Path:
    target = tmp_path / "study.db"
    shutil.copyfile(formula_template, target)
    return target


def _csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _assert_safe_csv(cells: list[str]) -> None:
    for cell in cells:
        # A cell that opens like a formula is a plain number, or quoted away.
        assert not formula_like(cell), f"live formula in CSV: {cell!r}"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_csv_exports_quote_formulas(formula_project, name):
    args, expected, _ = COMMANDS[name]
    if args[0] != "export":
        args = (*args, "--coders", "ana,ben", "--count-each")
    result = _run(*args, "--format", "csv", "-p", formula_project)
    cells = _csv_cells(result.stdout)
    _assert_safe_csv(cells)
    for payload in expected:
        assert "'" + payload in cells, f"{payload!r} not in {name}'s CSV"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_xlsx_exports_write_text_as_text(formula_project, tmp_path, name):
    args, _, expected = COMMANDS[name]
    target = tmp_path / "out.xlsx"
    if args[0] != "export":
        args = (*args, "--coders", "ana,ben", "--count-each")
    _run(*args, "-o", target, "-p", formula_project)
    book = load_workbook(target)
    values = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (
                    f"formula in {cell.coordinate}: {cell.value!r}"
                )
                if isinstance(cell.value, str):
                    assert cell.data_type == "s"
                    # Shown as written, and text even when edited in Excel.
                    assert cell.quotePrefix == formula_like(cell.value), cell.value
                values.append(cell.value)
    for payload in expected:
        assert payload in values, f"{payload!r} not in {name}'s XLSX"


def test_codings_export_keeps_numbers_numeric(formula_project, tmp_path):
    """A negative number attribute is a number, in CSV and XLSX alike."""
    result = _run("export", "codings", "--format", "csv", "-p", formula_project)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    by_document = {row["document"]: row for row in rows}
    assert by_document["alpha"]["employees"] == "-5"
    assert by_document["delta"]["employees"] == "-0.25"
    assert by_document["alpha"]["role"] == "'" + CMD
    assert by_document["alpha"]["memo"] == "'" + CMD
    assert by_document["delta"]["case"] == "'" + MINUS

    target = tmp_path / "codings.xlsx"
    _run("export", "codings", "-o", target, "-p", formula_project)
    sheet = load_workbook(target).active
    header = [cell.value for cell in sheet[1]]
    column = header.index("employees")
    numbers = {
        row[header.index("document")].value: row[column]
        for row in sheet.iter_rows(min_row=2)
    }
    assert numbers["alpha"].value == -5 and numbers["alpha"].data_type == "n"
    assert numbers["delta"].value == -0.25 and numbers["delta"].data_type == "n"


def test_agreement_csv_quotes_case_and_code_names(formula_project):
    result = _run(
        "agreement", "--coders", "ana,ben", "--by", "case", "--bootstrap", 0,
        "--format", "csv", "-p", formula_project,
    )  # fmt: skip
    cells = _csv_cells(result.stdout)
    _assert_safe_csv(cells)
    assert "'" + AT in cells  # alpha's case
    assert "link" in cells  # codes by id here


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        (CMD, "'" + CMD),
        (LINK, "'" + LINK),
        (PLUS, "'" + PLUS),
        (MINUS, "'" + MINUS),
        (AT, "'" + AT),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("- a bullet in a memo", "'- a bullet in a memo"),
        ("-0.25", "-0.25"),  # text that is only a number stays that number
        ("+3", "+3"),
        ("1e-5", "1e-5"),
        ("1+1", "1+1"),
        ("plain", "plain"),
        ("", ""),
        (-0.25, -0.25),
        (-5, -5),
        (None, None),
    ],
)
def test_spreadsheet_safe(value, safe):
    assert spreadsheet_safe(value) == safe


def test_every_formula_start_is_quoted():
    for start in FORMULA_START:
        assert spreadsheet_safe(start + "x") == "'" + start + "x"
