"""Layout snapshots (pytest-textual-snapshot): documents, a coded transcript, the codebook, help.

Content is deterministic: the demo project, coder "ana", codings made here with
fixed offsets, fixed terminal sizes. After a deliberate change to the look,
read the diff report, then run ``pytest tests/tui --snapshot-update``.
"""

from __future__ import annotations

import pytest

from coder.coding import apply_coding
from coder.reading import document_segments
from coder.suggest.queue import NewSuggestion, add_suggestions

DOC = "pe-01-farahani"


@pytest.fixture
def coded(project):
    """A few codings by ana and one by bo, some overlapping, and a pending suggestion."""
    s = [(x.start, x.end) for x in document_segments(project, DOC, ("sentence",))]
    apply_coding(project, DOC, s[1][0], s[3][1], "trust", coder="ana")
    apply_coding(project, DOC, *s[5], "informal_network", coder="ana")
    apply_coding(project, DOC, s[18][0], s[20][1], "needs_identification", coder="ana")
    apply_coding(project, DOC, *s[19], "export_performance", coder="ana")
    apply_coding(project, DOC, *s[22], "needs_identification", coder="ana")
    apply_coding(project, "og-01-karimi", 0, 40, "trust", coder="ana")
    apply_coding(project, DOC, *s[8], "trust", coder="bo")
    add_suggestions(
        project,
        [
            NewSuggestion(
                DOC, *s[24], "needs_identification", 0.9, "rules", "lemma 'need'"
            )
        ],
    )
    return project


async def _open(pilot) -> None:
    await pilot.press("slash", *"pe-01", "enter", "enter")
    await pilot.pause()


def test_documents_screen(snap_compare, app, coded):
    assert snap_compare(app, terminal_size=(80, 24))


def test_transcript_with_codings(snap_compare, app, coded):
    async def run_before(pilot) -> None:
        await _open(pilot)
        # Sentence 19 (two codes on it), selection grown to the next sentence.
        await pilot.press(*"jjjjjjjjjjjjjjjjjj", "shift+down")

    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)


def test_transcript_at_80x24(snap_compare, app, coded):
    async def run_before(pilot) -> None:
        await _open(pilot)
        await pilot.press("j")

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_codebook_panel(snap_compare, app, coded):
    async def run_before(pilot) -> None:
        await pilot.press("f3", "j", "j")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)


def test_help_screen(snap_compare, app, coded):
    async def run_before(pilot) -> None:
        await _open(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
