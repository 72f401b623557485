"""Keys: docs/keys.md, the help screen and the command palette all come from the bindings."""

from __future__ import annotations

from pathlib import Path

from coder.codebook import RESERVED_KEYS
from coder.coding import list_codings
from coder.tui.commands import commands_for
from coder.tui.keys import own_bindings
from coder.tui.keys_reference import keys_markdown
from coder.tui.screens.help import HelpScreen, help_sections
from coder.tui.screens.transcript import TranscriptScreen

KEYS_MD = Path(__file__).parents[2] / "docs" / "keys.md"


def test_docs_keys_md_is_generated_from_the_bindings():
    # After changing a binding: python -m coder.tui.keys_reference > docs/keys.md
    assert KEYS_MD.read_text(encoding="utf-8") == keys_markdown()


def test_transcript_letters_are_the_ones_the_codebook_reserves():
    letters = {
        key
        for key, _ in own_bindings(TranscriptScreen)
        if len(key) == 1 and key.isalpha()
    }
    # Every other letter is free for a code's key.
    assert letters == set(RESERVED_KEYS)


def test_every_binding_says_what_it_does():
    for _, binding in own_bindings(TranscriptScreen):
        assert binding.tooltip, binding


async def _open(pilot) -> TranscriptScreen:
    await pilot.press("slash", *"pe-01", "enter", "enter")
    await pilot.pause()
    return pilot.app.screen


def test_help_lists_every_binding_of_the_screen_including_code_keys(drive, app):
    async def scenario(pilot):
        screen = await _open(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(pilot.app.screen, HelpScreen)
        listed = {
            action
            for _, rows in help_sections(screen)
            for row in rows
            for action in row.actions
        }
        bound = {
            binding.action for _, binding in screen._bindings if not binding.system
        }
        bound |= {binding.action for _, binding in app._bindings if not binding.system}
        assert bound <= listed
        # The codebook's letters are there, as bindings of this screen.
        assert "apply_code('trust')" in listed
        table = pilot.app.screen.query_one("#help-table").render()
        assert table is not None
        await pilot.press("escape")
        assert pilot.app.screen is screen

    drive(scenario)


def test_palette_reaches_every_action_and_every_code(drive, app, project):
    async def scenario(pilot):
        screen = await _open(pilot)
        titles = {command.title for command in commands_for(screen)}
        for _, binding in own_bindings(TranscriptScreen):
            if not binding.action.startswith("digit"):
                assert binding.tooltip in titles, binding
        for entry in app.codes.entries:
            assert f"Apply code: {entry.name}" in titles
        assert "Open document: og-01-karimi" in titles
        # Run one through the palette itself.
        await pilot.press("j", "ctrl+p")
        await pilot.pause()
        await pilot.press(*"apply code informal")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert [c.code for c in list_codings(project, coder="ana")] == [
            "informal_network"
        ]

    drive(scenario)
