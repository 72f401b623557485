"""The cached n-gram counts give what scikit-learn's vectorizers give."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from coder.suggest.features import CorpusCounts, count_ngrams, fit_idf, tfidf

LEMMAS = [
    "i trust he , and he trust i .",
    "the invoice be late , the invoice be pay .",
    "we lose money .",
    "",
    "? ? !",
    "trust , trust , trust",
    "the the the",
    "money lose we",
]


def _words(text: str) -> list[str]:
    return [t for t in text.split() if any(ch.isalnum() for ch in t)]


def _counts(lemmas, ngrams=(1, 2)) -> CorpusCounts:
    counts, unigrams, grams = count_ngrams(lemmas, ngrams)
    return CorpusCounts(None, counts, unigrams, grams)


def test_counts_equal_count_vectorizer():
    for ngrams in ((1, 1), (1, 2), (1, 3)):
        reference = CountVectorizer(
            tokenizer=_words, token_pattern=None, lowercase=False, ngram_range=ngrams
        )
        expected = reference.fit_transform(LEMMAS).toarray()
        corpus = _counts(LEMMAS, ngrams)
        columns = corpus.columns(list(reference.get_feature_names_out()))
        assert (columns >= 0).all()
        assert corpus.n_terms == len(columns)
        assert np.array_equal(corpus.counts[:, columns].toarray(), expected)


def test_terms_and_columns_round_trip():
    corpus = _counts(LEMMAS)
    columns = np.arange(corpus.n_terms)
    assert corpus.columns(corpus.terms(columns)).tolist() == columns.tolist()
    assert corpus.columns(["no such term"]).tolist() == [-1]


def test_tfidf_equals_tfidf_vectorizer_fitted_on_training_rows():
    corpus = _counts(LEMMAS)
    train = np.array([0, 1, 2, 5])
    columns, idf = fit_idf(corpus.counts[train])
    reference = TfidfVectorizer(
        tokenizer=_words,
        token_pattern=None,
        lowercase=False,
        ngram_range=(1, 2),
        sublinear_tf=True,
    ).fit([LEMMAS[i] for i in train])
    order = corpus.columns(list(reference.get_feature_names_out()))
    # Same vocabulary, same idf.
    assert sorted(order.tolist()) == columns.tolist()
    position = {c: i for i, c in enumerate(columns.tolist())}
    assert np.allclose(idf[[position[c] for c in order.tolist()]], reference.idf_)
    # Same features for every row, seen or not (unknown terms left out).
    ours = tfidf(corpus.counts, columns, idf).toarray()
    theirs = reference.transform(LEMMAS).toarray()
    assert np.allclose(ours[:, [position[c] for c in order.tolist()]], theirs)


def test_a_model_term_missing_from_the_corpus_stays_empty():
    corpus = _counts(LEMMAS)
    columns = corpus.columns(["trust", "absent"])
    matrix = tfidf(corpus.counts, columns, np.array([1.0, 2.0])).toarray()
    assert matrix[:, 1].tolist() == [0.0] * len(LEMMAS)
    assert matrix[0, 0] == 1.0
