"""Combined suggestions: every signal in one model, learned from the coder's decisions."""

from __future__ import annotations

import numpy as np
import pytest

from coder.codebook import parse_codebook
from coder.codes import current_codebook
from coder.errors import CoderError
from coder.suggest import combined
from coder.suggest.combined import (
    best_threshold,
    current_combined,
    predict_combined,
    suggest_combined,
)
from coder.suggest.context import project_context
from coder.suggest.corpus import load_sentences
from coder.suggest.queue import (
    accept_suggestion,
    reject_suggestion,
    store_suggestions,
)
from coder.suggest.signals import clear_cache, corpus_signals, seed_texts
from coder.suggest.vectors import learn_vectors, pipeline_vectors

TRAIN = [f"doc-{n:02d}" for n in range(8)]
HELD_OUT = [f"doc-{n:02d}" for n in range(8, 12)]
MIN_F1 = 0.8


@pytest.fixture(autouse=True)
def _fresh_signals():
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def study(make_project, corpus):
    texts, labels = corpus.labelled_documents(12)
    project = make_project(texts)
    corpus.code_sentences(project, labels, TRAIN, coder="alice")
    return project, labels


def _sentences(project, name):
    return project.db.execute(
        'SELECT s.start, s."end" FROM segments s JOIN documents d ON d.id = s.document_id'
        " WHERE d.name = ? AND s.kind = 'sentence' ORDER BY s.start",
        [name],
    ).fetchall()


def test_finds_the_codes_in_documents_it_has_not_seen(study):
    project, labels = study
    run = suggest_combined(project, coder="alice", documents=HELD_OUT)
    predicted = {(s.document, s.start, s.code) for s in run.suggestions}
    for code in ("payment", "trust"):
        truth = {
            (name, start, code)
            for name in HELD_OUT
            for (start, _), label in zip(
                _sentences(project, name), labels[name], strict=True
            )
            if label == code
        }
        found = {p for p in predicted if p[2] == code}
        f1 = 2 * len(found & truth) / (len(found) + len(truth))
        assert f1 >= MIN_F1, code
    assert {s.method for s in run.suggestions} == {"combined"}
    assert all(0 <= s.score <= 1 for s in run.suggestions)


def test_each_suggestion_names_the_model_version_and_training_size(study):
    project, _ = study
    run = suggest_combined(project, coder="alice", documents=HELD_OUT)
    model = run.model
    # Sentences read: each training document up to its last coding.
    _, _, _, data = current_combined(project, "alice")
    read = len(data.rows)
    assert 0 < read <= sum(len(_sentences(project, name)) for name in TRAIN)
    assert model.training_sentences == read
    for s in run.suggestions:
        assert f"model {model.fingerprint[:8]}" in s.reason
        assert f"{read:,} sentences" in s.reason
    stored = project.db.execute(
        "SELECT coder_version, meta FROM suggestion_models WHERE key = 'combined:alice'"
    ).fetchone()
    assert stored is not None and f'"training_sentences": {read}' in stored[1]


def test_the_stored_model_is_reused_until_something_changes(study):
    project, _ = study
    first, signals, inputs, _ = current_combined(project, "alice")
    assert not first.loaded
    again, _, _, _ = current_combined(project, "alice")
    assert again.loaded and again.fingerprint == first.fingerprint
    rows = np.arange(len(signals.sentences))
    before, _ = predict_combined(first, signals, inputs, rows)
    after, _ = predict_combined(again, signals, inputs, rows)
    assert np.allclose(before, after, atol=1e-4)


