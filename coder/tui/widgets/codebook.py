"""The codebook panel: the numbered code tree with counts, and the focused code's rules."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static, Tree

from coder.codebook import Code
from coder.tui.data import CodeEntry, CodeIndex
from coder.tui.messages import CodeChosen, CodeHighlighted


def code_label(entry: CodeEntry, count: int | None) -> Text:
    """`` 3 t ■ Trust  12``: number, key, colour, name and this coder's count."""
    label = Text(no_wrap=True, overflow="ellipsis")
    label.append(f"{entry.number:>2} ", style="dim")
    label.append(entry.code.key or " ", style="bold")
    label.append(" ■ ", style=entry.colour)
    label.append(entry.name)
    if count:
        label.append(f" {count}", style="dim")
    return label


def code_details(entry: CodeEntry, mine: int, everyone: int | None) -> Text:
    """The rules of a code as the panel shows them."""
    code: Code = entry.code
    text = Text()
    text.append("■ ", style=entry.colour)
    text.append(code.name, style="bold")
    text.append(f"\n{code.id}", style="dim")
    if code.key:
        text.append(f" · key {code.key}", style="dim")
    text.append(f" · no. {entry.number}", style="dim")
    counts = f"{mine} coded by you"
    if everyone is not None:
        counts += f", {everyone} by everyone"
    text.append(f"\n{counts}\n", style="dim")
    for title, body in (
        ("Definition", code.definition),
        ("Include", code.include),
        ("Exclude", code.exclude),
    ):
        if body.strip():
            text.append(f"\n{title}\n", style="bold")
            text.append(" ".join(body.split()) + "\n")
    if code.examples:
        text.append("\nExamples\n", style="bold")
        for example in code.examples:
            text.append(f"{example.kind}: ", style="italic dim")
            text.append(f"“{example.text}”")
            if example.source:
                text.append(f" — {example.source}", style="dim")
            text.append("\n")
            if example.note.strip():
                text.append("  " + " ".join(example.note.split()) + "\n", style="dim")
    if code.memo.strip():
        text.append("\nCodebook memo\n", style="bold")
        text.append(" ".join(code.memo.split()) + "\n")
    return text


class CodeTree(Tree[str]):
    """The code tree; Enter chooses the highlighted code."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("Codebook", id=id)
        self.show_root = False
        self.auto_expand = False
        self.guide_depth = 2


class CodebookPanel(Vertical):
    """Code tree above (or beside) the highlighted code's definition, rules and examples."""

    def __init__(self, index: CodeIndex, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.index = index
        self.mine: dict[str, int] = {}
        self.everyone: dict[str, int] | None = None
        self._code_nodes: dict[str, object] = {}

    def compose(self) -> ComposeResult:
        yield CodeTree(id="code-tree")
        with VerticalScroll(id="code-details"):
            yield Static(id="code-details-text")

    def on_mount(self) -> None:
        self._build()

    @property
    def tree(self) -> CodeTree:
        return self.query_one(CodeTree)

    def _build(self) -> None:
        tree = self.tree
        tree.clear()
        self._code_nodes.clear()
        parents = {None: tree.root}
        for entry in self.index.entries:
            parent = parents.get(entry.parent, tree.root)
            label = code_label(entry, self.mine.get(entry.id))
            if entry.code.children:
                node = parent.add(label, data=entry.id, expand=True)
            else:
                node = parent.add_leaf(label, data=entry.id)
            parents[entry.id] = node
            self._code_nodes[entry.id] = node
        if not self.index.entries:
            tree.root.add_leaf(
                Text("No codebook loaded: coder codebook load FILE", "dim")
            )
        else:
            tree.cursor_line = 0
        self._show(self.highlighted)

    def set_index(self, index: CodeIndex) -> None:
        """Show another version of the codebook, keeping the highlighted code."""
        highlighted = self.highlighted
        self.index = index
        self._build()
        if highlighted:
            self.highlight(highlighted)

    def set_counts(self, mine: dict[str, int], everyone: dict[str, int] | None) -> None:
        """Update the counts shown (this coder's in the tree, everyone's in the details)."""
        if mine == self.mine and everyone == self.everyone:
            return
        changed = {
            code
            for code in set(mine) | set(self.mine)
            if mine.get(code) != self.mine.get(code)
        }
        shown = self.highlighted
        redetail = shown in changed or (self.everyone or {}).get(shown) != (
            everyone or {}
        ).get(shown)
        self.mine = dict(mine)
        self.everyone = None if everyone is None else dict(everyone)
        for code in changed:
            node = self._code_nodes.get(code)
            entry = self.index.by_id.get(code)
            if node is not None and entry is not None:
                node.set_label(code_label(entry, self.mine.get(code)))
        if redetail:
            self._show(shown)

    @property
    def highlighted(self) -> str | None:
        node = self.tree.cursor_node
        return node.data if node is not None else None

    def highlight(self, code_id: str) -> None:
        node = self._code_nodes.get(code_id)
        if node is not None:
            self.tree.move_cursor(node)

    def _show(self, code_id: str | None) -> None:
        details = self.query_one("#code-details-text", Static)
        entry = self.index.by_id.get(code_id) if code_id else None
        if entry is None:
            details.update(Text("Move to a code to see its rules.", style="dim"))
            return
        everyone = None if self.everyone is None else self.everyone.get(entry.id, 0)
        details.update(code_details(entry, self.mine.get(entry.id, 0), everyone))
        self.query_one("#code-details", VerticalScroll).scroll_home(animate=False)

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted) -> None:
        event.stop()
        self._show(event.node.data)
        self.post_message(CodeHighlighted(event.node.data))

    @on(Tree.NodeSelected)
    def _selected(self, event: Tree.NodeSelected) -> None:
        event.stop()
        if event.node.data:
            self.post_message(CodeChosen(event.node.data))
