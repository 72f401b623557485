"""Inter-coder agreement coefficients, computed with numpy from per-unit counts."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

RatingMatrix = Sequence[Sequence[Any]] | npt.NDArray[Any]
Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[Level, ...] = ("nominal", "ordinal", "interval", "ratio")


class AgreementWarning(UserWarning):
    """A coefficient is undefined for the given ratings and is reported as NaN."""


_DEFINED, _TOO_FEW_UNITS, _NO_VARIATION, _TOO_FEW_CATEGORIES = range(4)
_REASONS = {
    _TOO_FEW_UNITS: "fewer than two units have two or more ratings to compare",
    _NO_VARIATION: "all ratings fall into one category, so chance alone explains "
    "the agreement (expected disagreement is 0)",
    _TOO_FEW_CATEGORIES: "fewer than two categories are possible; declare them "
    "with `categories=`",
}
# Chance agreement this close to 1 leaves nothing for a kappa to correct.
_CHANCE_TOLERANCE = 1e-12
# Bootstrap replicates are evaluated in batches of about this many array cells.
_BATCH_CELLS = 4_000_000
# A coefficient's values and why each is undefined (_DEFINED where it is not).
_Estimate = tuple[np.ndarray, np.ndarray]


# Encoding: cells -> integer category codes -> units x categories counts.


def _typed(items: list[Any]) -> np.ndarray:
    """Let numpy infer one dtype for Python values; numbers and bools become floats."""
    typed = np.asarray(items)
    return typed.astype(float) if typed.dtype.kind in "biuf" else typed


def _ratings(matrix: RatingMatrix) -> tuple[np.ndarray, np.ndarray]:
    """Return the mask of coded cells (units x coders) and their values, row-major."""
    if isinstance(matrix, np.ma.MaskedArray):
        numeric = matrix.dtype.kind in "biuf"
        matrix = (
            matrix.astype(float).filled(np.nan)
            if numeric
            else matrix.astype(object).filled(None)
        )
    # Lists go through dtype=object so NaN or None is not turned into the text "nan".
    cells = matrix if isinstance(matrix, np.ndarray) else np.asarray(matrix, object)
    if cells.ndim != 2:
        raise ValueError(f"expected a units x coders matrix, got shape {cells.shape}")
    if cells.dtype.kind in "biuf":
        values = cells.astype(float, copy=False)
        coded = ~np.isnan(values)
        return coded, values[coded]
    if cells.dtype.kind in "US":  # numpy text arrays cannot hold a missing rating
        return np.ones(cells.shape, dtype=bool), cells.ravel()
    coded = ~(np.equal(cells, None) | (cells != cells))  # None or NaN (NaN != NaN)
    return coded, _typed(cells[coded].tolist())


def _is_numeric(values: np.ndarray) -> bool:
    return values.dtype.kind == "f"


def _encode(
    matrix: RatingMatrix, categories: Sequence[Any] | None
) -> tuple[np.ndarray, np.ndarray]:
    """Return integer codes (-1 where a coder did not code a unit) and the categories.

    Categories are the sorted union of declared and observed values, so codes are
    ordered by value, which the ordinal metric relies on.
    """
    coded, values = _ratings(matrix)
    observed = np.unique(values)
    if categories is None:
        domain = observed
    else:
        domain = np.unique(_typed(list(categories)))
        if observed.size and _is_numeric(observed) != _is_numeric(domain):
            raise ValueError("ratings and declared categories are of different kinds")
        undeclared = observed[~np.isin(observed, domain)]
        if undeclared.size:
            raise ValueError(
                f"ratings use undeclared categories: {undeclared.tolist()}"
            )
    codes = np.full(coded.shape, -1, dtype=np.intp)
    # Same result as np.unique(..., return_inverse=True) against the full domain,
    # but searching a short sorted domain is cheaper than an argsort of every cell.
    codes[coded] = np.searchsorted(domain, values)
    return codes, domain


def _category_counts(codes: np.ndarray, n_categories: int) -> np.ndarray:
    """Count how many coders put each unit into each category (units x categories)."""
    n_units = codes.shape[0]
    coded = codes >= 0
    cells = (np.arange(n_units)[:, None] * n_categories + codes)[coded]
    counts = np.bincount(cells, minlength=n_units * n_categories)
    return counts.reshape(n_units, n_categories).astype(float)


def _row_totals(counts: np.ndarray) -> np.ndarray:
    # A matrix product beats .sum(axis=-1) along a short contiguous axis.
    return counts @ np.ones(counts.shape[-1])


def _pair_state_frequencies(codes: np.ndarray, n_categories: int) -> np.ndarray:
    """Count units per (coder 1, coder 2) category pair; index q means "not coded"."""
    first, second = np.where(codes < 0, n_categories, codes).T
    states = first * (n_categories + 1) + second
    return np.bincount(states, minlength=(n_categories + 1) ** 2).astype(float)


# Coefficients from counts.  `counts` holds one row per unit profile (K x q) and
# `weights` (..., K) says how many units have each profile, so the same code serves
# one matrix (weights of ones), many codes at once, and bootstrap resamples.


def _guarded(
    value: np.ndarray, pairable_units: np.ndarray, degenerate: Any, reason: int
) -> _Estimate:
    """Replace undefined values by NaN and say why, as reason codes."""
    reasons = np.where(
        pairable_units < 2, _TOO_FEW_UNITS, np.where(degenerate, reason, _DEFINED)
    )
    return np.where(reasons == _DEFINED, value, np.nan), reasons


def _agreement_terms(
    counts: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gwet's (2014) pieces: pairable units, percent agreement, category shares.

    Percent agreement averages r_ik(r_ik - 1) / r_i(r_i - 1) over units with
    r_i >= 2; category shares average r_ik / r_i over all units with a rating.
    """
    ratings = _row_totals(counts)
    pairs = ratings * (ratings - 1)
    agreeing_pairs = _row_totals(counts * (counts - 1))
    unit_agreement = np.divide(
        agreeing_pairs, pairs, out=np.zeros_like(pairs), where=pairs > 0
    )
    unit_shares = np.divide(
        counts, ratings[:, None], out=np.zeros_like(counts), where=ratings[:, None] > 0
    )
    pairable_units = weights @ (pairs > 0).astype(float)
    rated_units = weights @ (ratings > 0).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = (weights @ unit_agreement) / pairable_units
        shares = (weights @ unit_shares) / rated_units[..., None]
    return pairable_units, percent, shares


