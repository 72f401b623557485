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


def test_combined_model_never_sees_its_test_documents(coded_study, monkeypatch):
    from coder.suggest import combined, signals

    trained_on, seeds_without = [], []
    original_train, original_inputs = combined.train_combined, signals.make_inputs

    def spy_train(signals, inputs, data, **kwargs):
        trained_on.append(set(signals.sentences.document_ids[data.rows].tolist()))
        return original_train(signals, inputs, data, **kwargs)

    def spy_inputs(project, signals, codebook, codes, exclude_sources=(), **kwargs):
        seeds_without.append(set(exclude_sources))
        return original_inputs(
            project, signals, codebook, codes, exclude_sources, **kwargs
        )

    monkeypatch.setattr(combined, "train_combined", spy_train)
    monkeypatch.setattr(signals, "make_inputs", spy_inputs)
    result = evaluate(coded_study, coder="alice", folds=4)
    names = {
        doc: name
        for doc, name in coded_study.db.execute("SELECT id, name FROM documents")
    }
    assert len(trained_on) == len(seeds_without) == 4
    for trained, left_out in zip(trained_on, seeds_without, strict=True):
        # The codebook examples quoted from the test documents are left out
        # of the seeds, and the test documents out of the training data.
        assert left_out and not {names[d] for d in trained} & left_out
        assert len(trained) + len(left_out) == 10
    assert result.macro("combined").f1 >= 0.8


def test_kappa_and_the_learning_curve(coded_study):
    result = evaluate(coded_study, coder="alice", folds=2, curve=True)
    for code in result.codes:
        scores = code.combined
        n = scores.tp + scores.fp + scores.fn + scores.tn
        assert n == result.sentences
        assert -1 <= scores.kappa <= 1
    macro = result.macro("combined")
    assert macro.median_kappa == pytest.approx(
        float(np.median([c.combined.kappa for c in result.codes]))
    )
    # After 1, 2, ... 9 of the 10 documents, tested on the others.
    assert [(p.trained, p.tested) for p in result.curve] == [
        (n, 10 - n) for n in range(1, 10)
    ]
    tested = [
        sum(
            c.combined.tp + c.combined.fn + c.combined.fp + c.combined.tn
            for c in p.codes
        )
        for p in result.curve
    ]
    assert tested == sorted(tested, reverse=True)


def test_kappa_follows_cohen():
    scores = Scores(tp=20, fp=5, fn=10, tn=15)
    # p_o = 35/50; p_e = (25*30 + 25*20) / 50**2 = 0.5; kappa = (0.7 - 0.5) / 0.5.
    assert scores.kappa == pytest.approx(0.4)
    assert Scores(tp=0, fp=0, fn=0, tn=10).kappa == 0.0
