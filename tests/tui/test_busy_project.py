"""Coding while another process holds the project's write lock: no freeze, no crash, nothing lost."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from pathlib import Path

from coder.coding import list_codings
from coder.reading import document_segments, list_documents
from coder.tui.app import CoderApp
from coder.tui.screens.confirm import ConfirmScreen
from coder.tui.screens.transcript import TranscriptScreen

DOC = "pe-01-farahani"


def _trust(project) -> list[tuple[int, int]]:
    return [
        (c.start, c.end)
        for c in list_codings(project, document=DOC, coder="ana", code="trust")
    ]


def _sentences(project) -> list[tuple[int, int]]:
    return [(s.start, s.end) for s in document_segments(project, DOC, ("sentence",))]


def _hold_lock(path: Path) -> sqlite3.Connection:
    """Another process's writer, in the middle of a long transaction."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


def _status(screen) -> str:
    return str(screen.query_one("#status").render())


async def _transcript(pilot) -> TranscriptScreen:
    await pilot.press("slash", *DOC[:5], "enter", "enter")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, TranscriptScreen)
    return screen


def test_codings_wait_while_the_project_is_busy_then_land_in_order(
    project, demo_path, drive
):
    s = _sentences(project)
    other = _hold_lock(demo_path)

    async def scenario(pilot):
        screen = await _transcript(pilot)
        # Code three sentences, then undo the last: all while the lock is held.
        # The keys are handled (the cursor moved) while the other writer still
        # holds the lock: nothing waited for it to be released.
        await pilot.press("t", "j", "t", "j", "t", "u")
        assert screen.view.cursor == 2
        assert _trust(project) == []
        assert pilot.app.writes.pending[-1] == "undo"
        assert len(pilot.app.writes.pending) == 4
        assert "4 pending" in _status(screen)

        other.execute("COMMIT")
        await pilot.pause(1.0)
        assert pilot.app.writes.pending == []
        # In order: the undo took back the third coding, not an earlier one.
        assert _trust(project) == [s[0], s[1]]
        assert "pending" not in _status(screen)
        assert "undone" in _status(screen)

    try:
        drive(scenario)
    finally:
        other.close()


def test_a_write_that_cannot_land_is_reported_and_the_selection_kept(
    project, demo_path, drive, app
):
    app.writes.give_up_after = 0.5
    other = _hold_lock(demo_path)

    async def scenario(pilot):
        screen = await _transcript(pilot)
        await pilot.press("j", "shift+down", "t")
        selection = screen.view.selection
        await pilot.pause(1.2)
        assert pilot.app.writes.pending == []
        assert screen.view.selection == selection
        messages = [n.message for n in pilot.app._notifications]
        assert any(m.startswith("Not saved: Trust on") for m in messages), messages
        # Once the project frees, the same key codes it.
        other.execute("COMMIT")
        await pilot.press("t")
        assert _trust(project) == [selection]

    try:
        drive(scenario)
    finally:
        other.close()


def test_quitting_with_pending_writes_asks_first(project, demo_path, drive):
    other = _hold_lock(demo_path)

    async def scenario(pilot):
        await _transcript(pilot)
        await pilot.press("t", "ctrl+q")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.press("n")
        other.execute("COMMIT")
        await pilot.pause(0.6)
        assert len(_trust(project)) == 1
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not pilot.app.is_running

    try:
        drive(scenario)
    finally:
        other.close()


def test_coding_while_another_process_imports_a_hundred_files(
    demo_path, tmp_path, project
):
    """Every key's coding is stored, none doubled, and the screen never fails."""
    folder = tmp_path / "incoming"
    folder.mkdir()
    for number in range(100):
        lines = [
            f"Interviewer: Question {number} about the cluster and its members?",
            f"Respondent {number}: "
            + " ".join(
                f"Sentence {k} of reply {number} speaks of trust and of contracts."
                for k in range(400)
            ),
        ]
        (folder / f"extra-{number:03d}.txt").write_text("\n\n".join(lines) + "\n")

    def start_import() -> subprocess.Popen:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "coder",
                "import",
                "-p",
                str(demo_path),
                str(folder),
                "--jobs",
                "1",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    started: list[subprocess.Popen] = []
    s = _sentences(project)
    # No refit of the model in the background (tests/tui/test_model_work.py):
    # this is about the lock, and while a thread computes, Pilot's press waits
    # up to a second per key for the process to go idle.
    app = CoderApp(project, coder="ana", refit_every=0)
    keys_pressed = 0
    overlapped: list[bool] = []
    errors: list[str] = []

    async def main() -> None:
        nonlocal keys_pressed
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            await _transcript(pilot)
            importer = start_import()
            started.append(importer)
            # Code a sentence and move on, for as long as the import runs.
            while keys_pressed < len(s) - 1 and (
                importer.poll() is None or keys_pressed < 10
            ):
                await pilot.press("t", "j")
                keys_pressed += 1
                if keys_pressed == 10:
                    overlapped.append(importer.poll() is None)
            await pilot.pause(1.0)
            assert app.writes.pending == []
            errors.extend(
                n.message for n in app._notifications if n.severity == "error"
            )

    try:
        asyncio.run(main())
        importer = started[0]
        _out, err = importer.communicate(timeout=300)
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
    assert importer.returncode == 0, err
    assert overlapped == [True], "the import ended before the coding began"
    assert errors == []
    assert _trust(project) == s[:keys_pressed]
    names = {d.name for d in list_documents(project)}
    assert {f"extra-{n:03d}" for n in range(100)} <= names


def test_a_memo_saved_while_the_project_is_busy_stays_open_with_its_text(
    project, demo_path, drive
):
    from coder.tui.screens.memo import MemoScreen

    other = _hold_lock(demo_path)

    async def scenario(pilot):
        await _transcript(pilot)
        await pilot.press("m")
        assert isinstance(pilot.app.screen, MemoScreen)
        await pilot.press(*"Tense start", "ctrl+s")
        assert isinstance(pilot.app.screen, MemoScreen)
        messages = [n.message for n in pilot.app._notifications]
        assert any("the project is busy" in m for m in messages), messages
        other.execute("COMMIT")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, MemoScreen)

    try:
        drive(scenario)
    finally:
        other.close()
    saved = project.db.execute(
        "SELECT target_type, text FROM memos WHERE text = 'Tense start'"
    ).fetchall()
    assert saved == [("segment", "Tense start")]


def test_a_pending_coding_lands_after_its_screen_was_left(project, demo_path, drive):
    s = _sentences(project)
    other = _hold_lock(demo_path)

    async def scenario(pilot):
        await _transcript(pilot)
        await pilot.press("t", "q")
        assert not isinstance(pilot.app.screen, TranscriptScreen)
        other.execute("COMMIT")
        await pilot.pause(0.6)
        assert pilot.app.writes.pending == []
        assert _trust(project) == [s[0]]

    try:
        drive(scenario)
    finally:
        other.close()
