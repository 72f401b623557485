"""How good the suggestions are: precision, recall and F1 per code against a coder's codings.

Units are sentences. A coder's sentence labels follow the rule the learned
model trains on (a code's codings cover more than half of the sentence), and
suggestions become sentence labels the same way, so a turn-scoped rule
labels every sentence of its turn. The documents the coder has coded are
taken as completely coded: their other sentences are negatives.

The learned model is scored by k-fold cross-validation grouped by document
(``GroupKFold``): each document is in exactly one test fold, and no document
is in a fold's training and test data at once, since sentences of one
interview share words a model could memorise. Rules learn nothing, so they
are scored on the same sentences directly. Both are pooled over the folds
per code; macro averages are the unweighted mean over the codes the coder
used, a code without patterns (or without enough examples to learn) counting
as zero.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass, field

import numpy as np
from sklearn.model_selection import GroupKFold

from coder.codes import current_codebook, get_code
from coder.errors import CoderError
from coder.store import Project
from coder.suggest import combined as combined_module
from coder.suggest import learned as learned_module
from coder.suggest import signals as signals_module
from coder.suggest.corpus import coder_codings, covered
from coder.suggest.features import DEFAULT_FEATURES, FeatureConfig, corpus_counts
from coder.suggest.rules import rule_labels

DEFAULT_FOLDS = 5


@dataclass
class Scores:
    """Counts of one method on one code, and the measures from them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, gold: np.ndarray, predicted: np.ndarray) -> None:
        self.tp += int(np.count_nonzero(gold & predicted))
        self.fp += int(np.count_nonzero(~gold & predicted))
        self.fn += int(np.count_nonzero(gold & ~predicted))
        self.tn += int(np.count_nonzero(~gold & ~predicted))

    @property
    def precision(self) -> float:
        # Nothing predicted: 0, as scikit-learn's zero_division=0.
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def kappa(self) -> float:
        """Cohen's kappa (Cohen 1960) of the suggestions against the coder, per sentence.

        (p_o - p_e) / (1 - p_e), with p_e from the two sides' marginals; 0
        where chance agreement is complete (one side constant on every unit).
        """
        n = self.tp + self.fp + self.fn + self.tn
        if not n:
            return 0.0
        observed = (self.tp + self.tn) / n
        chance = (
            (self.tp + self.fp) * (self.tp + self.fn)
            + (self.fn + self.tn) * (self.fp + self.tn)
        ) / (n * n)
        return (observed - chance) / (1 - chance) if chance < 1 else 0.0

    def to_dict(self) -> dict:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "kappa": round(self.kappa, 4),
        }


@dataclass
class CodeEvaluation:
    code: str
    # Sentences the coder coded with it.
    support: int
    has_patterns: bool
    rules: Scores = field(default_factory=Scores)
    learned: Scores = field(default_factory=Scores)
    combined: Scores = field(default_factory=Scores)
    # Folds in which it had too few examples to learn.
    unlearned_folds: int = 0

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "support": self.support,
            "has_patterns": self.has_patterns,
            "rules": self.rules.to_dict(),
            "learned": self.learned.to_dict(),
            "combined": self.combined.to_dict(),
            "unlearned_folds": self.unlearned_folds,
        }


@dataclass
class Macro:
    """Unweighted means over the codes, and the median kappa."""

    precision: float
    recall: float
    f1: float
    kappa: float
    median_kappa: float

    def to_dict(self) -> dict:
        return {k: round(v, 4) for k, v in vars(self).items()}


@dataclass
class CurvePoint:
    """The figures after training on the first `trained` documents, tested on the rest."""

    trained: int
    tested: int
    codes: list[CodeEvaluation]

    def macro(self, method: str) -> Macro:
        return _macro([getattr(code, method) for code in self.codes])

    def to_dict(self) -> dict:
        return {
            "trained": self.trained,
            "tested": self.tested,
            "macro": {m: self.macro(m).to_dict() for m in METHODS},
        }


def _macro(rows: list[Scores]) -> Macro:
    if not rows:
        return Macro(0.0, 0.0, 0.0, 0.0, 0.0)
    return Macro(
        float(np.mean([r.precision for r in rows])),
        float(np.mean([r.recall for r in rows])),
        float(np.mean([r.f1 for r in rows])),
        float(np.mean([r.kappa for r in rows])),
        float(np.median([r.kappa for r in rows])),
    )


METHODS = ("rules", "learned", "combined")


@dataclass
class Evaluation:
    coder: str
    folds: int
    documents: int
    sentences: int
    threshold_rules: float
    threshold_learned: float
    codes: list[CodeEvaluation]
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    curve: list[CurvePoint] = field(default_factory=list)

    def macro(self, method: str) -> Macro:
        return _macro([getattr(code, method) for code in self.codes])

    def to_dict(self) -> dict:
        return {
            "coder": self.coder,
            "folds": self.folds,
            "documents": self.documents,
            "sentences": self.sentences,
            "threshold": {
                "rules": self.threshold_rules,
                "learned": self.threshold_learned,
            },
            "codes": [code.to_dict() for code in self.codes],
            "macro": {
                "rules": self.macro("rules").to_dict(),
                "learned": self.macro("learned").to_dict(),
                "combined": self.macro("combined").to_dict(),
            },
            "curve": [point.to_dict() for point in self.curve],
            "seconds": round(self.seconds, 2),
            "notes": self.notes,
        }


