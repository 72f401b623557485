"""Suggesting and refitting from the coding screen, in the background, driven with Pilot.

Every wait is for the work itself (the worker finishing, the write landing),
never for a length of time; a job is held in its thread by an event when a
test needs it to be running.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from coder.coding import list_codings
from coder.coding_import import import_codings
from coder.reading import document_segments
from coder.suggest.queue import NewSuggestion, add_suggestions, list_suggestions
from coder.tui.app import CoderApp
from coder.tui.commands import commands_for
from coder.tui.model_work import refit_every_setting
from coder.tui.screens.transcript import TranscriptScreen

CODER = "ana"
GOLD = Path(__file__).parents[2] / "transcripts" / "gold" / "export-clusters-gold.yaml"
# Ana has coded these two interviews (the gold coding of them) ...
CODED = ("og-01-karimi", "pe-01-farahani")
# ... and opens this one, which she has not.
DOC = "re-01-jafari"


@pytest.fixture
def coded(project, tmp_path) -> None:
    """Ana's codings: the gold coding of two interviews."""
    yaml = YAML(typ="safe")
    gold = yaml.load(GOLD.read_text(encoding="utf-8"))
    gold["codings"] = [c for c in gold["codings"] if c["document"] in CODED]
    path = tmp_path / "ana.yaml"
    with path.open("w", encoding="utf-8") as out:
        YAML().dump(gold, out)
    import_codings(project, path, coder=CODER)


class Gate:
    """Holds each background job in its thread until the test lets one go."""

    def __init__(self, app: CoderApp) -> None:
        self.passes = threading.Semaphore(0)
        real = app.model_work.finder

        def held(connection, job, coder, step):
            self.passes.acquire(timeout=120)
            return real(connection, job, coder, step)

        app.model_work.finder = held

    def release(self, jobs: int = 1) -> None:
        for _ in range(jobs):
            self.passes.release()


def run(app: CoderApp, scenario) -> None:
    gate = Gate(app)

    async def main() -> None:
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, TranscriptScreen)
            try:
                await scenario(pilot, app.screen, gate)
            finally:
                # Nothing left waiting in a thread: closing waits for threads.
                gate.release(10)

    asyncio.run(main())


