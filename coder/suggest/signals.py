"""The signals a coder uses, as features of a sentence, for the combined suggestions.

A sentence's own lemma unigrams and bigrams (sublinear TF-IDF), those of its
neighbours in the turn and of the interviewer's question the turn answers;
every code's rule scores for the sentence, its neighbours, its turn and the
question; its vector from word vectors learned on the project's text and its
similarity to each code's codebook text; whether the interviewer speaks and
whether it is a question. `coder.suggest.combined` fits and predicts on them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from coder.codebook import Codebook
from coder.store import Project
from coder.suggest.context import Context, project_context
from coder.suggest.corpus import Sentences, corpus_fingerprint, document_pipelines
from coder.suggest.features import (
    DEFAULT_FEATURES,
    CorpusCounts,
    FeatureConfig,
    corpus_counts,
    fit_idf,
    tfidf,
)
from coder.suggest.rules import lemmatise, match_sentences
from coder.suggest.vectors import WordVectors, learn_vectors, pipeline_vectors

# Weights of the context blocks against the sentence's own words.
NEIGHBOUR_WEIGHT = 0.5


QUESTION_WEIGHT = 0.5


DENSE_WEIGHT = 1.0


@dataclass
class CorpusSignals:
    """Everything about the corpus a combined model reads, built once per corpus."""

    counts: CorpusCounts
    context: Context
    neighbour_counts: sp.csr_matrix
    # Each turn's n-gram counts (the question a sentence answers is a turn).
    turn_counts: sp.csr_matrix
    vectors: WordVectors
    embedding: np.ndarray
    asked_embedding: np.ndarray
    fingerprint: str = ""

    @property
    def sentences(self) -> Sentences:
        return self.counts.sentences


_SIGNALS: dict[tuple[str, str, FeatureConfig], CorpusSignals] = {}


def corpus_signals(
    project: Project, config: FeatureConfig = DEFAULT_FEATURES
) -> CorpusSignals:
    """The corpus's context and vectors, from this process's cache when current."""
    fingerprint = corpus_fingerprint(project)
    key = (str(Path(project.path).resolve()), fingerprint, config)
    found = _SIGNALS.get(key)
    if found is None:
        for old in [k for k in _SIGNALS if k[0] == key[0] and k[2] == config]:
            del _SIGNALS[old]
        counts = corpus_counts(project, config)
        context = project_context(project, counts.sentences)
        vectors = None
        for pipeline in document_pipelines(project).values():
            vectors = pipeline_vectors(counts, pipeline.nlp.vocab)
            if vectors is not None:
                break
        if vectors is None:
            vectors = learn_vectors(counts)
        embedding = vectors.embed(counts.counts)
        asked = context.asked @ embedding
        norms = np.linalg.norm(asked, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        found = CorpusSignals(
            counts=counts,
            context=context,
            neighbour_counts=(context.neighbours @ counts.counts).tocsr(),
            turn_counts=(context.membership @ counts.counts).tocsr(),
            vectors=vectors,
            embedding=embedding,
            asked_embedding=asked / norms,
            fingerprint=fingerprint,
        )
        _SIGNALS[key] = found
    return found


def clear_cache() -> None:
    _SIGNALS.clear()


def rule_matrix(
    project: Project, signals: CorpusSignals, codebook: Codebook, codes: list[str]
) -> np.ndarray:
    """Rule score of every sentence for every code (columns in `codes` order)."""
    sentences = signals.sentences
    scores = np.zeros((len(sentences), len(codes)))
    if not codes:
        return scores
    rules, pairs, _ = match_sentences(project, sentences, codebook, codes)
    column = {code: j for j, code in enumerate(codes)}
    weights = np.zeros((len(sentences), len(codes)))
    for position, index in pairs:
        rule = rules[index]
        if rule.code in column:
            weights[position, column[rule.code]] += rule.weight
    fired = weights > 0
    scores[fired] = 1.0 - 0.5 ** weights[fired]
    return scores


def seed_texts(
    codebook: Codebook, codes: list[str], exclude_sources: Collection[str] = ()
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Each code's positive seed texts (definition, include, examples) and negative
    ones (exclude). Examples quoted from `exclude_sources` are left out, so an
    evaluation never sees its test documents' sentences through the codebook."""
    positive: dict[str, list[str]] = {}
    negative: dict[str, list[str]] = {}
    by_id = {code.id: code for code, _, _ in codebook.walk()}
    for code_id in codes:
        code = by_id.get(code_id)
        if code is None:
            continue
        texts = [code.name, code.definition, code.include]
        texts += [
            e.text
            for e in code.examples
            if e.source not in exclude_sources and e.kind != "negative"
        ]
        positive[code_id] = [t for t in texts if t]
        negative[code_id] = [t for t in [code.exclude] if t]
    return positive, negative


