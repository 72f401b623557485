"""Every figure of the performance issue (17) in one run: start-up, Word and SubRip, import.

Runs, one after the other, each in a process of its own:

1. ``startup.py``: the quick commands, a one-turn import and ``coder open`` to
   its first screen, each the median of fresh processes against its target;
2. ``formats.py``: .docx, .srt and .vtt parsing against the same text as .txt;
3. ``import_fresh.py``: a fresh-process ``coder import`` of 150 synthetic
   interviews against spaCy's tokenizer alone (cold and warm), every run's
   ratio printed; with ``--large`` also the 1,000-interview study.

It prints what each prints, then one line per target with its verdict. A busy
machine makes every figure worse: the load average is printed at each
start, and figures are best taken with nothing else running.

    python benchmarks/performance.py             # about 3 minutes on 2 cores
    python benchmarks/performance.py --large     # adds the 1,000-interview import
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(script: str, *arguments: str) -> str:
    """Run a benchmark script, echo its output as it comes, return it."""
    print(f"\n$ python benchmarks/{script} {' '.join(arguments)}".rstrip(), flush=True)
    process = subprocess.Popen(
        [sys.executable, str(HERE / script), *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        print(line, end="", flush=True)
        lines.append(line)
    if process.wait():
        raise SystemExit(f"benchmarks/{script} failed")
    return "".join(lines)


def verdicts(startup: str, formats: str, imports: list[str]) -> list[str]:
    """One line per target of the issue, read back from the scripts' output."""
    found = []
    for line in startup.splitlines():
        cells = line.rsplit(None, 4)
        if len(cells) == 5 and all(
            re.fullmatch(r"\d+\.\d+", cell) for cell in cells[1:]
        ):
            name, median, target = cells[0], float(cells[1]), float(cells[3])
            verdict = "meets" if median <= target else "misses"
            found.append(f"{name:<18} {median:.3f} s, target {target} s: {verdict}")
    docx = re.search(r"target: \.docx .*?: (\w+) \(([\d.]+)x\)", formats)
    if docx:
        found.append(
            f".docx against .txt  {docx.group(2)}x, target 0.5x: {docx.group(1)}"
        )
    for output in imports:
        study = re.search(r"study: ([\d,]+) interviews", output)
        ratio = re.search(r"ratio to the warm tokenizer: ([\d.]+) .*?: (\w+)", output)
        if study and ratio:
            found.append(
                f"import of {study.group(1)} interviews  {ratio.group(1)}x the warm"
                f" tokenizer, target 0.8x: {ratio.group(2)}"
            )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--large", action="store_true", help="also import 1,000 interviews"
    )
    parser.add_argument("--runs", type=int, default=5, help="runs of each figure")
    args = parser.parse_args()
    load = ", ".join(f"{n:.2f}" for n in os.getloadavg())
    print(f"coder's performance figures (issue 17); load average {load}")
    startup = run("startup.py", "--runs", str(args.runs))
    formats = run("formats.py", "--runs", str(args.runs))
    imports = [run("import_fresh.py", "--runs", str(min(args.runs, 3)))]
    if args.large:
        imports.append(run("import_fresh.py", "--interviews", "1000", "--runs", "1"))
    print("\nverdicts")
    for line in verdicts(startup, formats, imports):
        print(f"  {line}")


if __name__ == "__main__":
    main()