async def finished(pilot) -> None:
    """Wait for the background job to end and its result to be stored and shown."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def status(screen) -> str:
    return str(screen.query_one("#status").render())


def stored_model(project) -> dict:
    row = project.db.execute(
        "SELECT fingerprint, meta FROM suggestion_models WHERE key = ?",
        [f"combined:{CODER}"],
    ).fetchone()
    assert row is not None, "no combined model stored for ana"
    return {"fingerprint": row[0], **json.loads(row[1])}


def test_suggest_for_the_document_then_accept_one_and_reject_one(project, coded):
    app = CoderApp(project, coder=CODER, document=DOC, refit_every=2)

    async def scenario(pilot, screen, gate):
        assert screen.suggestions == []
        await pilot.press("ctrl+g")
        # The job runs in its thread; the screen shows it and stays put.
        assert app.model_work.busy
        assert "suggesting for re-01-jafari" in status(screen)
        gate.release()
        await finished(pilot)
        assert not app.model_work.busy
        assert app.screen is screen

        outcome = app.model_work.done[-1]
        assert outcome.method == "combined" and outcome.added > 0
        stored = list_suggestions(project, document=DOC, method="combined")
        assert len(stored) == outcome.added
        # Only this document was suggested for.
        assert {s.document for s in list_suggestions(project)} == {DOC}
        # The screen shows what was stored, and says so.
        assert [s.id for s in screen.suggestions] == [s.id for s in stored]
        assert f"{outcome.added:,} new" in status(screen)
        model = stored_model(project)
        assert model["fingerprint"][:8] in stored[0].reason

        # N goes to the surest first; + accepts it as ana's coding.
        surest = max(stored, key=lambda s: (s.score, -s.start, -s.id))
        await pilot.press("N")
        assert screen.active is not None and screen.active.id == surest.id
        await pilot.press("plus")
        assert "accepted" in status(screen) and "coded by ana" in status(screen)
        codings = list_codings(project, document=DOC, coder=CODER)
        assert [(c.code, c.start, c.end, c.source) for c in codings] == [
            (surest.code, surest.start, surest.end, "suggestion:combined")
        ]

        # The next one; - rejects it and says what that did.
        await pilot.press("N")
        second = screen.active
        assert second is not None and second.id != surest.id
        await pilot.press("minus")
        assert "rejected" in status(screen)
        assert f"the model learns it is not {app.codes.name(second.code)}" in status(
            screen
        )
        decided = {
            s.id: s.status
            for s in list_suggestions(project, status=None, document=DOC)
            if s.status != "pending"
        }
        assert decided == {surest.id: "accepted", second.id: "rejected"}
        assert len(list_codings(project, document=DOC, coder=CODER)) == 1

        # Two decisions are two labels: the model refits on them at once.
        assert app.model_work.running is not None
        assert app.model_work.running.kind == "refit"
        gate.release()
        await finished(pilot)
        refit = app.model_work.done[-1]
        assert refit.job.kind == "refit" and refit.model
        after = stored_model(project)
        # The accepted suggestion is a new positive: one more sentence learned.
        assert after["training_sentences"] > model["training_sentences"]
        assert after["fingerprint"] != model["fingerprint"]
        assert "model refitted" in status(screen)

    run(app, scenario)


def test_the_screen_keeps_working_while_the_model_refits(project, coded):
    app = CoderApp(project, coder=CODER, document=DOC, refit_every=2)
    s = [(x.start, x.end) for x in document_segments(project, DOC, ("sentence",))]

    async def scenario(pilot, screen, gate):
        await pilot.press("t", "j", "t")
        # Two codings: the refit has started in the background.
        work = app.model_work
        assert work.running is not None and work.running.kind == "refit"
        assert "refitting the model" in status(screen)
        assert screen.query_one("#model-progress").display

        # Meanwhile the keys still move and code, and the codings land.
        await pilot.press("j", "j", "t")
        assert screen.view.cursor == 3
        trust = [
            (c.start, c.end)
            for c in list_codings(project, document=DOC, coder=CODER, code="trust")
        ]
        assert trust == [s[0], s[1], s[3]]
        assert work.running is not None and work.running.kind == "refit"
        assert work.done == []
        # The third coding counts towards the next refit.
        assert work.labels == 1

        gate.release()
        await finished(pilot)
        assert [o.job.kind for o in work.done] == ["refit"]
        assert not screen.query_one("#model-progress").display
        assert "model refitted" in status(screen)
        model = stored_model(project)
        assert model["coder"] == CODER
        assert work.done[0].model.startswith(model["fingerprint"][:8])

    run(app, scenario)


def test_leaving_a_coded_document_refits(project, coded):
    app = CoderApp(project, coder=CODER, document=DOC, refit_every=0)

    async def scenario(pilot, screen, gate):
        await pilot.press("t")
        # Every 0 codings: no refit while the coder is in the document ...
        assert not app.model_work.busy
        await pilot.press("q")
        # ... and one when they leave it.
        assert app.model_work.running is not None
        assert app.model_work.running.why == f"{DOC} coded"
        gate.release()
        await finished(pilot)
        assert [o.job.kind for o in app.model_work.done] == ["refit"]
        assert stored_model(project)["coder"] == CODER

    run(app, scenario)


def test_suggest_for_the_project_before_anything_is_coded(project):
    app = CoderApp(project, coder=CODER, document=DOC)

    async def scenario(pilot, screen, gate):
        # From the command palette (its entries are the screen's bindings: f8).
        by_title = {command.title: command for command in commands_for(screen)}
        await by_title[
            "Suggest codings for every document of the project (in the background)"
        ].run()
        await pilot.pause()
        assert "suggesting for the project" in status(screen)
        gate.release()
        await finished(pilot)
        outcome = app.model_work.done[-1]
        # Nothing coded to learn from: the codebook's patterns, as the CLI does.
        assert outcome.method == "rules"
        assert "rules only" in outcome.describe()
        stored = list_suggestions(project)
        assert len({s.document for s in stored}) > 1
        assert {s.method for s in stored} == {"rules"}
        assert [s.id for s in screen.suggestions] == [
            s.id for s in stored if s.document == DOC
        ]

    run(app, scenario)


def test_suggestions_wait_for_a_busy_project(project, demo_path):
    app = CoderApp(project, coder=CODER, document=DOC)
    other = sqlite3.connect(demo_path, isolation_level=None)

    async def scenario(pilot, screen, gate):
        other.execute("BEGIN IMMEDIATE")
        await pilot.press("ctrl+g")
        gate.release()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        # Found, but not stored while another writer holds the lock.
        assert app.writes.pending == ["storing suggestions"]
        assert list_suggestions(project) == []
        await pilot.press("j")
        assert screen.view.cursor == 1
        other.execute("COMMIT")
        assert app.writes.flush(1000)
        await pilot.pause()
        assert {s.document for s in list_suggestions(project)} == {DOC}
        assert screen.suggestions

    try:
        run(app, scenario)
    finally:
        other.close()


def test_n_follows_the_chosen_order(project):
    s = [(x.start, x.end) for x in document_segments(project, DOC, ("sentence",))]
    add_suggestions(
        project,
        [
            NewSuggestion(DOC, *s[1], "trust", 0.95, "combined", "p >= 0.40"),
            NewSuggestion(DOC, *s[2], "trust", 0.55, "combined", "p >= 0.40"),
            NewSuggestion(DOC, *s[3], "trust", 0.2, "combined", "p >= 0.15"),
            NewSuggestion(DOC, *s[4], "trust", 0.7, "combined", "p >= 0.40"),
        ],
    )
    app = CoderApp(project, coder=CODER, document=DOC)

    async def scenario(pilot, screen, gate):
        async def scores() -> list[float]:
            found = []
            for _ in range(4):
                await pilot.press("N")
                assert screen.view.selection == (
                    screen.active.start,
                    screen.active.end,
                )
                found.append(screen.active.score)
            return found

        # Surest first (fast confirmation), the default.
        assert "N: surest first" in status(screen)
        assert await scores() == [0.95, 0.7, 0.55, 0.2]
        # ctrl+t: least sure first (active learning), closest to even odds.
        await pilot.press("ctrl+t")
        assert app.least_sure_first
        assert "N: least sure first" in status(screen)
        assert await scores() == [0.55, 0.7, 0.2, 0.95]
        # After a decision N starts again from the least sure left.
        await pilot.press("N", "minus")
        await pilot.press("N")
        assert screen.active.score == 0.7
        await pilot.press("ctrl+t", "N")
        assert screen.active.score == 0.95

    run(app, scenario)


def test_refit_setting(monkeypatch):
    monkeypatch.delenv("CODER_REFIT_EVERY", raising=False)
    assert refit_every_setting() == 10
    monkeypatch.setenv("CODER_REFIT_EVERY", "0")
    assert refit_every_setting() == 0
    monkeypatch.setenv("CODER_REFIT_EVERY", "many")
    with pytest.raises(Exception, match="CODER_REFIT_EVERY='many' is not a whole"):
        refit_every_setting()


def test_decisions_on_the_suggestions_screen_are_labels(project):
    s = [(x.start, x.end) for x in document_segments(project, DOC, ("sentence",))]
    add_suggestions(
        project,
        [NewSuggestion(DOC, *s[1], "trust", 0.9, "combined", "p >= 0.40")],
    )
    app = CoderApp(project, coder=CODER, document=DOC)

    async def scenario(pilot, screen, gate):
        await pilot.press("f4", "minus")
        await pilot.pause()
        assert [x.status for x in list_suggestions(project, status=None)] == [
            "rejected"
        ]
        assert app.model_work.labels == 1
        assert DOC in app.model_work.labelled_documents

    run(app, scenario)
