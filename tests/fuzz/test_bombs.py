"""Each bomb, given to `coder` as a user runs it: one line, a bounded time and memory, the project untouched.

The bombs and the measuring are those of ``benchmarks/bombs.py`` (which
prints the same figures as a table). Unbounded, these took minutes and
gigabytes (a YAML billion laughs: 2.4 GB after 60 s; a 200 MB document.xml:
past 3 minutes at 1 GB); refused, each takes a few seconds of start-up and
the memory of coder with spaCy loaded.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
_spec = importlib.util.spec_from_file_location(
    "coder_benchmarks_bombs", ROOT / "benchmarks" / "bombs.py"
)
bombs = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = bombs  # dataclasses look their module up there
_spec.loader.exec_module(bombs)

# Far above what a refusal takes (2-3 s, 80-180 MiB with spaCy loaded for an
# import), far below what expanding any of these takes.
MAX_SECONDS = 30
MAX_RSS = 400 * 2**20


@pytest.mark.parametrize("case", bombs.BOMBS, ids=lambda case: case.name)
def test_bomb_is_refused_in_bounded_time_and_memory(case, tmp_path):
    run, path, untouched = bombs.run_case(case, tmp_path)

    errors = run.stderr.splitlines()
    assert run.status == 1, run.stderr
    assert len(errors) == 1, run.stderr
    assert errors[0].startswith(f"coder: error: {path}"), errors[0]
    assert case.expect in errors[0]
    assert untouched, "the project changed"
    assert run.seconds < MAX_SECONDS
    assert run.max_rss < MAX_RSS, f"{run.max_rss / 2**20:.0f} MiB"


def test_a_transcript_past_the_size_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:  # sparse: 50 MB on paper, nothing on disk
        handle.truncate(50 * bombs.MB)
    case = bombs.Case("sparse", lambda folder: path, ["import"], "")

    run, _, untouched = bombs.run_case(case, tmp_path / "run")

    assert run.status == 1
    assert run.stderr == (
        f"coder: error: {path}: 50 MB; coder reads text transcripts of up to 20 MB"
        " (see docs/limits.md)\n"
    )
    assert untouched
    # Importing 50 MB of text would take about 1.7 GB (35 bytes a byte); a
    # refusal takes coder's start-up. The bound is the bombs' one: one full
    # run measured 335 MiB here once, a figure no single run reproduced.
    assert run.max_rss < MAX_RSS, "read into memory"
