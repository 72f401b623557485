"""New codes while coding: in vivo from the selected words, or named under a parent; one undo each."""

from __future__ import annotations

from coder.code_editing import in_vivo_name
from coder.codes import current_codebook
from coder.coding import list_codings
from coder.tui.screens.new_code import NewCodeScreen
from coder.tui.screens.transcript import TranscriptScreen

DOC = "pe-01-farahani"


def mine(project):
    return [
        (c.code, c.start, c.end)
        for c in list_codings(project, document=DOC, coder="ana")
    ]


def test_new_codes_in_vivo_and_by_name_and_their_undo(project, drive):
    async def scenario(pilot):
        await pilot.press("slash", *DOC[:5], "enter", "enter")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, TranscriptScreen)
        view = screen.view
        text = screen.data.text

        # Half a sentence: the third one, its end moved back word by word.
        await pilot.press("j", "j")
        sentence = view.selection
        while view.selection[1] - view.selection[0] > (sentence[1] - sentence[0]) / 2:
            await pilot.press("b")
        start, end = view.selection
        assert sentence[0] == start < end < sentence[1]
        words = in_vivo_name(text[start:end])

        # In vivo: the dialog offers the selected words, editable; enter makes it.
        await pilot.press("quotation_mark")
        dialog = pilot.app.screen
        assert isinstance(dialog, NewCodeScreen)
        assert dialog.query_one("#new-code-name").value == words
        await pilot.press("enter")
        await pilot.pause()
        in_vivo = next(
            code
            for code, _, _ in current_codebook(project).walk()
            if code.name == words
        )
        assert mine(project) == [(in_vivo.id, start, end)]
        # The screen knows the new code: in the panel, and its key applies it.
        assert in_vivo.id in screen.codes.by_id and in_vivo.key
        assert in_vivo.id in screen.panel._code_nodes
        await pilot.press("j", in_vivo.key)
        await pilot.pause()
        assert (in_vivo.id, *view.selection) in mine(project)
        await pilot.press("u")
        assert mine(project) == [(in_vivo.id, start, end)]

        # By name, under a parent chosen in the same dialog.
        await pilot.press("j")
        second = view.selection
        await pilot.press("ctrl+n")
        dialog = pilot.app.screen
        assert isinstance(dialog, NewCodeScreen)
        parents = dialog.query_one("#new-code-parent")
        # The parent offered first is the code under the panel's cursor.
        assert dialog.parents[parents.highlighted] == screen.panel.highlighted
        await pilot.press(*"Family bank")
        while dialog.parents[parents.highlighted] != "trust":
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        book = current_codebook(project)
        assert book.parents()["family_bank"] == "trust"
        assert book.by_id()["family_bank"].name == "Family bank"
        assert mine(project) == [(in_vivo.id, start, end), ("family_bank", *second)]

        # Undo takes back the coding and, unused now, the code; then the first.
        await pilot.press("u")
        await pilot.pause()
        assert mine(project) == [(in_vivo.id, start, end)]
        assert "family_bank" not in current_codebook(project).by_id()
        assert "family_bank" not in screen.codes.by_id
        await pilot.press("u")
        await pilot.pause()
        assert mine(project) == []
        assert in_vivo.id not in current_codebook(project).by_id()
        assert in_vivo.id not in screen.panel._code_nodes
        # Redo brings the code back with its coding.
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert mine(project) == [(in_vivo.id, start, end)]
        assert in_vivo.id in screen.codes.by_id

    drive(scenario)


def test_escape_makes_no_code(project, drive):
    before = current_codebook(project)

    async def scenario(pilot):
        await pilot.press("slash", *DOC[:5], "enter", "enter")
        await pilot.pause()
        # A name in use keeps the dialog open, to change it.
        await pilot.press("ctrl+n", *"trust", "enter")
        assert isinstance(pilot.app.screen, NewCodeScreen)
        await pilot.press("escape")
        await pilot.press("ctrl+n", *"Nothing", "escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, TranscriptScreen)

    drive(scenario)
    assert current_codebook(project) == before
    assert mine(project) == []
