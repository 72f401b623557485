"""Coding the selection (by key, number or name), removing codings, undo, and memos."""

from __future__ import annotations

from bisect import bisect_right

from rich.text import Text
from textual import on
from textual.binding import Binding, BindingType

from coder.code_editing import add_code_and_apply, in_vivo_name
from coder.codebook import Code
from coder.coding import Coding, apply_coding, remove_coding
from coder.history import redo, undo
from coder.tui.messages import CodeChosen
from coder.tui.screens.confirm import ConfirmScreen
from coder.tui.screens.memo import MemoScreen, MemoTarget
from coder.tui.screens.new_code import NewCode, NewCodeScreen
from coder.tui.screens.pick import Choice, PickScreen
from coder.tui.screens.transcript.base import TranscriptBase

# How long a first digit waits for a second one (codes 10 and up).
DIGIT_WAIT = 0.7

CODING_KEYS: list[BindingType] = [
    Binding(
        "enter",
        "pick_code",
        "Code",
        tooltip="Apply a code to the selection, picked by name (fuzzy)",
    ),
    Binding(
        "ctrl+n",
        "new_code",
        "New code",
        tooltip="Make a new code (type its name, choose its parent) and apply it"
        " to the selection",
    ),
    Binding(
        "quotation_mark",
        "new_code(True)",
        "In vivo",
        show=False,
        key_display='"',
        tooltip="Make a new code named after the selected words (in vivo) and apply it",
    ),
    *[
        Binding(
            str(digit),
            f"digit({digit})",
            "Code no.",
            show=False,
            tooltip="Apply the code with this number in the panel (1 then 2 for 12)",
        )
        for digit in (1, 2, 3, 4, 5, 6, 7, 8, 9, 0)
    ],
    Binding(
        "delete,backspace",
        "remove_coding",
        "Uncode",
        show=False,
        tooltip="Remove a coding on the selection (asks which when there are several)",
    ),
    Binding(
        "u",
        "undo",
        "Undo",
        tooltip="Undo your last coding, removal or memo (works across restarts)",
    ),
    Binding("ctrl+r,U", "redo", "Redo", show=False, tooltip="Redo what you undid"),
    Binding(
        "m",
        "memo",
        "Memo",
        tooltip="Write a memo on the coding, sentence, turn, document or code",
    ),
    Binding("n", "next_uncoded", "Uncoded", tooltip="Next sentence without a coding"),
]


