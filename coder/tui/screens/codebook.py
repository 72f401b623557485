"""The codebook screen: the code tree beside the highlighted code's rules and examples."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Header

from coder.codes import coding_counts
from coder.tui.messages import CodeChosen, ProjectChanged
from coder.tui.screens.memo import MemoScreen, MemoTarget
from coder.tui.widgets.codebook import CodebookPanel


class CodebookScreen(Screen):
    """Browse the codebook: definitions, include and exclude rules, examples, counts."""

    _just_mounted = True
    HELP_TITLE = "Codebook"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor(1)", "Down", show=False, tooltip="Next code"),
        Binding("k", "cursor(-1)", "Up", show=False, tooltip="Previous code"),
        Binding("m", "memo", "Memo", tooltip="Write a memo on the highlighted code"),
        Binding("q,escape", "back", "Back", tooltip="Back to where you were"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield CodebookPanel(self.app.codes, id="codebook")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.reload()
        self.set_focus(self.query_one(CodebookPanel).tree)

    def on_screen_resume(self) -> None:
        # The first resume follows the mount, which has just loaded everything.
        if not self._just_mounted:
            self.reload()
        self._just_mounted = False

    @on(ProjectChanged)
    def _changed(self, event: ProjectChanged) -> None:
        self.reload()

    def reload(self) -> None:
        app = self.app
        codebook = app.codes.codebook
        version = f" {codebook.version}" if codebook.version else ""
        self.sub_title = f"{codebook.name}{version} · {len(app.codes)} codes"
        self.query_one(CodebookPanel).set_counts(
            coding_counts(app.project, app.coder),
            coding_counts(app.project) if app.show_all else None,
        )

    @on(CodeChosen)
    def _chosen(self, event: CodeChosen) -> None:
        event.stop()

    def action_cursor(self, delta: int) -> None:
        tree = self.query_one(CodebookPanel).tree
        if delta > 0:
            tree.action_cursor_down()
        else:
            tree.action_cursor_up()

    def action_memo(self) -> None:
        code = self.query_one(CodebookPanel).highlighted
        if code:
            name = self.app.codes.name(code)
            self.app.push_screen(MemoScreen([MemoTarget("code", code, f"code {name}")]))

    def action_back(self) -> None:
        self.app.pop_screen()