def test_an_accepted_and_a_rejected_suggestion_change_the_next_fit(study):
    project, _ = study
    run = suggest_combined(project, coder="alice", documents=HELD_OUT)
    store_suggestions(project, run.suggestions, method="combined")
    model, signals, inputs, _ = current_combined(project, "alice")
    pending = {
        (row[1], row[2]): row[0]
        for row in project.db.execute(
            "SELECT id, start, code_id FROM suggestions WHERE status = 'pending'"
        )
    }
    rejected = next(s for s in run.suggestions if s.code == "payment")
    # In another document, so the rejected sentence stays outside what the
    # acceptance marks as read (read sentences are negatives anyway).
    accepted = next(
        s
        for s in run.suggestions
        if s.code == "trust" and s.document != rejected.document
    )
    sentences = signals.sentences
    names = {name: doc for doc, name in sentences.names.items()}

    def position(s):
        where = (sentences.document_ids == names[s.document]) & (
            sentences.starts == s.start
        )
        return int(np.flatnonzero(where)[0])

    rows = np.array([position(rejected), position(accepted)])
    payment, trust = model.codes.index("payment"), model.codes.index("trust")
    before, _ = predict_combined(model, signals, inputs, rows)

    reject_suggestion(project, pending[(rejected.start, "payment")], coder="alice")
    refit, signals, inputs, data = current_combined(project, "alice")
    assert not refit.loaded and refit.fingerprint != model.fingerprint
    # The rejection is a negative of its code: that sentence scores lower.
    assert rows[0] in data.rejected["payment"]
    after, _ = predict_combined(refit, signals, inputs, rows)
    assert after[0, payment] < before[0, payment]

    accept_suggestion(project, pending[(accepted.start, "trust")], coder="alice")
    again, signals, inputs, data = current_combined(project, "alice")
    assert not again.loaded and again.fingerprint != refit.fingerprint
    # The acceptance is a coding: a positive of its code.
    assert data.coded["trust"][rows[1]]
    last, _ = predict_combined(again, signals, inputs, rows)
    assert last[1, trust] > after[1, trust]
    # An accepted suggestion is done: it is not suggested again.
    again = suggest_combined(project, coder="alice", documents=[accepted.document])
    assert (accepted.start, "trust") not in {
        (s.start, s.code) for s in again.suggestions
    }


def test_without_codings_it_says_so(make_project):
    project = make_project({"a": "Respondent: We trust them.\n"})
    with pytest.raises(CoderError, match="nobody has no codings to learn from"):
        suggest_combined(project, coder="nobody")


INTERVIEW = """\
Interviewer: How do you get paid? Tell me about it.

Respondent: They pay late. We wait for months.

Interviewer: And trust?

Respondent: We rely on each other.
"""


def test_the_interviewer_and_the_question_an_answer_replies_to(make_project):
    project = make_project({"talk": INTERVIEW})
    sentences = load_sentences(project)
    context = project_context(project, sentences)
    texts = [
        " ".join(
            project.db.execute(
                "SELECT substr(text, ? + 1, ? - ?) FROM documents",
                [int(a), int(b), int(a)],
            ).fetchone()
        )
        for a, b in zip(sentences.starts, sentences.ends, strict=True)
    ]
    assert texts == [
        "How do you get paid?",
        "Tell me about it.",
        "They pay late.",
        "We wait for months.",
        "And trust?",
        "We rely on each other.",
    ]
    assert context.interviewer.tolist() == [True, True, False, False, True, False]
    asked = context.asked.toarray() > 0
    # Each answer looks at the whole question turn before it; questions at nothing.
    assert [np.flatnonzero(row).tolist() for row in asked] == [
        [],
        [],
        [0, 1],
        [0, 1],
        [],
        [4],
    ]
    neighbours = context.neighbours.toarray() > 0
    assert np.flatnonzero(neighbours[2]).tolist() == [3]
    assert np.flatnonzero(neighbours[5]).tolist() == []


def test_words_said_together_get_near_vectors(study):
    project, _ = study
    counts = corpus_signals(project).counts
    vectors = learn_vectors(counts).vectors
    index = {word: j for j, word in enumerate(counts.unigrams)}

    def similarity(a: str, b: str) -> float:
        return float(vectors[index[a]] @ vectors[index[b]])

    # "rely" is never in a trust pattern, but is said beside trust words.
    assert similarity("rely", "trust") > similarity("rely", "invoice") + 0.2
    assert similarity("invoice", "payment") > similarity("invoice", "honest") + 0.2