def _chance_corrected(observed: np.ndarray, chance: Any) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return (observed - chance) / (1 - chance)


def _percent_from_counts(counts: np.ndarray, weights: np.ndarray) -> _Estimate:
    pairable_units, percent, _ = _agreement_terms(counts, weights)
    return _guarded(percent, pairable_units, False, _DEFINED)


def _fleiss_from_counts(counts: np.ndarray, weights: np.ndarray) -> _Estimate:
    pairable_units, percent, shares = _agreement_terms(counts, weights)
    chance = (shares**2).sum(axis=-1)
    kappa = _chance_corrected(percent, chance)
    no_variation = chance >= 1 - _CHANCE_TOLERANCE
    return _guarded(kappa, pairable_units, no_variation, _NO_VARIATION)


def _gwet_from_counts(counts: np.ndarray, weights: np.ndarray) -> _Estimate:
    pairable_units, percent, shares = _agreement_terms(counts, weights)
    n_categories = counts.shape[-1]
    chance = (shares * (1 - shares)).sum(axis=-1) / max(n_categories - 1, 1)
    ac1 = _chance_corrected(percent, chance)
    return _guarded(ac1, pairable_units, n_categories < 2, _TOO_FEW_CATEGORIES)


def _brennan_prediger_from_counts(counts: np.ndarray, weights: np.ndarray) -> _Estimate:
    pairable_units, percent, _ = _agreement_terms(counts, weights)
    n_categories = counts.shape[-1]
    coefficient = _chance_corrected(percent, 1 / max(n_categories, 1))
    return _guarded(coefficient, pairable_units, n_categories < 2, _TOO_FEW_CATEGORIES)


