"""The coding screen: one transcript, made of its parts (selection, coding and memos, suggestion review, search and filter)."""

from __future__ import annotations

from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, ProgressBar, Static

from coder.activity import data_version
from coder.codes import coding_counts
from coder.coding import Coding
from coder.errors import CoderError
from coder.memos import list_memos
from coder.reading import document_codings, document_segments, get_document
from coder.suggest.queue import Suggestion, list_suggestions
from coder.tui.data import CodeIndex, TranscriptData, transcript_data
from coder.tui.messages import PendingWritesChanged, ProjectChanged, SelectionMoved
from coder.tui.model_work import STEPS
from coder.tui.screens.transcript.assist import ASSIST_KEYS, Assisting
from coder.tui.screens.transcript.coding import CODING_KEYS, CodingAndMemos
from coder.tui.screens.transcript.review import REVIEW_KEYS, SuggestionReview
from coder.tui.screens.transcript.search import SEARCH_KEYS, SearchAndFilter
from coder.tui.screens.transcript.selection import SELECTION_KEYS, Selecting
from coder.tui.screens.typeahead import redirect_typing
from coder.tui.widgets.codebook import CodebookPanel
from coder.tui.widgets.transcript import Span, TranscriptView

POLL_SECONDS = 2.0


class TranscriptScreen(
    Selecting, CodingAndMemos, SuggestionReview, Assisting, SearchAndFilter
):
    """One document: move by sentence and turn, select, code, memo, ask for and review suggestions."""

    _just_mounted = True
    HELP_TITLE = "Transcript"
    # Declared here, in the order the help lists them; each part owns its keys.
    BINDINGS: ClassVar[list[BindingType]] = [
        *SELECTION_KEYS,
        *CODING_KEYS,
        *REVIEW_KEYS,
        *ASSIST_KEYS,
        *SEARCH_KEYS,
        Binding(
            "ctrl+o",
            "toggle_panel",
            "Panel",
            show=False,
            tooltip="Show or hide the codebook panel",
        ),
        Binding("q", "back", "Back", show=False, tooltip="Back to the documents"),
    ]

    def __init__(
        self,
        document: str,
        codes: CodeIndex,
        *,
        suggestion_id: int | None = None,
        at: tuple[int, int] | None = None,
    ) -> None:
        super().__init__()
        self.document = document
        self.codes = codes
        self.start_suggestion = suggestion_id
        self.start_span = at
        self.data: TranscriptData | None = None
        self.codings: list[Coding] = []
        self.suggestions: list[Suggestion] = []
        self.active: Suggestion | None = None
        self.filter: tuple[str, str] | None = None
        self.last_coding_id: int | None = None
        self.note = ""
        self.note_at: tuple[int, int] | None = None
        self._coded_sentences: set[int] = set()
        self._digits = ""
        self._digit_timer: Timer | None = None
        self._version: int | None = None
        self._segment_spans: dict[str, tuple[int, int]] | None = None
        self._bind_code_keys()

    def _bind_code_keys(self) -> None:
        """Each code's own letter, from the codebook, as a binding of this screen."""
        keys = self._bindings.key_to_bindings
        for key in list(keys):
            keys[key] = [b for b in keys[key] if not b.action.startswith("apply_code(")]
            if not keys[key]:
                del keys[key]
        for entry in self.codes.entries:
            if entry.code.key:
                self._bindings.bind(
                    entry.code.key,
                    f"apply_code('{entry.id}')",
                    f"Apply code: {entry.name}",
                    show=False,
                )

    def _follow_codebook(self) -> None:
        """Take up a changed codebook: a code made here, edited elsewhere, undone."""
        if self.app.refresh_codes() or self.codes is not self.app.codes:
            self.codes = self.app.codes
            self._bind_code_keys()
            self.panel.set_index(self.codes)
            self.refresh_bindings()

    # Building ----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="reader"):
            yield TranscriptView(id="transcript")
            yield CodebookPanel(self.codes, id="panel")
        yield Static(id="suggestion-bar")
        yield Input(
            placeholder="search the text: enter for the next match, esc to close",
            id="search",
            compact=True,
        )
        # With a total from the start: an indeterminate bar animates, hidden or not.
        yield ProgressBar(STEPS, id="model-progress", show_eta=False)
        yield Static(id="status")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        project = self.app.project
        document = get_document(project, self.document)
        segments = document_segments(project, self.document, lemmas=False)
        self.data = transcript_data(document, segments)
        self.case = document.case
        self.view.load(self.data)
        self.reload()
        self.set_focus(self.view)
        if self.start_suggestion is not None:
            found = [s for s in self.suggestions if s.id == self.start_suggestion]
            if found:
                self._activate(found[0])
        elif self.start_span is not None:
            self.view.select_span(*self.start_span)
        self.set_interval(POLL_SECONDS, self._poll)
        self.query_one(
            "#model-progress", ProgressBar
        ).display = self.app.model_work.busy

    def _poll(self) -> None:
        if self.app.screen is self and data_version(self.app.project) != self._version:
            try:
                self.reload()
            except CoderError as error:
                # Someone removed or replaced this document meanwhile.
                self.notify(str(error), severity="error")
                self.app.action_documents()

    def on_screen_resume(self) -> None:
        # The first resume follows the mount, which has just loaded everything.
        if self.data is not None and not self._just_mounted:
            self.reload()
        self._just_mounted = False

    def on_key(self, event: events.Key) -> None:
        redirect_typing(self, event)

    @on(ProjectChanged)
    def _project_changed(self, event: ProjectChanged) -> None:
        self.reload()

    def reload(self) -> None:
        """Read codings, suggestions and memos again and show them."""
        app = self.app
        project = app.project
        self._follow_codebook()
        self._version = data_version(project)
        coder = None if app.show_all else app.coder
        self.codings = document_codings(project, self.document, coder=coder)
        self.suggestions = list_suggestions(
            project, status="pending", document=self.document
        )
        if self.active is not None and all(
            s.id != self.active.id for s in self.suggestions
        ):
            self._deactivate()
        codes = self.codes
        self.view.set_spans(
            codings=[
                Span(
                    c.start,
                    c.end,
                    c.code,
                    codes.colour(c.code),
                    c.id,
                    codes.order(c.code),
                )
                for c in self.codings
            ],
            suggestions=[
                Span(s.start, s.end, s.code, codes.colour(s.code), s.id)
                for s in self.suggestions
            ],
            memos=self._memo_spans(),
        )
        self._coded_sentences = self._sentences_of(self.codings)
        if self.filter is not None:
            self._apply_filter(self.filter, quiet=True)
        self.panel.set_counts(
            coding_counts(project, app.coder),
            coding_counts(project) if app.show_all else None,
        )
        self._title()
        self._status()

    def _memo_spans(self) -> list[Span]:
        data = self.data
        assert data is not None
        spans = [Span(c.start, c.end) for c in self.codings if c.memo]
        if self._segment_spans is None:
            found = {sid: data.sentences[n] for n, sid in enumerate(data.sentence_ids)}
            for block in data.blocks:
                if block.segment_id is not None:
                    found[block.segment_id] = (block.start, block.end)
            self._segment_spans = {str(sid): span for sid, span in found.items()}
        for memo in list_memos(self.app.project, "segment"):
            if not self.app.show_all and memo.coder != self.app.coder:
                continue
            span = self._segment_spans.get(memo.target_id or "")
            if span is not None:
                spans.append(Span(*span))
        return spans

    @on(SelectionMoved)
    def _moved(self, event: SelectionMoved) -> None:
        if self.active is not None and self.data is not None:
            # A suggestion stays current while its span is adjusted, not after moving away.
            # (The view's selection now, not the event's: events arrive late.)
            start, end = self.view.selection
            if not (start < self.active.end and end > self.active.start):
                self._deactivate()
        if self.view.selection != self.note_at:
            self.note = ""
        self._status()

    @on(PendingWritesChanged)
    def _pending_changed(self, event: PendingWritesChanged) -> None:
        self._status()

    # Layout ----------------------------------------------------------------------------

    def action_toggle_panel(self) -> None:
        panel = self.panel
        panel.display = not panel.display
        if not panel.display:
            self.set_focus(self.view)

    def action_back(self) -> None:
        self.app.action_documents()
