"""The coding TUI: one App holding the open project and who is coding, with a screen per task.

Nothing here saves: every action calls a service that writes its own
transaction at once, so quitting, closing the terminal or killing the process
loses nothing that was acknowledged on screen.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen

from coder.codes import current_codebook, latest_version
from coder.reading import list_documents
from coder.store import Project
from coder.tui.commands import CoderCommands
from coder.tui.data import CodeIndex
from coder.tui.messages import ProjectChanged
from coder.tui.model_work import ModelWork, refit_every_setting
from coder.tui.screens.codebook import CodebookScreen
from coder.tui.screens.confirm import ConfirmScreen
from coder.tui.screens.documents import DocumentsScreen
from coder.tui.screens.help import HelpScreen
from coder.tui.screens.suggestions import SuggestionsScreen
from coder.tui.screens.transcript import TranscriptScreen
from coder.tui.writes import WriteQueue


class CoderApp(App[None]):
    """Read transcripts and code them, as `coder` (the project's actor)."""

    CSS_PATH = "coder.tcss"
    TITLE = "coder"
    COMMANDS = App.COMMANDS | {CoderCommands}
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [
        (0, "-narrow"),
        (110, "-wide"),
    ]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "question_mark",
            "help",
            "Help",
            key_display="?",
            tooltip="Show every key of this screen",
        ),
        Binding(
            "f1", "help", "Help", show=False, tooltip="Show every key of this screen"
        ),
        Binding(
            "ctrl+p",
            "command_palette",
            "Commands",
            show=False,
            priority=True,
            tooltip="Open the command palette: every action by name",
        ),
        Binding(
            "f2", "documents", "Documents", show=False, tooltip="Go to the documents"
        ),
        Binding("f3", "codebook", "Codebook", show=False, tooltip="Open the codebook"),
        Binding(
            "f4",
            "suggestions",
            "Suggestions",
            show=False,
            tooltip="Open the queue of suggestions",
        ),
        Binding(
            "f5",
            "resolve",
            "Resolve",
            show=False,
            tooltip="Resolve the disagreements between coders",
        ),
        Binding(
            "f6",
            "matrix",
            "Matrix",
            show=False,
            tooltip="Open the theme matrix (cases x codes) and its quotes",
        ),
        Binding(
            "ctrl+e",
            "toggle_everyone",
            "Everyone",
            show=False,
            tooltip="Show everyone's codings, or only yours",
        ),
        Binding(
            "ctrl+q",
            "quit",
            "Quit",
            show=False,
            priority=True,
            tooltip="Quit coder (everything is already saved)",
        ),
    ]

    def __init__(
        self,
        project: Project,
        *,
        coder: str | None = None,
        document: str | None = None,
        resolve: list[str] | None = None,
        consensus: str = "consensus",
        refit_every: int | None = None,
    ) -> None:
        super().__init__()
        self.project = project
        self.coder = coder or project.actor
        # Undo and redo follow the event log's actor: make it the coder.
        project.actor = self.coder
        self.show_all = False
        self.codes = CodeIndex(current_codebook(project))
        self.codebook_revision = self._revision()
        self.initial_document = document
        self.resolve_coders = resolve
        self.consensus = consensus
        # Writes wait for the project's lock in the background, never here.
        self.writes = WriteQueue(self, project.busy_timeout_ms / 1000)
        # Suggesting and refitting run in a worker thread, one job at a time.
        self.model_work = ModelWork(
            self, refit_every_setting() if refit_every is None else refit_every
        )
        # `N` goes to the suggestion the model is surest of first (fast
        # confirmation), or, when True, to the one it is least sure of
        # (active learning: the decisions that teach the model most).
        self.least_sure_first = False

    def on_mount(self) -> None:
        if self.resolve_coders:
            from coder.tui.screens.resolve import ResolveScreen

            self.push_screen(
                ResolveScreen(self.resolve_coders, consensus=self.consensus)
            )
        elif self.initial_document:
            # Straight to the transcript; the documents screen is made when
            # it is first wanted (it costs a few hundred ms to build).
            self.push_screen(TranscriptScreen(self.initial_document, self.codes))
        else:
            self.push_screen(DocumentsScreen())

    def _revision(self) -> int | None:
        latest = latest_version(self.project)
        return latest.revision if latest else None

    def refresh_codes(self) -> bool:
        """Read the codebook again when it changed (a code made, edited, undone).

        Every codebook change records a version, so comparing the latest
        revision is enough. Returns whether `codes` was replaced.
        """
        revision = self._revision()
        if revision == self.codebook_revision:
            return False
        self.codes = CodeIndex(current_codebook(self.project))
        self.codebook_revision = revision
        return True

    def document_names(self) -> list[str]:
        return [document.name for document in list_documents(self.project)]

    def _home(self) -> None:
        """Pop back to the documents screen, making it when it is not there.

        Leaving a transcript is when its coding is done: the model learns
        from it (in the background) if the coder coded or decided anything there.
        """
        left = [
            s.document for s in self.screen_stack if isinstance(s, TranscriptScreen)
        ]
        while len(self.screen_stack) > 2 and not isinstance(
            self.screen, DocumentsScreen
        ):
            self.pop_screen()
        if not isinstance(self.screen, DocumentsScreen):
            self.switch_screen(DocumentsScreen())
        for document in left:
            self.model_work.document_done(document)

    def open_document(self, name: str, suggestion_id: int | None = None) -> None:
        """Show a document's transcript (at a suggestion), on top of the documents screen."""
        self._home()
        self.push_screen(
            TranscriptScreen(name, self.codes, suggestion_id=suggestion_id)
        )

    def _modal_open(self) -> bool:
        return isinstance(self.screen, ModalScreen)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (
            action
            in {
                "documents",
                "codebook",
                "suggestions",
                "resolve",
                "matrix",
                "toggle_everyone",
            }
            and self._modal_open()
        )

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_documents(self) -> None:
        self._home()

    def action_codebook(self) -> None:
        if isinstance(self.screen, CodebookScreen):
            return
        if isinstance(self.screen, SuggestionsScreen):
            self.switch_screen(CodebookScreen())
        else:
            self.push_screen(CodebookScreen())

    def action_suggestions(self) -> None:
        if isinstance(self.screen, SuggestionsScreen):
            return
        if isinstance(self.screen, CodebookScreen):
            self.switch_screen(SuggestionsScreen())
        else:
            self.push_screen(SuggestionsScreen())

    def action_resolve(self) -> None:
        # Imported here, as the matrix screen: the agreement code brings numpy.
        from coder.tui.screens.resolve import ResolveScreen, coders_with_codings

        if isinstance(self.screen, ResolveScreen):
            return
        coders = self.resolve_coders or coders_with_codings(
            self.project, self.consensus
        )
        if len(coders) < 2:
            self.notify(
                "Resolving needs codings by two or more coders"
                " (coder open --resolve alice,bob)",
                severity="warning",
            )
            return
        self.push_screen(ResolveScreen(coders, consensus=self.consensus))

    def action_matrix(self) -> None:
        # Imported here: the analyses bring numpy, a tenth of a second that
        # opening the coding screen need not wait for (issue 17).
        from coder.tui.screens.matrix import MatrixScreen

        if not isinstance(self.screen, MatrixScreen):
            self.push_screen(MatrixScreen())

    async def action_quit(self) -> None:
        if self.writes.pending and not self.writes.flush(2000):
            waiting = self.writes.pending

            def answered(quit_anyway: bool | None) -> None:
                if quit_anyway:
                    self.exit()

            self.push_screen(
                ConfirmScreen(
                    f"{len(waiting)} change{'s' if len(waiting) != 1 else ''} not"
                    f" saved yet ({', '.join(waiting)}): the project is busy. Quit"
                    " and lose them?",
                    yes="Quit",
                    no="Wait",
                ),
                answered,
            )
            return
        self.exit()

    def action_toggle_everyone(self) -> None:
        self.show_all = not self.show_all
        self.notify(
            "showing everyone's codings"
            if self.show_all
            else f"showing {self.coder}'s codings only"
        )
        self.screen.post_message(ProjectChanged())
