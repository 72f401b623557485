"""Word n-gram counts of every stored sentence, computed once and cached.

The expensive part of a text model is turning text into features; the
classifiers themselves are quick. So the n-gram counts of the whole corpus
are built once per process (and rebuilt only when the sentences change), and
a model's TF-IDF features are a column selection of them: exactly what
scikit-learn's ``TfidfVectorizer(vocabulary=model_terms, sublinear_tf=True)``
would give, without analysing the text again.

Tokens are the stored lemmas (split on spaces); tokens without a letter or
digit (punctuation) are left out, and bigrams join the remaining neighbours
within a sentence.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from coder.store import Project
from coder.suggest.corpus import Sentences, corpus_fingerprint, load_sentences

# Character n-grams (optional) are marked so they cannot clash with words.
CHAR_PREFIX = "\x00"


@dataclass(frozen=True)
class FeatureConfig:
    """Which n-grams a model uses."""

    word_ngrams: tuple[int, int] = (1, 2)
    # Character n-grams within word boundaries (scikit-learn's char_wb), or None.
    char_ngrams: tuple[int, int] | None = None

    def to_dict(self) -> dict:
        return {
            "word_ngrams": list(self.word_ngrams),
            "char_ngrams": list(self.char_ngrams) if self.char_ngrams else None,
        }

    @classmethod
    def from_dict(cls, data: dict) -> FeatureConfig:
        chars = data.get("char_ngrams")
        return cls(tuple(data["word_ngrams"]), tuple(chars) if chars else None)


DEFAULT_FEATURES = FeatureConfig()


@dataclass
class CorpusCounts:
    """N-gram counts of every sentence of a project (rows in `sentences` order)."""

    sentences: Sentences
    counts: sp.csr_matrix
    # Unigram strings (column j for j < len(unigrams)).
    unigrams: list[str]
    # Higher n-grams: their unigram ids, one row per column after the unigrams.
    ngrams: np.ndarray
    extra_terms: list[str] = field(default_factory=list)
    fingerprint: str = ""
    _index: dict[str, int] | None = None
    # The n-gram table's rows as sorted int64 keys, and the row of each key.
    _sorted_keys: np.ndarray | None = None
    _key_rows: np.ndarray | None = None

    @property
    def n_terms(self) -> int:
        return self.counts.shape[1]

    def term(self, column: int) -> str:
        if column < len(self.unigrams):
            return self.unigrams[column]
        column -= len(self.unigrams)
        if column < len(self.ngrams):
            return " ".join(self.unigrams[i] for i in self.ngrams[column] if i >= 0)
        return self.extra_terms[column - len(self.ngrams)]

    def terms(self, columns: np.ndarray) -> list[str]:
        return [self.term(int(c)) for c in columns]

    def columns(self, terms: Sequence[str]) -> np.ndarray:
        """The column of each term, -1 for terms this corpus does not have.

        N-grams are found by their unigram ids in the sorted n-gram table, so
        no string is built for the corpus's hundreds of thousands of n-grams.
        """
        if self._index is None:
            self._index = {term: j for j, term in enumerate(self.unigrams)}
            base = len(self.unigrams) + len(self.ngrams)
            for j, term in enumerate(self.extra_terms):
                self._index[term] = base + j
        index = self._index
        found = np.fromiter((index.get(t, -1) for t in terms), np.int64, len(terms))
        width = self.ngrams.shape[1] if self.ngrams.ndim == 2 else 0
        wanted = [
            i
            for i, t in enumerate(terms)
            if found[i] < 0 and " " in t and not t.startswith(CHAR_PREFIX)
        ]
        if not wanted or not len(self.ngrams):
            return found
        # Each n-gram as its unigram ids padded with -1, like `self.ngrams`.
        grams = np.full((len(wanted), width), -1, dtype=np.int64)
        usable = np.ones(len(wanted), dtype=bool)
        for row, i in enumerate(wanted):
            ids = [index.get(part, -1) for part in terms[i].split(" ")]
            if len(ids) > width or min(ids) < 0:
                usable[row] = False
            else:
                grams[row, : len(ids)] = ids
        base = len(self.unigrams) + 1
        if width * np.log2(max(base, 2)) >= 62:
            # Keys would overflow (a vocabulary of millions with long n-grams).
            rows = {tuple(g): j for j, g in enumerate(self.ngrams.tolist())}
            for row, i in enumerate(wanted):
                j = rows.get(tuple(grams[row].tolist()), -1) if usable[row] else -1
                if j >= 0:
                    found[i] = len(self.unigrams) + j
            return found
        if self._sorted_keys is None:
            keys = _row_keys(self.ngrams, base)
            self._key_rows = np.argsort(keys, kind="stable")
            self._sorted_keys = keys[self._key_rows]
        table = self._sorted_keys
        keys = _row_keys(grams, base)
        where = np.minimum(np.searchsorted(table, keys), len(table) - 1)
        hit = usable & (table[where] == keys)
        found[np.asarray(wanted)[hit]] = len(self.unigrams) + self._key_rows[where[hit]]
        return found


def _row_keys(grams: np.ndarray, base: int) -> np.ndarray:
    """One int64 per row of unigram ids: a number in base `base`, -1 padding as 0."""
    keys = np.zeros(len(grams), dtype=np.int64)
    for k in range(grams.shape[1]):
        keys = keys * base + (grams[:, k] + 1)
    return keys


def _is_word(token: str) -> bool:
    return any(ch.isalnum() for ch in token)


# Between sentences when all are split at once; checked, as a token could equal it.
_SEPARATOR = "\x01\x02"


def _token_ids(lemmas: Sequence[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Each token's row (string) and type id, and the types in first-seen order.

    One ``split`` of the joined strings is about five times faster than a
    split per string.
    """
    tokens = f" {_SEPARATOR} ".join(lemmas).split()
    types = list(dict.fromkeys(tokens))
    index = {t: i for i, t in enumerate(types)}
    ids = np.fromiter(map(index.__getitem__, tokens), np.int64, len(tokens))
    separator = index.get(_SEPARATOR, -1)
    marks = ids == separator
    if int(marks.sum()) != max(len(lemmas) - 1, 0):
        # A token equal to the separator: split string by string instead.
        split = [text.split() for text in lemmas]
        lengths = np.fromiter(map(len, split), np.int64, len(split))
        rows = np.repeat(np.arange(len(split), dtype=np.int64), lengths)
        tokens = list(itertools.chain.from_iterable(split))
        types = list(dict.fromkeys(tokens))
        index = {t: i for i, t in enumerate(types)}
        ids = np.fromiter(map(index.__getitem__, tokens), np.int64, len(tokens))
        return rows, ids, types
    rows = np.cumsum(marks)
    keep = ~marks
    return rows[keep], ids[keep], types


