"""XLSX exports read back with openpyxl: values, sheets, headers, scales, wrapping, widths."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from coder.analysis.framework import framework_matrix
from coder.analysis.theme import theme_matrix
from coder.errors import CoderError
from coder.exporters.formats import export_tables, get_format
from coder.exporters.tables import Table, framework_table, matrix_table
from coder.exporters.xlsx import sheet_name

from .conftest import fixed_module

KAVEH = fixed_module.KAVEH


def test_matrix_sheet(coder_cli, export_path, tmp_path):
    target = tmp_path / "matrix.xlsx"
    result = coder_cli(
        "matrix",
        "-p",
        export_path,
        "--cols",
        "level:1",
        "--rollup",
        "-o",
        target,
        "--coders",
        "ana,ben",
        "--count-each",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr.endswith(f"wrote {target}\n")
    book = load_workbook(target)
    assert book.sheetnames == ["Theme matrix"]
    sheet = book["Theme matrix"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("case", "Needs identification", "Export risks", "Trust")
    assert rows[1][:4] == (KAVEH, 1, 6, 0)
    assert rows[2][:4] == ("Pars Oil & Gas Services", 2, 1, 0)
    assert rows[3][:4] == ("Sepehr Renewables", 0, 0, 1)
    assert len(rows) == 4 and len(rows[0]) == 10
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "B2"
    (scale,) = sheet.conditional_formatting
    assert str(scale.sqref) == "B2:J4"
    assert scale.rules[0].type == "colorScale"
    # Columns fit their longest value.
    assert sheet.column_dimensions["A"].width == len("Pars Oil & Gas Services") + 2


def test_words_are_percent_cells(export_project):
    matrix = theme_matrix(
        export_project, cell="words", rows="case,attr:role", coder="ana"
    )
    book = load_workbook(io.BytesIO(export_tables([matrix_table(matrix)], "xlsx")))
    sheet = book.active
    assert [c.value for c in sheet[1]][:3] == ["case", "role", "Needs identification"]
    assert sheet.freeze_panes == "C2"
    cell = sheet["C2"]
    assert cell.value == pytest.approx(17 / 2093)  # Leila Farahani's interview
    assert cell.number_format == "0.0%"


def test_quotes_wrap_in_the_framework_sheet(export_project):
    framework = framework_matrix(export_project, limit=2, coder="ana")
    tables = [
        matrix_table(theme_matrix(export_project, coder="ana")),
        framework_table(framework),
    ]
    book = load_workbook(io.BytesIO(export_tables(tables, "xlsx")))
    assert book.sheetnames == ["Theme matrix", "Framework matrix"]
    sheet = book["Framework matrix"]
    header = [c.value for c in sheet[1]]
    assert header == ["case", "Code", "Passages", "Summary", "Quotes"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    payment = next(
        r for r in rows if r[0] == KAVEH and r[1] == "Payment and default risk"
    )
    assert payment[2] == 2
    assert payment[4].startswith("“Today, with the certificates in hand")
    assert "\n“Payment comes first." in payment[4]
    quotes = sheet.cell(row=2 + rows.index(payment), column=5)
    assert quotes.alignment.wrap_text
    assert sheet.column_dimensions["E"].width == 70


def test_codings_export(coder_cli, export_path, tmp_path):
    target = tmp_path / "codings.xlsx"
    result = coder_cli("export", "codings", "-p", export_path, "-o", target)
    assert result.exit_code == 0, result.stderr
    sheet = load_workbook(target)["Codings"]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert header[:3] == ["id", "document", "case"]
    assert {
        "role",
        "sector",
        "speaker",
        "start",
        "end",
        "coder",
        "code",
        "text",
    } <= set(header)
    assert len(rows) == 13
    first = dict(zip(header, rows[1], strict=True))
    assert first["document"] == "og-01-karimi"
    assert first["code"] == "government_support"
    assert first["speaker"] == "Hamid Karimi"
    assert first["employees"] == 4
    assert first["text"] == fixed_module.Q_WELL


def test_sheet_names_are_valid_and_unique():
    taken: set[str] = set()
    assert sheet_name("Quotes a/b:c", taken) == "Quotes a b c"
    assert sheet_name("x" * 40, taken) == "x" * 31
    assert sheet_name("x" * 40, taken) == "x" * 29 + " 2"


def test_unknown_format_lists_the_valid_ones():
    with pytest.raises(
        CoderError, match=r"unknown format 'pdf' \(formats: csv, xlsx, md, json, html\)"
    ):
        get_format("pdf")


def test_csv_takes_one_table():
    table = Table("A", ["a"], [[1]], ["int"])
    with pytest.raises(CoderError, match="a CSV file holds one table and this has 2"):
        export_tables([table, table], "csv")
