"""docs/tutorial.md cannot rot: its commands run here, in order, and its outputs must match.

Every line of a ```sh block is run with bash in a temporary folder holding
copies of transcripts/ and codebooks/, with `coder` meaning this interpreter's
coder. `export NAME=VALUE` lines set the environment of the commands after
them. A command exits 0 unless its line says `# fails:`, then it must exit 1.
A ```text block right after a ```sh block is an excerpt of that block's
output: every line of it other than `...` must be a line the block printed
(leading and trailing blanks aside); a line ending in ` ...` stands for any
printed line that starts with what comes before it (a time, a path).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "docs" / "tutorial.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
EXPORT = re.compile(r"^export (\w+)=(\S+)$")

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


def run_tutorial(base: Path, text: str):
    """Run every command; yield (block, [(command, exit code, output)])."""
    folder = study_folder(base)
    env = dict(os.environ)
    env.pop("CODER_PROJECT", None)
    env.update(
        PATH=f"{coder_shim(base)}{os.pathsep}{env.get('PATH', '')}",
        COLUMNS="80",
        CODER_SNAPSHOTS="20",
        PYTHONPATH=str(ROOT),
    )
    for block in tutorial_blocks(text):
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
        yield block, results


@pytest.fixture(scope="module")
def tutorial_run(tmp_path_factory):
    text = TUTORIAL.read_text(encoding="utf-8")
    return text, list(run_tutorial(tmp_path_factory.mktemp("tutorial"), text))


def test_the_tutorial_has_commands_and_output_excerpts():
    blocks = tutorial_blocks(TUTORIAL.read_text(encoding="utf-8"))
    assert sum(len(block.commands) for block in blocks) >= 30
    assert sum(1 for block in blocks if block.excerpt) >= 10


def test_every_command_exits_as_the_tutorial_says(tutorial_run):
    _, run = tutorial_run
    for _, results in run:
        for command, code, output in results:
            expected = 1 if command.expect_failure else 0
            assert code == expected, f"{command.line}\nexit {code}\n{output}"


def test_every_output_excerpt_matches_what_the_commands_print(tutorial_run):
    _, run = tutorial_run
    for block, results in run:
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
    text, run = tutorial_run
    assert figure in text
    outputs = [
        output
        for _, results in run
        for command, _, output in results
        if command.line.startswith(command_prefix)
    ]
    assert outputs, f"no command starts with {command_prefix!r}"
    assert any(figure in output for output in outputs), "\n".join(outputs)
