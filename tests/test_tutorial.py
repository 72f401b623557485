"""docs/tutorial.md cannot rot: its commands run here, in order, and its outputs must match.

Every line of a ```sh block is run with bash in a temporary folder holding
copies of transcripts/ and codebooks/, with `coder` meaning this interpreter's
coder. `export NAME=VALUE` lines set the environment of the commands after
them. A command exits 0 unless its line says `# fails:`, then it must exit 1.
A ```text block right after a ```sh block is an excerpt of that block's
output: every line of it other than `...` must be a line the block printed
(leading and trailing blanks aside); a line ending in ` ...` stands for any
printed line that starts with what comes before it (a time, a path).

The screenshots the tutorial shows (docs/screenshots/*.svg) are made again
here, as docs/screenshots/take.py makes them, from the project as the
commands above each one left it; each must show the same text as the
committed file. After a deliberate change to a screen, run
`python docs/screenshots/take.py` and read the diff before committing.
Where the tutorial gives the TUI's keys for what a block of commands does
(sections 5, 6, 7 and 10), pressing them from the project before
that block must leave what the commands left.
"""

from __future__ import annotations

import asyncio
import difflib
import importlib.util
import os
import re
import shlex
import shutil
import sqlite3
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "docs" / "tutorial.md"
SCREENSHOTS = ROOT / "docs" / "screenshots"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
EXPORT = re.compile(r"^export (\w+)=(\S+)$")


def _load_take():
    """docs/screenshots/take.py: the screens and how to make them."""
    name = "_screenshots_take"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, SCREENSHOTS / "take.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


take = _load_take()

# Figures the tutorial quotes, each with the command (a prefix of its line)
# whose output must hold it.
FIGURES = [
    (
        "coder import transcripts/",
        "imported 9 documents (18,215 words, 2,164 segments)",
    ),
    (
        "coder codebook load",
        "loaded 27 codes: 27 added, 0 renamed, 0 moved, 0 edited, 0 removed",
    ),
    ("coder codes add", "added exchange_house 'Exchange house' under risk_mitigation"),
    (
        "coder suggestions accept --min-score 0.9",
        "accepted 4 suggestions: 4 codings by alice",
    ),
    ("coder codings import", "imported 629 codings by bob"),
    ("coder merge", "merged 629 codings and 0 memos from bob"),
    ("coder consensus", "copied 16 agreed codings to 'consensus'"),
    ("coder export qdpx", "9 documents, 28 codes, 3 coders, 656 codings"),
    (
        "coder import study.qdpx --create",
        "imported 9 text sources, 28 codes, 3 coders, 656 codings",
    ),
    ("coder check", "study.db: ok (9 documents, 2,164 segments, 28 codes, 656 codings"),
]


@dataclass
class Command:
    line: str
    expect_failure: bool


@dataclass
class Block:
    commands: list[Command]
    excerpt: list[str]


def tutorial_blocks(text: str) -> list[Block]:
    """The ```sh blocks in order, each with the ```text excerpt that follows it."""
    blocks: list[Block] = []
    previous_end = None
    for match in FENCE.finditer(text):
        language, body = match.group(1), match.group(2)
        if language == "sh":
            commands = [
                Command(line, "# fails:" in line)
                for line in (raw.strip() for raw in body.splitlines())
                if line and not line.startswith("#")
            ]
            blocks.append(Block(commands, []))
        elif (
            language == "text"
            and blocks
            and text[previous_end : match.start()].strip() == ""
        ):
            blocks[-1].excerpt = [ln.strip() for ln in body.splitlines() if ln.strip()]
        previous_end = match.end()
    return blocks


def coder_shim(folder: Path) -> Path:
    """A `coder` on PATH that runs this interpreter's coder, installed or not."""
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "coder"
    shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m coder "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    return bin_dir


def study_folder(base: Path) -> Path:
    """A fresh folder with copies of the demo study's transcripts and codebooks."""
    folder = base / "study"
    folder.mkdir()
    shutil.copytree(ROOT / "transcripts", folder / "transcripts")
    shutil.copytree(ROOT / "codebooks", folder / "codebooks")
    return folder


