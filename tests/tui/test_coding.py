"""The coding loop driven from the keyboard with Pilot; every step is checked in the database."""

from __future__ import annotations

from coder.coding import apply_coding, list_codings
from coder.memos import get_memo
from coder.reading import document_segments
from coder.suggest.queue import NewSuggestion, add_suggestions, list_suggestions
from coder.tui.screens.documents import DocumentsScreen
from coder.tui.screens.memo import MemoScreen
from coder.tui.screens.pick import PickScreen
from coder.tui.screens.transcript import TranscriptScreen

DOC = "pe-01-farahani"


def sentences(project, name=DOC):
    return [(s.start, s.end) for s in document_segments(project, name, ("sentence",))]


def mine(project, **filters):
    return [
        (c.code, c.start, c.end, c.coder, c.memo, c.source)
        for c in list_codings(project, document=DOC, coder="ana", **filters)
    ]


async def open_document(pilot, name=DOC):
    """From the documents screen: filter to the document, then Enter."""
    assert isinstance(pilot.app.screen, DocumentsScreen)
    await pilot.press("slash", *name[:5], "enter", "enter")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, TranscriptScreen)
    assert screen.document == name
    return screen


def test_whole_loop(project, drive):
    s = sentences(project)

    async def scenario(pilot):
        screen = await open_document(pilot)
        view = screen.view
        assert view.cursor == 0

        # Move down two sentences, then select across two sentences.
        await pilot.press("j", "j")
        assert view.cursor == 2 and view.selection == s[2]
        await pilot.press("shift+down")
        assert view.selection == (s[2][0], s[3][1])

        # Apply a code by its key (t is Trust in the demo codebook).
        await pilot.press("t")
        assert mine(project) == [("trust", s[2][0], s[3][1], "ana", None, "manual")]

        # Next turn, then a code through the fuzzy picker.
        await pilot.press("J")
        assert view.cursor == 4 and view.selection == s[4]
        await pilot.press("enter")
        assert isinstance(pilot.app.screen, PickScreen)
        await pilot.press(*"payment", "enter")
        await pilot.pause()
        assert ("payment_risk", *s[4], "ana", None, "manual") in mine(project)
        payment = list_codings(project, document=DOC, code="payment_risk")[0].id

        # A memo: the default target is the coding on the selection.
        await pilot.press("m")
        assert isinstance(pilot.app.screen, MemoScreen)
        await pilot.press(*"Small talk", "enter", *"not a risk.", "ctrl+s")
        await pilot.pause()
        assert get_memo(project, "coding", payment) == "Small talk\nnot a risk."

        # Undo the memo, then the coding; redo both.
        await pilot.press("u")
        assert get_memo(project, "coding", payment) == ""
        await pilot.press("u")
        assert [c[0] for c in mine(project)] == ["trust"]
        await pilot.press("ctrl+r")
        assert [c[0] for c in mine(project)] == ["trust", "payment_risk"]
        assert list_codings(project, document=DOC, code="payment_risk")[0].id == payment
        await pilot.press("ctrl+r")
        assert get_memo(project, "coding", payment) == "Small talk\nnot a risk."

        # Suggestions stored directly (the engine comes later).
        add_suggestions(
            project,
            [
                NewSuggestion(
                    DOC, *s[24], "needs_identification", 0.9, "rules", "lemma 'need'"
                ),
                NewSuggestion(
                    DOC, *s[30], "export_risks", 0.5, "rules", "lemma 'risk'"
                ),
            ],
        )
        screen.reload()
        await pilot.press("N")
        assert (
            screen.active is not None and screen.active.code == "needs_identification"
        )
        assert view.selection == s[24]
        # Adjust the span before accepting: one word off the end.
        await pilot.press("b")
        adjusted = view.selection
        assert adjusted[0] == s[24][0] and adjusted[1] < s[24][1]
        await pilot.press("plus")
        assert (
            "needs_identification",
            *adjusted,
            "ana",
            None,
            "suggestion:rules",
        ) in mine(project)
        await pilot.press("N")
        assert screen.active is not None and screen.active.code == "export_risks"
        await pilot.press("minus")
        decided = {x.code: x.status for x in list_suggestions(project, status=None)}
        assert decided == {
            "needs_identification": "accepted",
            "export_risks": "rejected",
        }

        # Back to the documents: progress counts this coder's coded sentences.
        await pilot.press("q")
        assert isinstance(pilot.app.screen, DocumentsScreen)

    drive(scenario)
    assert [c[:4] for c in mine(project)] == [
        ("trust", s[2][0], s[3][1], "ana"),
        ("payment_risk", *s[4], "ana"),
        (
            "needs_identification",
            s[24][0],
            list_codings(project, code="needs_identification")[0].end,
            "ana",
        ),
    ]


