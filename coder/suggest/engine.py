"""Making suggestions: run the rules, the learned or the combined model, store what they propose.

Suggestions go to the queue (`coder.suggest.queue`) with their method,
score and reason; codings are never touched. Each method's pending
suggestions are replaced by those of its latest run.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from coder.codes import get_code
from coder.errors import CoderError
from coder.store import Project
from coder.suggest import combined, learned, rules
from coder.suggest.features import DEFAULT_FEATURES, FeatureConfig
from coder.suggest.queue import StoredSuggestions, store_suggestions


@dataclass
class MethodReport:
    """One method's run: what it proposed and what changed in the queue."""

    method: str
    suggestions: int
    stored: StoredSuggestions
    sentences: int
    seconds: float
    details: dict = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "method": self.method,
            "suggestions": self.suggestions,
            "added": self.stored.added,
            "updated": self.stored.updated,
            "removed": self.stored.removed,
            "sentences": self.sentences,
            "seconds": round(self.seconds, 3),
            **self.details,
            "messages": self.messages,
        }


def suggest(
    project: Project,
    *,
    use_rules: bool = True,
    use_learned: bool = True,
    use_combined: bool = False,
    codes: Collection[str] | None = None,
    documents: Collection[str] | None = None,
    min_score: float | None = None,
    coder: str | None = None,
    config: FeatureConfig = DEFAULT_FEATURES,
) -> list[MethodReport]:
    """Run the chosen methods and store their suggestions.

    Args:
        project: The open project.
        use_rules: Match the codebook's patterns.
        use_learned: Use the coder's learned model (trained if their codings changed).
        use_combined: Use the combined model (every signal in one; fitted if
            the codings, decisions or codebook changed). Before anything is
            coded it cannot learn; then the rules run in its place.
        codes: Only these codes.
        documents: Only these documents.
        min_score: Leave out suggestions scoring less (learned default 0.5).
        coder: Whose codings count as done and whose model learns (default: the actor).
    """
    for code in codes or ():
        get_code(project, code)
    coder = coder or project.actor
    # Matching and training take seconds and need no lock; storing is one
    # transaction, so a kill leaves the whole result or none of it.
    rule_run = learned_run = None
    learned_error: CoderError | None = None
    if use_rules:
        rule_run = rules.suggest_rules(
            project, codes=codes, documents=documents, coder=coder, min_score=min_score
        )
    if use_learned:
        try:
            learned_run = learned.suggest_learned(
                project,
                coder=coder,
                codes=codes,
                documents=documents,
                min_score=min_score,
                config=config,
                save=False,
            )
        except CoderError as exc:
            if not use_rules:
                raise
            # Rules can run before anyone has coded; say why nothing was learned.
            learned_error = exc
    combined_run = None
    if use_combined:
        try:
            combined_run = combined.suggest_combined(
                project,
                coder=coder,
                codes=codes,
                documents=documents,
                min_score=min_score,
                save=False,
            )
        except CoderError as exc:
            # Nothing coded yet: the codebook's patterns are all there is.
            learned_error = exc
            if rule_run is None:
                rule_run = rules.suggest_rules(
                    project,
                    codes=codes,
                    documents=documents,
                    coder=coder,
                    min_score=min_score,
                )
    reports = []
    with project.atomic():
        if rule_run is not None:
            stored = store_suggestions(
                project,
                rule_run.suggestions,
                method=rules.METHOD,
                documents=documents,
                codes=codes,
            )
            reports.append(
                MethodReport(
                    rules.METHOD,
                    len(rule_run.suggestions),
                    stored,
                    rule_run.sentences,
                    rule_run.seconds,
                    {
                        "matches": rule_run.matches,
                        "already_coded": rule_run.already_coded,
                    },
                    rule_run.skipped,
                )
            )
        if learned_error is not None:
            reports.append(
                MethodReport(
                    combined.METHOD if use_combined else learned.METHOD,
                    0,
                    StoredSuggestions(),
                    0,
                    0.0,
                    {},
                    [str(learned_error)],
                )
            )
        if learned_run is not None:
            reports.append(
                _store_model_run(
                    project,
                    learned.METHOD,
                    learned_run,
                    learned.save_model,
                    documents,
                    codes,
                )
            )
        if combined_run is not None:
            report = _store_model_run(
                project,
                combined.METHOD,
                combined_run,
                combined.save_combined,
                documents,
                codes,
            )
            model = combined_run.model
            report.details = {
                **report.details,
                "version": model.fingerprint[:8],
                "training_sentences": model.training_sentences,
            }
            reports.append(report)
    return reports


def _store_model_run(project, method, run, save, documents, codes) -> MethodReport:
    """Store a fitted model (unless it was loaded) and its suggestions; report both."""
    model = run.model
    if not model.loaded:
        save(project, model)
    stored = store_suggestions(
        project, run.suggestions, method=method, documents=documents, codes=codes
    )
    return MethodReport(
        method,
        len(run.suggestions),
        stored,
        run.sentences,
        run.seconds,
        {
            "coder": model.coder,
            "model": "stored" if model.loaded else "trained",
            "codes_learned": len(model.codes),
            "training_seconds": round(model.seconds, 3),
        },
        [f"{code}: {why}" for code, why in sorted(model.skipped.items())],
    )
