"""The theme matrix: cases x top-level codes as a heat-coloured grid, with each cell's quotes."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from coder.analysis.framework import Quote, quotes
from coder.analysis.scope import (
    CoderChoiceError,
    Whose,
    coders_with_codings,
    whose_codings,
)
from coder.analysis.theme import Matrix, theme_matrix
from coder.errors import CoderError
from coder.tui.data import clock
from coder.tui.screens.transcript import TranscriptScreen

COLD = Color.parse("#1b2a3a")
HOT = Color.parse("#e8590c")


def heat(value: float, maximum: float) -> str:
    """The cell's background: from COLD (0) to HOT (the matrix's maximum)."""
    if not value or not maximum:
        return ""
    return COLD.blend(HOT, 0.15 + 0.85 * value / maximum).hex


def cell_text(value: float, cell: str) -> str:
    return f"{value:.0%}" if cell == "words" else str(value)


class MatrixScreen(Screen):
    """Cases x codes; enter on a cell lists its quotes, enter on a quote opens the transcript."""

    HELP_TITLE = "Matrix"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "open",
            "Open",
            tooltip="On a cell: list its quotes; on a quote: open the transcript there",
            show=False,
        ),
        Binding(
            "r",
            "toggle_rows",
            "Rows",
            tooltip="Rows by case or by document",
        ),
        Binding(
            "c",
            "toggle_rollup",
            "Roll-up",
            tooltip="Top-level codes with their children's codings, or every code alone",
        ),
        Binding(
            "w",
            "whose",
            "Whose",
            tooltip="Whose codings count: each coder in turn, then all pooled",
        ),
        Binding("q,escape", "back", "Back", tooltip="Back to the grid, then out"),
    ]

    def __init__(
        self,
        *,
        rows: str = "case",
        cols: str = "level:1",
        rollup: bool = True,
        cell: str = "codings",
        coder: str | None = None,
    ) -> None:
        super().__init__()
        self.rows = rows
        self.cols = cols
        self.rollup = rollup
        self.cell = cell
        self.coder = coder
        self.whose: Whose | None = None  # chosen by the rule, or with w
        self.matrix: Matrix | None = None
        self.quotes: list[Quote] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="matrix-grid", cursor_type="cell", zebra_stripes=False)
        yield Static(id="matrix-cell")
        yield OptionList(id="matrix-quotes")
        yield Footer(show_command_palette=False)

    @property
    def grid(self) -> DataTable:
        return self.query_one("#matrix-grid", DataTable)

    @property
    def quote_list(self) -> OptionList:
        return self.query_one("#matrix-quotes", OptionList)

    def on_mount(self) -> None:
        self.quote_list.display = False
        self.reload()
        self.set_focus(self.grid)

    def reload(self) -> None:
        if self.whose is None:
            try:
                self.whose = whose_codings(self.app.project, coder=self.coder)
            except CoderChoiceError as error:
                # Several coders and no consensus: nothing is counted until
                # the researcher says whose codings count.
                self.matrix = None
                self.grid.clear(columns=True)
                self.sub_title = "whose codings? press w"
                self.query_one("#matrix-cell", Static).update(
                    Text(f"{error}. Here: press w to choose.", style="bold")
                )
                return
        try:
            matrix = theme_matrix(
                self.app.project,
                rows=self.rows,
                cols=self.cols,
                cell=self.cell,
                whose=self.whose,
                rollup=self.rollup,
            )
        except CoderError as error:
            self.notify(str(error), severity="error")
            return
        self.matrix = matrix
        who = self.whose.describe()
        rolled = ", rolled up" if self.rollup else ""
        self.sub_title = f"{self.rows} × {self.cols}{rolled} · {self.cell} · {who}"
        grid = self.grid
        grid.clear(columns=True)
        grid.add_column(self.rows, key="__row__")
        for column in matrix.columns:
            grid.add_column(column.name, key=column.id)
        maximum = matrix.maximum
        for row, values in zip(matrix.rows, matrix.cells, strict=True):
            cells: list[Text] = [Text(row.label, style="bold")]
            for value in values:
                background = heat(value, maximum)
                style = f"bold white on {background}" if background else "dim"
                cells.append(
                    Text(cell_text(value, self.cell), style=style, justify="right")
                )
            grid.add_row(*cells, key=row.key)
        if matrix.rows and matrix.columns:
            grid.move_cursor(row=0, column=1)
        self._describe()

    # The cursor -------------------------------------------------------------------

    def cell_at(self) -> tuple[int, int] | None:
        """(row, column) in the matrix under the grid's cursor; None on the row labels."""
        if self.matrix is None or not self.matrix.rows:
            return None
        row, column = self.grid.cursor_coordinate
        if column < 1:
            return None
        return row, column - 1

    def value_at(self, row: int, column: int) -> float:
        assert self.matrix is not None
        return self.matrix.cells[row][column]

    @on(DataTable.CellHighlighted, "#matrix-grid")
    def _highlighted(self, event: DataTable.CellHighlighted) -> None:
        self._describe()

    @on(DataTable.CellSelected, "#matrix-grid")
    def _selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        self.show_quotes()

    def whose_options(self) -> list[Whose]:
        """Each coder who coded, then (with several) all of them pooled."""
        project = self.app.project
        names = coders_with_codings(project)
        options = [whose_codings(project, coder=name) for name in names]
        if len(names) > 1:
            options.append(whose_codings(project, coders=names))
        return options

    def action_whose(self) -> None:
        options = self.whose_options()
        if not options:
            self.notify("nobody has coded yet")
            return
        current = [w.coders for w in options]
        at = (
            current.index(self.whose.coders)
            if self.whose and self.whose.coders in current
            else -1
        )
        self.whose = options[(at + 1) % len(options)]
        self.reload()
        self.notify(f"counting {self.whose.describe()}")

    def _describe(self) -> None:
        status = self.query_one("#matrix-cell", Static)
        at = self.cell_at()
        if at is None or self.matrix is None:
            status.update(Text("← → ↑ ↓ move · enter lists the quotes", style="dim"))
            return
        row, column = at
        text = Text()
        text.append(self.matrix.rows[row].label, style="bold")
        text.append(" × ")
        text.append(self.matrix.columns[column].name, style="bold")
        text.append(f": {cell_text(self.value_at(row, column), self.cell)} {self.cell}")
        status.update(text)

    # Quotes -----------------------------------------------------------------------

    def _filters(self, row: int) -> dict[str, str]:
        assert self.matrix is not None
        dimension = self.matrix.dimensions[0]
        value = self.matrix.rows[row].values[0]
        return {"case" if dimension.kind == "case" else "document": value}

    def show_quotes(self) -> None:
        at = self.cell_at()
        if at is None or self.matrix is None:
            return
        row, column = at
        code = self.matrix.columns[column]
        try:
            self.quotes = quotes(
                self.app.project,
                code.id,
                whose=self.whose,
                rollup=self.rollup,
                **self._filters(row),
            )
        except CoderError as error:
            self.notify(str(error), severity="error")
            return
        listing = self.quote_list
        listing.clear_options()
        for quote in self.quotes:
            when = clock(quote.time) if quote.time is not None else str(quote.start)
            label = Text()
            label.append(f"{quote.document} ", style="bold")
            label.append(f"{when}  ", style="dim")
            label.append(" ".join(quote.text.split()))
            listing.add_option(Option(label))
        if not self.quotes:
            self.notify("No quotes in this cell")
            listing.display = False
            return
        listing.display = True
        listing.highlighted = 0
        self.set_focus(listing)

    @on(OptionList.OptionSelected, "#matrix-quotes")
    def _quote_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.open_quote(event.option_index)

    def open_quote(self, index: int) -> None:

        quote = self.quotes[index]
        self.app.push_screen(
            TranscriptScreen(
                quote.document, self.app.codes, at=(quote.start, quote.end)
            )
        )

    # Actions ----------------------------------------------------------------------

    def action_open(self) -> None:
        if self.focused is self.quote_list:
            index = self.quote_list.highlighted
            if index is not None:
                self.open_quote(index)
        else:
            self.show_quotes()

    def action_toggle_rows(self) -> None:
        self.rows = "document" if self.rows == "case" else "case"
        self.quote_list.display = False
        self.reload()

    def action_toggle_rollup(self) -> None:
        self.rollup = not self.rollup
        self.cols = "level:1" if self.rollup else "codes"
        self.quote_list.display = False
        self.reload()

    def action_back(self) -> None:
        if self.quote_list.display:
            self.quote_list.display = False
            self.set_focus(self.grid)
            return
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.app.action_documents()
