"""Import and segmentation throughput beside spaCy's tokenizer alone, on synthetic studies.

For each size, a synthetic study (see ``synthetic.py``) is imported into a
fresh project three times as ``coder import`` does it (worker processes
parse and segment while this one stores, when the machine has the cores),
and three times in one process. The median words per second is printed
beside the median rate of ``nlp.tokenizer.pipe`` over the same paragraphs
with the same pipeline (the ceiling on this machine, in this run; the runs
take turns so a busy machine slows all alike), and their ratio. CPU seconds
count the worker processes too. Parsing, segmenting and storing are then
timed on their own. Each size runs in a
fresh process, so its peak memory is its own. Last, the 30-interview study
is imported end to end in a fresh interpreter (``python -m coder import``:
start-up, spaCy and pipeline load, parse, segment, store).

The issue's target: import at least 50% of the tokenizer's rate, and the
30-interview study in a few seconds. Prints figures only; asserts nothing.

    python benchmarks/import_throughput.py                  # small and medium
    python benchmarks/import_throughput.py --size large     # 1,000 x 8,000 words
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import spacy

from coder.documents import expand_paths, import_transcripts
from coder.importers import read_transcript
from coder.parallel import can_fork, worker_count
from coder.pipeline import load_pipeline
from coder.segmenting import Segmenter
from coder.store import create_project

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import SIZES, write_study

RUNS = 3
TARGET_RATIO = 0.5
SMALL = "small"
# Run in a child process: reports its own peak memory.
CHILD_MAXRSS = (
    "import resource, runpy, sys\n"
    "sys.argv = ['coder', *sys.argv[1:]]\n"
    "try:\n"
    "    runpy.run_module('coder', run_name='__main__')\n"
    "finally:\n"
    "    print('maxrss', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,"
    " file=sys.stderr)\n"
)


def _mib(maxrss: int) -> float:
    # ru_maxrss is in KiB on Linux, bytes on macOS.
    return maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)


def _cpu() -> float:
    """CPU seconds of this process and of its finished worker processes."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _timed(work: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds of one call (its worker processes included)."""
    gc.collect()
    wall, cpu = time.perf_counter(), _cpu()
    work()
    return time.perf_counter() - wall, _cpu() - cpu


def _medians(times: list[tuple[float, float]]) -> tuple[float, float]:
    return (
        statistics.median(t[0] for t in times),
        statistics.median(t[1] for t in times),
    )


def _paragraphs(transcripts) -> list[str]:
    """The pieces the segmenter tokenizes: each paragraph of each turn."""
    pieces = []
    for transcript in transcripts:
        for turn in transcript.turns:
            pieces.extend(
                piece
                for piece in transcript.text[turn.start : turn.end].split("\n")
                if piece.strip()
            )
    return pieces


def bench_size(size: str, work: Path, runs: int, seed: int) -> None:
    """Print one size's figures (run in a process of its own)."""
    interviews, words_each = SIZES[size]
    folder = work / size
    started = time.perf_counter()
    study = write_study(folder, size, seed=seed)
    written = time.perf_counter() - started
    files = expand_paths([folder])
    print(
        f"\n== {size}: {interviews:,} interviews x ~{words_each:,} words "
        f"({len(study.transcripts):,} files, generated in {written:.1f} s)",
        flush=True,
    )
    nlp = load_pipeline("en").nlp
    transcripts = [read_transcript(path)[0] for path in files]
    pieces = _paragraphs(transcripts)
    projects = iter(range(1_000_000))
    report = None

    def tokenize() -> None:
        for _doc in nlp.tokenizer.pipe(pieces, batch_size=1000):
            pass

    # The import as `coder import` runs it (worker processes where that
    # pays), the tokenizer, and the import in one process, in turns; each
    # import into a fresh project made before the clock starts.
    # The machine's speed drifts (a shared VM), so every import is set
    # beside the tokenizer runs just before and just after it: its ratio is
    # the mean of those two rates over its own.
    import_times, serial_times = [], []
    tokenizer_times = [_timed(tokenize)]
    paired: dict[int | None, list[float]] = {None: [], 1: []}
    for _ in range(runs):
        for jobs, times in ((None, import_times), (1, serial_times)):
            for old in work.glob(f"{size}-*.db*"):
                old.unlink()
            project = create_project(
                work / f"{size}-{next(projects)}.db", actor="bench"
            )

            def import_once(project=project, jobs=jobs) -> None:
                nonlocal report
                report = import_transcripts(project, [folder], jobs=jobs)

            times.append(_timed(import_once))
            project.close()
            tokenizer_times.append(_timed(tokenize))
            ceiling = (tokenizer_times[-2][0] + tokenizer_times[-1][0]) / 2
            paired[jobs].append(ceiling / times[-1][0])
    import_s, import_cpu = _medians(import_times)
    serial_s, serial_cpu = _medians(serial_times)
    tokenizer_s, tokenizer_cpu = _medians(tokenizer_times)
    parse_s, parse_cpu = _medians(
        [_timed(lambda: [read_transcript(p) for p in files]) for _ in range(runs)]
    )
    segment_s, segment_cpu = _medians(
        [
            _timed(lambda: list(Segmenter("en").segment_many(transcripts)))
            for _ in range(runs)
        ]
    )
    words = report.words
    ratio = statistics.median(paired[None])
    verdict = "meets" if ratio >= TARGET_RATIO else "below"
    store_s = max(0.0, serial_s - parse_s - segment_s)
    store_cpu = max(0.0, serial_cpu - parse_cpu - segment_cpu)
    size_bytes = sum(path.stat().st_size for path in files)
    workers = worker_count(None, len(files), size_bytes) if can_fork() else 1
    peak = _mib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    worker_peak = _mib(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)

    def row(
        label: str, wall: float, cpu: float, note: str = "", ratio: float = 0.0
    ) -> str:
        ratio = ratio or tokenizer_s / wall
        return (
            f"  {label:<26}{words / wall:>11,.0f} {wall:>9.2f}"
            f"  {ratio:>18.0%} {cpu:>8.2f}  {tokenizer_cpu / cpu:>9.0%}"
            f"{note}\n"
        )

    print(
        f"  words (spaCy's count)    {words:>11,}   segments {report.segments:,}\n"
        "                             words/s    wall s  ratio to tokenizer    cpu s"
        "  cpu ratio\n"
        f"  {'tokenizer alone':<26}{words / tokenizer_s:>11,.0f} {tokenizer_s:>9.2f}"
        f"  {'(the ceiling)':>18} {tokenizer_cpu:>8.2f}\n"
        + row(
            "import + segment",
            import_s,
            import_cpu,
            f"  {workers} worker process{'es' if workers != 1 else ''}"
            " parse and segment, this one stores",
            ratio,
        )
        + row(
            "  in one process",
            serial_s,
            serial_cpu,
            "  (--jobs 1)",
            statistics.median(paired[1]),
        )
        + row("    parse alone", parse_s, parse_cpu)
        + row("    segment alone", segment_s, segment_cpu)
        + f"  {'    store and the rest':<26}{'':>11} {store_s:>9.2f}  {'':>18}"
        f" {store_cpu:>8.2f}  (one-process import minus parse and segment)\n"
        f"  target: import at least {TARGET_RATIO:.0%} of the tokenizer's rate:"
        f" {verdict} ({ratio:.0%} wall; runs "
        + ", ".join(f"{r:.0%}" for r in paired[None])
        + ", each beside the tokenizer runs just before and after it)\n"
        f"  peak memory {peak:,.0f} MiB (maxrss of this size's process),"
        f" {worker_peak:,.0f} MiB (of a worker)",
        flush=True,
    )


