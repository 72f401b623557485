"""Evaluating suggestions against a coder's codings, cross-validated by document."""

from __future__ import annotations

import numpy as np
import pytest

from coder.coding import apply_coding
from coder.errors import CoderError
from coder.suggest import learned
from coder.suggest.evaluate import Scores, evaluate


@pytest.fixture
def coded_study(make_project, corpus):
    texts, labels = corpus.labelled_documents(10)
    project = make_project(texts)
    corpus.code_sentences(project, labels, list(texts), coder="alice")
    return project


def test_scores_follow_the_definitions():
    scores = Scores()
    scores.add(np.array([1, 1, 0, 0, 1], bool), np.array([1, 0, 1, 0, 1], bool))
    assert (scores.tp, scores.fp, scores.fn) == (2, 1, 1)
    assert (scores.precision, scores.recall, scores.f1) == (2 / 3, 2 / 3, 2 / 3)
    assert (Scores().precision, Scores().recall, Scores().f1) == (0.0, 0.0, 0.0)


def test_learned_model_reproduces_a_consistent_coder(coded_study):
    result = evaluate(coded_study, coder="alice", folds=5)
    assert (result.folds, result.documents, result.sentences) == (5, 10, 240)
    assert [c.code for c in result.codes] == ["trust", "payment"]
    assert result.macro("learned").f1 >= 0.8
    # The fixture's patterns know one or two words per code: some recall, no more.
    assert 0 < result.macro("rules").recall < result.macro("learned").recall
    support = {c.code: c.support for c in result.codes}
    total = coded_study.db.execute("SELECT COUNT(*) FROM codings").fetchone()[0]
    assert sum(support.values()) == total


def test_no_document_is_in_training_and_test_at_once(coded_study, monkeypatch):
    seen = []
    original = learned.training_set

    def spy(project, counts, coder, *, codes=None, exclude_documents=()):
        data = original(
            project, counts, coder, codes=codes, exclude_documents=exclude_documents
        )
        trained = set(counts.sentences.document_ids[data.rows].tolist())
        seen.append((trained, set(exclude_documents)))
        return data

    monkeypatch.setattr(learned, "training_set", spy)
    result = evaluate(coded_study, coder="alice", folds=4)
    assert len(seen) == result.folds == 4
    tested = [test for _, test in seen]
    for trained, test in seen:
        assert trained and test and not trained & test
    # Every document is tested exactly once.
    everything = set().union(*tested)
    assert len(everything) == 10 and sum(map(len, tested)) == 10


def test_rule_scores_count_sentences(make_project):
    project = make_project(
        {
            "d1": "Interviewer: So?\n\nAnna: We trust them. The invoice was late."
            " We rely on the bank. It rained.\n",
            "d2": "Interviewer: And?\n\nAnna: I trust nobody. Paying is hard.\n",
        }
    )
    text = dict(project.db.execute("SELECT name, text FROM documents").fetchall())

    def code(doc, quote, code_id):
        start = text[doc].index(quote)
        apply_coding(project, doc, start, start + len(quote), code_id, coder="alice")

    code("d1", "We trust them.", "trust")
    code("d1", "We rely on the bank.", "payment")
    code("d2", "Paying is hard.", "payment")
    result = evaluate(project, coder="alice", folds=2)
    rules = {c.code: (c.rules.tp, c.rules.fp, c.rules.fn) for c in result.codes}
    # trust: hit "We trust them.", false alarms "We rely on the bank." and "I trust nobody.".
    # payment: hit neither coded sentence, false alarm on "The invoice was late.".
    assert rules == {"trust": (1, 2, 0), "payment": (0, 1, 2)}
    assert result.notes == [
        "too few examples to learn in some folds (learned counts 0 there):"
        " trust (2/2), payment (2/2)"
    ]


def test_a_coder_without_codings_cannot_be_evaluated(make_project):
    project = make_project({"d1": "Anna: Hello.\n\nInterviewer: Hi.\n"})
    with pytest.raises(CoderError, match="bob has no codings to evaluate against"):
        evaluate(project, coder="bob")