SEEDED = """\
name: Seeds
codes:
  - id: trust
    name: Trust
    definition: Confidence in others.
    include: Relying on a partner.
    exclude: Trust in banks -> institutions.
    examples:
      - text: "We rely on each other."
        source: talk
      - text: "Our partners keep their word."
        source: other
"""


def test_codebook_text_seeds_and_evaluation_leaves_out_its_test_documents():
    codebook = parse_codebook(SEEDED, "seeds.yaml")
    positive, negative = seed_texts(codebook, ["trust"])
    assert positive["trust"] == [
        "Trust",
        "Confidence in others.",
        "Relying on a partner.",
        "We rely on each other.",
        "Our partners keep their word.",
    ]
    assert negative["trust"] == ["Trust in banks -> institutions."]
    held_out, _ = seed_texts(codebook, ["trust"], exclude_sources={"talk"})
    assert "We rely on each other." not in held_out["trust"]


def test_codebook_changes_refit_the_model(study):
    project, _ = study
    first, _, _, _ = current_combined(project, "alice")
    codebook = current_codebook(project)
    assert "trust" in first.codes and codebook.name
    from coder.codes import load_codebook

    text = """\
name: Suggestion test codebook
codes:
  - id: trust
    name: Trust
    definition: Relying on someone.
  - id: payment
    name: Payment
  - id: weather
    name: Weather
  - id: family
    name: Family
"""
    load_codebook(project, parse_codebook(text, "new.yaml"), source="new.yaml")
    changed, _, _, _ = current_combined(project, "alice")
    assert not changed.loaded and changed.fingerprint != first.fingerprint


def test_threshold_maximises_f1():
    probabilities = np.array([0.9, 0.8, 0.7, 0.4, 0.3, 0.1])
    target = np.array([True, True, False, True, False, False])
    cut = best_threshold(probabilities, target)
    # Taking the top four gives F1 6/7, better than any other cut.
    assert 0.3 < cut < 0.4
    assert (
        best_threshold(probabilities, np.zeros(6, bool)) == combined.DEFAULT_THRESHOLD
    )


def test_a_pipeline_with_vectors_lends_them(study):
    import spacy

    project, _ = study
    counts = corpus_signals(project).counts
    blank = spacy.blank("en").vocab
    assert pipeline_vectors(counts, blank) is None
    rng = np.random.default_rng(0)
    topic = {"trust": rng.normal(size=20), "invoice": rng.normal(size=20)}
    words = [w for w in counts.unigrams if w.isalpha()]
    for word in words:
        base = topic["trust"] if word in ("trust", "rely") else rng.normal(size=20)
        blank.set_vector(word, (base + rng.normal(scale=0.05, size=20)).astype("f"))
    vectors = pipeline_vectors(counts, blank, dimensions=8)
    index = {word: j for j, word in enumerate(counts.unigrams)}
    near = vectors.vectors[index["rely"]] @ vectors.vectors[index["trust"]]
    far = vectors.vectors[index["rely"]] @ vectors.vectors[index["invoice"]]
    assert near > 0.9 and near > far + 0.3


def test_review_order_least_sure_or_surest_first(study):
    from coder.suggest.combined import review_order, stored_thresholds
    from coder.suggest.queue import list_suggestions

    project, _ = study
    run = suggest_combined(project, coder="alice", documents=HELD_OUT)
    store_suggestions(project, run.suggestions, method="combined")
    thresholds = stored_thresholds(project, "alice")
    assert set(thresholds) == set(run.model.codes)
    pending = list_suggestions(project)

    def distance(s):
        score = min(max(s.score, 1e-4), 1 - 1e-4)
        logit = np.log(score / (1 - score))
        cut = thresholds[s.code]
        return abs(logit - np.log(cut / (1 - cut)))

    unsure = review_order(project, pending, coder="alice")
    sure = review_order(project, pending, coder="alice", surest_first=True)
    assert sorted(s.id for s in unsure) == sorted(s.id for s in pending)
    assert distance(unsure[0]) == min(map(distance, pending))
    assert distance(sure[0]) == max(map(distance, pending))
    assert [distance(s) for s in unsure] == sorted(distance(s) for s in unsure)