def bench_end_to_end(work: Path, runs: int, seed: int) -> None:
    folder = work / "end-to-end"
    study = write_study(folder, SMALL, seed=seed)
    times, cpus, peaks = [], [], []
    for run in range(runs):
        project = work / f"end-to-end-{run}.db"
        command = [
            sys.executable,
            "-c",
            CHILD_MAXRSS,
            "import",
            str(folder),
            "--create",
        ]
        before = os.times()
        started = time.perf_counter()
        done = subprocess.run(
            [*command, "-p", str(project)], capture_output=True, text=True
        )
        times.append(time.perf_counter() - started)
        after = os.times()
        cpus.append(
            after.children_user
            + after.children_system
            - before.children_user
            - before.children_system
        )
        if done.returncode:
            print(f"\n`coder import` failed:\n{done.stderr}")
            return
        peaks.append(int(done.stderr.rsplit("maxrss", 1)[1]))
    # The pipeline load on its own, cold, in this process.
    load_pipeline.cache_clear()
    load_s, _ = _timed(lambda: load_pipeline("en"))
    interviews, words_each = SIZES[SMALL]
    print(
        f"\n== end to end: the {interviews}-interview study (~{words_each:,} words each,"
        f" {study.words:,} words) with `python -m coder import` in a fresh interpreter\n"
        f"  wall time                 {statistics.median(times):>12.2f} s"
        f"   median of {runs} (start-up, spaCy and pipeline load, parse, segment,"
        " store)\n"
        f"  cpu time                  {statistics.median(cpus):>12.2f} s\n"
        f"  pipeline load alone       {load_s:>12.2f} s   (blank:en, sentencizer,"
        " lookup table; in a warm process)\n"
        f"  peak memory               {_mib(max(peaks)):>12,.0f} MiB",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--size",
        action="append",
        choices=list(SIZES),
        help="a study size (repeat for several; default: small and medium)",
    )
    parser.add_argument("--runs", type=int, default=RUNS, help="runs per figure")
    parser.add_argument("--seed", type=int, default=0, help="seed of the studies")
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.work:
        # A child: one size, in the parent's work folder.
        bench_size(args.size[0], args.work, args.runs, args.seed)
        return 0
    sizes = args.size or ["small", "medium"]
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(
        f"coder import throughput: Python {platform.python_version()}, spaCy "
        f"{spacy.__version__}, {platform.machine()}, {os.cpu_count()} CPUs "
        f"(load average {load}), medians of {args.runs} runs\n"
        "pipeline: blank:en (tokenizer; sentencizer rule and lookup lemmas applied"
        " by coder), loaded once per process and not counted"
    )
    with tempfile.TemporaryDirectory(prefix="coder-bench-") as tmp:
        work = Path(tmp)
        for size in sizes:
            child = [sys.executable, __file__, "--size", size, "--work", str(work)]
            child += ["--runs", str(args.runs), "--seed", str(args.seed)]
            subprocess.run(child, check=True)
        bench_end_to_end(work, args.runs, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
