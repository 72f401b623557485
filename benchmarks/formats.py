"""Word (.docx) and SubRip (.srt) parsing speed against the same interview as plain text.

One synthetic interview (see ``synthetic.py``; about 60,000 words by
default) is written four ways: ``Name: text`` plain text, a Word document
with bold ``Name:`` labels (one paragraph per paragraph of speech, a title
and a heading), SubRip cues of 5 to 16 words with a ``Name:`` prefix, and
WebVTT cues with ``<v Name>`` voices as ``synthetic.py`` writes them. Each
file is parsed with ``read_transcript`` several times in this process
(start-up and imports excluded; a first run of each is a warm-up and is not
counted). Prints words per second (whitespace-separated words of the stored
text), the median seconds and each format's ratio to plain text, per run and
the median. The issue's target: a .docx at least half as fast as its .txt.

    python benchmarks/formats.py                      # 60,000 words, 7 runs
    python benchmarks/formats.py --words 20000 --runs 5
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import platform
import random
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import docx

from coder.importers import read_transcript

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import _clock, _plain, _speech_seconds, _vtt, _Writer

RUNS = 7
WORDS = 60_000
TARGET_RATIO = 0.5


def interview(words: int, seed: int) -> tuple[str, list[tuple[str, list[str]]]]:
    """A header line and the turns of one synthetic interview."""
    writer = _Writer(seed)
    turns = writer.interview(words, "Interviewer", ["Maryam Kazemi"])
    return f"Synthetic interview for a format benchmark (seed {seed}).", turns


def as_docx(header: str, turns: list[tuple[str, list[str]]]) -> bytes:
    """A Word transcript: a title, a heading, bold labels, continuation paragraphs."""
    document = docx.Document()
    document.add_heading(header, level=0)
    document.add_heading("Transcript", level=1)
    for speaker, paragraphs in turns:
        first = document.add_paragraph()
        first.add_run(f"{speaker}:").bold = True
        first.add_run(f" {paragraphs[0]}")
        for paragraph in paragraphs[1:]:
            document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def as_srt(turns: list[tuple[str, list[str]]], seed: int) -> str:
    """SubRip cues of 5 to 16 words, each with its speaker's ``Name:`` prefix."""
    rng = random.Random(seed)
    blocks = []
    clock = 1.0
    number = 0
    for speaker, paragraphs in turns:
        words = " ".join(paragraphs).split()
        index = 0
        while index < len(words):
            size = rng.randint(5, 16)
            cue = f"{speaker}: " + " ".join(words[index : index + size])
            index += size
            number += 1
            end = clock + _speech_seconds(cue, rng)
            timing = (
                f"{_clock(clock, millis=True)} --> {_clock(end, millis=True)}"
            ).replace(".", ",")
            blocks.append(f"{number}\n{timing}\n" + "\n".join(textwrap.wrap(cue, 42)))
            clock = end + rng.uniform(0.05, 0.6)
    return "\n\n".join(blocks) + "\n"


def _parse_seconds(path: Path) -> float:
    """Seconds of one `read_transcript` of the file."""
    gc.collect()
    started = time.perf_counter()
    read_transcript(path)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--words", type=int, default=WORDS, help="words in the interview"
    )
    parser.add_argument("--runs", type=int, default=RUNS, help="timed runs per format")
    parser.add_argument("--seed", type=int, default=0, help="seed of the interview")
    args = parser.parse_args(argv)
    header, turns = interview(args.words, args.seed)
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(
        f"coder import parsing by format: Python {platform.python_version()},"
        f" {platform.machine()}, {os.cpu_count()} CPUs (load average {load}),"
        f" {args.runs} runs each after a warm-up, in one process"
    )
    with tempfile.TemporaryDirectory(prefix="coder-formats-") as tmp:
        folder = Path(tmp)
        files = {
            "txt": folder / "interview.txt",
            "docx": folder / "interview.docx",
            "srt": folder / "interview.srt",
            "vtt": folder / "interview.vtt",
        }
        files["txt"].write_text(_plain(turns, header) + "\n", encoding="utf-8")
        files["docx"].write_bytes(as_docx(header, turns))
        files["srt"].write_text(as_srt(turns, args.seed), encoding="utf-8")
        vtt = _vtt(turns, header, random.Random(args.seed))
        files["vtt"].write_text(vtt + "\n", encoding="utf-8")
        # A warm-up each (imports, regex compilation), then the formats take
        # turns run by run, so a busy machine slows all alike.
        words = {
            kind: len(read_transcript(path)[0].text.split())
            for kind, path in files.items()
        }
        times: dict[str, list[float]] = {kind: [] for kind in files}
        for _ in range(args.runs):
            for kind, path in files.items():
                times[kind].append(_parse_seconds(path))
        print(
            f"  {'format':<8}{'words':>9}{'file KiB':>10}{'words/s':>12}"
            f"{'median s':>10}  ratio to .txt (median; each run)"
        )
        base = [words["txt"] / s for s in times["txt"]]
        for kind, path in files.items():
            rates = [words[kind] / s for s in times[kind]]
            ratios = [rate / txt for rate, txt in zip(rates, base, strict=True)]
            each = ", ".join(f"{r:.2f}" for r in ratios)
            print(
                f"  .{kind:<7}{words[kind]:>9,}{path.stat().st_size / 1024:>10,.0f}"
                f"{statistics.median(rates):>12,.0f}"
                f"{statistics.median(times[kind]):>10.3f}"
                f"  {statistics.median(ratios):.2f}x; {each}"
            )
        docx_ratio = statistics.median(
            words["docx"] / d / (words["txt"] / t)
            for d, t in zip(times["docx"], times["txt"], strict=True)
        )
        verdict = "meets" if docx_ratio >= TARGET_RATIO else "below"
        print(
            f"  target: .docx at least {TARGET_RATIO:.0%} of .txt's words per second:"
            f" {verdict} ({docx_ratio:.2f}x)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
