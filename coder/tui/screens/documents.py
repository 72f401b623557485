"""The documents screen: every document with its case, attributes, words and coding progress."""

from __future__ import annotations

import shlex
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from coder.activity import Progress, coding_progress, data_version
from coder.model import Document
from coder.reading import list_documents
from coder.tui.messages import ProjectChanged
from coder.tui.screens.memo import MemoScreen, MemoTarget
from coder.tui.screens.pick import Choice, PickScreen
from coder.tui.screens.typeahead import redirect_typing

BAR = 8
POLL_SECONDS = 2.0


EIGHTHS = " ▏▎▍▌▋▊▉"


def progress_cell(progress: Progress | None) -> Text:
    """``█████▍    51%``: the share of sentences coded, to an eighth of a cell."""
    share = progress.share if progress else 0.0
    steps = round(share * BAR * 8)
    if progress and progress.coded and not steps:
        steps = 1  # one coded sentence shows
    full, part = divmod(steps, 8)
    bar = "█" * full + (EIGHTHS[part] if part else "")
    text = Text(no_wrap=True)
    text.append(bar, style="green")
    text.append("─" * (BAR - len(bar)), style="dim")
    text.append(f" {share:>4.0%}")
    return text


def attribute_order(documents: list[Document]) -> list[str]:
    """Attribute names, those with few distinct values (role, site) before ids and dates."""
    values: dict[str, set[str]] = {}
    for document in documents:
        for key, value in document.attributes.items():
            values.setdefault(key, set()).add(str(value))
    count = {key: sum(key in d.attributes for d in documents) for key in values}
    # Those every document has first, then the few-valued (but not constant) ones.
    return sorted(
        values,
        key=lambda key: (-count[key], len(values[key]) == 1, len(values[key]), key),
    )


def attribute_text(document: Document, order: list[str] | None = None) -> str:
    keys = order if order is not None else sorted(document.attributes)
    return "  ".join(
        f"{key}={document.attributes[key]}"
        for key in keys
        if key in document.attributes
    )


def _terms(query: str) -> list[str]:
    """Words of a filter; quotes keep spaces: ``interviewer="Maryam Kazemi"``."""
    try:
        return shlex.split(query)
    except ValueError:  # an unclosed quote while typing
        return query.replace('"', " ").split()


def quoted(value: str) -> str:
    return f'"{value}"' if " " in value else value


def matches(document: Document, query: str) -> bool:
    """Does a document pass the filter? Terms with ``=`` match an attribute, others any field.

    Every term must match (case-insensitive): ``kaveh role=member``; quote
    values with spaces: ``case="Kaveh Power Equipment"``.
    """
    fields = [document.name, document.case or ""]
    fields += [str(value) for value in document.attributes.values()]
    haystack = " ".join(fields).casefold()
    attributes = {
        str(k).casefold(): str(v).casefold() for k, v in document.attributes.items()
    }
    for term in _terms(query.casefold()):
        if "=" in term:
            key, _, value = term.partition("=")
            if key == "case":
                if value not in (document.case or "").casefold():
                    return False
            elif key not in attributes or value not in attributes[key]:
                return False
        elif term not in haystack:
            return False
    return True


