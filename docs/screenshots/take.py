"""The tutorial's screenshots, each made from the tutorial's own project at the step that shows it.

Regenerate every screenshot (after a deliberate change to a screen) from the
repository's root with one command:

    python docs/screenshots/take.py

It runs docs/tutorial.md's commands in a temporary folder as
tests/test_tutorial.py does, keeps a copy of the project wherever the
tutorial shows a screenshot (`![...](screenshots/NAME.svg)`: the project as
the commands above that line left it), opens each copy in the TUI at 120x36,
presses the keys listed in SHOTS below and writes docs/screenshots/NAME.svg.
`python docs/screenshots/take.py coding matrix` makes only those.

tests/test_tutorial.py builds every screen the same way and fails when a
committed screenshot shows other text than the program shows now. It compares
the text on screen (`svg_lines`), not the bytes: Textual's SVG carries ids and
styles that change from one run to the next.
"""

from __future__ import annotations

import asyncio
import html
import importlib.util
import re
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TUTORIAL = ROOT / "docs" / "tutorial.md"
# Wide enough for the transcript and the code panel side by side.
SIZE = (120, 36)
CODER = "alice"
PROJECT = "study.db"  # the tutorial's project; its name shows in the header


def times(count: int, key: str) -> tuple[str, ...]:
    return (key,) * count


def typed(text: str) -> tuple[str, ...]:
    """Pilot key names for typing `text` into a box."""
    return tuple("space" if char == " " else char for char in text)


@dataclass(frozen=True)
class Shot:
    """One screen: how `coder open` starts, then the keys pressed."""

    name: str  # docs/screenshots/NAME.svg
    keys: tuple[str, ...] = ()
    document: str | None = None  # coder open --doc DOCUMENT
    resolve: tuple[str, ...] | None = None  # coder open --resolve alice,bob


# Turn 9 of pe-01-farahani (sentences 36 to 40) is the one the tutorial codes.
TO_TURN_9 = times(8, "J")

SHOTS = [
    # `coder open`: the documents, pe-01-farahani highlighted.
    Shot("documents", times(3, "j")),
    # Sentences 37 and 38 selected; the README shows this one too.
    Shot("coding", (*TO_TURN_9, "j", "shift+down"), document="pe-01-farahani"),
    # ctrl+n on sentence 40: the name typed; down from the code the panel is on
    # (Needs identification) to the parent, Risk mitigation.
    Shot(
        "new-code",
        (
            *TO_TURN_9,
            *times(4, "j"),
            "ctrl+n",
            *typed("Exchange house"),
            *times(9, "down"),
        ),
        document="pe-01-farahani",
    ),
    # N: the surest pending suggestion, its reason in the bar.
    Shot("suggestion", ("N",), document="pe-02-sadeghi"),
    # F4: every pending suggestion.
    Shot("suggestions", ("f4",), document="pe-02-sadeghi"),
    # coder open --resolve alice,bob, at the disagreement resolved with --take bob.
    Shot("resolve", times(18, "j"), resolve=("alice", "bob")),
    # F6; w three times (the consensus, everyone pooled, alice, bob): bob's
    # codings; the Export risks cell of Kaveh Power Equipment and its quotes.
    Shot("matrix", ("f6", *times(3, "w"), "right", "enter")),
]


def shot_named(name: str) -> Shot:
    for shot in SHOTS:
        if shot.name == name:
            return shot
    known = ", ".join(shot.name for shot in SHOTS)
    raise SystemExit(f"take.py: no screenshot named {name!r} (known: {known})")


def render(project_file: Path, shot: Shot) -> str:
    """The SVG of `shot`, on a private copy of `project_file` named as the tutorial's."""
    from coder.store import open_project
    from coder.tui.app import CoderApp

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / PROJECT
        shutil.copyfile(project_file, path)

        async def run() -> str:
            with open_project(path, actor=CODER) as project:
                app = CoderApp(
                    project,
                    coder=CODER,
                    document=shot.document,
                    resolve=list(shot.resolve) if shot.resolve else None,
                )
                async with app.run_test(size=SIZE) as pilot:
                    await pilot.pause()
                    for key in shot.keys:
                        await pilot.press(key)
                    await pilot.pause()
                    return app.export_screenshot()

        return asyncio.run(run())


# One run of text in Rich's SVG: its x (12.2 px a cell), its screen line, the text.
_TEXT = re.compile(
    r'<text class="[^"]*" x="([\d.]+)" y="[\d.]+" textLength="[\d.]+"'
    r' clip-path="url\(#[\w-]*-line-(\d+)\)">([^<]*)</text>'
)
CELL_WIDTH = 12.2


def svg_lines(svg: str) -> list[str]:
    """The text a screenshot shows, one string per screen line, trailing blanks dropped."""
    rows: dict[int, dict[int, str]] = {}
    for x, line, content in _TEXT.findall(svg):
        column = round(float(x) / CELL_WIDTH)
        text = html.unescape(content).replace("\xa0", " ")
        rows.setdefault(int(line), {})[column] = text
    lines = []
    for number in range(max(rows, default=-1) + 1):
        line = ""
        for column, text in sorted(rows.get(number, {}).items()):
            line = line[:column].ljust(column) + text
        lines.append(line.rstrip())
    return lines


# An image of the tutorial's from this folder: ![what it shows](screenshots/NAME.svg)
SHOWN = re.compile(r"!\[[^\]]*\]\(screenshots/([\w-]+)\.svg\)")


def shown_in_tutorial(text: str) -> list[str]:
    """Names of the screenshots the tutorial shows, in order."""
    return SHOWN.findall(text)


def _tutorial_runner():
    """tests/test_tutorial.py, which runs the tutorial and keeps the projects."""
    path = ROOT / "tests" / "test_tutorial.py"
    spec = importlib.util.spec_from_file_location("_tutorial_runner", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main(names: Sequence[str]) -> int:
    text = TUTORIAL.read_text(encoding="utf-8")
    shots = [shot_named(name) for name in names] if names else SHOTS
    runner = _tutorial_runner()
    with tempfile.TemporaryDirectory() as folder:
        run = runner.run_tutorial_keeping_projects(Path(folder), text)
        for command, code, output in run.failures():
            print(f"take.py: {command} exited {code}:\n{output}", file=sys.stderr)
            return 1
        for shot in shots:
            if shot.name not in run.projects:
                print(
                    f"take.py: docs/tutorial.md does not show screenshots/{shot.name}.svg",
                    file=sys.stderr,
                )
                return 1
            target = HERE / f"{shot.name}.svg"
            old = target.read_text(encoding="utf-8") if target.exists() else ""
            svg = render(run.projects[shot.name], shot)
            target.write_text(svg, encoding="utf-8")
            if svg == old:
                status = "unchanged"
            elif svg_lines(svg) == svg_lines(old):
                status = "same text, other colours or highlight"
            else:
                status = "new text"
            print(f"{target.relative_to(ROOT)}: {status}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
