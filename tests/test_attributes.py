"""Typed attributes: inferred from values, overridable, read back typed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from coder.attribute_table import import_csv
from coder.attributes import infer_type, list_attributes, set_values
from coder.cases import list_cases
from coder.cli import cli
from coder.documents import import_transcripts, list_documents
from coder.errors import CoderError

SMALL = Path(__file__).parent / "data" / "projects" / "small"


@pytest.fixture
def small(project):
    """The test project holding alpha, beta and gamma, no attributes yet."""
    import_transcripts(project, [SMALL])
    return project


def _run(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["12", "85", "1,200", "3.5"], "number"),
        (["-4", "", None, "0"], "number"),
        (["2024-05-06", "2024-12-31"], "date"),
        (["manager", "member", "member"], "category"),
        (["Berg Cables", "Rad Valves", "Nouri Solar"], "text"),
        (["2024-05-06", "12"], "text"),
        (["12", "twelve", "twelve"], "category"),
        (["", "  ", None], "text"),
        ([], "text"),
    ],
)
def test_infer_type(values, expected):
    assert infer_type(values) == expected


def test_csv_types_are_inferred(small):
    result = import_csv(small, SMALL / "attributes.csv")
    assert (result.documents, result.cases, result.case_assignments) == (3, 0, 3)
    assert result.attributes == ["role", "employees", "interviewed", "firm"]
    assert {(a.name, a.type) for a in list_attributes(small)} == {
        ("employees", "number"),
        ("firm", "text"),
        ("interviewed", "date"),
        ("role", "category"),
    }


def test_types_can_be_overridden(small):
    import_csv(
        small, SMALL / "attributes.csv", types={"employees": "text", "role": "text"}
    )
    types = {a.name: a.type for a in list_attributes(small)}
    assert types["employees"] == "text"
    assert types["role"] == "text"
    alpha = next(d for d in list_documents(small) if d.name == "alpha")
    assert alpha.attributes["employees"] == "12"


def test_case_column_assigns_cases(small):
    import_csv(small, SMALL / "attributes.csv")
    assert [(c.name, c.documents) for c in list_cases(small)] == [
        ("North Cluster", ["alpha", "beta"]),
        ("South Cluster", ["gamma"]),
    ]
    assert "case" not in {a.name for a in list_attributes(small)}


def test_case_attributes(small):
    import_csv(small, SMALL / "attributes.csv")
    result = import_csv(small, SMALL / "cases.csv")
    assert (result.documents, result.cases) == (0, 2)
    assert [(c.name, c.attributes) for c in list_cases(small)] == [
        ("North Cluster", {"founded": 2017, "region": "north"}),
        ("South Cluster", {"founded": 2016, "region": "south"}),
    ]
    founded = next(a for a in list_attributes(small) if a.name == "founded")
    assert (founded.type, founded.documents, founded.cases) == ("number", 0, 2)


def test_excel_csv_with_bom_and_thousands(small, tmp_path):
    path = tmp_path / "sizes.csv"
    path.write_text(
        'document,employees\nalpha,"1,200"\nbeta,85\n', encoding="utf-8-sig"
    )
    import_csv(small, path)
    values = {d.name: d.attributes for d in list_documents(small)}
    assert values["alpha"] == {"employees": 1200}
    assert values["beta"] == {"employees": 85}
    assert values["gamma"] == {}


def test_an_empty_cell_clears_the_value(small, tmp_path):
    import_csv(small, SMALL / "attributes.csv")
    path = tmp_path / "fix.csv"
    path.write_text("document,firm\nalpha,\n")
    import_csv(small, path)
    alpha = next(d for d in list_documents(small) if d.name == "alpha")
    assert "firm" not in alpha.attributes
    assert alpha.attributes["role"] == "manager"


def test_a_new_type_must_fit_stored_values(small, tmp_path):
    first = tmp_path / "first.csv"
    first.write_text("document,age\nalpha,old\n")
    import_csv(small, first)
    second = tmp_path / "second.csv"
    second.write_text("document,age\nbeta,5\n")
    with pytest.raises(CoderError) as caught:
        import_csv(small, second, types={"age": "number"})
    assert (
        str(caught.value)
        == "attribute 'age' already has a value: 'old' is not a number"
    )
    # Nothing changed, and the documents still read back.
    assert [(a.name, a.type, a.values) for a in list_attributes(small)] == [
        ("age", "text", ["old"])
    ]
    assert {d.name: d.attributes for d in list_documents(small)}["beta"] == {}


def test_a_new_type_is_fine_when_the_file_replaces_the_old_value(small, tmp_path):
    first = tmp_path / "first.csv"
    first.write_text("document,age\nalpha,old\n")
    import_csv(small, first)
    second = tmp_path / "second.csv"
    second.write_text("document,age\nalpha,50\n")
    import_csv(small, second, types={"age": "number"})
    assert [(a.name, a.type, a.values) for a in list_attributes(small)] == [
        ("age", "number", [50])
    ]


def test_set_values_rejects_a_bad_date(small):
    doc_id = list_documents(small)[0].id
    with pytest.raises(CoderError, match="'soon' is not a date"):
        set_values(small, "document", {doc_id: {"due": "soon"}}, types={"due": "date"})
    assert list_attributes(small) == []


def test_cli_types_come_back_typed_in_json(small):
    path = small.path
    result = _run(
        "attributes", "import", SMALL / "attributes.csv", "--type", "firm=category",
        "-p", path,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "set 4 attributes on 3 documents and 0 cases; 3 documents put in cases\n"
    )
    docs = json.loads(_run("docs", "--json", "-p", path).stdout)
    assert docs[0]["attributes"] == {
        "employees": 12,
        "firm": "Berg Cables",
        "interviewed": "2024-05-06",
        "role": "manager",
    }
    listed = json.loads(_run("attributes", "--json", "-p", path).stdout)
    assert [(a["name"], a["type"], a["values"]) for a in listed] == [
        ("employees", "number", [12, 85, 140]),
        ("firm", "category", ["Berg Cables", "Nouri Solar", "Rad Valves"]),
        ("interviewed", "date", ["2024-05-06", "2024-05-07", "2024-05-09"]),
        ("role", "category", ["manager", "member"]),
    ]


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("employees", "--type wants NAME=TYPE, got 'employees'"),
        (
            "employees=integer",
            "unknown attribute type 'integer' (known: text, number, date, category)",
        ),
    ],
)
def test_cli_bad_type_option(small, option, message):
    before = small.db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    result = _run(
        "attributes", "import", SMALL / "attributes.csv", "--type", option,
        "-p", small.path,
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr == f"coder: error: {message}\n"
    assert small.db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == before
    assert list_cases(small) == []