class DocumentsScreen(Screen):
    """Where coder opens: pick a document to read and code."""

    _just_mounted = True
    HELP_TITLE = "Documents"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "open",
            "Open",
            tooltip="Open the highlighted document's transcript",
        ),
        Binding("j", "cursor(1)", "Down", show=False, tooltip="Next document"),
        Binding("k", "cursor(-1)", "Up", show=False, tooltip="Previous document"),
        Binding(
            "slash",
            "focus_filter",
            "Filter",
            key_display="/",
            # Priority: acted on as it arrives, so keys typed right after it
            # already go to the filter box.
            priority=True,
            tooltip="Type a filter: words match name, case or attributes; key=value matches one attribute",
        ),
        Binding(
            "f",
            "pick_filter",
            "By case/attribute",
            tooltip="Filter by a case or an attribute value, picked from a list",
        ),
        Binding(
            "escape",
            "clear_filter",
            "Clear filter",
            show=False,
            tooltip="Clear the filter",
        ),
        Binding(
            "m", "memo", "Memo", tooltip="Write a memo on the highlighted document"
        ),
        Binding(
            "q", "app.quit", "Quit", tooltip="Quit coder (everything is already saved)"
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.documents: list[Document] = []
        self.shown: list[Document] = []
        self.progress: dict[str, Progress] = {}
        self.order: list[str] = []
        self._version: int | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(
            placeholder="/ to filter: case, attribute or name (role=member)",
            id="doc-filter",
            compact=True,
        )
        table = DataTable(id="documents", cursor_type="row", zebra_stripes=True)
        table.add_column("document", key="name")
        table.add_column("case", key="case")
        table.add_column("words", key="words")
        table.add_column("coded", key="coded")
        table.add_column("attributes", key="attributes")
        yield table
        yield Static(id="doc-details")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.reload()
        self.set_focus(self.query_one(DataTable))
        self.set_interval(POLL_SECONDS, self._poll)

    def on_screen_resume(self) -> None:
        # The first resume follows the mount, which has just loaded everything.
        if not self._just_mounted:
            self.reload()
        self._just_mounted = False

    def _poll(self) -> None:
        if self.app.screen is self and data_version(self.app.project) != self._version:
            self.reload()

    def on_key(self, event: events.Key) -> None:
        redirect_typing(self, event)

    @on(ProjectChanged)
    def _changed(self, event: ProjectChanged) -> None:
        self.reload()

    def reload(self) -> None:
        app = self.app
        self._version = data_version(app.project)
        self.documents = list_documents(app.project)
        self.order = attribute_order(self.documents)
        self.progress = coding_progress(
            app.project, None if app.show_all else app.coder
        )
        whose = "everyone's codings" if app.show_all else f"{app.coder}'s codings"
        self.sub_title = f"{app.project.path.name} · {whose}"
        self._fill()

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        query = self.query_one("#doc-filter", Input).value.strip()
        current = self.highlighted
        self.shown = [d for d in self.documents if matches(d, query)]
        table.clear()
        for document in self.shown:
            table.add_row(
                document.name,
                document.case or "",
                Text(f"{document.words:,}", justify="right"),
                progress_cell(self.progress.get(document.name)),
                attribute_text(document, self.order),
                key=document.name,
            )
        if current is not None:
            names = [d.name for d in self.shown]
            if current.name in names:
                table.move_cursor(row=names.index(current.name), animate=False)
        self._details()

    @property
    def highlighted(self) -> Document | None:
        table = self.query_one(DataTable)
        if not self.shown or table.cursor_row is None:
            return None
        row = table.cursor_row
        return self.shown[row] if 0 <= row < len(self.shown) else None

    def _details(self) -> None:
        details = self.query_one("#doc-details", Static)
        document = self.highlighted
        if document is None:
            total = len(self.documents)
            details.update(
                Text(
                    f"No document matches the filter ({total} in the project)."
                    if total
                    else "No documents yet: coder import FILES",
                    style="dim",
                )
            )
            return
        progress = self.progress.get(document.name)
        coded = (
            f"{progress.coded} of {progress.sentences} sentences coded"
            if progress
            else ""
        )
        text = Text()
        text.append(document.name, style="bold")
        if document.case:
            text.append(f"  {document.case}")
        text.append(
            f"\n{document.turns} turns · {document.sentences} sentences · {coded}",
            style="dim",
        )
        if document.speakers:
            text.append("\nspeakers: " + ", ".join(document.speakers), style="dim")
        if document.attributes:
            text.append("\n" + attribute_text(document, self.order), style="dim")
        details.update(text)

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._details()

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    @on(Input.Changed, "#doc-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._fill()

    @on(Input.Submitted, "#doc-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        self.set_focus(self.query_one(DataTable))

    def action_open(self) -> None:
        document = self.highlighted
        if document is not None:
            self.app.open_document(document.name)

    def action_cursor(self, delta: int) -> None:
        table = self.query_one(DataTable)
        if self.shown:
            row = max(0, min((table.cursor_row or 0) + delta, len(self.shown) - 1))
            table.move_cursor(row=row, animate=False)

    def action_focus_filter(self) -> None:
        box = self.query_one("#doc-filter", Input)
        if box.has_focus:
            box.insert_text_at_cursor("/")  # a priority key: the box never saw it
        else:
            self.set_focus(box)

    def action_clear_filter(self) -> None:
        self.query_one("#doc-filter", Input).value = ""
        self.set_focus(self.query_one(DataTable))

    def action_pick_filter(self) -> None:
        choices = [Choice(Text("everything", style="italic"), "")]
        for case in sorted({d.case for d in self.documents if d.case}):
            count = sum(d.case == case for d in self.documents)
            choices.append(Choice(f"case {case} ({count})", f"case={quoted(case)}"))
        for key in self.order:
            counts: dict[str, int] = {}
            for document in self.documents:
                if key in document.attributes:
                    value = str(document.attributes[key])
                    counts[value] = counts.get(value, 0) + 1
            if max(counts.values(), default=0) < 2:
                continue  # every document its own value (ids, dates): no use as a filter
            for value, count in sorted(counts.items()):
                choices.append(
                    Choice(f"{key}={value} ({count})", f"{key}={quoted(value)}")
                )

        def chosen(query: str | None) -> None:
            if query is not None:
                self.query_one("#doc-filter", Input).value = query
                self.set_focus(self.query_one(DataTable))

        self.app.push_screen(PickScreen("Show the documents of", choices), chosen)

    def action_memo(self) -> None:
        document = self.highlighted
        if document is None:
            return
        self.app.push_screen(
            MemoScreen(
                [MemoTarget("document", document.name, f"document {document.name}")]
            )
        )
