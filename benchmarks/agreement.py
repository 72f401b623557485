"""Time the vectorised agreement coefficients at study scale and against krippendorff.

Run with: python benchmarks/agreement.py
Prints the median of 3 runs per measurement; targets are in docs/agreement.md.
"""

import statistics
import time
from collections.abc import Callable

import krippendorff
import numpy as np

from coder.agreement import (
    krippendorff_alpha,
    per_code_agreement,
    per_code_bootstrap_ci,
)
from coder.agreement.report import agreement_report
from coder.agreement.units import ReliabilityData, Unit

RUNS = 3


def median_seconds(task: Callable[[], object]) -> float:
    durations = []
    for _ in range(RUNS):
        start = time.perf_counter()
        task()
        durations.append(time.perf_counter() - start)
    return statistics.median(durations)


def simulated_codings(
    rng: np.random.Generator, n_codes: int, n_units: int, n_coders: int
) -> np.ndarray:
    """Codes of varying prevalence; coders err on 10% of units and skip 5%."""
    prevalence = rng.uniform(0.02, 0.4, size=(n_codes, 1, 1))
    truth = rng.random((n_codes, n_units, 1)) < prevalence
    errors = rng.random((n_codes, n_units, n_coders)) < 0.1
    codings = (truth ^ errors).astype(float)
    codings[rng.random(codings.shape) < 0.05] = np.nan
    return codings


def simulated_ratings(
    rng: np.random.Generator, n_units: int, n_coders: int, n_categories: int
) -> np.ndarray:
    """Units x coders ratings 1..n_categories, coders err on 20%, skip 10%."""
    truth = rng.integers(1, n_categories + 1, size=(n_units, 1))
    guesses = rng.integers(1, n_categories + 1, size=(n_units, n_coders))
    ratings = np.where(rng.random((n_units, n_coders)) < 0.2, guesses, truth)
    ratings = ratings.astype(float)
    ratings[rng.random(ratings.shape) < 0.1] = np.nan
    return ratings


def main() -> None:
    rng = np.random.default_rng(2024)

    print("per_code_agreement, all coefficients for every code (target 0.1-0.3 s)")
    for n_coders in (3, 2):
        codings = simulated_codings(rng, n_codes=30, n_units=100_000, n_coders=n_coders)
        seconds = median_seconds(lambda codings=codings: per_code_agreement(codings))
        names = ", ".join(per_code_agreement(codings))
        print(
            f"  {n_coders} coders x 100,000 units x 30 codes: {seconds:.3f} s ({names})"
        )

    codings = simulated_codings(rng, n_codes=30, n_units=100_000, n_coders=3)
    seconds = median_seconds(
        lambda: per_code_bootstrap_ci(codings, n_boot=1000, seed=0)
    )
    print(f"per_code_bootstrap_ci, same 3-coder data, 1000 resamples: {seconds:.3f} s")

    # The same per-code alpha with the krippendorff package, one code at a time.
    package = median_seconds(
        lambda: [
            krippendorff.alpha(reliability_data=code.T, level_of_measurement="nominal")
            for code in codings
        ]
    )
    ours = median_seconds(lambda: per_code_agreement(codings))
    print(
        f"krippendorff.alpha per code on the same 3 x 100,000 x 30 data: {package:.3f} s;"
        f" all five coefficients here {ours:.3f} s ({package / ours:.1f}x)"
    )

    data = ReliabilityData(
        unit="segment",
        coders=["a", "b", "c"],
        codes=[f"code{i}" for i in range(30)],
        units=[Unit("doc", None, i, i + 1) for i in range(100_000)],
        values=codings,
    )
    seconds = median_seconds(lambda: agreement_report(data, n_boot=1000, seed=0))
    print(
        "agreement_report, the whole per-code table with 95% CIs (1000 resamples),"
        f" 3 x 100,000 x 30: {seconds:.3f} s (target under 2 s)"
    )

    print("krippendorff_alpha vs krippendorff.alpha, 3 coders x 1,000,000 units")
    ratings = simulated_ratings(rng, n_units=1_000_000, n_coders=3, n_categories=5)
    for level in ("nominal", "interval"):
        ours = median_seconds(lambda level=level: krippendorff_alpha(ratings, level))
        theirs = median_seconds(
            lambda level=level: krippendorff.alpha(
                reliability_data=ratings.T, level_of_measurement=level
            )
        )
        difference = abs(
            krippendorff_alpha(ratings, level)
            - krippendorff.alpha(reliability_data=ratings.T, level_of_measurement=level)
        )
        print(
            f"  {level:8s}: coder.agreement {ours:.3f} s, krippendorff {theirs:.3f} s, "
            f"{theirs / ours:.1f}x faster, |difference| {difference:.1e}"
        )


if __name__ == "__main__":
    main()