def evaluate(
    project: Project,
    *,
    coder: str | None = None,
    folds: int = DEFAULT_FOLDS,
    min_score: float | None = None,
    config: FeatureConfig = DEFAULT_FEATURES,
    codes: Collection[str] | None = None,
    curve: bool = False,
) -> Evaluation:
    """Score rules, the learned and the combined model against a coder's own codings.

    Args:
        project: The open project.
        coder: Whose codings are the truth (default: the actor).
        folds: Folds of the cross-validation (at most one per coded document).
        min_score: Suggestions scoring less count as not made (default: every
            rule match; the learned model's 0.5).
        config: The learned model's features.
        codes: Only these codes (default: every code the coder used).
        curve: Also the learning curve: trained on the first 1, 2, ...
            coded documents (in document order), scored on all the others.
    """
    began = time.perf_counter()
    coder = coder or project.actor
    codebook = current_codebook(project)
    order = [code.id for code, _, _ in codebook.walk()]
    with_patterns = {code.id for code, _, _ in codebook.walk() if code.patterns}
    codings = [c for c in coder_codings(project, coder) if c[1] in set(order)]
    if not codings:
        raise CoderError(f"{coder} has no codings to evaluate against")
    counts = corpus_counts(project, config)
    sentences = counts.sentences
    coded_docs = sorted({doc for doc, _, _, _ in codings})
    if len(coded_docs) < 2:
        raise CoderError(
            f"{coder} has coded 1 document; cross-validation needs codings in at least 2"
        )
    rows = np.flatnonzero(np.isin(sentences.document_ids, coded_docs))
    gold = {code: mask[rows] for code, mask in covered(sentences, codings).items()}
    if codes is not None:
        for code in codes:
            get_code(project, code)
    used = [
        code
        for code in order
        if code in gold and gold[code].any() and (codes is None or code in codes)
    ]
    if not used:
        raise CoderError(f"{coder} has not used the codes asked for")
    evaluations = {
        code: CodeEvaluation(code, int(gold[code].sum()), code in with_patterns)
        for code in used
    }
    threshold_rules = 0.0 if min_score is None else min_score
    threshold_learned = (
        learned_module.DEFAULT_MIN_SCORE if min_score is None else min_score
    )
    # Rules: every sentence of the coded documents at once.
    subset = sentences.take(rows)
    predicted = rule_labels(project, subset, codebook, used, min_score=min_score)
    empty = np.zeros(len(rows), dtype=bool)
    # Learned: grouped k-fold.
    k = min(folds, len(coded_docs))
    if k < 2:
        raise CoderError("cross-validation needs at least 2 folds")
    groups = sentences.document_ids[rows]
    signals = signals_module.corpus_signals(project, config)
    rule_scores = signals_module.rule_matrix(project, signals, codebook, used)

    def run_split(test_index: np.ndarray, scores: dict[str, CodeEvaluation]) -> None:
        """Train on every coded document outside `test_index`, score inside it."""
        test_docs = set(np.unique(groups[test_index]).tolist())
        for code in used:
            # Rules learn nothing: scored on the split's test documents as they are.
            scores[code].rules.add(
                gold[code][test_index], predicted.get(code, empty)[test_index]
            )
        data = learned_module.training_set(
            project, counts, coder, codes=used, exclude_documents=test_docs
        )
        model = learned_module.train(counts, data, config)
        test_rows = rows[test_index]
        found = learned_module.predict(
            model, counts, test_rows, min_score=threshold_learned, explain=False
        )
        position = {int(r): i for i, r in enumerate(test_rows.tolist())}
        fold_predicted = {code: np.zeros(len(test_rows), dtype=bool) for code in used}
        for row, code, _, _ in found:
            fold_predicted[code][position[row]] = True
        for code in used:
            scores[code].learned.add(gold[code][test_index], fold_predicted[code])
            if code not in model.codes:
                scores[code].unlearned_folds += 1
        # Combined: the codebook's examples quoted from the test documents are
        # left out of its seeds, like their codings.
        test_names = {sentences.names[d] for d in test_docs}
        inputs = signals_module.make_inputs(
            project, signals, codebook, used, test_names, rules=rule_scores
        )
        joint = combined_module.train_combined(signals, inputs, data)
        fold_rules = {code: mask[test_index] for code, mask in predicted.items()}
        labels = combined_module.combined_labels(
            joint, signals, inputs, test_rows, fold_rules
        )
        for code in used:
            scores[code].combined.add(
                gold[code][test_index], labels.get(code, empty[test_index])
            )

    for _, test_index in GroupKFold(n_splits=k).split(rows, groups=groups):
        run_split(test_index, evaluations)
    points = []
    if curve:
        # Documents in order; after n of them, score on every later one.
        for n in range(1, len(coded_docs)):
            point = {
                code: CodeEvaluation(code, int(gold[code].sum()), code in with_patterns)
                for code in used
            }
            run_split(np.flatnonzero(~np.isin(groups, coded_docs[:n])), point)
            points.append(CurvePoint(n, len(coded_docs) - n, list(point.values())))
    result = Evaluation(
        coder=coder,
        folds=k,
        documents=len(coded_docs),
        sentences=len(rows),
        threshold_rules=threshold_rules,
        threshold_learned=threshold_learned,
        codes=[evaluations[code] for code in used],
        curve=points,
    )
    missing = [code for code in used if code not in with_patterns]
    if missing:
        result.notes.append(
            "codes without patterns (rules count 0): " + ", ".join(missing)
        )
    if any(e.unlearned_folds for e in result.codes):
        result.notes.append(
            "too few examples to learn in some folds (learned counts 0 there): "
            + ", ".join(
                f"{e.code} ({e.unlearned_folds}/{k})"
                for e in result.codes
                if e.unlearned_folds
            )
        )
    result.seconds = time.perf_counter() - began
    return result
