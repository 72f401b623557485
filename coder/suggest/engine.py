"""Making suggestions: run the rules and the learned model, store what they propose.

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
from coder.suggest import learned, rules
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
        codes: Only these codes.
        documents: Only these documents.
        min_score: Leave out suggestions scoring less (learned default 0.5).
        coder: Whose codings count as done and whose model learns (default: the actor).
    """
    for code in codes or ():
        get_code(project, code)
    coder = coder or project.actor
    reports = []
    if use_rules:
        run = rules.suggest_rules(
            project, codes=codes, documents=documents, coder=coder, min_score=min_score
        )
        stored = store_suggestions(
            project,
            run.suggestions,
            method=rules.METHOD,
            documents=documents,
            codes=codes,
        )
        reports.append(
            MethodReport(
                rules.METHOD,
                len(run.suggestions),
                stored,
                run.sentences,
                run.seconds,
                {"matches": run.matches, "already_coded": run.already_coded},
                run.skipped,
            )
        )
    if use_learned:
        try:
            found = learned.suggest_learned(
                project,
                coder=coder,
                codes=codes,
                documents=documents,
                min_score=min_score,
                config=config,
            )
        except CoderError as exc:
            if use_rules:
                # Rules can run before anyone has coded; say why nothing was learned.
                reports.append(
                    MethodReport(
                        learned.METHOD, 0, StoredSuggestions(), 0, 0.0, {}, [str(exc)]
                    )
                )
                return reports
            raise
        model = found.model
        stored = store_suggestions(
            project,
            found.suggestions,
            method=learned.METHOD,
            documents=documents,
            codes=codes,
        )
        reports.append(
            MethodReport(
                learned.METHOD,
                len(found.suggestions),
                stored,
                found.sentences,
                found.seconds,
                {
                    "coder": model.coder,
                    "model": "stored" if model.loaded else "trained",
                    "codes_learned": len(model.codes),
                    "training_seconds": round(model.seconds, 3),
                },
                [f"{code}: {why}" for code, why in sorted(model.skipped.items())],
            )
        )
    return reports