def _squared_distances(
    level: Level, domain: np.ndarray, value_totals: np.ndarray
) -> np.ndarray:
    """Krippendorff's (2011) metric differences delta^2 between categories."""
    if level == "nominal":
        return 1 - np.eye(len(domain))
    if level == "ordinal":
        # (sum_{g=c..k} n_g - (n_c + n_k)/2)^2 equals the squared gap between the
        # "midpoints" cumsum(n) - n/2 of categories c and k.
        midpoints = np.cumsum(value_totals, axis=-1) - value_totals / 2
        return (midpoints[..., None, :] - midpoints[..., :, None]) ** 2
    difference = domain[:, None] - domain[None, :]
    if level == "interval":
        return difference**2
    total = domain[:, None] + domain[None, :]
    ratio = np.divide(difference, total, out=np.zeros_like(total), where=total != 0)
    return ratio**2


def _alpha_from_counts(
    counts: np.ndarray, weights: np.ndarray, level: Level, domain: np.ndarray
) -> _Estimate:
    """Krippendorff's alpha = 1 - (n - 1) sum(o * delta) / sum(n_c n_k delta)."""
    ratings = _row_totals(counts)
    pairable = ratings >= 2
    pair_weight = np.divide(
        1.0, ratings - 1, out=np.zeros_like(ratings), where=pairable
    )
    pairable_units = weights @ pairable.astype(float)
    # o_ck = sum_u (n_uc n_uk - [c == k] n_uc) / (m_u - 1), over units with m_u >= 2.
    unit_weights = weights * pair_weight
    coincidences = np.swapaxes(unit_weights[..., :, None] * counts, -1, -2) @ counts
    diagonal = np.arange(counts.shape[-1])
    coincidences[..., diagonal, diagonal] -= unit_weights @ counts
    value_totals = coincidences.sum(axis=-1)
    n_values = value_totals.sum(axis=-1)
    distances = _squared_distances(level, domain, value_totals)
    observed = (coincidences * distances).sum(axis=(-2, -1))
    expected = (
        value_totals[..., :, None] * value_totals[..., None, :] * distances
    ).sum(axis=(-2, -1))
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1 - (n_values - 1) * observed / expected
    return _guarded(alpha, pairable_units, expected <= 0, _NO_VARIATION)


def _cohen_from_pair_states(state_weights: np.ndarray, n_categories: int) -> _Estimate:
    """Cohen's kappa from unit counts per (coder 1, coder 2) state, last = uncoded."""
    side = n_categories + 1
    shape = (*state_weights.shape[:-1], side, side)
    tables = state_weights.reshape(shape)[..., :-1, :-1]
    rated_units = tables.sum(axis=(-2, -1))
    with np.errstate(divide="ignore", invalid="ignore"):
        observed = np.trace(tables, axis1=-2, axis2=-1) / rated_units
        chance = (tables.sum(axis=-1) * tables.sum(axis=-2)).sum(axis=-1) / (
            rated_units**2
        )
    kappa = _chance_corrected(observed, chance)
    no_variation = chance >= 1 - _CHANCE_TOLERANCE
    return _guarded(kappa, rated_units, no_variation, _NO_VARIATION)


# Public scalar coefficients.


def _scalar(name: str, value: np.ndarray, reason: np.ndarray) -> float:
    if reason != _DEFINED:
        warnings.warn(
            f"{name} is undefined for these ratings and returned as NaN: "
            f"{_REASONS[int(reason)]}.",
            AgreementWarning,
            stacklevel=3,
        )
    return float(value)


def _counts_and_categories(
    matrix: RatingMatrix, categories: Sequence[Any] | None
) -> tuple[np.ndarray, np.ndarray]:
    codes, domain = _encode(matrix, categories)
    return _category_counts(codes, len(domain)), domain


def _each_unit_once(counts: np.ndarray) -> np.ndarray:
    return np.ones(counts.shape[0])


