"""Cases group documents; `coder case set` puts a document in one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from coder.cases import ensure_case, list_cases, set_case
from coder.cli import cli
from coder.documents import import_transcripts, list_documents
from coder.errors import NotFoundError

SMALL = Path(__file__).parent / "data" / "projects" / "small"


@pytest.fixture
def small(project):
    import_transcripts(project, [SMALL])
    return project


def _run(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def _case_events(project) -> list[tuple[str, str, dict]]:
    return [
        (action, entity, json.loads(data))
        for action, entity, data in project.db.execute(
            "SELECT action, entity, data FROM events"
            " WHERE entity = 'case' OR action = 'set_case' ORDER BY id"
        )
    ]


def test_ensure_case_creates_once(project):
    first = ensure_case(project, " North ")
    assert ensure_case(project, "North") == first
    assert [c.name for c in list_cases(project)] == ["North"]
    assert _case_events(project) == [("create", "case", {"name": "North"})]


def test_a_case_needs_a_name(project):
    with pytest.raises(NotFoundError, match="a case needs a name"):
        ensure_case(project, "  ")


def test_set_case_moves_and_removes(small):
    set_case(small, "alpha", "North")
    set_case(small, "beta", "North")
    set_case(small, "alpha", "South")
    assert [(c.name, c.documents) for c in list_cases(small)] == [
        ("North", ["beta"]),
        ("South", ["alpha"]),
    ]
    set_case(small, "alpha", None)
    assert {d.name: d.case for d in list_documents(small)} == {
        "alpha": None,
        "beta": "North",
        "gamma": None,
    }
    # An emptied case stays: it may hold attributes.
    assert [c.name for c in list_cases(small)] == ["North", "South"]


def test_set_case_on_unknown_document_creates_nothing(small):
    with pytest.raises(NotFoundError):
        set_case(small, "delta", "North")
    assert list_cases(small) == []


def test_cli_case_set_creates_the_case(small):
    result = _run("case", "set", "gamma", "South Cluster", "-p", small.path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "gamma is in case 'South Cluster'\n"
    listed = json.loads(_run("cases", "--json", "-p", small.path).stdout)
    assert listed == [
        {"name": "South Cluster", "documents": ["gamma"], "attributes": {}}
    ]
    assert _case_events(small) == [
        ("create", "case", {"name": "South Cluster"}),
        ("set_case", "document", {"case": "South Cluster", "document": "gamma"}),
    ]


def test_cli_cases_table(small):
    set_case(small, "alpha", "North")
    set_case(small, "beta", "North")
    result = _run("cases", "-p", small.path)
    assert result.exit_code == 0
    lines = [line.split() for line in result.stdout.splitlines()]
    assert lines == [["case", "documents", "names"], ["North", "2", "alpha,", "beta"]]