def seed_vectors(
    project: Project,
    signals: CorpusSignals,
    codebook: Codebook,
    codes: list[str],
    exclude_sources: Collection[str] = (),
) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors of each code's positive and negative seed texts (codes x dims)."""
    pipelines = document_pipelines(project)
    pipeline = next(iter(pipelines.values()), None)
    counts = signals.counts
    positive, negative = seed_texts(codebook, codes, exclude_sources)
    dims = signals.vectors.vectors.shape[1]
    result = []
    for seeds in (positive, negative):
        matrix = np.zeros((len(codes), dims))
        for j, code in enumerate(codes):
            lemmas: list[str] = []
            for text in seeds.get(code, []):
                lemmas.extend(lemmatise(pipeline, text) if pipeline else text.split())
            columns = counts.columns(lemmas)
            columns = columns[columns >= 0]
            columns = columns[columns < len(counts.unigrams)]
            if not len(columns):
                continue
            row = sp.csr_matrix(
                (np.ones(len(columns)), (np.zeros(len(columns), int), columns)),
                shape=(1, counts.n_terms),
            )
            row.sum_duplicates()
            matrix[j] = signals.vectors.embed(row)[0]
        result.append(matrix)
    return result[0], result[1]


@dataclass
class Inputs:
    """The per-sentence signals of one codebook: rules and seed similarities."""

    codes: list[str]
    rules: np.ndarray
    seeds: np.ndarray
    anti_seeds: np.ndarray


def make_inputs(
    project: Project,
    signals: CorpusSignals,
    codebook: Codebook,
    codes: list[str],
    exclude_sources: Collection[str] = (),
    rules: np.ndarray | None = None,
) -> Inputs:
    if rules is None:
        rules = rule_matrix(project, signals, codebook, codes)
    seeds, anti = seed_vectors(project, signals, codebook, codes, exclude_sources)
    return Inputs(codes, rules, seeds, anti)


def dense_features(
    signals: CorpusSignals, inputs: Inputs, rows: np.ndarray
) -> np.ndarray:
    """The dense block of the features of `rows` (see the module docstring)."""
    context = signals.context
    rules = inputs.rules
    neighbours = context.neighbours[rows]
    # Best rule score among the neighbours, in the turn, in the question.
    best_neighbour = row_max(neighbours, rules)
    best_turn = row_max(context.turn[rows], rules)
    best_asked = row_max(context.asked[rows], rules)
    embedding = signals.embedding[rows]
    similarity = embedding @ inputs.seeds.T
    anti = embedding @ inputs.anti_seeds.T
    asked_similarity = signals.asked_embedding[rows] @ inputs.seeds.T
    flags = np.stack(
        [context.interviewer[rows], context.question[rows]], axis=1
    ).astype(float)
    return np.hstack(
        [
            flags,
            rules[rows],
            best_neighbour,
            best_turn,
            best_asked,
            similarity,
            anti,
            asked_similarity,
            embedding,
            signals.asked_embedding[rows],
        ]
    )


def row_max(selector: sp.csr_matrix, values: np.ndarray) -> np.ndarray:
    """For each selector row, the column-wise max of `values` over its selected rows."""
    out = np.zeros((selector.shape[0], values.shape[1]))
    indptr, indices = selector.indptr, selector.indices
    nonempty = np.flatnonzero(np.diff(indptr))
    if not len(nonempty):
        return out
    # reduceat over the concatenated selected rows.
    gathered = values[indices]
    starts = indptr[:-1][nonempty]
    out[nonempty] = np.maximum.reduceat(gathered, starts, axis=0)
    return out


@dataclass
class Vocabulary:
    """The n-gram columns and idf fitted on training rows."""

    terms: list[str]
    idf: np.ndarray


def fit_vocabulary(signals: CorpusSignals, rows: np.ndarray) -> Vocabulary:
    columns, idf = fit_idf(signals.counts.counts[rows])
    return Vocabulary(signals.counts.terms(columns), idf)


def feature_blocks(
    signals: CorpusSignals,
    inputs: Inputs,
    vocabulary: Vocabulary,
    rows: np.ndarray,
    columns: np.ndarray | None = None,
) -> tuple[sp.csr_matrix, np.ndarray]:
    """The features of `rows` as the three TF-IDF blocks side by side (sparse)
    and the dense block: scoring multiplies each by its part of the weights,
    cheaper than joining them."""
    counts = signals.counts
    if columns is None:
        columns = counts.columns(vocabulary.terms)
    idf = vocabulary.idf
    sparse = sp.hstack(
        [
            tfidf(counts.counts[rows], columns, idf),
            tfidf(signals.neighbour_counts[rows], columns, idf) * NEIGHBOUR_WEIGHT,
            tfidf(_asked_counts(signals, rows), columns, idf) * QUESTION_WEIGHT,
        ],
        format="csr",
    )
    return sparse, dense_features(signals, inputs, rows) * DENSE_WEIGHT


def _asked_counts(signals: CorpusSignals, rows: np.ndarray) -> sp.csr_matrix:
    """The n-gram counts of the question each of `rows` answers (empty: none)."""
    asked = signals.context.asked_turn[rows]
    found = signals.turn_counts[np.maximum(asked, 0)]
    return (sp.diags((asked >= 0).astype(np.float32)) @ found).tocsr()


def feature_matrix(
    signals: CorpusSignals,
    inputs: Inputs,
    vocabulary: Vocabulary,
    rows: np.ndarray,
    columns: np.ndarray | None = None,
) -> sp.csr_matrix:
    """All features of `rows` in one matrix (for fitting): see `feature_blocks`."""
    sparse, dense = feature_blocks(signals, inputs, vocabulary, rows, columns)
    return sp.hstack([sparse, sp.csr_matrix(dense)], format="csr")