def percent_agreement(
    matrix: RatingMatrix, categories: Sequence[Any] | None = None
) -> float:
    """Share of agreeing coder pairs, averaged over units: the uncorrected baseline.

    Convention (Gwet 2014, Handbook of Inter-Rater Reliability, 4th ed.): for each
    unit with r_i >= 2 ratings, the share of its r_i(r_i - 1) ordered coder pairs
    that agree, sum_k r_ik(r_ik - 1) / r_i(r_i - 1); then the plain mean over those
    units. Units with fewer than two ratings drop out. With two coders and no
    missing data this is the share of units both coders put in the same category.

    Args:
        matrix: Units x coders; a category per cell, None or NaN where a coder did
            not code the unit.
        categories: Possible categories; they do not change this coefficient.

    Returns:
        A value in [0, 1]; NaN (with an AgreementWarning) for fewer than two
        comparable units.
    """
    counts, _ = _counts_and_categories(matrix, categories)
    value, reason = _percent_from_counts(counts, _each_unit_once(counts))
    return _scalar("percent_agreement", value, reason)


def cohen_kappa(matrix: RatingMatrix, categories: Sequence[Any] | None = None) -> float:
    """Cohen's (1960) kappa for two coders, chance from each coder's own marginals.

    kappa = (p_o - p_e) / (1 - p_e) with p_o the share of units both coders put in
    the same category and p_e = sum_k p_1k p_2k (Cohen 1960, Educational and
    Psychological Measurement 20). Missing data: only units rated by both coders
    count, for p_o and for the marginals.

    Args:
        matrix: Units x 2 coders; None or NaN where a coder did not code the unit.
        categories: Possible categories; declaring unused ones changes nothing.

    Returns:
        A value in [-1, 1]; NaN (with an AgreementWarning) when fewer than two units
        were rated by both coders or both coders used one and the same category.

    Raises:
        ValueError: If the matrix does not have exactly two columns.
    """
    codes, domain = _encode(matrix, categories)
    if codes.shape[1] != 2:
        raise ValueError(f"Cohen's kappa needs exactly 2 coders, got {codes.shape[1]}")
    states = _pair_state_frequencies(codes, len(domain))
    value, reason = _cohen_from_pair_states(states, len(domain))
    return _scalar("cohen_kappa", value, reason)


def fleiss_kappa(
    matrix: RatingMatrix, categories: Sequence[Any] | None = None
) -> float:
    """Fleiss' (1971) kappa for any number of coders, chance from pooled shares.

    kappa = (p_a - p_e) / (1 - p_e), p_e = sum_k pi_k^2 (Fleiss 1971, Psychological
    Bulletin 76). Missing ratings follow Gwet (2014, Handbook of Inter-Rater
    Reliability, 4th ed.): p_a as in `percent_agreement` (units with r_i >= 2),
    pi_k = mean of r_ik / r_i over all units with at least one rating. Without
    missing data this is exactly Fleiss' 1971 kappa.

    Args:
        matrix: Units x coders; None or NaN where a coder did not code the unit.
        categories: Possible categories; unused ones do not change kappa.

    Returns:
        The coefficient (at most 1; it can fall below -1 only with missing data);
        NaN (with an AgreementWarning) for fewer than two comparable units or when
        all ratings fall into one category.
    """
    counts, _ = _counts_and_categories(matrix, categories)
    value, reason = _fleiss_from_counts(counts, _each_unit_once(counts))
    return _scalar("fleiss_kappa", value, reason)


def gwet_ac1(matrix: RatingMatrix, categories: Sequence[Any] | None = None) -> float:
    """Gwet's AC1, which stays stable when one category dominates (kappa paradox).

    AC1 = (p_a - p_e) / (1 - p_e), p_e = sum_k pi_k (1 - pi_k) / (q - 1) with q the
    number of possible categories (Gwet 2008, British Journal of Mathematical and
    Statistical Psychology 61, 29-48). Missing ratings follow Gwet (2014, Handbook
    of Inter-Rater Reliability, 4th ed.): p_a as in `percent_agreement`, pi_k the
    mean of r_ik / r_i over all units with at least one rating.

    Args:
        matrix: Units x coders; None or NaN where a coder did not code the unit.
        categories: Possible categories. q counts them, used or not, so declare
            them: e.g. [0, 1] for a code applied / not applied.

    Returns:
        A value in [-1, 1]; NaN (with an AgreementWarning) for fewer than two
        comparable units or fewer than two categories.
    """
    counts, _ = _counts_and_categories(matrix, categories)
    value, reason = _gwet_from_counts(counts, _each_unit_once(counts))
    return _scalar("gwet_ac1", value, reason)


