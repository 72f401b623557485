"""Word vectors learned from the project's own text, so similar words meet.

Counts of words occurring in the same sentence, reweighted as positive
pointwise mutual information (PPMI, with the context distribution smoothed
to the power 0.75: Levy, Goldberg and Dagan 2015, "Improving distributional
similarity with lessons learned from word embeddings"), reduced by a
truncated SVD (scikit-learn's ``TruncatedSVD``). A sentence's vector is the
mean of its words' vectors weighted by idf, scaled to unit length; so "we
rely on each other" lands near sentences about trust even without the word.
Nothing is downloaded: the vectors are the corpus's, or those of a trained
spaCy pipeline the documents were segmented with, when it has vectors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD

from coder.suggest.features import CorpusCounts

DIMENSIONS = 64
# Words seen in fewer sentences carry no reliable co-occurrence statistics.
MIN_SENTENCES = 2
# The most frequent words kept: the co-occurrence matrix is this squared, and
# fills up in a large corpus (5,000 words: at most 25 million pairs).
MAX_WORDS = 5_000
CONTEXT_SMOOTHING = 0.75


@dataclass
class WordVectors:
    """Vectors of the corpus's unigrams (zero for words too rare to have one)."""

    # unigram column -> vector (rows of zeros for rare words).
    vectors: np.ndarray
    idf: np.ndarray

    def embed(self, counts: sp.csr_matrix) -> np.ndarray:
        """Unit-length idf-weighted mean vector of each row's unigrams."""
        n_words = len(self.vectors)
        unigrams = counts[:, :n_words]
        weighted = (unigrams > 0).astype(np.float64) @ sp.diags(self.idf)
        dense = np.asarray(weighted @ self.vectors)
        norms = np.linalg.norm(dense, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return dense / norms


def learn_vectors(
    corpus: CorpusCounts, dimensions: int = DIMENSIONS, seed: int = 0
) -> WordVectors:
    """PPMI + SVD word vectors of a corpus's unigrams (see the module docstring)."""
    n_words = len(corpus.unigrams)
    present = (corpus.counts[:, :n_words] > 0).astype(np.float64).tocsc()
    df = np.asarray(present.sum(axis=0)).ravel()
    n_rows = max(present.shape[0], 1)
    idf = np.log((1.0 + n_rows) / (1.0 + df)) + 1.0
    vectors = np.zeros((n_words, dimensions))
    eligible = np.flatnonzero(df >= MIN_SENTENCES)
    if len(eligible) > MAX_WORDS:
        eligible = eligible[np.argsort(-df[eligible], kind="stable")[:MAX_WORDS]]
        eligible.sort()
    if len(eligible) <= dimensions:
        return WordVectors(vectors, idf)
    words = present[:, eligible].tocsr()
    cooc = (words.T @ words).tocoo()
    off_diagonal = cooc.row != cooc.col
    rows, cols = cooc.row[off_diagonal], cooc.col[off_diagonal]
    values = cooc.data[off_diagonal]
    total = values.sum()
    if not total:
        return WordVectors(vectors, idf)
    row_sums = np.bincount(rows, weights=values, minlength=len(eligible))
    col_sums = np.bincount(cols, weights=values, minlength=len(eligible))
    smoothed = col_sums**CONTEXT_SMOOTHING
    smoothed /= smoothed.sum()
    pmi = np.log(values * 1.0 / total) - np.log(row_sums[rows] / total * smoothed[cols])
    keep = pmi > 0
    ppmi = sp.csr_matrix(
        (pmi[keep], (rows[keep], cols[keep])), shape=(len(eligible), len(eligible))
    )
    svd = TruncatedSVD(n_components=dimensions, random_state=seed, algorithm="arpack")
    reduced = svd.fit_transform(ppmi)
    norms = np.linalg.norm(reduced, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    vectors[eligible] = reduced / norms
    return WordVectors(vectors, idf)


def pipeline_vectors(
    corpus: CorpusCounts, vocab, dimensions: int = DIMENSIONS, seed: int = 0
) -> WordVectors | None:
    """The word vectors of a trained spaCy pipeline for the corpus's unigrams,
    reduced to `dimensions` by a truncated SVD; None when it has none.

    Pipelines such as ``en_core_web_md`` carry vectors trained on far more
    text than a project has; a blank pipeline carries none, and then
    `learn_vectors` learns them from the project.

    Args:
        corpus: The corpus (its unigrams are the stored lemmas).
        vocab: The pipeline's ``Vocab``.
    """
    table = vocab.vectors
    if not table.size or not len(table):
        return None
    words = corpus.unigrams
    found = np.zeros((len(words), table.shape[1]))
    known = np.zeros(len(words), dtype=bool)
    for j, word in enumerate(words):
        if vocab.has_vector(word):
            found[j] = vocab.get_vector(word)
            known[j] = True
    if known.sum() <= dimensions:
        return None
    present = (corpus.counts[:, : len(words)] > 0).astype(np.float64)
    df = np.asarray(present.sum(axis=0)).ravel()
    idf = np.log((1.0 + present.shape[0]) / (1.0 + df)) + 1.0
    svd = TruncatedSVD(n_components=dimensions, random_state=seed, algorithm="arpack")
    reduced = np.zeros((len(words), dimensions))
    reduced[known] = svd.fit_transform(found[known])
    norms = np.linalg.norm(reduced, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return WordVectors(reduced / norms, idf)
