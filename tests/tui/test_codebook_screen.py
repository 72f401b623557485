"""Shaping the codebook in the TUI: edit, move, add, merge, split, undo, write back; checked in the project."""

from __future__ import annotations

import shutil
from pathlib import Path

from coder.backup import snapshot_folder
from coder.codebook_file import remember_file
from coder.codes import coding_counts, current_codebook
from coder.coding import apply_coding
from coder.tui.screens.codebook import CodebookScreen
from coder.tui.screens.confirm import ConfirmScreen
from coder.tui.screens.field import FieldScreen
from coder.tui.screens.new_code import NewCodeScreen
from coder.tui.screens.pick import PickScreen

BUNDLED = Path(__file__).parents[2] / "codebooks" / "export-clusters.yaml"


async def open_codebook(pilot, code_id: str) -> CodebookScreen:
    await pilot.press("f3")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, CodebookScreen)
    screen.panel.highlight(code_id)
    await pilot.pause()
    assert screen.panel.highlighted == code_id
    return screen


async def pick(pilot, words: str) -> None:
    assert isinstance(pilot.app.screen, PickScreen)
    await pilot.press(*words, "enter")
    await pilot.pause()


def test_edit_move_add_and_undo_from_the_codebook_screen(project, drive):
    before = current_codebook(project)

    async def scenario(pilot):
        screen = await open_codebook(pilot, "trust")

        # e: pick the field, edit it (ctrl+s saves a text).
        await pilot.press("e")
        await pick(pilot, "definition")
        assert isinstance(pilot.app.screen, FieldScreen)
        # The text opens with the cursor at its end: add a sentence.
        await pilot.press("enter", *"Ask about banks too.", "ctrl+s")
        await pilot.pause()
        definition = current_codebook(project).by_id()["trust"].definition
        assert definition.endswith("persons outside\nAsk about banks too.") or (
            definition.endswith("\nAsk about banks too.")
        )
        # The panel shows the codebook as it is now.
        assert screen.panel.index.by_id["trust"].code.definition == definition

        # r renames; v moves under a theme.
        screen.panel.highlight("currency_risk")
        await pilot.pause()
        await pilot.press("r", "ctrl+u", *"Exchange rate risk", "enter")
        await pilot.pause()
        await pilot.press("v")
        await pick(pilot, "trust")
        book = current_codebook(project)
        assert book.by_id()["currency_risk"].name == "Exchange rate risk"
        assert book.parents()["currency_risk"] == "trust"

        # a: a new code, under the highlighted one by default.
        await pilot.press("a")
        assert isinstance(pilot.app.screen, NewCodeScreen)
        await pilot.press(*"Hedging", "enter")
        await pilot.pause()
        assert current_codebook(project).parents()["hedging"] == "currency_risk"
        assert screen.panel.highlighted == "hedging"

        # u undoes each change in turn, back to the codebook we started with.
        for _ in range(4):
            await pilot.press("u")
            await pilot.pause()
        assert current_codebook(project) == before
        assert "hedging" not in screen.panel.index.by_id

    drive(scenario)


def test_merge_and_split_keep_the_codings(project, drive):
    apply_coding(project, "pe-01-farahani", 0, 40, "currency_risk", coder="ana")
    apply_coding(project, "pe-01-farahani", 50, 90, "political_risk", coder="ana")

    async def scenario(pilot):
        await open_codebook(pilot, "currency_risk")
        await pilot.press("g")
        await pick(pilot, "payment and default")
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert "currency_risk" not in current_codebook(project).by_id()
        assert coding_counts(project)["payment_risk"] == 1
        # Not undone with u: a snapshot was taken first, as the CLI takes one.
        taken = [p.name for p in snapshot_folder(project.path).iterdir()]
        assert any("codes-merge" in name for name in taken), taken

        pilot.app.screen.panel.highlight("political_risk")
        await pilot.pause()
        await pilot.press("s")
        assert isinstance(pilot.app.screen, FieldScreen)
        await pilot.press(*"Regime change", "enter", *"Unrest", "ctrl+s")
        await pilot.pause()
        book = current_codebook(project)
        assert [c.id for c in book.by_id()["political_risk"].children] == [
            "regime_change",
            "unrest",
        ]
        # No rule: the codings stay on the split code, for review.
        assert coding_counts(project)["political_risk"] == 1

    drive(scenario)


def test_write_back_from_the_codebook_screen(project, drive, tmp_path):
    copy = tmp_path / "codebook.yaml"
    shutil.copyfile(BUNDLED, copy)
    remember_file(project, copy)

    async def scenario(pilot):
        await open_codebook(pilot, "trust")
        await pilot.press("r", "ctrl+u", *"Trust in others", "enter")
        await pilot.pause()
        await pilot.press("W")
        await pilot.pause()

    drive(scenario)
    written = copy.read_text(encoding="utf-8")
    assert "    name: Trust in others\n" in written
    assert written.replace("Trust in others", "Trust") == BUNDLED.read_text(
        encoding="utf-8"
    )
