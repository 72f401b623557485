"""Bootstrap confidence intervals for the agreement coefficients.

Resampling n units with replacement is the same as drawing how many copies of
each distinct unit profile a resample holds from a multinomial with
probabilities profile frequency / n, so replicates are weight vectors and
every coefficient is computed from counts in batches (Efron and Tibshirani
1993, percentile intervals).
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from coder.agreement.coefficients import (
    _BATCH_CELLS,
    AgreementWarning,
    RatingMatrix,
    _alpha_from_counts,
    _alpha_inputs,
    _binary_coefficients,
    _binary_states,
    _brennan_prediger_from_counts,
    _cohen_from_pair_states,
    _counts_and_categories,
    _encode,
    _fleiss_from_counts,
    _gwet_from_counts,
    _pair_state_frequencies,
    _percent_from_counts,
    _warn_per_code,
    brennan_prediger,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
)

# Bootstrap over units.  Resampling n units with replacement is the same as drawing
# how many copies of each distinct unit profile a resample holds from a multinomial
# with probabilities profile frequency / n, so replicates are weight vectors.


def _distinct_rows(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Collapse units with identical count rows into profiles with frequencies."""
    base = int(counts.max(initial=0)) + 1
    n_categories = counts.shape[1]
    if n_categories * math.log2(base) < 62:  # rows fit one int64 key in base `base`
        keys = counts.astype(np.int64) @ (
            base ** np.arange(n_categories, dtype=np.int64)
        )
        _, first, frequencies = np.unique(keys, return_index=True, return_counts=True)
        return counts[first], frequencies.astype(float)
    profiles, frequencies = np.unique(counts, axis=0, return_counts=True)
    return profiles, frequencies.astype(float)


class _ResamplingPlan(NamedTuple):
    """How to bootstrap one of this module's coefficients with multinomial weights."""

    frequencies: np.ndarray  # units per distinct profile
    evaluate: Callable[[np.ndarray], np.ndarray]  # weights (..., K) -> estimates
    cells_per_replicate: int  # array cells one replicate needs, to size batches


def _resampling_plan(
    coefficient_fn: Callable[..., float], matrix: RatingMatrix, kwargs: dict[str, Any]
) -> _ResamplingPlan | None:
    """Plan for this module's coefficients; None sends others down the slow path."""
    categories = kwargs.get("categories")
    if coefficient_fn is cohen_kappa:
        codes, domain = _encode(matrix, categories)
        q = len(domain)
        frequencies = _pair_state_frequencies(codes, q)
        return _ResamplingPlan(
            frequencies, lambda w: _cohen_from_pair_states(w, q)[0], (q + 1) ** 2
        )
    if coefficient_fn is krippendorff_alpha:
        level = kwargs.get("level", "nominal")
        counts, domain = _alpha_inputs(matrix, level, categories)
        profiles, frequencies = _distinct_rows(counts)
        return _ResamplingPlan(
            frequencies,
            lambda w: _alpha_from_counts(profiles, w, level, domain)[0],
            profiles.size,
        )
    core = {
        percent_agreement: _percent_from_counts,
        fleiss_kappa: _fleiss_from_counts,
        gwet_ac1: _gwet_from_counts,
        brennan_prediger: _brennan_prediger_from_counts,
    }.get(coefficient_fn)
    if core is None:
        return None
    counts, _ = _counts_and_categories(matrix, categories)
    profiles, frequencies = _distinct_rows(counts)
    return _ResamplingPlan(frequencies, lambda w: core(profiles, w)[0], profiles.size)