def brennan_prediger(
    matrix: RatingMatrix, categories: Sequence[Any] | None = None
) -> float:
    """Brennan and Prediger's (1981) coefficient, chance agreement fixed at 1/q.

    BP = (p_a - 1/q) / (1 - 1/q) with q the number of possible categories (Brennan
    & Prediger 1981, Educational and Psychological Measurement 41). Missing
    ratings: p_a as in `percent_agreement` (Gwet 2014, Handbook of Inter-Rater
    Reliability, 4th ed.).

    Args:
        matrix: Units x coders; None or NaN where a coder did not code the unit.
        categories: Possible categories. q counts them, used or not, so declare
            them.

    Returns:
        A value in [-1, 1]; NaN (with an AgreementWarning) for fewer than two
        comparable units or fewer than two categories.
    """
    counts, _ = _counts_and_categories(matrix, categories)
    value, reason = _brennan_prediger_from_counts(counts, _each_unit_once(counts))
    return _scalar("brennan_prediger", value, reason)


def _alpha_inputs(
    matrix: RatingMatrix, level: Level, categories: Sequence[Any] | None
) -> tuple[np.ndarray, np.ndarray]:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
    counts, domain = _counts_and_categories(matrix, categories)
    if level != "nominal" and domain.size and not _is_numeric(domain):
        raise ValueError(f"{level} alpha needs numeric categories")
    if level == "ratio" and (domain < 0).any():
        raise ValueError("ratio alpha needs non-negative values")
    return counts, domain


def krippendorff_alpha(
    matrix: RatingMatrix,
    level: Level = "nominal",
    categories: Sequence[Any] | None = None,
) -> float:
    """Krippendorff's alpha at any level of measurement, from the coincidence matrix.

    alpha = 1 - D_o / D_e = 1 - (n - 1) sum_ck o_ck delta_ck / sum_ck n_c n_k
    delta_ck (Krippendorff 2011, "Computing Krippendorff's alpha-reliability").
    delta^2 is 1 for unequal categories (nominal), (c - k)^2 (interval),
    ((c - k) / (c + k))^2 (ratio) or (sum_{g=c..k} n_g - (n_c + n_k)/2)^2
    (ordinal, ranks by value). Missing data: only pairable values count, so units
    with fewer than two ratings drop out.

    Args:
        matrix: Units x coders; None or NaN where a coder did not code the unit.
        level: "nominal", "ordinal", "interval" or "ratio"; all but nominal need
            numeric categories, ratio non-negative ones.
        categories: Possible categories; unused ones do not change alpha.

    Returns:
        The coefficient (at most 1); NaN (with an AgreementWarning) for fewer than
        two units with pairable values or when all pairable values are equal.

    Raises:
        ValueError: For an unknown level or categories that do not fit it.
    """
    counts, domain = _alpha_inputs(matrix, level, categories)
    value, reason = _alpha_from_counts(counts, _each_unit_once(counts), level, domain)
    return _scalar("krippendorff_alpha", value, reason)


# Many binary codes at once: (codes, units, coders), 1 = applied, 0 = not applied.


@dataclass(frozen=True)
class _BinaryStates:
    """Units of every code summarised as frequencies of a few rating states."""

    counts: np.ndarray  # states x 2: ratings "not applied", "applied" per state
    frequencies: np.ndarray  # codes x states: units of the code in each state
    n_coders: int


_BINARY = np.array([0.0, 1.0])


def _coder_totals(flags: np.ndarray) -> np.ndarray:
    # Adding the few coder slices beats .sum(axis=-1) along a short axis.
    totals = np.zeros(flags.shape[:-1], dtype=np.intp)
    for coder in range(flags.shape[-1]):
        totals += flags[..., coder]
    return totals


