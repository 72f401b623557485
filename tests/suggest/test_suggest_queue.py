"""The suggestion queue: storing runs, accepting and rejecting."""

from __future__ import annotations

import pytest

from coder.coding import list_codings
from coder.errors import ConflictError
from coder.suggest.engine import suggest
from coder.suggest.queue import (
    NewSuggestion,
    accept_suggestion,
    accept_suggestions,
    assisted_codings,
    list_suggestions,
    reject_suggestions,
    store_suggestions,
)

DOCS = {
    "a01": "Interviewer: Why?\n\nAnna: We trust them. The invoice was late.\n\n"
    "Interviewer: And?\n\nAnna: We rely on them. Nothing else.\n"
}


def _item(start, end, code="trust", score=0.5, reason='lemma "trust"'):
    return NewSuggestion("a01", start, end, code, score, "rules", reason)


def test_accepting_creates_exactly_one_coding_with_offsets_and_provenance(make_project):
    project = make_project(DOCS)
    reports = suggest(project, use_learned=False)
    assert reports[0].stored.added == 3
    text = project.db.execute("SELECT text FROM documents").fetchone()[0]
    pending = list_suggestions(project, code="trust")
    target = pending[0]
    assert text[target.start : target.end] == "We trust them."
    before = len(list_codings(project))
    coding_id = accept_suggestion(project, target.id, coder="carol")
    codings = list_codings(project)
    assert len(codings) == before + 1
    coding = next(c for c in codings if c.id == coding_id)
    assert (coding.document, coding.start, coding.end, coding.code) == (
        "a01",
        target.start,
        target.end,
        "trust",
    )
    assert (coding.coder, coding.source, coding.text) == (
        "carol",
        "suggestion:rules",
        "We trust them.",
    )
    decided = list_suggestions(project, status="accepted")
    assert [(s.id, s.coding_id) for s in decided] == [(target.id, coding_id)]
    with pytest.raises(ConflictError, match="already accepted"):
        accept_suggestion(project, target.id)
    assert len(list_codings(project)) == before + 1
    assert assisted_codings(project, "carol") == {"suggestion:rules": 1}


def test_suggesting_never_touches_codings(make_project):
    project = make_project(DOCS)
    suggest(project, use_learned=False)
    assert list_codings(project) == []


def test_a_new_run_updates_pending_and_withdraws_what_it_no_longer_makes(make_project):
    project = make_project(DOCS)
    first = store_suggestions(
        project, [_item(0, 5), _item(6, 10), _item(11, 15)], method="rules"
    )
    assert (first.added, first.updated, first.removed) == (3, 0, 0)
    ids = {s.start: s.id for s in list_suggestions(project)}
    reject_suggestions(project, [ids[6]], coder="tester")
    second = store_suggestions(
        project, [_item(0, 5, score=0.9, reason="new"), _item(20, 25)], method="rules"
    )
    assert (second.added, second.updated, second.removed) == (1, 1, 1)
    pending = {s.start: (s.score, s.reason) for s in list_suggestions(project)}
    assert pending == {0: (0.9, "new"), 20: (0.5, 'lemma "trust"')}
    # The rejected one keeps its decision, and is not suggested again.
    assert [s.start for s in list_suggestions(project, status="rejected")] == [6]
    third = store_suggestions(
        project, [_item(6, 10)], method="rules", codes=["payment"]
    )
    assert (third.added, third.removed) == (0, 0)


def test_batch_decisions_are_one_transaction(make_project):
    project = make_project(DOCS)
    store_suggestions(project, [_item(0, 5), _item(6, 10)], method="rules")
    ids = [s.id for s in list_suggestions(project)]
    with pytest.raises(ConflictError):
        accept_suggestions(project, [ids[0], ids[0]], coder="tester")
    assert list_codings(project) == []
    assert len(list_suggestions(project)) == 2
    assert len(accept_suggestions(project, ids, coder="tester")) == 2