def test_digits_apply_codes_by_number(project, drive, app):
    s = sentences(project)

    async def scenario(pilot):
        await open_document(pilot)
        await pilot.press("j", "3")  # 3 codes: 30 > 27, no wait for a second digit
        await pilot.press("j", "1", "2")  # code 12
        await pilot.press("j", "1")  # 1 alone: applied after a short wait
        await pilot.pause(0.9)

    drive(scenario)
    numbered = [app.codes.by_number(n).id for n in (3, 12, 1)]
    assert [(c[0], c[1], c[2]) for c in mine(project)] == [
        (numbered[0], *s[1]),
        (numbered[1], *s[2]),
        (numbered[2], *s[3]),
    ]


def test_remove_coding_asks_which_when_several(project, drive):
    s = sentences(project)

    async def scenario(pilot):
        await open_document(pilot)
        await pilot.press("j", "t", "d")
        assert len(mine(project)) == 2
        await pilot.press("delete")
        assert isinstance(pilot.app.screen, PickScreen)
        await pilot.press(*"needs", "enter")
        await pilot.pause()
        assert [c[0] for c in mine(project)] == ["trust"]
        await pilot.press("backspace")
        assert mine(project) == []
        await pilot.press("u")
        assert [c[:3] for c in mine(project)] == [("trust", *s[1])]

    drive(scenario)


def test_other_coders_codings_show_with_a_toggle_and_ask_before_removal(project, drive):
    s = sentences(project)
    apply_coding(project, DOC, *s[1], "informal_network", coder="bo")

    async def scenario(pilot):
        screen = await open_document(pilot)
        assert screen.codings == []
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert [(c.code, c.coder) for c in screen.codings] == [
            ("informal_network", "bo")
        ]
        await pilot.press("j", "delete")
        await pilot.pause()
        await pilot.press("n")  # no: keep bo's coding
        await pilot.pause()
        assert len(list_codings(project, coder="bo")) == 1
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert list_codings(project, coder="bo") == []

    drive(scenario)


def test_a_second_coder_working_at_the_same_time_is_seen_on_the_next_poll(
    project, drive, demo_path
):
    from coder.store import open_project

    s = sentences(project)

    async def scenario(pilot):
        screen = await open_document(pilot)
        await pilot.press("ctrl+e")
        with open_project(demo_path, actor="bo") as other:
            apply_coding(other, DOC, *s[5], "trust")
        screen._poll()
        await pilot.pause()
        assert [(c.code, c.coder) for c in screen.codings] == [("trust", "bo")]

    drive(scenario)


def test_selection_by_word_character_turn_and_other_end(project, drive):
    s = sentences(project)

    async def scenario(pilot):
        screen = await open_document(pilot)
        view = screen.view
        text = screen.data.text
        await pilot.press("j")  # "Good morning, Dr. Farahani."
        start, end = s[1]
        await pilot.press("b")
        assert view.selection == (start, text.rindex(" ", start, end))
        await pilot.press("w")
        assert view.selection == (start, end)
        await pilot.press("shift+left", "shift+left")
        assert view.selection == (start, end - 2)
        await pilot.press("shift+right")
        assert view.selection == (start, end - 1)
        # g: now the start moves; w takes a word off the front.
        await pilot.press("g", "w")
        assert view.selection == (text.index("morning", start), end - 1)
        await pilot.press("escape")
        assert view.selection == s[1]
        # A whole turn.
        await pilot.press("space")
        turn = next(
            t
            for t in document_segments(project, DOC, ("turn",))
            if t.start <= start < t.end
        )
        assert view.selection == (turn.start, turn.end)
        await pilot.press("t")
        assert mine(project)[0][:3] == ("trust", turn.start, turn.end)
        # Upwards from a sentence grows the selection upwards.
        await pilot.press("j", "j", "shift+up")
        assert view.selection == (s[2][0], s[3][1])

    drive(scenario)


def test_mouse_drag_selects_whole_words(project, drive):
    async def scenario(pilot):
        screen = await open_document(pilot)
        view = screen.view
        text = screen.data.text
        # Find the screen row of the first line of "Good morning, Dr. Farahani."
        start = text.index("Good morning, Dr.")
        y = view.wrapped.line_at(start) - round(view.scroll_y)
        from coder.tui.widgets.transcript import GUTTER

        await pilot.mouse_down(view, offset=(GUTTER + 7, y))  # inside "morning"
        await pilot.hover(view, offset=(GUTTER + 15, y))  # inside "Dr."
        await pilot.mouse_up(view, offset=(GUTTER + 15, y))
        assert text[slice(*view.selection)] == "morning, Dr."
        await pilot.press("t")
        assert mine(project)[0][:3] == ("trust", *view.selection)
        # A click without dragging selects the sentence.
        await pilot.click(view, offset=(GUTTER + 2, y))
        assert text[slice(*view.selection)] == "Good morning, Dr. Farahani."

    drive(scenario)


