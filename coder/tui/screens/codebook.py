"""The codebook screen: the code tree beside the highlighted code's rules, and shaping it.

Codes are made, edited, renamed, moved, merged and split here through the
same services as `coder codes` (coder.code_editing, coder.codes): each one
transaction, logged, a new codebook version, with codings kept. Making,
editing, renaming and moving are undone with u; a merge or split asks first
and takes a snapshot, as the CLI does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Header

from coder.backup import snapshot_before
from coder.code_editing import add_code, edit_code
from coder.codebook_file import write_codebook_file
from coder.codes import (
    coding_counts,
    merge_codes,
    move_code,
    split_code,
)
from coder.history import redo, undo
from coder.store import Project
from coder.tui.messages import CodeChosen, ProjectChanged
from coder.tui.screens.confirm import ConfirmScreen
from coder.tui.screens.field import FieldScreen
from coder.tui.screens.memo import MemoScreen, MemoTarget
from coder.tui.screens.new_code import NewCode, NewCodeScreen
from coder.tui.screens.pick import Choice, PickScreen
from coder.tui.widgets.codebook import CodebookPanel

# What `e` offers to edit: (field, label, several lines?).
FIELDS = (
    ("name", "Name", False),
    ("definition", "Definition", True),
    ("include", "Include", True),
    ("exclude", "Exclude", True),
    ("colour", "Colour (#rrggbb)", False),
    ("key", "Key (a letter; empty for none)", False),
    ("memo", "Codebook memo", True),
)


def _with_snapshot(
    project: Project, reason: str, change: Callable[[], Any]
) -> Callable[[], tuple[Any, Path | None]]:
    """`change`, a snapshot of the project taken first (as the CLI's merge and split do)."""

    def run() -> tuple[Any, Path | None]:
        with snapshot_before(project, reason) as taken:
            result = change()
        return result, taken

    return run


def _snapshot_note(taken: Path | None) -> str:
    return f" (snapshot {taken.name})" if taken else ""


class CodebookScreen(Screen):
    """Browse and shape the codebook: rules, examples, counts; add, edit, move, merge, split."""

    _just_mounted = True
    HELP_TITLE = "Codebook"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor(1)", "Down", show=False, tooltip="Next code"),
        Binding("k", "cursor(-1)", "Up", show=False, tooltip="Previous code"),
        Binding("m", "memo", "Memo", tooltip="Write a memo on the highlighted code"),
        Binding(
            "a",
            "add",
            "Add",
            tooltip="Make a new code (under the highlighted one, or another)",
        ),
        Binding(
            "e",
            "edit",
            "Edit",
            tooltip="Edit the highlighted code's name, definition, rules, colour,"
            " key or codebook memo",
        ),
        Binding("r", "edit('name')", "Rename", show=False, tooltip="Rename the code"),
        Binding(
            "v",
            "move",
            "Move",
            tooltip="Move the code under another (a theme) or to the top",
        ),
        Binding(
            "g",
            "merge",
            "Merge",
            show=False,
            tooltip="Merge the code into another: its codings move there",
        ),
        Binding(
            "s",
            "split",
            "Split",
            show=False,
            tooltip="Split the code: new codes under it, its codings kept on it"
            " for review",
        ),
        Binding(
            "u",
            "undo",
            "Undo",
            show=False,
            tooltip="Undo your last change (a code made, edited, renamed or moved)",
        ),
        Binding("ctrl+r,U", "redo", "Redo", show=False, tooltip="Redo what you undid"),
        Binding(
            "W",
            "write",
            "Write YAML",
            show=False,
            tooltip="Write the codebook back into its YAML file (comments kept)",
        ),
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

    @property
    def panel(self) -> CodebookPanel:
        return self.query_one(CodebookPanel)

    def reload(self) -> None:
        app = self.app
        if app.refresh_codes() or self.panel.index is not app.codes:
            self.panel.set_index(app.codes)
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

    # Shaping the codebook ----------------------------------------------------------

    def _write(
        self,
        label: str,
        change: Callable[[], Any],
        said: Callable[[Any], str],
        *,
        highlight: str | Callable[[Any], str] | None = None,
    ) -> None:
        """Run one change through the app's write queue, then show the new codebook.

        Args:
            said: What to tell the researcher, from the change's result.
            highlight: The code to move to afterwards (or how to find it in
                the result).
        """

        def done(result: Any) -> None:
            if not self.is_attached:
                return
            self.reload()
            code = highlight(result) if callable(highlight) else highlight
            if code:
                self.panel.highlight(code)
            self.notify(said(result))

        self.app.writes.submit(label, change, done)

    def _highlighted(self) -> str | None:
        code = self.panel.highlighted
        if not code:
            self.notify("No code highlighted (a makes one)", severity="warning")
        return code

    def action_add(self) -> None:
        project = self.app.project

        def chosen(new: NewCode | None) -> None:
            if new is not None:
                self._write(
                    f"new code {new.name}",
                    lambda: add_code(project, new.name, parent=new.parent),
                    lambda code: f"made {code.name} ({code.id}); u undoes",
                    highlight=lambda code: code.id,
                )

        self.app.push_screen(
            NewCodeScreen(
                self.app.codes, parent=self.panel.highlighted, title="New code"
            ),
            chosen,
        )

    def action_edit(self, field: str | None = None) -> None:
        code_id = self._highlighted()
        if not code_id:
            return
        code = self.app.codes.by_id[code_id].code
        if field is None:
            choices = []
            for name, label, _ in FIELDS:
                value = getattr(code, name) or ""
                shown = Text(no_wrap=True, overflow="ellipsis")
                shown.append(f"{label}: ", style="bold")
                shown.append(" ".join(str(value).split()) or "(none)", style="dim")
                choices.append(Choice(shown, name))

            def picked(name: str | None) -> None:
                if name:
                    self.action_edit(name)

            self.app.push_screen(PickScreen(f"Edit {code.name}", choices), picked)
            return
        label, multiline = next((lb, ml) for n, lb, ml in FIELDS if n == field)
        project = self.app.project

        def edited(value: str | None) -> None:
            if value is None:
                return
            self._write(
                f"editing {code_id}",
                lambda: edit_code(project, code_id, **{field: value}),
                lambda changed: (
                    f"{label.split(' (')[0]} of {code_id} changed; u undoes"
                    if changed
                    else "nothing changed"
                ),
            )

        self.app.push_screen(
            FieldScreen(
                f"{label} of {code.name}",
                getattr(code, field) or "",
                multiline=multiline,
            ),
            edited,
        )

    def _others(self, code_id: str, *, descendants: bool) -> list[Choice]:
        """Every other code as a choice (without the code's own subtree, if asked)."""
        below = {code_id}
        for entry in self.app.codes.entries:
            if entry.parent in below:
                below.add(entry.id)
        choices = []
        for entry in self.app.codes.entries:
            if entry.id == code_id or (not descendants and entry.id in below):
                continue
            label = Text(no_wrap=True, overflow="ellipsis")
            label.append("■ ", style=entry.colour)
            label.append("  " * entry.depth + entry.name)
            choices.append(Choice(label, entry.id, entry.id))
        return choices

    def action_move(self) -> None:
        code_id = self._highlighted()
        if not code_id:
            return
        name = self.app.codes.name(code_id)
        choices = [
            Choice(Text("(top level)", style="italic"), "", "top"),
            *self._others(code_id, descendants=False),
        ]
        project = self.app.project

        def chosen(parent: str | None) -> None:
            if parent is None:
                return
            self._write(
                f"moving {code_id}",
                lambda: move_code(project, code_id, parent or None),
                lambda _: (
                    f"moved {name} under {self.app.codes.name(parent) if parent else '(top)'}; u undoes"
                ),
                highlight=code_id,
            )

        self.app.push_screen(PickScreen(f"Move {name} under", choices), chosen)

    def action_merge(self) -> None:
        source = self._highlighted()
        if not source:
            return
        name = self.app.codes.name(source)
        project = self.app.project
        counts = coding_counts(project)

        def merge(target: str) -> None:
            into = self.app.codes.name(target)

            def answered(sure: bool | None) -> None:
                if sure:
                    self._write(
                        f"merging {source}",
                        _with_snapshot(
                            project,
                            "codes-merge",
                            lambda: merge_codes(project, source, target),
                        ),
                        lambda done: (
                            f"merged {name} into {into}: {done[0]} codings moved"
                            + _snapshot_note(done[1])
                        ),
                        highlight=target,
                    )

            self.app.push_screen(
                ConfirmScreen(
                    f"Merge {name} into {into}? Its {counts.get(source, 0)} codings"
                    f" move to {into} and {name} goes. This is not undone with u:"
                    " a snapshot is taken first (coder restore), and coder log"
                    " keeps every coding it moved.",
                    yes="Merge",
                    no="Cancel",
                ),
                answered,
            )

        self.app.push_screen(
            PickScreen(f"Merge {name} into", self._others(source, descendants=False)),
            lambda target: merge(target) if target else None,
        )

    def action_split(self) -> None:
        code_id = self._highlighted()
        if not code_id:
            return
        name = self.app.codes.name(code_id)
        project = self.app.project

        def named(text: str | None) -> None:
            names = [line.strip() for line in (text or "").splitlines() if line.strip()]
            if not names:
                return
            self._write(
                f"splitting {code_id}",
                _with_snapshot(
                    project,
                    "codes-split",
                    lambda: split_code(project, code_id, [("", n) for n in names]),
                ),
                lambda done: (
                    f"split {name} into {', '.join(done[0].created)};"
                    f" its {done[0].left_on_parent} codings stay on it for review"
                    + _snapshot_note(done[1])
                ),
                highlight=code_id,
            )

        self.app.push_screen(
            FieldScreen(
                f"Split {name}: the new codes under it, one name a line"
                " (its codings stay on it for review)",
                multiline=True,
            ),
            named,
        )

    def action_undo(self) -> None:
        coder = self.app.coder
        self._write(
            "undo",
            lambda: undo(self.app.project, coder),
            lambda change: (
                f"undone: {change.describe()}" if change else "nothing to undo"
            ),
        )

    def action_redo(self) -> None:
        coder = self.app.coder
        self._write(
            "redo",
            lambda: redo(self.app.project, coder),
            lambda change: (
                f"redone: {change.describe()}" if change else "nothing to redo"
            ),
        )

    def action_write(self) -> None:
        project = self.app.project

        def said(result: Any) -> str:
            if not result.changed:
                return f"{result.path} is up to date"
            lines = sum(
                1
                for line in result.diff.splitlines()
                if line[:1] in "+-" and line[:3] not in ("+++", "---")
            )
            return f"wrote {result.path} ({lines} lines changed)"

        self._write("writing the codebook", lambda: write_codebook_file(project), said)
