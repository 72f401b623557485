"""Searching a transcript's text and filtering its sentences by code or speaker."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.binding import Binding, BindingType
from textual.widgets import Input

from coder.tui.screens.pick import Choice, PickScreen
from coder.tui.screens.transcript.base import TranscriptBase

SEARCH_KEYS: list[BindingType] = [
    Binding(
        "slash",
        "search",
        "Search",
        key_display="/",
        # Priority: acted on as it arrives, so keys typed right after it
        # already go to the search box.
        priority=True,
        tooltip="Search the text (enter: next match, esc: close)",
    ),
    Binding(
        "f",
        "filter",
        "Filter",
        show=False,
        tooltip="Show only sentences with a code, or of a speaker",
    ),
]


class SearchAndFilter(TranscriptBase):
    """Finding words in the text, and narrowing the view to a code or a speaker."""

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        if search.has_focus:
            search.insert_text_at_cursor("/")  # a priority key: the box never saw it
            return
        search.display = True
        self.set_focus(search)

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        found = self.view.set_search(event.value)
        if event.value:
            self.flash(f"{len(found)} match{'es' if len(found) != 1 else ''}")

    @on(Input.Submitted, "#search")
    def _search_next(self, event: Input.Submitted) -> None:
        view = self.view
        data = self.data
        if not view.matches or data is None:
            self.flash("no match")
            return
        after = view.selection[0]
        shown = set(view.shown)
        candidates = [m for m in view.matches if data.sentence_at(m[0]) in shown]
        if not candidates:
            self.flash("no match among the sentences shown")
            return
        later = [m for m in candidates if m[0] > after]
        start, end = later[0] if later else candidates[0]
        view.select_span(start, end)
        number = view.matches.index((start, end)) + 1
        self.flash(f"match {number}/{len(view.matches)}")

    def action_filter(self) -> None:
        data = self.data
        if data is None:
            return
        # None means cancelled, so "everything" is False.
        choices = [Choice(Text("everything", style="italic"), False, "all clear")]
        counts: dict[str, int] = {}
        for coding in self.codings:
            counts[coding.code] = counts.get(coding.code, 0) + 1
        for entry in self.codes.entries:
            label = Text(no_wrap=True, overflow="ellipsis")
            label.append("code ")
            label.append("■ ", style=entry.colour)
            label.append("  " * entry.depth + entry.name)
            label.append(f" ({counts.get(entry.id, 0)})", style="dim")
            choices.append(Choice(label, ("code", entry.id), entry.id))
        for speaker in dict.fromkeys(b.speaker for b in data.blocks if b.speaker):
            choices.append(Choice(f"speaker {speaker}", ("speaker", speaker)))

        def chosen(value: tuple[str, str] | bool | None) -> None:
            if value is None:
                return
            self._apply_filter(value)

        self.app.push_screen(
            PickScreen("Show only the sentences with", choices), chosen
        )

    def _apply_filter(
        self, value: tuple[str, str] | bool, *, quiet: bool = False
    ) -> None:
        data = self.data
        view = self.view
        assert data is not None
        if value is False:
            self.filter = None
            view.set_filter(None)
            self._title()
            return
        kind, wanted = value
        if kind == "speaker":
            visible = [
                n
                for n, b in enumerate(data.sentence_block)
                if data.blocks[b].speaker == wanted
            ]
        else:
            codes = self._with_descendants(wanted)
            visible = sorted(
                self._sentences_of([c for c in self.codings if c.code in codes])
            )
        if not visible and not quiet:
            self.flash(
                f"no sentences with {self.codes.name(wanted) if kind == 'code' else wanted}"
            )
            return
        self.filter = (kind, wanted)
        if not (view._filtered and view.shown == visible):
            view.set_filter(visible)
        self._title()

    def _with_descendants(self, code_id: str) -> set[str]:
        found = {code_id}
        for entry in self.codes.entries:
            if entry.parent in found:
                found.add(entry.id)
        return found
