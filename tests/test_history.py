"""Undo and redo over the event log, across restarts."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder.codebook import read_codebook
from coder.codes import load_codebook
from coder.coding import apply_coding, list_codings, remove_coding
from coder.documents import import_transcripts
from coder.history import redo, undo
from coder.memos import get_memo, set_memo
from coder.store import open_project

DATA = Path(__file__).parent / "data" / "codebooks"


@pytest.fixture
def ready(project, tmp_path):
    source = tmp_path / "a.txt"
    source.write_text(
        "Q: Who do you trust?\n\nA: The manager. Not the bank.\n", encoding="utf-8"
    )
    import_transcripts(project, [source])
    load_codebook(project, read_codebook(DATA / "mini.yaml"), source="mini.yaml")
    return project


def spans(project):
    return [(c.id, c.code, c.start, c.end, c.memo) for c in list_codings(project)]


def test_undo_and_redo_codings_and_memos(ready):
    first = apply_coding(ready, "a", 0, 5, "trust")
    apply_coding(ready, "a", 6, 10, "social_power")
    set_memo(ready, "coding", first, "why: explicit")
    assert undo(ready).action == "memo"
    assert get_memo(ready, "coding", first) == ""
    assert undo(ready).action == "code"
    assert spans(ready) == [(first, "trust", 0, 5, None)]
    assert redo(ready).action == "code"
    assert redo(ready).action == "memo"
    assert spans(ready) == [
        (first, "trust", 0, 5, "why: explicit"),
        (first + 1, "social_power", 6, 10, None),
    ]
    assert redo(ready) is None


def test_a_new_change_clears_redo(ready):
    apply_coding(ready, "a", 0, 5, "trust")
    undo(ready)
    apply_coding(ready, "a", 6, 10, "trust")
    assert redo(ready) is None


def test_undo_of_a_removal_restores_the_same_coding(ready):
    coding_id = apply_coding(ready, "a", 0, 5, "trust", memo="m")
    remove_coding(ready, coding_id)
    undo(ready)
    assert spans(ready) == [(coding_id, "trust", 0, 5, "m")]


def test_history_survives_a_restart_and_is_per_coder(ready):
    apply_coding(ready, "a", 0, 5, "trust")
    path = ready.path
    ready.close()
    other = open_project(path, actor="somebody-else")
    assert undo(other) is None
    other.close()
    again = open_project(path, actor="tester")
    assert undo(again).action == "code"
    assert spans(again) == []
    again.close()


def test_memos_on_documents_are_per_coder(ready):
    set_memo(ready, "document", "a", "# First read\nTrust is central.")
    set_memo(ready, "document", "a", "Ana's view", coder="ana")
    assert get_memo(ready, "document", "a") == "# First read\nTrust is central."
    assert get_memo(ready, "document", "a", coder="ana") == "Ana's view"
    # Undo takes back the actor's latest change, whoever's memo it was.
    undo(ready)
    assert get_memo(ready, "document", "a", coder="ana") == ""
    undo(ready)
    assert get_memo(ready, "document", "a") == ""
