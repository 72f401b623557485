"""Combined suggestions: one calibrated classifier per code over every signal a coder uses.

Features of a sentence (all computed from what import stored):

- sublinear TF-IDF of its lemma unigrams and bigrams (as `learned`);
- the same of its neighbours in the turn (the sentences before and after),
  and of the interviewer's question the turn answers, each in its own
  columns;
- the codebook's patterns: for every code, the rule score of the sentence,
  the best of its neighbours, of its turn and of the question;
- meaning: the sentence's vector from word vectors learned on the project's
  own text (`coder.suggest.vectors`), the question's vector, and the
  sentence's cosine similarity to each code's codebook text (definition,
  include and examples as positive seeds; exclude as a negative seed);
- who speaks: whether the sentence is the interviewer's, whether it is a
  question.

Each code with a few coded sentences gets a logistic regression (classes
balanced), cross-fitted by document: fitted once leaving out each group of
training documents, the fits averaged (`train_combined`). A second stage
reads the first stage's probability beside its neighbours' and its turn's
(coders code meaning units of a few sentences) and gives the suggestion's
probability. Each code's threshold (maximising F1) and mode (the model, its
rules, either or both) are chosen on the out-of-fold probabilities of the
training documents only, so an evaluation never tunes on the documents it
scores. A code too rare to learn falls back to its rules.

The code hierarchy enters through the features: every code's rule scores
and seed similarities are features of every code, so whether a child goes
with its parent is learned from the coding.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import time
import warnings
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from threadpoolctl import threadpool_limits

from coder.cases import document_id
from coder.codebook import Codebook
from coder.codes import current_codebook
from coder.errors import CoderError
from coder.store import Project
from coder.store.project import now
from coder.suggest.features import (
    DEFAULT_FEATURES,
    tfidf,
)
from coder.suggest.learned import TrainingSet, training_set
from coder.suggest.model_store import store_model, stored_model
from coder.suggest.queue import NewSuggestion, Suggestion
from coder.suggest.signals import (
    DENSE_WEIGHT,
    NEIGHBOUR_WEIGHT,
    QUESTION_WEIGHT,
    CorpusSignals,
    Inputs,
    Vocabulary,
    corpus_signals,
    dense_features,
    feature_matrix,
    fit_vocabulary,
    make_inputs,
    row_max,
)

METHOD = "combined"
# Version of the model's features and format; a stored model of another is refitted.
MODEL_FORMAT = 1
MIN_EXAMPLES = 3
C = 1.0
THRESHOLD_FOLDS = 5
# Fits run side by side (the machines this runs on have a few cores).
FIT_THREADS = min(2, os.cpu_count() or 1)
# Read sentences above which the cross-fitting uses fewer folds.
LARGE_TRAINING = 5_000
LARGE_TRAINING_FOLDS = 2
DEFAULT_THRESHOLD = 0.5
# How a code's suggestions are made, chosen per code by cross-validation.
MODEL, RULES, EITHER, BOTH = 0, 1, 2, 3
PREDICT_CHUNK = 20_000


@dataclass
class CombinedModel:
    """Fitted combined model: one linear classifier and threshold per code."""

    coder: str
    codes: list[str]
    vocabulary: Vocabulary
    coef: np.ndarray  # features x codes
    intercept: np.ndarray
    thresholds: np.ndarray
    # Per code: MODEL, RULES, EITHER or BOTH (see `_second_stage`).
    modes: np.ndarray
    # Coded sentences per code, and codes left to the rules (with why).
    examples: dict[str, int]
    skipped: dict[str, str]
    training_sentences: int = 0
    # The second stage (see `smooth_features`): codes x features, or None.
    smooth_coef: np.ndarray | None = None
    smooth_intercept: np.ndarray | None = None
    fingerprint: str = ""
    seconds: float = 0.0
    input_codes: list[str] = field(default_factory=list)
    trained_at: str = ""
    # Document groups of the cross-fitting (1: fitted once, nothing tuned).
    folds: int = 1
    # Read from the project rather than fitted in this run.
    loaded: bool = False

    def probabilities(self, features: sp.csr_matrix) -> np.ndarray:
        scores = np.asarray(features @ self.coef) + self.intercept
        return 1.0 / (1.0 + np.exp(-scores))

    def block_probabilities(self, sparse: sp.csr_matrix, dense: np.ndarray):
        """`probabilities` of features given as `feature_blocks` gives them."""
        n_sparse = sparse.shape[1]
        scores = np.asarray(sparse @ self.coef[:n_sparse])
        scores += dense @ self.coef[n_sparse:] + self.intercept
        return 1.0 / (1.0 + np.exp(-scores))


def _fit_code(
    features: sp.csr_matrix | np.ndarray, target: np.ndarray, *, balanced: bool = True
) -> tuple[np.ndarray, float]:
    target = np.asarray(target, dtype=np.int64)
    positives = int(target.sum())
    if positives in (0, len(target)):
        # One class only (an inner fold without the code): a constant model.
        return np.zeros(features.shape[1]), -10.0 if not positives else 10.0
    model = LogisticRegression(
        C=C,
        class_weight="balanced" if balanced else None,
        solver="liblinear",
        tol=1e-3,
        max_iter=200,
        random_state=0,
    )
    model.fit(features, target)
    return model.coef_.ravel(), float(model.intercept_[0])


def best_threshold(probabilities: np.ndarray, target: np.ndarray) -> float:
    """The probability cut that maximises F1 on these (out-of-fold) predictions."""
    positives = int(target.sum())
    if not positives:
        return DEFAULT_THRESHOLD
    order = np.argsort(-probabilities, kind="stable")
    ranked = probabilities[order]
    hits = np.cumsum(target[order])
    predicted = np.arange(1, len(ranked) + 1)
    f1 = 2 * hits / (predicted + positives)
    # Only cut between distinct values.
    distinct = np.append(ranked[1:] < ranked[:-1], True)
    f1 = np.where(distinct, f1, -1)
    best = int(np.argmax(f1))
    below = ranked[best + 1] if best + 1 < len(ranked) else 0.0
    return float((ranked[best] + below) / 2)


def _labelled(data: TrainingSet, code: str) -> tuple[np.ndarray, np.ndarray]:
    """A code's training rows (corpus positions) and targets: read sentences
    plus its rejected suggestions as negatives."""
    extra = data.rejected.get(code, np.zeros(0, np.int64))
    rows = np.concatenate([data.rows, extra])
    target = np.concatenate([data.labels[code], np.zeros(len(extra), bool)])
    return rows, target


def train_combined(
    signals: CorpusSignals,
    inputs: Inputs,
    data: TrainingSet,
    *,
    folds: int = THRESHOLD_FOLDS,
) -> CombinedModel:
    """Fit the combined model on `data` only, cross-fitted by document.

    The training documents are split into `folds` groups. Each code's
    classifier is fitted once per group left out and scores the group left
    out; the fitted model is the mean of these fits (their coefficients, in
    one feature space), so the out-of-fold probabilities that choose its
    thresholds, its second stage and its mode come from models like it.

    Args:
        signals: The corpus's signals.
        inputs: Rules and seeds of the codebook (codes in its order).
        data: The coder's labelled sentences.
        folds: Groups of training documents (fewer when there are fewer
            documents; with one document nothing is tuned).
    """
    began = time.perf_counter()
    examples = {code: int(mask.sum()) for code, mask in data.labels.items()}
    skipped = {}
    codes = []
    for code in inputs.codes:
        n = examples.get(code, 0)
        if n < MIN_EXAMPLES:
            skipped[code] = (
                f"{n} coded sentence{'s' if n != 1 else ''}; needs"
                f" {MIN_EXAMPLES - n} more to be learned (its rules suggest meanwhile)"
            )
        elif len(data.rows) - n < 2:
            skipped[code] = "every read sentence has it; nothing to tell it from"
        else:
            codes.append(code)
    extra = {code: data.rejected.get(code, np.zeros(0, np.int64)) for code in codes}
    all_rows = np.unique(np.concatenate([data.rows, *extra.values()]))
    vocabulary = fit_vocabulary(signals, all_rows)
    matrix = feature_matrix(signals, inputs, vocabulary, all_rows)
    read = np.searchsorted(all_rows, data.rows)
    extra_index = {
        code: np.searchsorted(all_rows, rows) for code, rows in extra.items()
    }
    groups = signals.sentences.document_ids[data.rows]
    if len(data.rows) > LARGE_TRAINING:
        # Held-out estimates are steady with thousands of sentences; fewer,
        # larger fits keep a refit within seconds.
        folds = min(folds, LARGE_TRAINING_FOLDS)
    k = min(folds, len(np.unique(groups)))
    splits = (
        list(GroupKFold(n_splits=k).split(data.rows, groups=groups))
        if k >= 2
        else [(np.arange(len(data.rows)), np.zeros(0, np.int64))]
    )
    coef = np.zeros((matrix.shape[1], len(codes)))
    intercept = np.zeros(len(codes))
    out_of_fold = np.zeros((len(data.rows), len(codes)))

    def fit(task: tuple[int, int]) -> tuple[np.ndarray, float]:
        split, j = task
        train_index = splits[split][0]
        code = codes[j]
        index = np.concatenate([read[train_index], extra_index[code]])
        target = np.concatenate(
            [data.labels[code][train_index], np.zeros(len(extra[code]), bool)]
        )
        return _fit_code(matrix[index], target)

    tasks = [(split, j) for split in range(len(splits)) for j in range(len(codes))]
    # One BLAS thread per fit, fits side by side in threads: liblinear lets
    # go of the GIL, and these problems are too small to split further.
    with (
        threadpool_limits(1),
        warnings.catch_warnings(),
        ThreadPoolExecutor(FIT_THREADS) as pool,
    ):
        # An unconverged fit after 200 passes is still a usable ranking.
        warnings.simplefilter("ignore", ConvergenceWarning)
        for (split, j), (weights, bias) in zip(
            tasks, pool.map(fit, tasks), strict=True
        ):
            coef[:, j] += weights / len(splits)
            intercept[j] += bias / len(splits)
            test_index = splits[split][1]
            if len(test_index):
                scores = matrix[read[test_index]] @ weights + bias
                out_of_fold[test_index, j] = _sigmoid(scores)
        model = CombinedModel(
            coder=data.coder,
            codes=codes,
            vocabulary=vocabulary,
            coef=coef,
            intercept=intercept,
            thresholds=np.full(len(codes), DEFAULT_THRESHOLD),
            modes=np.full(len(codes), MODEL, dtype=np.int64),
            examples=examples,
            skipped=skipped,
            training_sentences=len(data.rows),
            input_codes=list(inputs.codes),
            folds=len(splits),
        )
        if k >= 2 and codes:
            _second_stage(model, signals, inputs, data, out_of_fold)
    model.seconds = time.perf_counter() - began
    return model


def _second_stage(
    model: CombinedModel,
    signals: CorpusSignals,
    inputs: Inputs,
    data: TrainingSet,
    out_of_fold: np.ndarray,
) -> None:
    """Fit the second stage and choose each code's mode and threshold, from
    out-of-fold first-stage probabilities (see `train_combined`)."""
    codes = model.codes
    column = {code: j for j, code in enumerate(inputs.codes)}
    full = np.zeros((len(signals.sentences), len(codes)))
    full[data.rows] = out_of_fold
    smooth_coef = np.zeros((len(codes), SMOOTH_FEATURES))
    smooth_intercept = np.zeros(len(codes))
    for j, code in enumerate(codes):
        target = data.labels[code]
        smooth = smooth_features(
            signals, full[:, j], inputs.rules[:, column[code]], data.rows
        )
        smooth_coef[j], smooth_intercept[j] = _fit_code(smooth, target, balanced=False)
        second = _sigmoid(smooth @ smooth_coef[j] + smooth_intercept[j])
        rules = inputs.rules[data.rows, column[code]] > 0
        # The model alone; the rules alone; either (rules fire or the model
        # passes its threshold); both. Whichever reproduces the coder best
        # out of fold.
        alone = best_threshold(second, target)
        either = best_threshold(np.where(rules, 1.0, second), target)
        both = best_threshold(np.where(rules, second, 0.0), target)
        candidates = [
            (_f1(second >= alone, target), MODEL, alone),
            (_f1(rules, target), RULES, 1.0),
            (_f1(rules | (second >= either), target), EITHER, either),
            (_f1(rules & (second >= both), target), BOTH, both),
        ]
        best = max(candidates, key=lambda c: c[0])
        model.modes[j], model.thresholds[j] = best[1], best[2]
    model.smooth_coef, model.smooth_intercept = smooth_coef, smooth_intercept


SMOOTH_FEATURES = 6


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def smooth_features(
    signals: CorpusSignals,
    probability: np.ndarray,
    rules: np.ndarray,
    rows: np.ndarray,
) -> np.ndarray:
    """A sentence's probability beside its neighbours' and its turn's (one code).

    Coders code meaning units of one to a few sentences, so a sentence
    between two likely ones is likely too: the second stage reads these.

    Args:
        signals: The corpus.
        probability: The first stage's probability of every corpus sentence.
        rules: The code's rule score of every corpus sentence.
        rows: The sentences wanted.
    """
    context = signals.context
    neighbours = context.neighbours[rows]
    best_neighbour = row_max(neighbours, probability[:, None])[:, 0]
    turn = context.turn[rows]
    sizes = np.maximum(np.diff(turn.indptr), 1)
    mean_turn = np.asarray(turn @ probability).ravel() / sizes
    return np.stack(
        [
            _logit(probability[rows]),
            _logit(best_neighbour),
            _logit(mean_turn),
            rules[rows],
            row_max(turn, rules[:, None])[:, 0],
            context.interviewer[rows].astype(float),
        ],
        axis=1,
    )


def chosen(mode: int, passed: np.ndarray, fires: np.ndarray) -> np.ndarray:
    """A code's suggestions in its mode, from the model's and the rules' verdicts."""
    if mode == MODEL:
        return passed
    if mode == RULES:
        return fires
    if mode == EITHER:
        return passed | fires
    return passed & fires


