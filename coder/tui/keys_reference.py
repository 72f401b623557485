"""docs/keys.md: every binding of every screen, made from the bindings themselves.

Run ``python -m coder.tui.keys_reference > docs/keys.md`` to regenerate it;
a test fails when it drifts from the bindings.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.screen import Screen

from coder.tui.app import CoderApp
from coder.tui.keys import key_rows, own_bindings
from coder.tui.screens.codebook import CodebookScreen
from coder.tui.screens.confirm import ConfirmScreen
from coder.tui.screens.documents import DocumentsScreen
from coder.tui.screens.field import FieldScreen
from coder.tui.screens.help import HelpScreen
from coder.tui.screens.matrix import MatrixScreen
from coder.tui.screens.memo import MemoScreen
from coder.tui.screens.new_code import NewCodeScreen
from coder.tui.screens.pick import PickScreen
from coder.tui.screens.resolve import ReasonScreen, ResolveScreen
from coder.tui.screens.suggestions import SuggestionsScreen
from coder.tui.screens.transcript import TranscriptScreen


def _tables() -> list[tuple[str, str, list[tuple[str, Binding]]]]:
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
            "The code tree with each code's rules; codes are made and shaped here"
            " through the same services as `coder codes`.",
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
        ("New code", "", own_bindings(NewCodeScreen)),
        ("Editing a code's field", "", own_bindings(FieldScreen)),
        ("Reason for a decision", "", own_bindings(ReasonScreen)),
        ("Confirm", "", own_bindings(ConfirmScreen)),
        ("Help", "", own_bindings(HelpScreen)),
    ]


def keys_markdown() -> str:
    """docs/keys.md: every binding of every screen, from the bindings themselves."""
    out = [
        "# Keys",
        "",
        "Generated from the bindings by `python -m coder.tui.keys_reference > docs/keys.md`;"
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