def screenshot_steps(text: str) -> dict[str, int]:
    """Each screenshot the tutorial shows, with the number of ```sh blocks above it.

    A screenshot shows the project as the commands above it left it.
    """
    sh_starts = [m.start() for m in FENCE.finditer(text) if m.group(1) == "sh"]
    return {
        match.group(1): sum(1 for start in sh_starts if start < match.start())
        for match in take.SHOWN.finditer(text)
    }


@dataclass
class TutorialRun:
    """What running the tutorial left: each block's results, and the project after each."""

    text: str
    blocks: list[tuple[Block, list[tuple[Command, int, str]]]]
    # The project as the first N blocks left it (from the block that made it).
    after: dict[int, Path]

    @property
    def projects(self) -> dict[str, Path]:
        """Screenshot name -> the project as the commands above it left it."""
        return {
            name: self.after[step] for name, step in screenshot_steps(self.text).items()
        }

    def before(self, first_command: str) -> Path:
        """The project just before the block whose first command starts so."""
        for index, (block, _) in enumerate(self.blocks):
            if block.commands and block.commands[0].line.startswith(first_command):
                return self.after[index]
        raise AssertionError(f"no block starts with {first_command!r}")

    def failures(self):
        """(command, exit code, output) of each command that did not exit as said."""
        for _, results in self.blocks:
            for command, code, output in results:
                if code != (1 if command.expect_failure else 0):
                    yield command.line, code, output


def keep_project(source: Path, target: Path) -> None:
    """A consistent copy of a project file (SQLite's online backup)."""
    db, copy = sqlite3.connect(source), sqlite3.connect(target)
    try:
        db.backup(copy)
    finally:
        copy.close()
        db.close()