def _f1(predicted: np.ndarray, target: np.ndarray) -> float:
    hits = int(np.count_nonzero(predicted & target))
    total = int(predicted.sum()) + int(target.sum())
    return 2 * hits / total if total else 0.0


def predict_combined(
    model: CombinedModel,
    signals: CorpusSignals,
    inputs: Inputs,
    rows: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities (rows x model codes) and which pass each code's threshold."""
    if not model.codes or not len(rows):
        empty = np.zeros((len(rows), len(model.codes)))
        return empty, empty.astype(bool)
    columns = signals.counts.columns(model.vocabulary.terms)
    first = np.zeros((len(rows), len(model.codes)))
    # In chunks: the dense block alone is a few hundred floats a sentence.
    for begin in range(0, len(rows), PREDICT_CHUNK):
        chunk = rows[begin : begin + PREDICT_CHUNK]
        first[begin : begin + len(chunk)] = _first_stage(
            model, signals, inputs, chunk, columns
        )
    probabilities = first
    if model.smooth_coef is not None:
        probabilities = np.zeros_like(first)
        column = {code: j for j, code in enumerate(inputs.codes)}
        full = np.zeros(len(signals.sentences))
        for j, code in enumerate(model.codes):
            full[rows] = first[:, j]
            smooth = smooth_features(signals, full, inputs.rules[:, column[code]], rows)
            probabilities[:, j] = _sigmoid(
                smooth @ model.smooth_coef[j] + model.smooth_intercept[j]
            )
    return probabilities, probabilities >= model.thresholds


def _first_stage(
    model: CombinedModel,
    signals: CorpusSignals,
    inputs: Inputs,
    rows: np.ndarray,
    columns: np.ndarray,
) -> np.ndarray:
    """First-stage probabilities of `rows`, as `feature_blocks` and
    `block_probabilities` give them, with each question's TF-IDF computed
    once per question turn rather than once per sentence answering it."""
    counts = signals.counts
    idf = model.vocabulary.idf
    width = len(columns)
    weights = model.coef
    scores = np.asarray(tfidf(counts.counts[rows], columns, idf) @ weights[:width])
    neighbours = tfidf(signals.neighbour_counts[rows], columns, idf)
    scores += NEIGHBOUR_WEIGHT * np.asarray(neighbours @ weights[width : 2 * width])
    asked = signals.context.asked_turn[rows]
    turns, where = np.unique(asked[asked >= 0], return_inverse=True)
    if len(turns):
        question = tfidf(signals.turn_counts[turns], columns, idf)
        per_turn = np.asarray(question @ weights[2 * width : 3 * width])
        scores[asked >= 0] += QUESTION_WEIGHT * per_turn[where.reshape(-1)]
    dense = dense_features(signals, inputs, rows) * DENSE_WEIGHT
    scores += dense @ weights[3 * width :] + model.intercept
    return 1.0 / (1.0 + np.exp(-scores))


def combined_labels(
    model: CombinedModel,
    signals: CorpusSignals,
    inputs: Inputs,
    rows: np.ndarray,
    rule_labels: dict[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """Sentence labels of the combined suggestions: the model where it learned a
    code, the rules (`rule_labels`, booleans over `rows`) where it did not."""
    _, passed = predict_combined(model, signals, inputs, rows)
    labels = {}
    empty = np.zeros(len(rows), dtype=bool)
    for code in inputs.codes:
        if code in model.codes:
            j = model.codes.index(code)
            mode = model.modes[j]
            rules = rule_labels.get(code, empty)
            labels[code] = chosen(mode, passed[:, j], rules)
        elif code in rule_labels:
            labels[code] = rule_labels[code]
    return labels


def model_fingerprint(
    data: TrainingSet, signals: CorpusSignals, codes: list[str]
) -> str:
    """What a combined model depends on: training data, corpus, codebook codes."""
    digest = hashlib.sha256()
    digest.update(json.dumps([MODEL_FORMAT, C, codes, signals.fingerprint]).encode())
    digest.update(data.fingerprint(signals.counts, DEFAULT_FEATURES).encode())
    return digest.hexdigest()[:32]


# Storing ----------------------------------------------------------------------


def _model_key(coder: str) -> str:
    return f"{METHOD}:{coder}"


def codebook_digest(codebook: Codebook, codes: list[str]) -> str:
    """Changes when what the model reads from the codebook changes."""
    parts = [
        [
            code.id,
            parent.id if parent else None,
            code.name,
            code.definition,
            code.include,
            code.exclude,
            [[e.text, e.source, e.kind] for e in code.examples],
            code.patterns.to_dict() | {"scope": code.patterns.scope},
        ]
        for code, parent, _ in codebook.walk()
        if code.id in codes
    ]
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def save_combined(project: Project, model: CombinedModel) -> None:
    """Store the model as the coder's current combined model (plain arrays, no pickle)."""
    n_smooth = 0 if model.smooth_coef is None else len(model.codes)
    store_model(
        project,
        _model_key(model.coder),
        fingerprint=model.fingerprint,
        trained_at=model.trained_at,
        meta={
            "format": MODEL_FORMAT,
            "coder": model.coder,
            "codes": model.codes,
            "input_codes": model.input_codes,
            "terms": model.vocabulary.terms,
            "examples": model.examples,
            "skipped": model.skipped,
            "training_sentences": model.training_sentences,
            "trained_at": model.trained_at,
            "seconds": model.seconds,
        },
        arrays={
            "idf": model.vocabulary.idf,
            "coef": model.coef.astype(np.float32),
            "intercept": model.intercept,
            "thresholds": model.thresholds,
            "modes": model.modes,
            "smooth_coef": (
                model.smooth_coef
                if n_smooth
                else np.zeros((0, SMOOTH_FEATURES), dtype=np.float64)
            ),
            "smooth_intercept": model.smooth_intercept if n_smooth else np.zeros(0),
        },
    )


def load_combined(
    project: Project, coder: str, fingerprint: str
) -> CombinedModel | None:
    """The coder's stored combined model if it was fitted on exactly this (else None)."""
    found = stored_model(project, _model_key(coder), fingerprint, MODEL_FORMAT)
    if found is None:
        return None
    meta, arrays, _ = found
    smooth = arrays["smooth_coef"]
    return CombinedModel(
        coder=meta["coder"],
        codes=meta["codes"],
        vocabulary=Vocabulary(meta["terms"], arrays["idf"]),
        coef=arrays["coef"].astype(np.float64),
        intercept=arrays["intercept"],
        thresholds=arrays["thresholds"],
        modes=arrays["modes"],
        smooth_coef=smooth if len(smooth) else None,
        smooth_intercept=arrays["smooth_intercept"] if len(smooth) else None,
        examples=meta["examples"],
        skipped=meta["skipped"],
        training_sentences=meta["training_sentences"],
        fingerprint=fingerprint,
        seconds=meta["seconds"],
        trained_at=meta["trained_at"],
        input_codes=meta["input_codes"],
        loaded=True,
    )


def current_combined(
    project: Project,
    coder: str | None = None,
    *,
    save: bool = True,
) -> tuple[CombinedModel, CorpusSignals, Inputs, TrainingSet]:
    """The coder's combined model for their codings and the codebook as they are now.

    Loaded when one was stored for exactly these codings, decisions, corpus
    and codebook; otherwise fitted (and stored unless `save` is False).
    """
    coder = coder or project.actor
    codebook = current_codebook(project)
    codes = [code.id for code, _, _ in codebook.walk()]
    signals = corpus_signals(project)
    data = training_set(project, signals.counts, coder, codes=codes)
    if not data.labels:
        raise CoderError(
            f"{coder} has no codings to learn from; code some sentences first"
            " (or import codings with `coder codings import`)"
        )
    inputs = make_inputs(project, signals, codebook, codes)
    fingerprint = model_fingerprint(data, signals, codes)
    fingerprint = hashlib.sha256(
        (fingerprint + codebook_digest(codebook, codes)).encode()
    ).hexdigest()[:32]
    model = load_combined(project, coder, fingerprint)
    if model is None:
        model = train_combined(signals, inputs, data)
        model.fingerprint = fingerprint
        model.trained_at = now()
        if save:
            save_combined(project, model)
    return model, signals, inputs, data


@dataclass
class CombinedRun:
    """What a run of the combined model found."""

    model: CombinedModel
    suggestions: list[NewSuggestion] = field(default_factory=list)
    sentences: int = 0
    seconds: float = 0.0


def suggest_combined(
    project: Project,
    *,
    coder: str | None = None,
    codes: Collection[str] | None = None,
    documents: Collection[str] | None = None,
    min_score: float | None = None,
    save: bool = True,
) -> CombinedRun:
    """One suggestion per sentence and code from every signal, nothing stored.

    A sentence gets a code when the code's probability passes its
    threshold (or, where cross-validation chose so, when the code's rules
    fire); sentences the coder already coded with the code get none. The
    score is the calibrated probability (a rule score for codes left to
    the rules); the reason names the model's version and training size.

    Args:
        project: The open project.
        coder: Whose codings train the model (default: the actor).
        codes: Only these codes.
        documents: Only these documents.
        min_score: Also leave out suggestions scoring less.
        save: Store a newly fitted model (else the caller does).
    """
    began = time.perf_counter()
    model, signals, inputs, data = current_combined(project, coder, save=save)
    sentences = signals.sentences
    rows = np.arange(len(sentences))
    if documents is not None:
        ids = [document_id(project, name) for name in documents]
        rows = np.flatnonzero(np.isin(sentences.document_ids, ids))
    run = CombinedRun(model=model, sentences=len(rows))
    probabilities, passed = predict_combined(model, signals, inputs, rows)
    column = {code: j for j, code in enumerate(inputs.codes)}
    version = (
        f"model {model.fingerprint[:8]} (format {MODEL_FORMAT}),"
        f" {model.training_sentences:,} sentences"
    )
    for code in inputs.codes:
        if codes is not None and code not in codes:
            continue
        rule_scores = inputs.rules[rows, column[code]]
        if code in model.codes:
            j = model.codes.index(code)
            mode = model.modes[j]
            fires = rule_scores > 0
            hits = chosen(mode, passed[:, j], fires)
            scores = probabilities[:, j]
            why = f"p >= {model.thresholds[j]:.2f}" if mode != RULES else "rules"
        else:
            hits = rule_scores > 0
            scores = rule_scores
            why = "rules (too few codings to learn)"
        done = data.coded.get(code)
        for i in np.flatnonzero(hits).tolist():
            position = int(rows[i])
            value = float(scores[i])
            if done is not None and done[position]:
                continue
            if min_score is not None and value < min_score:
                continue
            fired = " + rules" if rule_scores[i] > 0 and why.startswith("p") else ""
            run.suggestions.append(
                NewSuggestion(
                    document=sentences.names[int(sentences.document_ids[position])],
                    start=int(sentences.starts[position]),
                    end=int(sentences.ends[position]),
                    code=code,
                    score=round(value, 4),
                    method=METHOD,
                    reason=f"{why}{fired}; {version}",
                )
            )
    run.suggestions.sort(key=lambda s: (s.document, s.start, -s.score, s.code))
    run.seconds = time.perf_counter() - began
    return run


# Reviewing --------------------------------------------------------------------


def stored_thresholds(project: Project, coder: str) -> dict[str, float]:
    """Code -> the threshold of the coder's stored combined model (empty: none)."""
    row = project.execute(
        "SELECT meta, arrays FROM suggestion_models WHERE key = ?", [_model_key(coder)]
    ).fetchone()
    if row is None:
        return {}
    meta = json.loads(row[0])
    if meta.get("format") != MODEL_FORMAT:
        return {}
    with np.load(io.BytesIO(row[1]), allow_pickle=False) as arrays:
        return dict(zip(meta["codes"], arrays["thresholds"].tolist(), strict=True))


def review_order(
    project: Project,
    suggestions: list[Suggestion],
    *,
    coder: str | None = None,
    surest_first: bool = False,
) -> list[Suggestion]:
    """Suggestions in the order to review them: least sure first (active
    learning: each decision there teaches the next fit most), or surest first
    (fast confirmation).

    Sureness is the distance of the score from its code's threshold, in log
    odds; codes without a stored threshold (rules, learned) are measured
    from 0.5.

    Args:
        project: The open project.
        suggestions: As `coder.suggest.queue.list_suggestions` gives them.
        coder: Whose combined model's thresholds (default: the actor).
        surest_first: Surest first instead of least sure first.
    """
    thresholds = stored_thresholds(project, coder or project.actor)

    def distance(s: Suggestion) -> float:
        cut = thresholds.get(s.code, DEFAULT_THRESHOLD) if s.method == METHOD else 0.5
        return abs(float(_logit(np.array([s.score]))[0] - _logit(np.array([cut]))[0]))

    ranked = sorted(suggestions, key=lambda s: (distance(s), s.id))
    return ranked[::-1] if surest_first else ranked