def test_filter_search_and_next_uncoded(project, drive):
    s = sentences(project)
    apply_coding(project, DOC, *s[10], "trust", coder="ana")
    apply_coding(project, DOC, *s[40], "trust", coder="ana")

    async def scenario(pilot):
        screen = await open_document(pilot)
        view = screen.view
        text = screen.data.text
        # Filter to the sentences coded Trust.
        await pilot.press("f", *"trust", "enter")
        await pilot.pause()
        assert view.shown == [10, 40]
        assert view.cursor == 10
        await pilot.press("j")
        assert view.cursor == 40
        await pilot.press("escape")  # clears the filter
        assert len(view.shown) == len(s)
        # Filter to a speaker.
        await pilot.press("f", *"speaker leila", "enter")
        await pilot.pause()
        assert all(
            screen.data.blocks[screen.data.sentence_block[i]].speaker
            == "Leila Farahani"
            for i in view.shown
        )
        await pilot.press("escape")
        # Search: Enter goes to the next match and selects it.
        await pilot.press("home", "slash", *"type test", "enter")
        first = text.casefold().index("type test")
        assert view.selection == (first, first + len("type test"))
        await pilot.press("enter")
        second = text.casefold().index("type test", first + 1)
        assert view.selection == (second, second + len("type test"))
        await pilot.press("escape", "escape")
        # n: the next sentence without a coding.
        await pilot.press("home")
        view.move_to(9)
        await pilot.press("n")
        assert view.cursor == 11

    drive(scenario)


def test_memo_targets_sentence_turn_document_and_code(project, drive):
    segments = [x for x in document_segments(project, DOC) if x.kind == "sentence"]

    async def scenario(pilot):
        screen = await open_document(pilot)
        await pilot.press("j", "m", *"1st note", "ctrl+s")
        await pilot.pause()
        assert get_memo(project, "segment", segments[1].id) == "1st note"
        # ctrl+t picks another target: the document.
        await pilot.press("m", "ctrl+t", *"document", "enter", *"whole", "ctrl+s")
        await pilot.pause()
        assert get_memo(project, "document", DOC) == "whole"
        # Escape with changes asks first; "n" keeps editing, then ctrl+s saves.
        await pilot.press("m", *" more", "escape")
        await pilot.pause()
        await pilot.press("n")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert get_memo(project, "segment", segments[1].id) == "1st note more"
        assert screen.view.memos  # the memo mark shows in the gutter

    drive(scenario)


def test_codebook_and_suggestions_screens(project, drive):
    s = sentences(project)
    add_suggestions(
        project,
        [
            NewSuggestion(
                DOC, *s[24], "needs_identification", 0.9, "rules", "lemma 'need'"
            ),
            NewSuggestion(DOC, *s[25], "trust", 0.4, "rules", "lemma 'trust'"),
            NewSuggestion(DOC, *s[30], "export_risks", 0.5, "rules", "lemma 'risk'"),
        ],
    )

    async def scenario(pilot):
        from coder.tui.screens.codebook import CodebookScreen
        from coder.tui.screens.suggestions import SuggestionsScreen

        await pilot.press("f3")
        assert isinstance(pilot.app.screen, CodebookScreen)
        await pilot.press("j", "m", *"overlap", "ctrl+s")
        await pilot.pause()
        assert get_memo(project, "code", "export_risks") == "overlap"
        await pilot.press("f4")
        assert isinstance(pilot.app.screen, SuggestionsScreen)
        await pilot.press("plus")
        await pilot.press("minus")
        await pilot.pause()
        decided = {x.code: x.status for x in list_suggestions(project, status=None)}
        assert decided == {
            "needs_identification": "accepted",
            "trust": "rejected",
            "export_risks": "pending",
        }
        await pilot.press("enter")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, TranscriptScreen)
        assert screen.active is not None and screen.active.code == "export_risks"
        assert screen.view.selection == s[30]
        await pilot.press("f2")
        assert isinstance(pilot.app.screen, DocumentsScreen)

    drive(scenario)
    assert mine(project) == [
        ("needs_identification", *s[24], "ana", None, "suggestion:rules")
    ]


def test_resize_rewraps_and_keeps_the_cursor_in_view(project, drive):
    async def scenario(pilot):
        screen = await open_document(pilot)
        view = screen.view
        await pilot.press(*("pagedown",) * 3)
        cursor = view.cursor
        lines_before = len(view.wrapped)
        await pilot.resize_terminal(200, 50)
        await pilot.pause()
        assert len(view.wrapped) < lines_before
        assert view.cursor == cursor
        first, last = view.wrapped.span_lines(*screen.data.sentences[cursor])
        top = round(view.scroll_y)
        assert top <= first and last < top + view.scrollable_content_region.height
        await pilot.press("end")
        assert view.cursor == len(screen.data.sentences) - 1

    drive(scenario)
