"""Learned suggestions: a text classifier per project and coder, trained on their codings.

Training data are sentences. A sentence counts as coded with a code when
that coder's codings of the code cover more than half of it. A document the
coder has coded is taken as read up to the end of their last coding in it:
the sentences up to there without a code are that code's negatives. A
rejected suggestion makes its sentences negatives of its code, wherever
they are.

The model is multi-label one-vs-rest: for every code with enough coded
sentences, a linear SVM (scikit-learn's ``LinearSVC``, classes balanced) on
sublinear TF-IDF of word unigrams and bigrams of the stored lemmas
(optionally character n-grams), with probabilities calibrated by Platt
scaling (``CalibratedClassifierCV(method="sigmoid", ensemble=False)``: the
SVM fitted on all the data, the sigmoid fitted on cross-validated scores).
The loop over codes is written out rather than left to
``OneVsRestClassifier`` because each code has its own negatives (its
rejections).

A fitted model is stored in the project as plain arrays (no pickle, so a
project file from someone else runs no code when opened), keyed by coder and
by a fingerprint of everything it was trained on; asking again with the same
codings loads it instead of training.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
import sklearn
from joblib import Parallel, delayed
from sklearn.calibration import CalibratedClassifierCV
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC
from threadpoolctl import threadpool_limits

from coder.cases import document_id
from coder.codes import current_codebook
from coder.errors import CoderError
from coder.store import Project
from coder.store.project import now
from coder.suggest.corpus import Sentences, coder_codings, covered
from coder.suggest.features import (
    CHAR_PREFIX,
    DEFAULT_FEATURES,
    CorpusCounts,
    FeatureConfig,
    corpus_counts,
    fit_idf,
    tfidf,
)
from coder.suggest.model_store import store_model, stored_model
from coder.suggest.queue import NewSuggestion

METHOD = "learned"
# Coded sentences a code needs before it gets a classifier.
MIN_EXAMPLES = 5
# Folds of the calibration's cross-validation (each needs a coded sentence).
CALIBRATION_FOLDS = 3
C = 0.5
TOP_TERMS = 3
DEFAULT_MIN_SCORE = 0.5
# Version of what is stored; a stored model of another format is retrained.
MODEL_FORMAT = 1


@dataclass
class TrainingSet:
    """Labelled sentences of one coder, as positions into the corpus."""

    coder: str
    # Sentences read by the coder (every code's examples).
    rows: np.ndarray
    # code -> boolean over `rows`: coded with it.
    labels: dict[str, np.ndarray]
    # code -> further sentences (corpus positions) that are negatives of it only.
    rejected: dict[str, np.ndarray]
    # Every corpus position's label, code -> boolean over the corpus.
    coded: dict[str, np.ndarray] = field(default_factory=dict)

    def fingerprint(self, counts: CorpusCounts, config: FeatureConfig) -> str:
        """A digest of what a model would be trained on."""
        ids = counts.sentences.ids
        digest = hashlib.sha256()
        digest.update(json.dumps([MODEL_FORMAT, config.to_dict(), C]).encode())
        digest.update(ids[self.rows].tobytes())
        for code in sorted(self.labels):
            digest.update(code.encode() + b"\x00")
            digest.update(np.packbits(self.labels[code]).tobytes())
            digest.update(ids[self.rejected.get(code, np.zeros(0, np.int64))].tobytes())
        for code in sorted(set(self.rejected) - set(self.labels)):
            digest.update(b"r" + code.encode() + b"\x00")
            digest.update(ids[self.rejected[code]].tobytes())
        return digest.hexdigest()[:32]


def training_set(
    project: Project,
    counts: CorpusCounts,
    coder: str,
    *,
    codes: Collection[str] | None = None,
    exclude_documents: Collection[int] = (),
) -> TrainingSet:
    """What a coder's codings and rejections teach.

    Args:
        project: The open project.
        counts: The corpus (its sentences are the candidates).
        coder: Whose codings and decisions.
        codes: Only these codes (default: the codebook's).
        exclude_documents: Leave these document ids out (cross-validation's
            test fold).
    """
    sentences = counts.sentences
    if codes is None:
        codes = [code.id for code, _, _ in current_codebook(project).walk()]
    codes = set(codes)
    exclude = set(exclude_documents)
    codings = [
        c
        for c in coder_codings(project, coder)
        if c[1] in codes and c[0] not in exclude
    ]
    coded = covered(sentences, codings)
    # Read up to the end of the last coding in each document.
    last_end: dict[int, int] = {}
    for doc, _, _, end in codings:
        last_end[doc] = max(end, last_end.get(doc, 0))
    read = np.zeros(len(sentences), dtype=bool)
    if last_end:
        docs = np.fromiter(last_end, np.int64, len(last_end))
        ends = np.fromiter(last_end.values(), np.int64, len(last_end))
        order = np.argsort(docs)
        docs, ends = docs[order], ends[order]
        where = np.searchsorted(docs, sentences.document_ids)
        where = np.minimum(where, len(docs) - 1)
        match = docs[where] == sentences.document_ids
        read = match & (sentences.starts < ends[where])
    rows = np.flatnonzero(read)
    rejections = [
        r
        for r in project.execute(
            'SELECT s.document_id, s.code_id, s.start, s."end" FROM suggestions s'
            " JOIN coders k ON k.id = s.decided_by"
            " WHERE s.status = 'rejected' AND k.name = ?",
            [coder],
        ).fetchall()
        if r[1] in codes and r[0] not in exclude
    ]
    rejected = {}
    for code, mask in covered(sentences, rejections).items():
        # Coded wins over rejected: a coder may reject a turn and code a sentence of it.
        keep = mask & ~coded.get(code, np.zeros(len(sentences), dtype=bool))
        extra = np.flatnonzero(keep & ~read)
        if len(extra):
            rejected[code] = extra
    labels = {
        code: coded[code][rows] for code in sorted(coded) if coded[code][rows].any()
    }
    return TrainingSet(coder, rows, labels, rejected, coded)


@dataclass
class LearnedModel:
    """A fitted model as arrays: TF-IDF terms, one linear classifier and sigmoid per code."""

    coder: str
    fingerprint: str
    config: FeatureConfig
    terms: list[str]
    idf: np.ndarray
    codes: list[str]
    # terms x codes weights, and per code the intercept and Platt's a and b.
    coef: np.ndarray
    intercept: np.ndarray
    sigmoid_a: np.ndarray
    sigmoid_b: np.ndarray
    # Coded sentences per code (trained or not).
    examples: dict[str, int]
    # code -> why it has no classifier ("3 coded sentences; needs 2 more ...").
    skipped: dict[str, str]
    trained_at: str = ""
    seconds: float = 0.0
    sklearn_version: str = sklearn.__version__
    loaded: bool = False

    def features(self, counts: CorpusCounts, rows: np.ndarray | None = None):
        """TF-IDF of the corpus sentences at `rows` (default: all) in this model's terms."""
        matrix = counts.counts if rows is None else counts.counts[rows]
        return tfidf(matrix, counts.columns(self.terms), self.idf)

    def decision(self, features: sp.csr_matrix) -> np.ndarray:
        return np.asarray(features @ self.coef) + self.intercept

    def probabilities(self, features: sp.csr_matrix) -> np.ndarray:
        """Calibrated probability of each code (columns in `codes` order)."""
        scores = self.decision(features)
        return 1.0 / (1.0 + np.exp(self.sigmoid_a * scores + self.sigmoid_b))

    def explain(self, row: sp.csr_matrix, code: str, top: int = TOP_TERMS) -> list[str]:
        """The terms of one sentence that push hardest towards the code."""
        column = self.codes.index(code)
        (found,) = top_terms(row, self.coef[:, column], top)
        return [shown_term(self.terms[t]) for t in found]


def shown_term(term: str) -> str:
    """A term as a reason shows it: words as they are, character n-grams quoted."""
    if term.startswith(CHAR_PREFIX):
        return f'"{term[len(CHAR_PREFIX) :].strip()}"'
    return term


def top_terms(
    features: sp.csr_matrix, weights: np.ndarray, top: int = TOP_TERMS
) -> list[list[int]]:
    """For each row, its terms with the largest positive feature x weight, best first.

    Vectorised over all rows: one sort of the positive contributions by
    (row, -contribution).
    """
    contribution = features.data * weights[features.indices]
    rows = np.repeat(np.arange(features.shape[0]), np.diff(features.indptr))
    positive = contribution > 0
    contribution, rows = contribution[positive], rows[positive]
    columns = features.indices[positive]
    order = np.lexsort((-contribution, rows))
    rows, columns = rows[order], columns[order]
    # Rank within the row: position minus the row's first position.
    firsts = np.searchsorted(rows, np.arange(features.shape[0] + 1))
    rank = np.arange(len(rows)) - firsts[rows]
    keep = rank < top
    kept_rows, kept_terms = rows[keep], columns[keep].tolist()
    bounds = np.searchsorted(kept_rows, np.arange(features.shape[0] + 1))
    return [kept_terms[a:b] for a, b in itertools.pairwise(bounds)]


def _fit_one(
    features: sp.csr_matrix, target: np.ndarray, seed: int
) -> tuple[np.ndarray, float, float, float]:
    """One code's SVM and calibration: (weights, intercept, a, b)."""
    folds = StratifiedKFold(CALIBRATION_FOLDS, shuffle=True, random_state=seed)
    # One thread per fit: these problems are small, and OpenMP and BLAS
    # threads waiting on each other cost more than they give (twice the
    # time on a busy 2-core machine). Parallelism is across codes instead.
    model = CalibratedClassifierCV(
        LinearSVC(C=C, class_weight="balanced"),
        method="sigmoid",
        cv=folds,
        ensemble=False,
    )
    with threadpool_limits(1):
        model.fit(features, target)
    calibrated = model.calibrated_classifiers_[0]
    svm = calibrated.estimator
    sigmoid = calibrated.calibrators[0]
    return svm.coef_.ravel(), float(svm.intercept_[0]), sigmoid.a_, sigmoid.b_


def train(
    counts: CorpusCounts,
    data: TrainingSet,
    config: FeatureConfig = DEFAULT_FEATURES,
    *,
    n_jobs: int = 1,
) -> LearnedModel:
    """Fit a model on a training set; codes with too few examples are left out.

    Args:
        counts: The corpus.
        data: What to learn (see `training_set`).
        config: The features.
        n_jobs: Processes fitting codes side by side. One is usually fastest:
            each code's fit is short, and starting worker processes costs
            seconds.
    """
    began = time.perf_counter()
    examples = {code: int(mask.sum()) for code, mask in data.labels.items()}
    skipped = {}
    trainable = []
    for code, n in examples.items():
        negatives = len(data.labels[code]) - n + len(data.rejected.get(code, ()))
        if n < MIN_EXAMPLES:
            skipped[code] = (
                f"{n} coded sentence{'s' if n != 1 else ''}; needs"
                f" {MIN_EXAMPLES - n} more to be learned"
            )
        elif negatives < CALIBRATION_FOLDS:
            skipped[code] = (
                f"{negatives} sentences without it; needs"
                f" {CALIBRATION_FOLDS - negatives} more read sentences that lack it"
            )
        else:
            trainable.append(code)
    extra_rows = np.unique(
        np.concatenate(
            [np.zeros(0, np.int64)]
            + [data.rejected.get(code, np.zeros(0, np.int64)) for code in trainable]
        )
    )
    all_rows = np.concatenate([data.rows, extra_rows])
    row_counts = counts.counts[all_rows]
    columns, idf = fit_idf(row_counts)
    terms = counts.terms(columns)
    matrix = tfidf(row_counts, columns, idf)
    n_read = len(data.rows)
    position = {int(r): n_read + i for i, r in enumerate(extra_rows.tolist())}

    def task(code: str):
        extra = [position[int(r)] for r in data.rejected.get(code, ())]
        index = np.concatenate([np.arange(n_read), np.asarray(extra, np.int64)])
        target = np.concatenate([data.labels[code], np.zeros(len(extra), bool)])
        return _fit_one(matrix[index], target.astype(int), seed=0)

    if n_jobs > 1 and len(trainable) > 1:
        fitted = Parallel(n_jobs=min(n_jobs, len(trainable)))(
            delayed(task)(code) for code in trainable
        )
    else:
        fitted = [task(code) for code in trainable]
    coef = np.zeros((len(terms), len(trainable)))
    intercept = np.zeros(len(trainable))
    a = np.zeros(len(trainable))
    b = np.zeros(len(trainable))
    for j, (weights, bias, sa, sb) in enumerate(fitted):
        coef[:, j], intercept[j], a[j], b[j] = weights, bias, sa, sb
    return LearnedModel(
        coder=data.coder,
        fingerprint=data.fingerprint(counts, config),
        config=config,
        terms=terms,
        idf=idf,
        codes=trainable,
        coef=coef,
        intercept=intercept,
        sigmoid_a=a,
        sigmoid_b=b,
        examples=examples,
        skipped=skipped,
        trained_at=now(),
        seconds=time.perf_counter() - began,
    )


# Storing ----------------------------------------------------------------------


def _model_key(coder: str) -> str:
    return f"{METHOD}:{coder}"


def save_model(project: Project, model: LearnedModel) -> None:
    """Store the model as the coder's current one (replacing the previous)."""
    store_model(
        project,
        _model_key(model.coder),
        fingerprint=model.fingerprint,
        trained_at=model.trained_at,
        sklearn_version=model.sklearn_version,
        meta={
            "format": MODEL_FORMAT,
            "coder": model.coder,
            "config": model.config.to_dict(),
            "terms": model.terms,
            "codes": model.codes,
            "examples": model.examples,
            "skipped": model.skipped,
            "trained_at": model.trained_at,
            "seconds": model.seconds,
        },
        arrays={
            "idf": model.idf,
            "coef": model.coef.astype(np.float32),
            "intercept": model.intercept,
            "sigmoid_a": model.sigmoid_a,
            "sigmoid_b": model.sigmoid_b,
        },
    )


def load_model(project: Project, coder: str, fingerprint: str) -> LearnedModel | None:
    """The coder's stored model if it was trained on exactly this (else None)."""
    found = stored_model(project, _model_key(coder), fingerprint, MODEL_FORMAT)
    if found is None:
        return None
    meta, arrays, sklearn_version = found
    return LearnedModel(
        coder=meta["coder"],
        fingerprint=fingerprint,
        config=FeatureConfig.from_dict(meta["config"]),
        terms=meta["terms"],
        idf=arrays["idf"],
        codes=meta["codes"],
        coef=arrays["coef"].astype(np.float64),
        intercept=arrays["intercept"],
        sigmoid_a=arrays["sigmoid_a"],
        sigmoid_b=arrays["sigmoid_b"],
        examples=meta["examples"],
        skipped=meta["skipped"],
        trained_at=meta["trained_at"],
        seconds=meta["seconds"],
        sklearn_version=sklearn_version,
        loaded=True,
    )


def current_model(
    project: Project,
    coder: str | None = None,
    config: FeatureConfig = DEFAULT_FEATURES,
    *,
    retrain: bool = False,
    save: bool = True,
) -> tuple[LearnedModel, CorpusCounts, TrainingSet]:
    """The coder's model for their codings as they are now: stored, or trained and stored.

    With `save=False` a newly trained model is returned unsaved (its `loaded`
    is False), for a caller that stores it with the rest of its results in
    one transaction.
    """
    coder = coder or project.actor
    counts = corpus_counts(project, config)
    data = training_set(project, counts, coder)
    if not data.labels:
        raise CoderError(
            f"{coder} has no codings to learn from; code some sentences first"
            " (or import codings with `coder codings import`)"
        )
    fingerprint = data.fingerprint(counts, config)
    model = None if retrain else load_model(project, coder, fingerprint)
    if model is None:
        model = train(counts, data, config)
        if save:
            save_model(project, model)
    return model, counts, data


# Suggesting -------------------------------------------------------------------


@dataclass
class LearnedRun:
    """What a run of the learned model found."""

    model: LearnedModel
    suggestions: list[NewSuggestion] = field(default_factory=list)
    sentences: int = 0
    seconds: float = 0.0


def predict(
    model: LearnedModel,
    counts: CorpusCounts,
    rows: np.ndarray,
    *,
    min_score: float = DEFAULT_MIN_SCORE,
    exclude: dict[str, np.ndarray] | None = None,
    codes: Collection[str] | None = None,
    explain: bool = True,
) -> list[tuple[int, str, float, str]]:
    """(corpus position, code, probability, reason) for every prediction at or above min_score.

    Args:
        model: The fitted model.
        counts: The corpus.
        rows: Corpus positions to predict for.
        min_score: The lowest probability to keep.
        exclude: code -> boolean over the corpus: positions to leave out.
        codes: Only these codes.
        explain: Give each its top terms as the reason (else the reason is "").
    """
    if not model.codes or not len(rows):
        return []
    found = []
    features = model.features(counts, rows)
    probabilities = model.probabilities(features)
    terms = model.terms
    for j, code in enumerate(model.codes):
        if codes is not None and code not in codes:
            continue
        hits = np.flatnonzero(probabilities[:, j] >= min_score)
        skip = exclude.get(code) if exclude else None
        if skip is not None:
            hits = hits[~skip[rows[hits]]]
        if not len(hits):
            continue
        reasons = [""] * len(hits)
        if explain:
            reasons = [
                "terms: " + (", ".join(shown_term(terms[t]) for t in top) or "(none)")
                for top in top_terms(features[hits], model.coef[:, j])
            ]
        found.extend(
            zip(
                rows[hits].tolist(),
                [code] * len(hits),
                probabilities[hits, j].tolist(),
                reasons,
                strict=True,
            )
        )
    return found


def suggest_learned(
    project: Project,
    *,
    coder: str | None = None,
    codes: Collection[str] | None = None,
    documents: Iterable[str] | None = None,
    min_score: float | None = None,
    config: FeatureConfig = DEFAULT_FEATURES,
    save: bool = True,
) -> LearnedRun:
    """Suggestions from the coder's model (trained first if their codings changed).

    Sentences the coder has already coded with a code get no suggestion of it.
    With `save=False` a newly trained model is left for the caller to save.
    """
    began = time.perf_counter()
    model, counts, data = current_model(project, coder, config, save=save)
    sentences: Sentences = counts.sentences
    rows = np.arange(len(sentences))
    if documents is not None:
        ids = [document_id(project, name) for name in documents]
        rows = np.flatnonzero(np.isin(sentences.document_ids, ids))
    threshold = DEFAULT_MIN_SCORE if min_score is None else min_score
    run = LearnedRun(model=model, sentences=len(rows))
    for position, code, probability, reason in predict(
        model, counts, rows, min_score=threshold, exclude=data.coded, codes=codes
    ):
        run.suggestions.append(
            NewSuggestion(
                document=sentences.names[int(sentences.document_ids[position])],
                start=int(sentences.starts[position]),
                end=int(sentences.ends[position]),
                code=code,
                score=round(probability, 4),
                method=METHOD,
                reason=reason,
            )
        )
    run.suggestions.sort(key=lambda s: (s.document, s.start, -s.score, s.code))
    run.seconds = time.perf_counter() - began
    return run