class CodingAndMemos(TranscriptBase):
    """Applying and removing codes on the selection, undo and redo, and memos."""

    def _apply(self, code_id: str) -> None:
        view = self.view
        start, end = view.selection
        known = {c.id for c in self.codings}
        name = self.codes.name(code_id)
        document, coder = self.document, self.app.coder

        def stored(coding_id: int) -> None:
            self.last_coding_id = coding_id
            self._refresh_after_write()
            if coding_id in known:
                self.flash(f"already coded {name} here")
            else:
                self.app.model_work.labelled(document)
                self.flash(f"coded {name} (u undoes)")

        self.app.writes.submit(
            f"{name} on {document} [{start}:{end}]",
            lambda: apply_coding(
                self.app.project, document, start, end, code_id, coder=coder
            ),
            stored,
        )

    def action_apply_code(self, code_id: str) -> None:
        self._apply(code_id)

    def action_digit(self, digit: int) -> None:
        if self._digit_timer is not None:
            self._digit_timer.stop()
            self._digit_timer = None
        self._digits += str(digit)
        number = int(self._digits)
        if number * 10 > len(self.codes) or len(self._digits) >= 3:
            self._apply_number()
        else:
            self.flash(f"code no. {self._digits}…")
            self._digit_timer = self.set_timer(DIGIT_WAIT, self._apply_number)

    def _apply_number(self) -> None:
        if self._digit_timer is not None:
            self._digit_timer.stop()
            self._digit_timer = None
        digits, self._digits = self._digits, ""
        if not digits:
            return
        entry = self.codes.by_number(int(digits))
        if entry is None:
            self.flash(f"no code no. {digits} (1 to {len(self.codes)})")
            return
        self._apply(entry.id)

    def action_pick_code(self) -> None:
        if not self.codes.entries:
            self.notify(
                "No codebook loaded: coder codebook load FILE", severity="warning"
            )
            return
        choices = []
        for entry in self.codes.entries:
            label = Text(no_wrap=True, overflow="ellipsis")
            label.append(f"{entry.number:>2} ", style="dim")
            label.append(entry.code.key or " ", style="bold")
            label.append(" ■ ", style=entry.colour)
            label.append("  " * entry.depth + entry.name)
            choices.append(Choice(label, entry.id, entry.id))
        highlighted = self.panel.highlighted
        initial = (
            self.codes.by_id[highlighted].number - 1
            if highlighted in self.codes.by_id
            else 0
        )

        def chosen(code_id: str | None) -> None:
            if code_id:
                self._apply(code_id)

        self.app.push_screen(
            PickScreen("Apply code to the selection", choices, initial=initial), chosen
        )

    def action_new_code(self, in_vivo: bool = False) -> None:
        data = self.data
        if data is None or not data.sentences:
            return
        start, end = self.view.selection
        name = in_vivo_name(data.text[start:end]) if in_vivo else ""
        title = "New code in vivo" if in_vivo else "New code for the selection"

        def chosen(new: NewCode | None) -> None:
            if new is not None:
                self._create(new, start, end)

        self.app.push_screen(
            NewCodeScreen(
                self.codes, name=name, parent=self.panel.highlighted, title=title
            ),
            chosen,
        )

    def _create(self, new: NewCode, start: int, end: int) -> None:
        """Make the code and code the span with it: one write, one undo."""
        document, coder = self.document, self.app.coder

        def stored(made: tuple[Code, int]) -> None:
            code, coding_id = made
            self.last_coding_id = coding_id
            self._refresh_after_write()
            self.app.model_work.labelled(document)
            key = f" (key {code.key})" if code.key else ""
            self.flash(f"new code {code.name}{key} applied (u undoes both)")

        self.app.writes.submit(
            f"new code {new.name}",
            lambda: add_code_and_apply(
                self.app.project,
                document,
                start,
                end,
                new.name,
                parent=new.parent,
                coder=coder,
            ),
            stored,
        )

    @on(CodeChosen)
    def _code_chosen(self, event: CodeChosen) -> None:
        self._apply(event.code_id)
        self.set_focus(self.view)

    def _overlapping(self) -> list[Coding]:
        start, end = self.view.selection
        found = [c for c in self.codings if c.start < end and c.end > start]
        # Those matching the selection exactly first, the latest first.
        return sorted(found, key=lambda c: ((c.start, c.end) != (start, end), -c.id))

    def _coding_label(self, coding: Coding) -> Text:
        label = Text(no_wrap=True, overflow="ellipsis")
        label.append("■ ", style=self.codes.colour(coding.code))
        label.append(self.codes.name(coding.code))
        label.append(f" [{coding.start}–{coding.end}] {coding.coder}: ", style="dim")
        assert self.data is not None
        label.append(" ".join(self.data.text[coding.start : coding.end].split()))
        return label

    def action_remove_coding(self) -> None:
        found = self._overlapping()
        if not found:
            self.flash("no coding on the selection")
            return
        if len(found) == 1:
            self._remove(found[0])
            return
        choices = [Choice(self._coding_label(c), c.id, c.code) for c in found]

        def chosen(coding_id: int | None) -> None:
            for coding in found:
                if coding.id == coding_id:
                    self._remove(coding)

        self.app.push_screen(PickScreen("Remove which coding?", choices), chosen)

    def _remove(self, coding: Coding) -> None:
        def remove(sure: bool | None = True) -> None:
            if not sure:
                return
            name = self.codes.name(coding.code)

            def removed(_: object) -> None:
                self._refresh_after_write()
                self.flash(f"removed {name} (u undoes)")

            self.app.writes.submit(
                f"removing {name}",
                lambda: remove_coding(self.app.project, coding.id),
                removed,
            )

        if coding.coder != self.app.coder:
            self.app.push_screen(
                ConfirmScreen(
                    f"Remove {coding.coder}'s coding {self.codes.name(coding.code)}? It is theirs, not yours.",
                    yes="Remove",
                    no="Keep",
                ),
                remove,
            )
        else:
            remove()

    def action_undo(self) -> None:
        coder = self.app.coder

        def undone(change) -> None:
            self._refresh_after_write()
            self.flash(f"undone: {change.describe()}" if change else "nothing to undo")

        self.app.writes.submit("undo", lambda: undo(self.app.project, coder), undone)

    def action_redo(self) -> None:
        coder = self.app.coder

        def redone(change) -> None:
            self._refresh_after_write()
            self.flash(f"redone: {change.describe()}" if change else "nothing to redo")

        self.app.writes.submit("redo", lambda: redo(self.app.project, coder), redone)

    # Memos ---------------------------------------------------------------------------

    def memo_targets(self) -> tuple[list[MemoTarget], int]:
        """What a memo could be about here, and which one is meant most likely."""
        data = self.data
        assert data is not None
        view = self.view
        targets: list[MemoTarget] = []
        mine = [c for c in self._overlapping() if c.coder == self.app.coder]
        for coding in mine:
            targets.append(
                MemoTarget(
                    "coding",
                    coding.id,
                    f"coding {self.codes.name(coding.code)} [{coding.start}–{coding.end}]",
                )
            )
        cursor = view.cursor
        block_number = data.sentence_block[cursor]
        block = data.blocks[block_number]
        sentence = MemoTarget(
            "segment", data.sentence_ids[cursor], f"sentence {cursor + 1}"
        )
        turn = MemoTarget(
            "segment",
            block.segment_id,
            f"turn {block_number + 1}"
            + (f" ({block.speaker})" if block.speaker else ""),
        )
        targets += [
            sentence,
            turn,
            MemoTarget("document", self.document, f"document {self.document}"),
        ]
        code = self.panel.highlighted
        if code:
            targets.append(MemoTarget("code", code, f"code {self.codes.name(code)}"))
        exact = [n for n, c in enumerate(mine) if (c.start, c.end) == view.selection]
        if exact:
            initial = exact[0]
        elif len(mine) == 1:
            initial = 0
        elif view.selection == (block.start, block.end):
            initial = targets.index(turn)
        else:
            initial = targets.index(sentence)
        return targets, initial

    def action_memo(self) -> None:
        if self.data is None or not self.data.sentences:
            return
        if self.panel.tree.has_focus and self.panel.highlighted:
            code = self.panel.highlighted
            targets = [MemoTarget("code", code, f"code {self.codes.name(code)}")]
            initial = 0
        else:
            targets, initial = self.memo_targets()

        def closed(saved: bool | None) -> None:
            if saved:
                self.reload()
                self.flash("memo saved")

        self.app.push_screen(MemoScreen(targets, initial), closed)

    def action_next_uncoded(self) -> None:
        view = self.view
        order = view.shown
        if not order:
            return
        position = bisect_right(order, view.cursor)
        for index in order[position:] + order[:position]:
            if index not in self._coded_sentences:
                self._leave_suggestion()
                view.move_to(index)
                return
        self.flash("every sentence shown is coded")