def _binary_states(codings: npt.ArrayLike) -> _BinaryStates:
    """Turn a (codes, units, coders) 0/1 array into state frequencies per code.

    Two coders keep their identity (states are (coder 1, coder 2) pairs, 2 meaning
    uncoded) so Cohen's kappa can be computed; otherwise a state is (ratings,
    applied) per unit, enough for every count-based coefficient.
    """
    if isinstance(codings, np.ma.MaskedArray):
        ratings = codings.astype(float).filled(np.nan)
    else:
        ratings = np.asarray(codings, dtype=float)
    if ratings.ndim != 3:
        raise ValueError(f"expected (codes, units, coders), got shape {ratings.shape}")
    applied = ratings == 1
    coded = applied | (ratings == 0)
    if not (coded | np.isnan(ratings)).all():
        raise ValueError("codings must be 0, 1, or NaN / masked for missing")
    n_codes, _, n_coders = ratings.shape
    if n_coders == 2:
        rating = np.where(coded, applied, 2)
        unit_states = rating[..., 0] * 3 + rating[..., 1]
        pair_ratings = np.stack(np.divmod(np.arange(9), 3), axis=-1)
        counts = np.stack([(pair_ratings == value).sum(axis=-1) for value in (0, 1)])
    else:
        n_rated = _coder_totals(coded)
        unit_states = n_rated * (n_rated + 1) // 2 + _coder_totals(applied)
        state_ratings = np.repeat(np.arange(n_coders + 1), np.arange(1, n_coders + 2))
        state_applied = np.arange(state_ratings.size) - (
            state_ratings * (state_ratings + 1) // 2
        )
        counts = np.stack([state_ratings - state_applied, state_applied])
    n_states = counts.shape[1]
    offsets = n_states * np.arange(n_codes)[:, None]
    frequencies = np.bincount(
        (unit_states + offsets).ravel(), minlength=n_codes * n_states
    )
    return _BinaryStates(
        counts=counts.T.astype(float),
        frequencies=frequencies.reshape(n_codes, n_states).astype(float),
        n_coders=n_coders,
    )


def _binary_coefficients(
    states: _BinaryStates, weights: np.ndarray
) -> dict[str, _Estimate]:
    counts = states.counts
    results = {"percent_agreement": _percent_from_counts(counts, weights)}
    if states.n_coders == 2:
        results["cohen_kappa"] = _cohen_from_pair_states(weights, 2)
    results["fleiss_kappa"] = _fleiss_from_counts(counts, weights)
    results["krippendorff_alpha"] = _alpha_from_counts(
        counts, weights, "nominal", _BINARY
    )
    results["gwet_ac1"] = _gwet_from_counts(counts, weights)
    results["brennan_prediger"] = _brennan_prediger_from_counts(counts, weights)
    return results


def _warn_per_code(name: str, reasons: np.ndarray) -> None:
    undefined = np.flatnonzero(reasons)
    if undefined.size:
        causes = "; ".join(_REASONS[int(r)] for r in np.unique(reasons[undefined]))
        warnings.warn(
            f"{name} is NaN for {undefined.size} of {reasons.size} codes "
            f"(indices {undefined.tolist()}): {causes}.",
            AgreementWarning,
            stacklevel=3,
        )


def per_code_agreement(codings: npt.ArrayLike) -> dict[str, np.ndarray]:
    """Every coefficient for every code of a codebook at once, vectorised over codes.

    Each code is a binary variable (applied / not applied), so the categories are
    always [0, 1] and q = 2; the values equal the scalar functions called with
    `categories=[0, 1]` on each code's units x coders slice, with the same
    missing-data conventions.

    Args:
        codings: Array shaped (codes, units, coders) of 0/1 or booleans, NaN or
            masked where a coder did not code the unit.

    Returns:
        Dict of coefficient name -> 1-D array over codes: "percent_agreement",
        "cohen_kappa" (only for exactly two coders), "fleiss_kappa",
        "krippendorff_alpha" (nominal), "gwet_ac1", "brennan_prediger". Undefined
        values are NaN, with one AgreementWarning per coefficient.
    """
    states = _binary_states(codings)
    coefficients = {}
    for name, (values, reasons) in _binary_coefficients(
        states, states.frequencies
    ).items():
        _warn_per_code(name, reasons)
        coefficients[name] = values
    return coefficients
