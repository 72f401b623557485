"""Resolving disagreements: step through the units where coders differ and settle each one.

Every decision calls `coder.agreement.resolution.resolve` at once (its own
transaction), writing the consensus coder's codings and the reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Header, Input, Label, Static

from coder.agreement.resolution import (
    CONSENSUS,
    Disagreement,
    find_disagreements,
    resolve,
)
from coder.errors import CoderError
from coder.store import Project

WORD = re.compile(r"\w+(?:['’]\w+)*")


def coders_with_codings(project: Project, consensus: str = CONSENSUS) -> list[str]:
    """The coders who have coded something, the consensus coder left out."""
    rows = project.execute(
        "SELECT DISTINCT k.name FROM codings c JOIN coders k ON k.id = c.coder_id"
        " ORDER BY k.name"
    ).fetchall()
    return [name for (name,) in rows if name != consensus]


class ReasonScreen(ModalScreen[str | None]):
    """One line: the reason for a decision. Enter keeps it, esc drops the edit."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", tooltip="Close without changing the memo"),
    ]

    def __init__(self, title: str, text: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog reason"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(self.text, placeholder="why this decision", id="reason-input")
            yield Label(
                Text.assemble(("enter", "bold"), " keep  ", ("esc", "bold"), " close"),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.set_focus(self.query_one(Input))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())

    def action_close(self) -> None:
        self.dismiss(None)


class ResolveScreen(Screen):
    """The disagreements between two or more coders, one at a time, each settled by a key."""

    HELP_TITLE = "Resolve"
    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(
                str(n),
                f"take({n})",
                f"Coder {n}",
                show=False,
                tooltip="Take that coder's coding of the unit (1 = first coder)",
            )
            for n in range(1, 10)
        ),
        Binding("a", "decide('all')", "All", tooltip="Take everyone's coding (union)"),
        Binding(
            "x", "decide('neither')", "Neither", tooltip="The code does not apply here"
        ),
        Binding(
            "s",
            "decide('span')",
            "Span",
            tooltip="Take the adjusted span (w, b, shift+←/→, g)",
        ),
        Binding(
            "w",
            "adjust('word', 1)",
            "Word on",
            show=False,
            tooltip="Move the span's moving end a word forward",
        ),
        Binding(
            "b",
            "adjust('word', -1)",
            "Word back",
            show=False,
            tooltip="Move the span's moving end a word back",
        ),
        Binding(
            "shift+right",
            "adjust('char', 1)",
            "Char on",
            show=False,
            tooltip="Move the span's moving end a character forward",
        ),
        Binding(
            "shift+left",
            "adjust('char', -1)",
            "Char back",
            show=False,
            tooltip="Move the span's moving end a character back",
        ),
        Binding(
            "g",
            "swap_edge",
            "Other end",
            show=False,
            tooltip="Switch the end of the span that w, b and shift+←/→ move",
        ),
        Binding("m", "memo", "Memo", tooltip="Write the reason for the decision"),
        Binding("j,down", "step(1)", "Next", tooltip="Next disagreement"),
        Binding("k,up", "step(-1)", "Previous", tooltip="Previous disagreement"),
        Binding(
            "n",
            "next_open",
            "Next open",
            show=False,
            tooltip="Next disagreement not yet resolved",
        ),
        Binding("q,escape", "back", "Back", tooltip="Back to where you were"),
    ]

    def __init__(
        self,
        coders: Sequence[str],
        *,
        consensus: str = CONSENSUS,
        segment_kind: str = "sentence",
    ) -> None:
        super().__init__()
        self.coders = list(coders)
        self.consensus = consensus
        self.segment_kind = segment_kind
        self.items: list[Disagreement] = []
        self.index = 0
        self.memo = ""
        self.span: tuple[int, int] = (0, 0)
        self.edge = "end"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="resolve-progress")
        with VerticalScroll(id="resolve-body"):
            yield Static(id="resolve-unit")
            yield Static(id="resolve-coders")
            yield Static(id="resolve-memo")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.sub_title = f"{', '.join(self.coders)} → {self.consensus}"
        try:
            self.items = find_disagreements(
                self.app.project,
                self.coders,
                segment_kind=self.segment_kind,
                consensus=self.consensus,
            )
        except CoderError as error:
            self.notify(str(error), severity="error")
            self.items = []
        open_ = [i for i, item in enumerate(self.items) if not item.decision]
        self._go(open_[0] if open_ else 0)

    # State ------------------------------------------------------------------------

    @property
    def current(self) -> Disagreement | None:
        return self.items[self.index] if self.items else None

    @property
    def resolved(self) -> int:
        return sum(1 for item in self.items if item.decision)

    def _go(self, index: int) -> None:
        if self.items:
            self.index = max(0, min(index, len(self.items) - 1))
            item = self.items[self.index]
            self.memo = item.memo
            every = [s for spans in item.spans.values() for s in spans]
            self.span = (
                (min(s for s, _ in every), max(e for _, e in every))
                if every
                else (item.start, item.end)
            )
            self.edge = "end"
        self.refresh_view()

    def refresh_view(self) -> None:
        progress = self.query_one("#resolve-progress", Static)
        unit = self.query_one("#resolve-unit", Static)
        coders = self.query_one("#resolve-coders", Static)
        memo = self.query_one("#resolve-memo", Static)
        item = self.current
        if item is None:
            progress.update(
                Text(f"No disagreements between {', '.join(self.coders)}", "bold")
            )
            unit.update("")
            coders.update("")
            memo.update("")
            return
        codes = self.app.codes
        head = Text()
        head.append(f"{self.resolved} of {len(self.items)} resolved", style="bold")
        head.append(f"  ·  disagreement {self.index + 1}/{len(self.items)}  ·  ")
        head.append("■ ", style=codes.colour(item.code))
        head.append(codes.name(item.code), style="bold")
        head.append(f"  ·  {item.document} {item.start}-{item.end}", style="dim")
        if item.decision:
            head.append(f"  ·  decided: {item.decision}", style="green")
        progress.update(head)
        unit.update(self._unit_text(item))
        coders.update(self._coder_table(item))
        memo.update(
            Text.assemble(
                ("memo: ", "bold"),
                self.memo or ("(none: m to write the reason)", "dim"),
            )
        )

    def _unit_text(self, item: Disagreement) -> Text:
        text = Text(item.text)
        start, end = self.span
        text.stylize("reverse", start - item.start, end - item.start)
        caption = Text(
            f"\nspan {start}-{end} · s takes it · w b shift+←/→ move its {self.edge}"
            " (g: the other end)",
            style="dim",
        )
        return Text.assemble(text, caption)

    def _coder_table(self, item: Disagreement) -> Table:
        table = Table(expand=True, show_lines=False)
        for number, coder in enumerate(self.coders, 1):
            table.add_column(f"{number} {coder}", ratio=1)
        cells = []
        for coder in self.coders:
            spans = item.spans.get(coder, [])
            if coder in item.applied_by:
                cell = Text("applied\n", style="bold green")
                for start, end in spans:
                    cell.append(f"{start}-{end} ", style="dim")
                    cell.append(
                        f"“{item.text[start - item.start : end - item.start]}”\n"
                    )
            elif coder in item.not_applied_by:
                cell = Text("not applied", style="bold red")
            else:
                cell = Text("did not code this unit", style="dim")
            cells.append(cell)
        table.add_row(*cells)
        return table

    # Decisions --------------------------------------------------------------------

    def _decide(self, decision: str) -> None:
        item = self.current
        if item is None:
            return
        span = self.span if decision == "span" else None
        memo, consensus = self.memo, self.consensus

        def decided(_: object) -> None:
            item.decision = decision
            item.memo = memo
            self.notify(f"{item.key}: {decision}")
            if self.is_attached and self.current is item:
                self._go(self._next_open(self.index))

        self.app.writes.submit(
            f"{item.key}: {decision}",
            lambda: resolve(
                self.app.project,
                item,
                decision,
                memo=memo,
                span=span,
                consensus=consensus,
            ),
            decided,
        )

    def _next_open(self, index: int) -> int:
        count = len(self.items)
        for step in range(1, count + 1):
            candidate = (index + step) % count
            if not self.items[candidate].decision:
                return candidate
        return index

    def action_take(self, number: int) -> None:
        if not 1 <= number <= len(self.coders):
            self.notify(f"There are {len(self.coders)} coders", severity="warning")
            return
        self._decide(self.coders[number - 1])

    def action_decide(self, decision: str) -> None:
        self._decide(decision)

    def action_memo(self) -> None:
        item = self.current
        if item is None:
            return

        def written(text: str | None) -> None:
            if text is not None:
                self.memo = text
                self.refresh_view()

        self.app.push_screen(
            ReasonScreen(f"Reason for {self.app.codes.name(item.code)}", self.memo),
            written,
        )

    # Span -------------------------------------------------------------------------

    def action_adjust(self, unit: str, delta: int) -> None:
        item = self.current
        if item is None:
            return
        start, end = self.span
        position = end if self.edge == "end" else start
        if unit == "char":
            position += delta
        else:
            position = self._word_step(item, position, delta)
        position = max(item.start, min(position, item.end))
        if self.edge == "end":
            end = max(position, start + 1)
        else:
            start = min(position, end - 1)
        self.span = (start, end)
        self.refresh_view()

    def _word_step(self, item: Disagreement, position: int, delta: int) -> int:
        bounds = [
            item.start + (m.end() if self.edge == "end" else m.start())
            for m in WORD.finditer(item.text)
        ]
        if delta > 0:
            later = [b for b in bounds if b > position]
            return later[0] if later else item.end
        earlier = [b for b in bounds if b < position]
        return earlier[-1] if earlier else item.start

    def action_swap_edge(self) -> None:
        self.edge = "start" if self.edge == "end" else "end"
        self.refresh_view()

    # Moving -----------------------------------------------------------------------

    def action_step(self, delta: int) -> None:
        self._go(self.index + delta)

    def action_next_open(self) -> None:
        if self.items:
            self._go(self._next_open(self.index))

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.app.action_documents()
