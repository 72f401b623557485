"""Learned suggestions: trained on a coder's codings, checked on documents it has not seen."""

from __future__ import annotations

import numpy as np
import pytest

from coder.errors import CoderError
from coder.suggest import learned
from coder.suggest.features import corpus_counts
from coder.suggest.learned import (
    MIN_EXAMPLES,
    current_model,
    suggest_learned,
    training_set,
)
from coder.suggest.queue import reject_suggestion, store_suggestions

TRAIN = [f"doc-{n:02d}" for n in range(8)]
HELD_OUT = [f"doc-{n:02d}" for n in range(8, 12)]
# The fixture's codes have words of their own: held-out F1 must reach this.
MIN_F1 = 0.8


@pytest.fixture
def study(make_project, corpus):
    texts, labels = corpus.labelled_documents(12)
    project = make_project(texts)
    corpus.code_sentences(project, labels, TRAIN, coder="alice")
    return project, labels


def _truth(project, labels, documents):
    """(document, start, code) of every labelled sentence of these documents."""
    truth = set()
    for name in documents:
        rows = project.db.execute(
            "SELECT s.start FROM segments s JOIN documents d ON d.id = s.document_id"
            " WHERE d.name = ? AND s.kind = 'sentence' ORDER BY s.start",
            [name],
        ).fetchall()
        truth |= {
            (name, start, code)
            for (start,), code in zip(rows, labels[name], strict=True)
            if code
        }
    return truth


def _f1(predicted: set, truth: set, code: str) -> float:
    p = {x for x in predicted if x[2] == code}
    t = {x for x in truth if x[2] == code}
    tp = len(p & t)
    return 2 * tp / (len(p) + len(t)) if p or t else 1.0


def test_model_suggests_the_right_codes_in_unseen_documents(study):
    project, labels = study
    run = suggest_learned(project, coder="alice", documents=HELD_OUT)
    predicted = {(s.document, s.start, s.code) for s in run.suggestions}
    truth = _truth(project, labels, HELD_OUT)
    for code in ("payment", "trust"):
        assert _f1(predicted, truth, code) >= MIN_F1, code
    assert {s.method for s in run.suggestions} == {"learned"}
    assert all(0.5 <= s.score <= 1 for s in run.suggestions)


def test_each_suggestion_is_explained_by_its_top_terms(study):
    project, _ = study
    run = suggest_learned(project, coder="alice", documents=HELD_OUT)
    text = dict(project.db.execute("SELECT name, text FROM documents").fetchall())
    for s in run.suggestions[:20]:
        assert s.reason.startswith("terms: ")
        terms = s.reason.removeprefix("terms: ").split(", ")
        assert 1 <= len(terms) <= learned.TOP_TERMS
        # The top term is a word of the sentence.
        assert terms[0].split()[0] in text[s.document][s.start : s.end].lower()


def test_model_is_stored_and_reused_until_the_codings_change(study):
    project, _ = study
    first, _, _ = current_model(project, "alice")
    assert not first.loaded
    again, _, _ = current_model(project, "alice")
    assert again.loaded and again.fingerprint == first.fingerprint
    assert np.allclose(again.coef, first.coef, atol=1e-6)
    counts = corpus_counts(project)
    rows = np.arange(len(counts.sentences))
    assert np.allclose(
        again.probabilities(again.features(counts, rows)),
        first.probabilities(first.features(counts, rows)),
        atol=1e-5,
    )
    from coder.coding import apply_coding

    sentence = project.db.execute(
        'SELECT s.start, s."end" FROM segments s JOIN documents d ON d.id = s.document_id'
        " WHERE d.name = 'doc-11' AND s.kind = 'sentence' ORDER BY s.start LIMIT 1"
    ).fetchone()
    apply_coding(project, "doc-11", *sentence, "family", coder="alice")
    changed, _, _ = current_model(project, "alice")
    assert not changed.loaded and changed.fingerprint != first.fingerprint


def test_rejecting_a_suggestion_changes_the_next_training_set(study):
    project, _ = study
    run = suggest_learned(project, coder="alice", documents=HELD_OUT)
    store_suggestions(project, run.suggestions, method="learned")
    counts = corpus_counts(project)
    before = training_set(project, counts, "alice")
    target = next(s for s in run.suggestions if s.code == "payment")
    suggestion_id = project.db.execute(
        "SELECT id FROM suggestions WHERE start = ? AND code_id = 'payment'",
        [target.start],
    ).fetchone()[0]
    reject_suggestion(project, suggestion_id, coder="alice")
    after = training_set(project, counts, "alice")
    position = int(np.flatnonzero(counts.sentences.starts == target.start)[0])
    assert "payment" not in before.rejected
    assert after.rejected["payment"].tolist() == [position]
    assert after.fingerprint(counts, learned.FeatureConfig()) != before.fingerprint(
        counts, learned.FeatureConfig()
    )
    # Someone else's rejection teaches alice's model nothing.
    other = training_set(project, counts, "bob")
    assert other.rejected == {}
    model, _, _ = current_model(project, "alice")
    assert not model.loaded


def test_codes_with_too_few_examples_are_skipped_with_how_many_more(make_project):
    project = make_project(
        {
            "d1": "Anna: We trust them. The weather was bad. We rely on them.\n\n"
            "Interviewer: More?\n\nAnna: The invoice came. The bus was late.\n",
        }
    )
    from coder.coding import apply_coding

    text = project.db.execute("SELECT text FROM documents").fetchone()[0]
    for quote in ("We trust them.", "We rely on them."):
        start = text.index(quote)
        apply_coding(project, "d1", start, start + len(quote), "trust", coder="alice")
    model, _, _ = current_model(project, "alice")
    assert model.codes == []
    assert model.skipped == {
        "trust": f"2 coded sentences; needs {MIN_EXAMPLES - 2} more to be learned"
    }
    assert suggest_learned(project, coder="alice").suggestions == []


def test_no_codings_is_a_clear_error(make_project):
    project = make_project({"d1": "Anna: Hello there.\n\nInterviewer: Hi.\n"})
    with pytest.raises(CoderError, match="nobody has no codings to learn from"):
        suggest_learned(project, coder="nobody")


def test_coded_sentences_get_no_suggestion_of_their_code(study):
    project, _ = study
    run = suggest_learned(project, coder="alice", min_score=0.0)
    coded = {
        (row[0], row[1], row[2])
        for row in project.db.execute(
            "SELECT d.name, c.start, c.code_id FROM codings c"
            " JOIN documents d ON d.id = c.document_id"
        )
    }
    assert not coded & {(s.document, s.start, s.code) for s in run.suggestions}


def test_stored_model_holds_no_pickle(study):
    project, _ = study
    current_model(project, "alice")
    key, blob = project.db.execute(
        "SELECT key, arrays FROM suggestion_models"
    ).fetchone()
    assert key == "learned:alice"
    import io

    with np.load(io.BytesIO(blob), allow_pickle=False) as arrays:
        assert set(arrays.files) == {
            "idf",
            "coef",
            "intercept",
            "sigmoid_a",
            "sigmoid_b",
        }
