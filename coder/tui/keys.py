"""Key tables made from the bindings themselves, for the help screen, the palette and docs/keys.md.

This module imports no screen, so every screen may use it; the reference
that lists every screen's keys is `coder.tui.keys_reference`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from textual.binding import Binding, BindingsMap

KEY_NAMES = {
    "question_mark": "?",
    "quotation_mark": '"',
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
