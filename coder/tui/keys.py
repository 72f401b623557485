"""Key tables made from the bindings themselves: the help screen, the palette and docs/keys.md.

Run ``python -m coder.tui.keys > docs/keys.md`` to regenerate the reference;
a test fails when it drifts from the bindings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from textual.binding import Binding, BindingsMap

KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "plus": "+",
    "minus": "-",
    "escape": "esc",
    "enter": "enter",
    "space": "space",
    "delete": "del",
    "backspace": "backspace",
    "pagedown": "pgdn",
    "pageup": "pgup",
    "home": "home",
    "end": "end",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "tab": "tab",
}


def key_label(key: str) -> str:
    """How a key is written for people: ``shift+down`` -> ``shift+↓``, ``slash`` -> ``/``."""
    parts = key.split("+")
    return "+".join(KEY_NAMES.get(part, part) for part in parts)


@dataclass
class KeyRow:
    """One line of a key table: the keys that do one thing, and what it is."""

    keys: list[str]
    description: str
    actions: list[str] = field(default_factory=list)

    @property
    def keys_text(self) -> str:
        if len(self.keys) >= 3 and all(key.isdigit() for key in self.keys):
            return f"{min(self.keys)}-{max(self.keys)}"
        return ", ".join(self.keys)


def describe(binding: Binding) -> str:
    return binding.tooltip or binding.description or binding.action


def key_rows(bindings: BindingsMap | Iterable[tuple[str, Binding]]) -> list[KeyRow]:
    """Bindings grouped by what they do, in the order they are declared."""
    rows: dict[str, KeyRow] = {}
    for key, binding in bindings:
        if binding.system:
            continue
        text = describe(binding)
        row = rows.setdefault(text, KeyRow([], text))
        label = binding.key_display or key_label(key)
        if label not in row.keys:
            row.keys.append(label)
        if binding.action not in row.actions:
            row.actions.append(binding.action)
    return list(rows.values())


def own_bindings(cls: type) -> list[tuple[str, Binding]]:
    """The bindings a class declares itself (not those it inherits), one per key."""
    return [(b.key, b) for b in Binding.make_bindings(cls.__dict__.get("BINDINGS", []))]


def _tables() -> list[tuple[str, str, list[tuple[str, Binding]]]]:
    # Imported here: the screens import this module for their help.
    from textual.screen import Screen

    from coder.tui.app import CoderApp
    from coder.tui.screens.codebook import CodebookScreen
    from coder.tui.screens.confirm import ConfirmScreen
    from coder.tui.screens.documents import DocumentsScreen
    from coder.tui.screens.help import HelpScreen
    from coder.tui.screens.matrix import MatrixScreen
    from coder.tui.screens.memo import MemoScreen
    from coder.tui.screens.pick import PickScreen
    from coder.tui.screens.resolve import ReasonScreen, ResolveScreen
    from coder.tui.screens.suggestions import SuggestionsScreen
    from coder.tui.screens.transcript import TranscriptScreen

    everywhere = list(CoderApp._merged_bindings) + own_bindings(Screen)
    return [
        ("Everywhere", "On every screen.", everywhere),
        (
            "Documents",
            "The list of documents, where coder opens.",
            own_bindings(DocumentsScreen),
        ),
        (
            "Transcript",
            "Reading and coding one document. Besides these keys, each code's"
            " `key` letter from the codebook applies that code to the selection"
            " (the codebook may not use the letters j k J K w b u U m n N f q g).",
            own_bindings(TranscriptScreen),
        ),
        (
            "Codebook",
            "The code tree with each code's rules.",
            own_bindings(CodebookScreen),
        ),
        (
            "Suggestions",
            "The queue of suggested codings.",
            own_bindings(SuggestionsScreen),
        ),
        (
            "Resolve",
            "The disagreements between two or more coders, one at a time; each"
            " decision is written to the consensus coder at once.",
            own_bindings(ResolveScreen),
        ),
        (
            "Matrix",
            "The theme matrix, cells heat-coloured; the arrows move between cells.",
            own_bindings(MatrixScreen),
        ),
        ("Code picker and other lists", "", own_bindings(PickScreen)),
        ("Memo editor", "", own_bindings(MemoScreen)),
        ("Reason for a decision", "", own_bindings(ReasonScreen)),
        ("Confirm", "", own_bindings(ConfirmScreen)),
        ("Help", "", own_bindings(HelpScreen)),
    ]


def keys_markdown() -> str:
    """docs/keys.md: every binding of every screen, from the bindings themselves."""
    out = [
        "# Keys",
        "",
        "Generated from the bindings by `python -m coder.tui.keys > docs/keys.md`;"
        " `?` shows the same table for the screen you are on, and the command"
        " palette (ctrl+p) runs any of these actions by name.",
        "",
    ]
    for title, intro, bindings in _tables():
        out.append(f"## {title}")
        out.append("")
        if intro:
            out.append(intro)
            out.append("")
        out.append("| keys | what it does |")
        out.append("|---|---|")
        for row in key_rows(bindings):
            keys = row.keys_text.replace("|", "\\|")
            out.append(f"| `{keys}` | {row.description} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(keys_markdown(), end="")