def run_tutorial_keeping_projects(base: Path, text: str) -> TutorialRun:
    """Run every command in order, keeping a copy of the project after each block."""
    folder = study_folder(base)
    kept = base / "projects"
    kept.mkdir()
    env = dict(os.environ)
    env.pop("CODER_PROJECT", None)
    env.update(
        PATH=f"{coder_shim(base)}{os.pathsep}{env.get('PATH', '')}",
        COLUMNS="80",
        CODER_SNAPSHOTS="20",
        PYTHONPATH=str(ROOT),
    )
    run = TutorialRun(text, [], {})

    def keep(done: int) -> None:
        # A megabyte or two each, copied in milliseconds.
        project = folder / env.get("CODER_PROJECT", "coder.db")
        if project.is_file():
            run.after[done] = kept / f"after-{done}.db"
            keep_project(project, run.after[done])

    for index, block in enumerate(tutorial_blocks(text)):
        keep(index)
        results = []
        for command in block.commands:
            exported = EXPORT.match(command.line)
            if exported:
                env[exported.group(1)] = exported.group(2)
                results.append((command, 0, ""))
                continue
            done = subprocess.run(
                ["bash", "-c", command.line],
                cwd=folder,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            results.append((command, done.returncode, done.stdout + done.stderr))
        run.blocks.append((block, results))
    keep(len(run.blocks))
    return run


@pytest.fixture(scope="module")
def tutorial_run(tmp_path_factory) -> TutorialRun:
    text = TUTORIAL.read_text(encoding="utf-8")
    return run_tutorial_keeping_projects(tmp_path_factory.mktemp("tutorial"), text)


def test_the_tutorial_has_commands_and_output_excerpts():
    blocks = tutorial_blocks(TUTORIAL.read_text(encoding="utf-8"))
    assert sum(len(block.commands) for block in blocks) >= 30
    assert sum(1 for block in blocks if block.excerpt) >= 10


def test_every_command_exits_as_the_tutorial_says(tutorial_run):
    for line, code, output in tutorial_run.failures():
        raise AssertionError(f"{line}\nexit {code}\n{output}")


def test_every_output_excerpt_matches_what_the_commands_print(tutorial_run):
    for block, results in tutorial_run.blocks:
        printed = [
            line.strip() for _, _, output in results for line in output.splitlines()
        ]
        for line in block.excerpt:
            if line == "...":
                continue
            if line.endswith(" ..."):
                found = any(p.startswith(line[:-4]) for p in printed)
            else:
                found = line in printed
            assert found, (
                f"{block.commands[-1].line!r} did not print {line!r}; it printed:\n"
                + "\n".join(output for _, _, output in results)
            )


@pytest.mark.parametrize(("command_prefix", "figure"), FIGURES)
def test_the_key_figures_are_quoted_and_printed(tutorial_run, command_prefix, figure):
    assert figure in tutorial_run.text
    outputs = [
        output
        for _, results in tutorial_run.blocks
        for command, _, output in results
        if command.line.startswith(command_prefix)
    ]
    assert outputs, f"no command starts with {command_prefix!r}"
    assert any(figure in output for output in outputs), "\n".join(outputs)


def test_the_tutorial_shows_every_screenshot_made_and_no_other():
    shown = take.shown_in_tutorial(TUTORIAL.read_text(encoding="utf-8"))
    assert sorted(shown) == sorted(shot.name for shot in take.SHOTS)
    for name in shown:
        assert (SCREENSHOTS / f"{name}.svg").is_file(), name


def test_a_screenshot_compares_by_its_text_not_its_ids():
    svg = (SCREENSHOTS / "coding.svg").read_text(encoding="utf-8")
    lines = take.svg_lines(svg)
    assert "coder — " in lines[0]
    assert len(lines) == take.SIZE[1]
    # Ids and style names (terminal-NNN) follow the look, not the text: ignored.
    renamed = re.sub(r"terminal-\d+", "terminal-1", svg)
    assert take.svg_lines(renamed) == lines
    # One word changed on screen is.
    stale = svg.replace(">coder</text>", ">codex</text>")
    assert stale != svg
    assert take.svg_lines(stale) != lines


@pytest.mark.parametrize("shot", take.SHOTS, ids=lambda shot: shot.name)
def test_every_screenshot_shows_what_the_program_shows(tutorial_run, shot):
    path = SCREENSHOTS / f"{shot.name}.svg"
    committed = take.svg_lines(path.read_text(encoding="utf-8"))
    now = take.svg_lines(take.render(tutorial_run.projects[shot.name], shot))
    assert committed == now, (
        f"{path.relative_to(ROOT)} is stale; `python docs/screenshots/take.py`"
        " makes it again. What changed on screen:\n"
        + "\n".join(
            difflib.unified_diff(committed, now, "committed", "now", lineterm="")
        )
    )


# Section 5's keys for its five codings, from sentence 1 of pe-01-farahani.
# (A two-digit number would wait for its second digit on a timer: not here.)
SECTION_5_KEYS = (
    *take.times(23, "j"),  # sentence 24
    "d",  # Needs identification, by its letter
    *take.times(9, "j"),  # sentence 33
    "3",  # Payment and default risk, by its number
    "m",  # a memo on that coding
    *take.typed("the need named is a payment guarantee"),
    "ctrl+s",
    *take.times(4, "j"),  # sentence 37
    "3",
    "j",  # sentence 38
    "5",  # Sanctions and banking channels
    "space",  # the whole of turn 9
    "enter",  # the code picker
    *take.typed("mitigation"),
    "enter",  # Risk mitigation
)


def alices_codings(path: Path) -> set[tuple[str, int, int, str | None]]:
    from coder.reading import document_codings
    from coder.store import open_project

    with open_project(path, actor="alice") as project:
        return {
            (c.code, c.start, c.end, c.memo)
            for c in document_codings(project, "pe-01-farahani", coder="alice")
        }


def test_the_coding_screen_keys_of_section_5_code_what_its_commands_code(
    tutorial_run, tmp_path
):
    path = tmp_path / "study.db"
    shutil.copyfile(tutorial_run.before("coder code pe-01-farahani"), path)
    assert alices_codings(path) == set()
    press_in_transcript(path, "pe-01-farahani", SECTION_5_KEYS)
    by_commands = alices_codings(tutorial_run.before("coder codes add"))
    assert len(by_commands) == 5
    assert alices_codings(path) == by_commands


def test_enter_in_the_new_code_dialog_of_section_6_makes_what_its_commands_make(
    tutorial_run, tmp_path
):
    path = tmp_path / "study.db"
    shutil.copyfile(tutorial_run.before("coder codes add"), path)
    press_in_transcript(
        path, "pe-01-farahani", (*take.shot_named("new-code").keys, "enter")
    )
    by_commands = tutorial_run.before("coder suggest")
    assert ("exchange_house", "risk_mitigation", "Exchange house") in alices_codes(
        by_commands
    )
    assert alices_codes(path) == alices_codes(by_commands)
    assert alices_codings(path) == alices_codings(by_commands)


def rejected(path: Path) -> set[tuple[str, int, int, str]]:
    from coder.store import open_project
    from coder.suggest.queue import list_suggestions

    with open_project(path, actor="alice") as project:
        return {
            (s.document, s.start, s.end, s.code)
            for s in list_suggestions(project, status="rejected")
        }


def test_n_and_minus_of_section_7_reject_what_its_command_rejects(
    tutorial_run, tmp_path
):
    path = tmp_path / "study.db"
    shutil.copyfile(tutorial_run.before("coder suggestions reject"), path)
    press_in_transcript(path, "pe-02-sadeghi", ("N", "minus"))
    by_command = rejected(tutorial_run.before("coder codings import"))
    assert len(by_command) == 1
    assert rejected(path) == by_command


def alices_codes(path: Path) -> set[tuple[str, str | None, str]]:
    from coder.codes import current_codebook
    from coder.store import open_project

    with open_project(path, actor="alice") as project:
        return {
            (code.id, parent.id if parent else None, code.name)
            for code, parent, _ in current_codebook(project).walk()
        }


def press_in_app(path: Path, keys: tuple[str, ...], **opened) -> None:
    """Open the project as alice (`opened` as `coder open` takes them), press `keys`.

    Then wait for the writes to be stored.
    """
    from coder.store import open_project
    from coder.tui.app import CoderApp

    async def run() -> None:
        with open_project(path, actor="alice") as project:
            app = CoderApp(project, coder="alice", **opened)
            async with app.run_test(size=take.SIZE) as pilot:
                await pilot.pause()
                for key in keys:
                    await pilot.press(key)
                await pilot.pause()
                assert app.writes.flush(5000)

    asyncio.run(run())


def press_in_transcript(path: Path, document: str, keys: tuple[str, ...]) -> None:
    press_in_app(path, keys, document=document)


def decisions(path: Path) -> tuple[set, set]:
    """The decided disagreements of alice and bob, and the consensus codings."""
    from coder.agreement.resolution import find_disagreements
    from coder.reading import document_codings
    from coder.store import open_project

    with open_project(path, actor="alice") as project:
        decided = {
            (item.key, item.decision, item.memo)
            for item in find_disagreements(project, ["alice", "bob"])
            if item.decision
        }
        consensus = {
            (c.code, c.start, c.end)
            for c in document_codings(project, "pe-01-farahani", coder="consensus")
        }
    return decided, consensus


def test_the_resolve_screen_keys_of_section_10_decide_as_its_commands_do(
    tutorial_run, tmp_path
):
    path = tmp_path / "study.db"
    shutil.copyfile(tutorial_run.before("coder resolve"), path)
    keys = (
        *take.times(16, "j"),  # disagreement 17: "Then the banking channel itself."
        "m",
        *take.typed(
            "only announces the next point; the risk comes in the next sentence"
        ),
        "enter",
        "x",  # neither; on to the next open one, 18
        "j",  # 19: "Because of the sanctions, ..."
        "m",
        *take.typed("sanctions named as the reason"),
        "enter",
        "2",  # bob's coding
    )
    press_in_app(path, keys, resolve=["alice", "bob"])
    by_commands = decisions(tutorial_run.before("coder matrix --coder bob"))
    assert len(by_commands[0]) == 2
    assert decisions(path) == by_commands
