"""Suggesting and refitting from the TUI without freezing it.

The slow part (reading the corpus, fitting the combined model, scoring the
sentences) runs in a worker thread on a connection of its own, because a
SQLite connection belongs to the thread that opened it and reading needs no
lock. What it found is stored on the app's own connection through the write
queue (`coder.tui.writes`), in one transaction, so a project busy with
another coder's writes delays the result but never loses it or freezes the
keyboard. One job runs at a time, in the order asked; a refit asked for
while one waits is asked once.

Learning as coding goes: every coding made here and every suggestion
accepted or rejected is a training label; after `refit_every` of them, and
when a document in which labels were made is left, the coder's model is
refitted in the background, so the next suggestions start from it.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual.app import App

from coder.errors import CoderError
from coder.store import Project, open_project
from coder.tui.messages import ModelWorkChanged, ProjectChanged

if TYPE_CHECKING:
    from coder.suggest.combined import CombinedModel, CombinedRun
    from coder.suggest.rules import RuleRun

# Labels (codings, accepted or rejected suggestions) between two refits.
DEFAULT_REFIT_EVERY = 10
REFIT_EVERY_ENV = "CODER_REFIT_EVERY"

# A job's steps, for the progress bar: read the corpus, fit and score, store.
STEPS = 3


def refit_every_setting() -> int:
    """Labels between refits: CODER_REFIT_EVERY, else 10; 0 refits only when a document is left."""
    value = os.environ.get(REFIT_EVERY_ENV, "").strip()
    if not value:
        return DEFAULT_REFIT_EVERY
    try:
        every = int(value)
    except ValueError:
        raise CoderError(
            f"{REFIT_EVERY_ENV}={value!r} is not a whole number of codings"
        ) from None
    if every < 0:
        raise CoderError(f"{REFIT_EVERY_ENV}={value!r} must be 0 or more")
    return every


@dataclass
class Job:
    """Suggest (for some documents, or the project) or refit the model."""

    kind: str  # "suggest" or "refit"
    documents: list[str] | None = None  # None: every document
    why: str = ""

    @property
    def scope(self) -> str:
        if self.documents is None:
            return "the project"
        return ", ".join(self.documents)

    def describe(self) -> str:
        if self.kind == "refit":
            return f"refitting the model ({self.why})" if self.why else "refitting"
        return f"suggesting for {self.scope}"


@dataclass
class Found:
    """What a job's thread found, to be stored on the app's connection."""

    job: Job
    combined_run: CombinedRun | None = None
    rule_run: RuleRun | None = None
    model: CombinedModel | None = None
    # Why the model learned nothing (nothing coded yet): the rules ran instead.
    note: str = ""
    seconds: float = 0.0


@dataclass
class Outcome:
    """What a job changed, as the status line and the notification say it."""

    job: Job
    method: str = ""
    suggestions: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    model: str = ""  # "3fa09c1e, 1,755 sentences"
    note: str = ""
    seconds: float = 0.0

    def describe(self) -> str:
        if self.job.kind == "refit":
            if not self.model:
                return f"model not refitted: {self.note}"
            return f"model refitted: {self.model} ({self.seconds:.1f} s)"
        said = (
            f"{self.method}: {self.suggestions:,} suggestions for {self.job.scope}"
            f" ({self.added:,} new, {self.updated:,} updated, {self.removed:,}"
            f" withdrawn)"
        )
        if self.model:
            said += f"; model {self.model}"
        if self.note:
            said += f"; {self.note}"
        return said


def find(
    project: Project, job: Job, coder: str, step: Callable[[int, str], None]
) -> Found:
    """Run a job's slow part on `project` (the worker thread's own connection).

    Args:
        project: A connection opened in the calling thread.
        job: What to do.
        coder: Whose codings and decisions the model learns from.
        step: Called with the step number (1 to STEPS) and what it is.
    """
    from coder.suggest import combined, rules

    began = time.perf_counter()
    found = Found(job)
    step(1, "reading the sentences")
    combined.corpus_signals(project)
    if job.kind == "refit":
        step(2, "fitting the model on your codings and decisions")
        try:
            found.model = combined.current_combined(project, coder, save=False)[0]
        except CoderError as error:
            found.note = str(error)
    else:
        step(2, "fitting or loading the model, scoring the sentences")
        try:
            found.combined_run = combined.suggest_combined(
                project, coder=coder, documents=job.documents, save=False
            )
            found.model = found.combined_run.model
        except CoderError as error:
            # Nothing coded yet: the codebook's patterns are all there is.
            found.note = str(error)
            step(2, "matching the codebook's patterns")
            found.rule_run = rules.suggest_rules(
                project, documents=job.documents, coder=coder
            )
    found.seconds = time.perf_counter() - began
    return found


def store(project: Project, found: Found) -> Outcome:
    """Store what a job found (one transaction): the fitted model, the suggestions."""
    from coder.suggest import combined, rules
    from coder.suggest.queue import store_suggestions

    outcome = Outcome(found.job, note=found.note, seconds=found.seconds)
    with project.atomic():
        model = found.model
        if model is not None:
            if not model.loaded:
                combined.save_combined(project, model)
            outcome.model = (
                f"{model.fingerprint[:8]}, {model.training_sentences:,} sentences"
            )
        run = found.combined_run or found.rule_run
        if run is not None:
            outcome.method = combined.METHOD if found.combined_run else rules.METHOD
            stored = store_suggestions(
                project,
                run.suggestions,
                method=outcome.method,
                documents=found.job.documents,
            )
            outcome.suggestions = len(run.suggestions)
            outcome.added, outcome.updated = stored.added, stored.updated
            outcome.removed = stored.removed
    if found.rule_run is not None and found.note:
        outcome.note = "rules only: nothing coded to learn from yet"
    return outcome


@dataclass
class ModelWork:
    """The app's background suggesting and refitting, one job at a time.

    Args:
        app: The app: its project, coder, write queue and current screen.
        refit_every: Labels between two refits (0: only when a document is left).
    """

    app: App
    refit_every: int = DEFAULT_REFIT_EVERY
    # The job in its thread (or being stored), and those waiting.
    running: Job | None = None
    waiting: deque[Job] = field(default_factory=deque)
    step: int = 0
    step_text: str = ""
    since: float = 0.0
    # Labels made since the last refit began, and the documents they are in.
    labels: int = 0
    labelled_documents: set[str] = field(default_factory=set)
    # What finished, latest last (the tests read this; the status line says it).
    done: list[Outcome] = field(default_factory=list)
    # How the slow part is run; tests may wrap it to hold a job in its thread.
    finder: Callable[[Project, Job, str, Callable[[int, str], None]], Found] = find

    @property
    def busy(self) -> bool:
        return self.running is not None

    def status(self) -> str:
        """One line on what runs, for the status line ("" when idle)."""
        if self.running is None:
            return ""
        text = f"⟳ {self.running.describe()}: {self.step}/{STEPS} {self.step_text}"
        if self.waiting:
            text += f" (+{len(self.waiting)} waiting)"
        return text

    # Asking -------------------------------------------------------------------

    def suggest(self, documents: list[str] | None) -> None:
        """Suggest for these documents (None: the project) in the background."""
        self._ask(Job("suggest", documents))

    def refit(self, why: str) -> None:
        """Refit the coder's model in the background (once, if one is waiting)."""
        if any(job.kind == "refit" for job in self.waiting):
            return
        self.labels = 0
        self.labelled_documents.clear()
        self._ask(Job("refit", why=why))

    def labelled(self, document: str) -> None:
        """A coding was made or a suggestion decided in `document`: a training label."""
        self.labels += 1
        self.labelled_documents.add(document)
        if self.refit_every and self.labels >= self.refit_every:
            self.refit(f"after {self.labels} codings and decisions")

    def document_done(self, document: str) -> None:
        """The coder left `document`: refit if they labelled anything in it."""
        if document in self.labelled_documents:
            self.refit(f"{document} coded")

    # Running ------------------------------------------------------------------

    def _ask(self, job: Job) -> None:
        self.waiting.append(job)
        if self.running is None:
            self._next()
        else:
            self._changed()

    def _next(self) -> None:
        if not self.waiting:
            self.running = None
            return
        job = self.running = self.waiting.popleft()
        self.step, self.step_text, self.since = 0, "starting", time.monotonic()
        self._changed()
        self.app.run_worker(
            lambda: self._thread(job),
            name=job.describe(),
            group="model",
            thread=True,
            exit_on_error=False,
        )

    def _thread(self, job: Job) -> None:
        """The worker thread: find on a connection of its own, hand over to the app."""
        app = self.app
        coder = app.coder

        def step(number: int, text: str) -> None:
            self._from_thread(self._stepped, number, text)

        try:
            with open_project(app.project.path, actor=coder) as project:
                found = self.finder(project, job, coder, step)
        except Exception as error:  # reported, not raised: the screen goes on
            self._from_thread(self._failed, job, error)
            return
        self._from_thread(self._found, found)

    def _from_thread(self, callback: Callable[..., Any], *args: Any) -> None:
        # The app may have closed meanwhile: then there is nothing to show it on.
        with contextlib.suppress(RuntimeError):
            self.app.call_from_thread(callback, *args)

    def _stepped(self, number: int, text: str) -> None:
        self.step, self.step_text = number, text
        self._changed()

    def _found(self, found: Found) -> None:
        self._stepped(STEPS, "storing")
        job = found.job

        def stored(outcome: Outcome) -> None:
            self.done.append(outcome)
            suggested = job.kind == "suggest"
            self._end(outcome.describe(), changed=suggested, tell=suggested)

        def refused(error: CoderError) -> None:
            self._end(f"{job.describe()} not stored: {error}", severity="error")

        label = "storing suggestions" if job.kind == "suggest" else "storing model"
        self.app.writes.submit(
            label, lambda: store(self.app.project, found), stored, refused
        )

    def _failed(self, job: Job, error: Exception) -> None:
        if isinstance(error, CoderError):
            said = f"{job.describe()} failed: {error}"
        else:
            said = f"{job.describe()} failed ({type(error).__name__}: {error})"
        self._end(said, severity="error")

    def _end(
        self,
        said: str,
        *,
        changed: bool = False,
        tell: bool = False,
        severity: str = "",
    ) -> None:
        """A job ended: say so (a refit only on the status line), start the next."""
        self.running = None
        if severity:
            self.app.notify(said, severity=severity, timeout=10)
        elif tell:
            self.app.notify(said)
        if changed:
            self.app.screen.post_message(ProjectChanged())
        self._changed(said)
        self._next()

    def _changed(self, said: str = "") -> None:
        self.app.screen.post_message(ModelWorkChanged(said))
