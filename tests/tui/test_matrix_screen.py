"""The matrix screen: the theme matrix as a grid, a cell's quotes, and a quote's place in the transcript."""

from __future__ import annotations

import pytest

from coder.analysis.theme import theme_matrix
from coder.coding import apply_coding
from coder.tui.screens.matrix import MatrixScreen
from coder.tui.screens.transcript import TranscriptScreen

DOC = "pe-01-farahani"  # case Kaveh Power Equipment
OTHER = "og-01-karimi"


@pytest.fixture
def coded(project):
    # Children roll up into their top-level code: trust_in_manager -> trust.
    apply_coding(project, DOC, 80, 107, "trust", coder="alice")
    apply_coding(project, DOC, 139, 174, "trust_in_manager", coder="alice")
    apply_coding(project, DOC, 199, 295, "social_power", coder="alice")
    apply_coding(project, OTHER, 0, 20, "trust", coder="alice")
    return project


def test_grid_cells_quotes_and_the_transcript(drive, app, coded):
    expected = theme_matrix(coded, rows="case", cols="level:1", rollup=True)
    rows = [row.label for row in expected.rows]
    columns = [column.id for column in expected.columns]
    kaveh, trust = rows.index("Kaveh Power Equipment"), columns.index("trust")
    assert expected.cells[kaveh][trust] == 2

    async def scenario(pilot):
        await pilot.press("f6")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, MatrixScreen)
        grid = screen.grid
        assert grid.row_count == len(rows) and len(grid.columns) == len(columns) + 1
        # Every cell shows the matrix's value.
        for r in range(len(rows)):
            for c in range(len(columns)):
                shown = grid.get_cell_at((r, c + 1))
                assert str(shown) == str(expected.cells[r][c])
        # The cursor starts on the first cell; move to Kaveh x Trust.
        assert screen.cell_at() == (0, 0)
        await pilot.press(*["down"] * kaveh, *["right"] * trust)
        await pilot.pause()
        assert screen.cell_at() == (kaveh, trust)
        cell = str(screen.query_one("#matrix-cell").render())
        assert "Kaveh Power Equipment × Trust: 2 codings" in cell
        await pilot.press("enter")
        await pilot.pause()
        listing = screen.quote_list
        assert listing.display and screen.focused is listing
        assert [(q.document, q.start, q.end) for q in screen.quotes] == [
            (DOC, 80, 107),
            (DOC, 139, 174),
        ]
        assert "Good morning, Dr. Farahani." in str(
            listing.get_option_at_index(0).prompt
        )
        await pilot.press("down", "enter")
        await pilot.pause()
        transcript = pilot.app.screen
        assert isinstance(transcript, TranscriptScreen)
        assert transcript.document == DOC
        assert transcript.view.selection == (139, 174)
        # Back from the transcript's q goes home; esc on the matrix closes the quotes.
        pilot.app.pop_screen()
        await pilot.pause()
        assert pilot.app.screen is screen
        await pilot.press("escape")
        assert not listing.display and screen.focused is grid

    drive(scenario)


def test_rows_by_document_and_without_rollup(drive, app, coded):
    async def scenario(pilot):
        await pilot.press("f6")
        await pilot.pause()
        screen = pilot.app.screen
        await pilot.press("r", "c")
        await pilot.pause()
        expected = theme_matrix(coded, rows="document", cols="codes")
        assert screen.grid.row_count == len(expected.rows)
        assert len(screen.grid.columns) == len(expected.columns) + 1

    drive(scenario)


def _team(project, consensus: bool) -> None:
    """alice and bob coded the same passage; the consensus kept it."""
    apply_coding(project, DOC, 80, 107, "trust", coder="alice")
    apply_coding(project, DOC, 84, 107, "trust", coder="bob")
    apply_coding(project, DOC, 199, 295, "social_power", coder="bob")
    if consensus:
        apply_coding(project, DOC, 80, 107, "trust", coder="consensus")


def _grid_total(screen) -> int:
    return sum(sum(line) for line in screen.matrix.cells)


def test_the_matrix_counts_the_consensus_by_default(drive, app, project):
    _team(project, consensus=True)

    async def scenario(pilot):
        await pilot.press("f6")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, MatrixScreen)
        assert screen.whose.coders == ("consensus",)
        assert "codings of consensus (the consensus)" in screen.sub_title
        assert _grid_total(screen) == 1

    drive(scenario)


def test_the_matrix_asks_whose_codings_and_w_chooses(drive, app, project):
    _team(project, consensus=False)

    async def scenario(pilot):
        await pilot.press("f6")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, MatrixScreen)
        # Nothing is counted until the researcher chooses.
        assert screen.matrix is None and len(screen.grid.columns) == 0
        status = str(screen.query_one("#matrix-cell").render())
        assert "2 coders have codings (alice, bob)" in status
        assert "press w" in status
        await pilot.press("w")
        await pilot.pause()
        assert screen.whose.coders == ("alice",) and _grid_total(screen) == 1
        await pilot.press("w")
        await pilot.pause()
        assert screen.whose.coders == ("bob",) and _grid_total(screen) == 2
        await pilot.press("w")
        await pilot.pause()
        # Pooled: the passage both coded counts once, bob's other one too.
        assert screen.whose.pooled and _grid_total(screen) == 2
        assert "pooled" in screen.sub_title
        await pilot.press("w")
        await pilot.pause()
        assert screen.whose.coders == ("alice",)

    drive(scenario)
