"""`coder import` in a fresh process against spaCy's tokenizer alone, warm, on one core.

Writes a synthetic study (see ``synthetic.py``; 150 interviews of about
8,000 words by default), then in turns: spaCy's tokenizer alone over the
paragraphs the segmenter tokenizes (``nlp.tokenizer.pipe`` in this process,
its cache warm: the ceiling of one core), and ``python -m coder import
FOLDER --create`` in a fresh interpreter (start-up, spaCy and pipeline load,
parse, segment, store; worker processes on every core). Each import's ratio
is the tokenizer's time (the mean of the runs just before and after it, as a
shared machine's speed drifts) over the import's wall time; every run's
ratio is printed, and their median. The issue's target: at least 0.8.

    python benchmarks/import_fresh.py                       # 150 x 8,000 words, 3 runs
    python benchmarks/import_fresh.py --interviews 1000 --runs 3
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from coder.documents import expand_paths
from coder.importers import read_transcript
from coder.parallel import available_cores
from coder.pipeline import load_pipeline

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_throughput import _paragraphs
from synthetic import write_study

RUNS = 3
TARGET_RATIO = 0.8


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--interviews", type=int, default=150)
    parser.add_argument("--words", type=int, default=8000, help="words per interview")
    parser.add_argument("--runs", type=int, default=RUNS, help="imports to time")
    parser.add_argument("--seed", type=int, default=0, help="seed of the study")
    parser.add_argument(
        "--jobs", type=int, help="pass --jobs to coder import (default: its choice)"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="coder-fresh-") as tmp:
        work = Path(tmp)
        folder = work / "study"
        study = write_study(
            folder, interviews=args.interviews, words=args.words, seed=args.seed
        )
        files = expand_paths([folder])
        load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
        print(
            f"coder import in a fresh process: Python {platform.python_version()},"
            f" {platform.machine()}, {available_cores()} cores (load average {load})\n"
            f"study: {args.interviews:,} interviews x ~{args.words:,} words"
            f" ({study.words:,} words, {sum(p.stat().st_size for p in files):,}"
            " bytes)",
            flush=True,
        )
        nlp = load_pipeline("en").nlp
        pieces = _paragraphs([read_transcript(path)[0] for path in files])

        tokenizer_cpu: list[float] = []

        def tokenize() -> float:
            gc.collect()
            started, cpu = time.perf_counter(), time.process_time()
            for _doc in nlp.tokenizer.pipe(pieces, batch_size=1000):
                pass
            tokenizer_cpu.append(time.process_time() - cpu)
            return time.perf_counter() - started

        cold = tokenize()
        tokenizer = [tokenize()]
        imports: list[float] = []
        import_cpu: list[float] = []
        ratios: list[float] = []
        command = [sys.executable, "-m", "coder", "import", str(folder), "--create"]
        if args.jobs:
            command += ["--jobs", str(args.jobs)]
        for run in range(args.runs):
            project = work / f"run-{run}.db"
            before = os.times()
            started = time.perf_counter()
            done = subprocess.run(
                [*command, "-p", str(project)], capture_output=True, text=True
            )
            imports.append(time.perf_counter() - started)
            after = os.times()
            # The import's process and its workers (reaped by it).
            import_cpu.append(
                after.children_user
                + after.children_system
                - before.children_user
                - before.children_system
            )
            if done.returncode:
                print(f"`coder import` failed:\n{done.stderr}")
                return 1
            for old in work.glob(f"run-{run}.db*"):
                old.unlink()
            tokenizer.append(tokenize())
            ratios.append((tokenizer[-2] + tokenizer[-1]) / 2 / imports[-1])
        words = study.words
        warm = statistics.median(tokenizer)
        ratio = statistics.median(ratios)
        print(
            f"  {'':<34}{'words/s':>10}{'wall s':>9}{'cpu s':>8}\n"
            f"  {'tokenizer alone, cold cache':<34}{words / cold:>10,.0f}{cold:>9.2f}"
            f"{tokenizer_cpu[0]:>8.2f}  (first run in this process)\n"
            f"  {'tokenizer alone, warm (ceiling)':<34}{words / warm:>10,.0f}"
            f"{warm:>9.2f}{statistics.median(tokenizer_cpu[1:]):>8.2f}"
            f"  (median of {len(tokenizer)}: "
            + ", ".join(f"{t:.2f}" for t in tokenizer)
            + ")\n"
            f"  {'coder import, fresh process':<34}"
            f"{words / statistics.median(imports):>10,.0f}"
            f"{statistics.median(imports):>9.2f}{statistics.median(import_cpu):>8.2f}"
            f"  (median of {len(imports)}: "
            + ", ".join(f"{t:.2f}" for t in imports)
            + ")\n"
            f"  ratio to the warm tokenizer: {ratio:.2f} (runs "
            + ", ".join(f"{r:.2f}" for r in ratios)
            + f"); target {TARGET_RATIO}: "
            + ("meets" if ratio >= TARGET_RATIO else "below")
            + f"\n  the import's cpu seconds over the cores ({available_cores()}): "
            f"{statistics.median(import_cpu) / available_cores():.2f} s, the least"
            " wall time a machine left to it could take",
            flush=True,
        )
        # On a shared machine other work stretches wall times; CPU seconds
        # stretch less. The warm tokenizer's CPU seconds over the import's
        # spread on every core: the ratio a machine left to it would give.
        bound = statistics.median(tokenizer_cpu[1:]) / (
            statistics.median(import_cpu) / available_cores()
        )
        print(
            f"  ratio by cpu seconds (warm tokenizer's over the import's per core):"
            f" {bound:.2f} (runs "
            + ", ".join(
                f"{statistics.median(tokenizer_cpu[1:]) / (cpu / available_cores()):.2f}"
                for cpu in import_cpu
            )
            + ")",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
