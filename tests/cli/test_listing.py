"""Listing commands: stable JSON keys, readable tables, one-line errors."""

from __future__ import annotations

import json
import sqlite3

import pytest

from coder.store.migrations import SCHEMA_VERSION

DOC_KEYS = {
    "name", "file", "format", "case", "attributes", "speakers", "turns",
    "sentences", "words", "language", "sha256", "imported_at",
}  # fmt: skip
SEGMENT_KEYS = {
    "id",
    "kind",
    "start",
    "end",
    "speaker",
    "start_time",
    "end_time",
    "text",
}
INFO_KEYS = {
    "project", "schema_version", "schema_version_supported", "created_at",
    "size_bytes", "words", "documents", "cases", "speakers", "attributes",
    "coders", "codes", "codings", "memos", "events", "turns", "paragraphs",
    "sentences",
}  # fmt: skip


def _json(coder, *args):
    result = coder(*args, "--json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout)


def _text(path, name: str) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT text FROM documents WHERE name = ?", [name]
        ).fetchone()[0]
    finally:
        conn.close()


def test_docs_json(coder, small):
    docs = _json(coder, "docs", "-p", small)
    assert [d["name"] for d in docs] == ["alpha", "beta", "gamma"]
    assert all(set(d) == DOC_KEYS for d in docs)
    beta = docs[1]
    assert beta["file"] == "beta.vtt"
    assert beta["format"] == "vtt"
    assert beta["case"] == "North Cluster"
    assert beta["speakers"] == ["Interviewer", "Omid Rad"]
    assert beta["turns"] == 4
    assert beta["language"] == "en"
    assert beta["attributes"]["employees"] == 85


def test_docs_filtered_by_case(coder, small):
    docs = _json(coder, "docs", "--case", "South Cluster", "-p", small)
    assert [d["name"] for d in docs] == ["gamma"]


@pytest.mark.parametrize("name", ["alpha", "beta", "gamma"])
def test_show_json_segments_are_slices_of_the_text(coder, small, name):
    shown = _json(coder, "show", name, "-p", small)
    assert set(shown) == {"document", "case", "attributes", "segments"}
    assert shown["document"] == name
    text = _text(small, name)
    assert shown["segments"]
    for segment in shown["segments"]:
        assert set(segment) == SEGMENT_KEYS
        assert segment["kind"] in {"turn", "sentence"}
        assert segment["text"] == text[segment["start"] : segment["end"]]
    turns = [s for s in shown["segments"] if s["kind"] == "turn"]
    # The turns cover every word of the document.
    assert " ".join(t["text"] for t in turns).split() == text.split()


def test_show_json_has_speakers_and_times(coder, small):
    shown = _json(coder, "show", "beta", "-p", small)
    assert shown["case"] == "North Cluster"
    turns = [
        (s["speaker"], s["start_time"], s["end_time"], s["text"])
        for s in shown["segments"]
        if s["kind"] == "turn"
    ]
    assert turns == [
        ("Interviewer", 1.0, 4.5, "What did you expect from the cluster?"),
        ("Omid Rad", 5.0, 9.0, "Contacts abroad. We wanted buyers in Iraq."),
        ("Interviewer", 70.0, 74.0, "Did that happen?"),
        ("Omid Rad", 75.0, 80.25, "Only once. The fair in Basra was useful."),
    ]


def test_show_prints_speakers_timestamps_and_sentences(coder, small):
    result = coder("show", "beta", "-p", small)
    assert result.exit_code == 0
    assert result.stdout == (
        "beta  (North Cluster)\n"
        "\n"
        "[00:00:01] Interviewer  (turn 1)\n"
        "     1  What did you expect from the cluster?\n"
        "\n"
        "[00:00:05] Omid Rad  (turn 2)\n"
        "     2  Contacts abroad.\n"
        "     3  We wanted buyers in Iraq.\n"
        "\n"
        "[00:01:10] Interviewer  (turn 3)\n"
        "     4  Did that happen?\n"
        "\n"
        "[00:01:15] Omid Rad  (turn 4)\n"
        "     5  Only once.\n"
        "     6  The fair in Basra was useful.\n"
    )


def test_show_without_times_prints_speakers(coder, small):
    result = coder("show", "alpha", "-p", small)
    assert result.exit_code == 0
    assert "\nInterviewer  (turn 1)\n     1  Thank you for joining.\n" in result.stdout
    assert "\nAnna Berg  (turn 2)\n" in result.stdout
    assert "[" not in result.stdout


def test_show_unknown_document_lists_documents(coder, small):
    result = coder("show", "delta", "-p", small)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "coder: error: no document 'delta' (documents: alpha, beta, gamma)\n"
    )


def test_cases_json(coder, small):
    cases = _json(coder, "cases", "-p", small)
    assert cases == [
        {
            "name": "North Cluster",
            "documents": ["alpha", "beta"],
            "attributes": {"founded": 2017, "region": "north"},
        },
        {
            "name": "South Cluster",
            "documents": ["gamma"],
            "attributes": {"founded": 2016, "region": "south"},
        },
    ]


def test_attributes_json(coder, small):
    listed = _json(coder, "attributes", "-p", small)
    assert all(
        set(a) == {"name", "type", "documents", "cases", "values"} for a in listed
    )
    assert [(a["name"], a["type"], a["documents"], a["cases"]) for a in listed] == [
        ("employees", "number", 3, 0),
        ("firm", "text", 3, 0),
        ("founded", "number", 0, 2),
        ("interviewed", "date", 3, 0),
        ("region", "text", 0, 2),
        ("role", "category", 3, 0),
    ]


def test_info_json(coder, small):
    info = _json(coder, "info", "-p", small)
    assert set(info) == INFO_KEYS
    assert info["project"] == str(small)
    assert info["schema_version"] == info["schema_version_supported"] == SCHEMA_VERSION
    assert info["size_bytes"] == small.stat().st_size
    docs = _json(coder, "docs", "-p", small)
    assert info["words"] == sum(d["words"] for d in docs)
    assert (info["documents"], info["cases"], info["attributes"]) == (3, 2, 6)
    assert info["speakers"] == 4  # Interviewer, Anna Berg, Omid Rad, Sara Nouri
    assert info["turns"] == sum(d["turns"] for d in docs)
    assert info["sentences"] == sum(d["sentences"] for d in docs)
    assert (info["codes"], info["codings"], info["memos"]) == (0, 0, 0)


def test_docs_table_shows_grouping_attributes(coder, small):
    result = coder("docs", "-p", small)
    assert result.exit_code == 0
    rows = [line.split() for line in result.stdout.splitlines()]
    assert rows[0] == [
        "document",
        "case",
        "role",
        "speakers",
        "turns",
        "sentences",
        "words",
    ]
    assert rows[1][:5] == ["alpha", "North", "Cluster", "manager", "2"]
    assert [row[0] for row in rows[1:]] == ["alpha", "beta", "gamma"]


def test_an_empty_project_lists_nothing(coder, tmp_path):
    path = tmp_path / "empty.db"
    assert coder("init", path).exit_code == 0
    assert _json(coder, "docs", "-p", path) == []
    assert _json(coder, "cases", "-p", path) == []
    assert _json(coder, "attributes", "-p", path) == []
    info = _json(coder, "info", "-p", path)
    assert (info["documents"], info["events"]) == (0, 1)