def _unique_rows(grams: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """np.unique over rows, as one int64 key per row when that fits (much faster)."""
    n = grams.shape[1]
    if size and n * np.log2(max(size, 2)) < 62:
        keys = np.zeros(len(grams), dtype=np.int64)
        for k in range(n):
            keys = keys * size + grams[:, k]
        unique_keys, inverse = np.unique(keys, return_inverse=True)
        unique = np.zeros((len(unique_keys), n), dtype=np.int64)
        rest = unique_keys.copy()
        for k in range(n - 1, -1, -1):
            unique[:, k] = rest % size
            rest //= size
        return unique, inverse.reshape(-1)
    unique, inverse = np.unique(grams, axis=0, return_inverse=True)
    return unique, inverse.reshape(-1)


def count_ngrams(
    lemmas: Sequence[str], ngram_range: tuple[int, int] = (1, 2)
) -> tuple[sp.csr_matrix, list[str], np.ndarray]:
    """Word n-gram counts of lemma strings, vectorised with numpy.

    Returns:
        The counts (one row per string; unigram columns first, then the
        higher n-grams in order of their unigram ids), the unigram strings,
        and the unigram ids of each higher n-gram (padded with -1).
    """
    low, high = ngram_range
    if low != 1 or high < 1:
        raise ValueError(f"word n-grams start at 1, not {ngram_range}")
    rows, ids, types = _token_ids(lemmas)
    words = np.fromiter(map(_is_word, types), bool, len(types))
    # Compact ids over word types only; punctuation tokens are dropped.
    remap = np.full(len(types), -1, dtype=np.int64)
    remap[words] = np.arange(int(words.sum()))
    unigrams = [t for t, w in zip(types, words, strict=True) if w]
    keep = words[ids] if len(ids) else np.zeros(0, dtype=bool)
    ids, rows = remap[ids[keep]], rows[keep]
    size = len(unigrams)
    row_parts, col_parts = [rows], [ids]
    ngram_ids = np.zeros((0, high), dtype=np.int64)
    offset = size
    pieces = []
    for n in range(2, high + 1):
        if len(ids) < n:
            continue
        # Start positions whose next n-1 tokens are in the same sentence.
        same = rows[: len(rows) - n + 1] == rows[n - 1 :]
        starts = np.flatnonzero(same)
        if not len(starts):
            continue
        grams = np.stack([ids[starts + k] for k in range(n)], axis=1)
        unique, inverse = _unique_rows(grams, size)
        row_parts.append(rows[starts])
        col_parts.append(offset + inverse.reshape(-1))
        padded = np.full((len(unique), high), -1, dtype=np.int64)
        padded[:, :n] = unique
        pieces.append(padded)
        offset += len(unique)
    if pieces:
        ngram_ids = np.concatenate(pieces)
    all_rows = np.concatenate(row_parts) if row_parts else np.zeros(0, np.int64)
    all_cols = np.concatenate(col_parts) if col_parts else np.zeros(0, np.int64)
    counts = sp.csr_matrix(
        (np.ones(len(all_rows), dtype=np.float32), (all_rows, all_cols)),
        shape=(len(lemmas), offset),
    )
    counts.sum_duplicates()
    return counts, unigrams, ngram_ids


def build_counts(sentences: Sentences, config: FeatureConfig) -> CorpusCounts:
    """The n-gram counts of these sentences (see `count_ngrams`)."""
    counts, unigrams, ngrams = count_ngrams(sentences.lemmas, config.word_ngrams)
    extra: list[str] = []
    if config.char_ngrams:
        vectorizer = CountVectorizer(
            analyzer="char_wb", ngram_range=config.char_ngrams, lowercase=False
        )
        chars = vectorizer.fit_transform(sentences.lemmas).astype(np.float32)
        extra = [CHAR_PREFIX + t for t in vectorizer.get_feature_names_out()]
        counts = sp.hstack([counts, chars], format="csr")
    return CorpusCounts(sentences, counts, unigrams, ngrams, extra)


_CACHE: dict[tuple[str, str, FeatureConfig], CorpusCounts] = {}


def corpus_counts(
    project: Project, config: FeatureConfig = DEFAULT_FEATURES
) -> CorpusCounts:
    """The counts of the project's sentences, from this process's cache when current."""
    fingerprint = corpus_fingerprint(project)
    key = (str(Path(project.path).resolve()), fingerprint, config)
    found = _CACHE.get(key)
    if found is None:
        # One corpus per project and configuration is kept; older ones go.
        for old in [k for k in _CACHE if k[0] == key[0] and k[2] == config]:
            del _CACHE[old]
        found = build_counts(load_sentences(project), config)
        found.fingerprint = fingerprint
        _CACHE[key] = found
    return found


def clear_cache() -> None:
    _CACHE.clear()


def tfidf(counts: sp.csr_matrix, columns: np.ndarray, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear TF-IDF of the given columns, rows scaled to unit length.

    Columns of -1 (terms the corpus lacks) stay empty. Equals
    ``TfidfVectorizer(vocabulary=..., sublinear_tf=True)`` with this idf.
    """
    n_model = len(columns)
    remap = np.full(counts.shape[1] + 1, -1, dtype=np.int64)
    present = columns >= 0
    remap[columns[present]] = np.flatnonzero(present)
    new_cols = remap[counts.indices]
    keep = new_cols >= 0
    row_of = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
    kept_per_row = np.bincount(row_of[keep], minlength=counts.shape[0])
    indptr = np.concatenate(([0], np.cumsum(kept_per_row)))
    data = (1.0 + np.log(counts.data[keep].astype(np.float64))) * idf[new_cols[keep]]
    matrix = sp.csr_matrix(
        (data, new_cols[keep], indptr), shape=(counts.shape[0], n_model)
    )
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    matrix.data /= np.repeat(norms, np.diff(matrix.indptr))
    matrix.sort_indices()
    return matrix


def fit_idf(counts: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """The columns present in these rows and their smoothed idf, as scikit-learn's.

    idf = ln((1 + n) / (1 + df)) + 1, with n rows and df the rows holding the term.
    """
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    columns = np.flatnonzero(df)
    n = counts.shape[0]
    idf = np.log((1.0 + n) / (1.0 + df[columns])) + 1.0
    return columns, idf