def _multinomial_replicates(
    rng: np.random.Generator, plan: _ResamplingPlan, n_boot: int
) -> np.ndarray:
    """Evaluate n_boot resamples of units, batched to bound memory."""
    n_units = int(plan.frequencies.sum(axis=-1).max())
    probabilities = plan.frequencies / n_units
    batch = max(1, _BATCH_CELLS // max(plan.cells_per_replicate, 1))
    estimates = []
    for start in range(0, n_boot, batch):
        size = (min(batch, n_boot - start), *probabilities.shape[:-1])
        weights = rng.multinomial(n_units, probabilities, size=size)
        estimates.append(plan.evaluate(weights))
    return np.concatenate(estimates)


def _index_replicates(
    rng: np.random.Generator,
    coefficient_fn: Callable[..., float],
    matrix: RatingMatrix,
    n_boot: int,
    kwargs: dict[str, Any],
) -> np.ndarray:
    """Slow path for any coefficient function: resample rows and call it."""
    units = matrix if isinstance(matrix, np.ndarray) else np.asarray(matrix, object)
    n_units = units.shape[0]
    return np.array(
        [
            coefficient_fn(units[rng.integers(0, n_units, n_units)], **kwargs)
            for _ in range(n_boot)
        ]
    )


def _percentile_interval(
    estimates: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    tail = (1 - level) / 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # codes with no defined value
        low, high = np.nanquantile(estimates, [tail, 1 - tail], axis=0)
    return low, high


def _check_bootstrap_args(n_boot: int, level: float) -> None:
    if n_boot < 1:
        raise ValueError(f"n_boot must be at least 1, got {n_boot}")
    if not 0 < level < 1:
        raise ValueError(f"level must lie strictly between 0 and 1, got {level}")


def bootstrap_ci(
    coefficient_fn: Callable[..., float],
    matrix: RatingMatrix,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int | np.random.Generator | None = None,
    **kwargs: Any,
) -> tuple[float, float]:
    """Percentile bootstrap confidence interval, resampling units with replacement.

    Units, not single ratings, are the independent draws in a reliability study,
    so whole rows are resampled. For this module's coefficients the resamples are
    multinomial weights over distinct unit profiles, evaluated in one vectorised
    pass; any other function is called once per resample. Resamples on which the
    coefficient is undefined are left out, with an AgreementWarning.

    `level` here is the interval's coverage, so Krippendorff's level of
    measurement goes in a partial: functools.partial(krippendorff_alpha,
    level="ordinal"); keyword-only partials of this module's coefficients keep the
    vectorised path.

    Args:
        coefficient_fn: A coefficient such as `gwet_ac1`, called as
            coefficient_fn(matrix, **kwargs).
        matrix: Units x coders; None or NaN where a coder did not code the unit.
        n_boot: Number of resamples.
        level: Coverage of the interval, e.g. 0.95.
        seed: Seed or numpy Generator; the same seed gives the same interval.
        **kwargs: Passed on to coefficient_fn, e.g. categories.

    Returns:
        (low, high); (NaN, NaN) when the coefficient is undefined for the data.
    """
    _check_bootstrap_args(n_boot, level)
    if isinstance(coefficient_fn, functools.partial) and not coefficient_fn.args:
        kwargs = {**coefficient_fn.keywords, **kwargs}
        coefficient_fn = coefficient_fn.func
    if math.isnan(coefficient_fn(matrix, **kwargs)):
        return math.nan, math.nan
    rng = np.random.default_rng(seed)
    plan = _resampling_plan(coefficient_fn, matrix, kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AgreementWarning)
        if plan is None:
            estimates = _index_replicates(rng, coefficient_fn, matrix, n_boot, kwargs)
        else:
            estimates = _multinomial_replicates(rng, plan, n_boot)
    undefined = int(np.isnan(estimates).sum())
    if undefined == n_boot:
        warnings.warn(
            "the coefficient is undefined on every bootstrap resample",
            AgreementWarning,
            stacklevel=2,
        )
        return math.nan, math.nan
    if undefined:
        warnings.warn(
            f"{undefined} of {n_boot} bootstrap resamples gave an undefined "
            "coefficient and were left out",
            AgreementWarning,
            stacklevel=2,
        )
    low, high = _percentile_interval(estimates, level)
    return float(low), float(high)


def per_code_bootstrap_ci(
    codings: npt.ArrayLike,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int | np.random.Generator | None = None,
) -> dict[str, np.ndarray]:
    """Percentile bootstrap intervals for every coefficient of every code at once.

    Units are resampled with replacement, independently per code (each code's
    interval is the same as resampling that code alone), as multinomial weights
    over the few rating states of binary data. Resamples on which a coefficient is
    undefined are left out; codes whose estimate is undefined get NaN. Both cases
    raise an AgreementWarning.

    Args:
        codings: Array shaped (codes, units, coders) of 0/1 or booleans, NaN or
            masked where a coder did not code the unit.
        n_boot: Number of resamples.
        level: Coverage of the intervals, e.g. 0.95.
        seed: Seed or numpy Generator; the same seed gives the same intervals.

    Returns:
        Dict of coefficient name (as in `per_code_agreement`) -> array shaped
        (codes, 2) of (low, high).
    """
    _check_bootstrap_args(n_boot, level)
    states = _binary_states(codings)
    point_estimates = _binary_coefficients(states, states.frequencies)
    for name, (_, reasons) in point_estimates.items():
        _warn_per_code(name, reasons)
    if states.frequencies.sum() == 0:  # no codes or no units
        return {
            name: np.full((values.size, 2), np.nan)
            for name, (values, _) in point_estimates.items()
        }
    plan = _ResamplingPlan(
        states.frequencies,
        lambda w: np.stack(
            [values for values, _ in _binary_coefficients(states, w).values()], axis=1
        ),
        states.frequencies.size * 2,
    )
    replicates = _multinomial_replicates(np.random.default_rng(seed), plan, n_boot)
    intervals = {}
    for index, (name, (values, _)) in enumerate(point_estimates.items()):
        defined = ~np.isnan(values)
        estimates = replicates[:, index]
        dropped = np.isnan(estimates).sum(axis=0) * defined
        if dropped.any():
            affected = np.flatnonzero(dropped).tolist()
            warnings.warn(
                f"{name}: up to {dropped.max()} of {n_boot} bootstrap resamples per "
                f"code were undefined and left out (codes {affected})",
                AgreementWarning,
                stacklevel=2,
            )
        low, high = _percentile_interval(estimates, level)
        intervals[name] = np.where(
            defined[:, None], np.stack([low, high], axis=-1), np.nan
        )
    return intervals
