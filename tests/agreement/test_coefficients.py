"""Tests for the inter-coder agreement coefficients in coder.agreement."""

import functools
import math
import warnings

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats import inter_rater

from coder.agreement import (
    LEVELS,
    AgreementWarning,
    bootstrap_ci,
    brennan_prediger,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    per_code_agreement,
    per_code_bootstrap_ci,
    percent_agreement,
)
from coder.agreement import bootstrap as internals

nan = np.nan

NOMINAL_COEFFICIENTS = [
    percent_agreement,
    fleiss_kappa,
    krippendorff_alpha,
    gwet_ac1,
    brennan_prediger,
]

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", example C:
# 4 coders x 12 units with missing values, shown here as units x coders.
KRIPPENDORFF_2011 = np.array(
    [
        [1, 1, nan, 1],
        [2, 2, 3, 2],
        [3, 3, 3, 3],
        [3, 3, 3, 3],
        [2, 2, 2, 2],
        [1, 2, 3, 4],
        [4, 4, 4, 4],
        [1, 1, 2, 1],
        [2, 2, 2, 2],
        [nan, 5, 5, 5],
        [nan, nan, 1, 1],
        [nan, 3, nan, nan],
    ]
)

# Fleiss (1971), Psychological Bulletin 76, table 1: 30 patients, 6 psychiatrists,
# 5 diagnoses; the paper prints only counts of raters per patient and diagnosis.
FLEISS_1971_COUNTS = np.array(
    [
        [0, 0, 0, 6, 0],
        [0, 3, 0, 0, 3],
        [0, 1, 4, 0, 1],
        [0, 0, 0, 0, 6],
        [0, 3, 0, 3, 0],
        [2, 0, 4, 0, 0],
        [0, 0, 4, 0, 2],
        [2, 0, 3, 1, 0],
        [2, 0, 0, 4, 0],
        [0, 0, 0, 0, 6],
        [1, 0, 0, 5, 0],
        [1, 1, 0, 4, 0],
        [0, 3, 3, 0, 0],
        [1, 0, 0, 5, 0],
        [0, 2, 0, 3, 1],
        [0, 0, 5, 0, 1],
        [3, 0, 0, 1, 2],
        [5, 1, 0, 0, 0],
        [0, 2, 0, 4, 0],
        [1, 0, 2, 0, 3],
        [0, 0, 0, 0, 6],
        [0, 1, 0, 5, 0],
        [0, 2, 0, 1, 3],
        [2, 0, 0, 4, 0],
        [1, 0, 0, 4, 1],
        [0, 5, 0, 1, 0],
        [4, 0, 0, 0, 2],
        [0, 2, 0, 4, 0],
        [1, 0, 5, 0, 0],
        [0, 0, 0, 0, 6],
    ]
)

# Hand example, 2 coders x 8 units, categories a and b:
#   units 1-5 (a, a), unit 6 (a, b), unit 7 (b, b), unit 8 (b, a).
#   p_a = 6/8 = 0.75; pooled shares pi_a = 12/16 = 0.75, pi_b = 0.25.
#   Gwet AC1, q = 2: p_e = (0.75*0.25 + 0.25*0.75) / 1 = 0.375
#                    AC1 = (0.75 - 0.375) / 0.625 = 0.6
#   Gwet AC1, q = 3 (c declared, unused): p_e = 0.375 / 2 = 0.1875
#                    AC1 = 0.5625 / 0.8125 = 9/13
#   Brennan-Prediger: q = 2 -> (0.75 - 1/2) / (1/2) = 0.5
#                     q = 3 -> (0.75 - 1/3) / (2/3) = 0.625
#   Fleiss: p_e = 0.75^2 + 0.25^2 = 0.625 -> 0.125 / 0.375 = 1/3
#   Cohen: both coders 6 a / 2 b, p_e = 0.625 again -> 1/3
#   Krippendorff nominal: n = 16, n_a = 12, n_b = 4, o_ab = o_ba = 2,
#                    alpha = 1 - 15 * 4 / (256 - 144 - 16) = 0.375
HAND_EXAMPLE = [["a", "a"]] * 5 + [["a", "b"], ["b", "b"], ["b", "a"]]


def quietly(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AgreementWarning)
        return function(*args, **kwargs)


def matrix_from_counts(counts):
    """One row per unit, each category repeated as often as it was chosen."""
    categories = np.arange(counts.shape[1])
    return np.array([np.repeat(categories, row) for row in counts])


def same(a, b, tolerance=1e-12):
    return (math.isnan(a) and math.isnan(b)) or abs(a - b) <= tolerance


# Published worked examples.


@pytest.mark.parametrize(
    ("level", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_2011_example(level, published):
    assert round(krippendorff_alpha(KRIPPENDORFF_2011, level), 3) == published


def test_krippendorff_2011_example_values_exactly():
    # n = 40 pairable values, sum n_c^2 = 384, disagreeing coincidences 8:
    # nominal alpha = 1 - 39 * 8 / (1600 - 384) = 113/152.
    assert krippendorff_alpha(KRIPPENDORFF_2011) == pytest.approx(113 / 152, abs=1e-15)
    assert krippendorff_alpha(KRIPPENDORFF_2011, "interval") == pytest.approx(
        0.8491071428571428, abs=1e-15
    )


def test_krippendorff_2011_binary_two_coders():
    # Krippendorff (2011), example A: binary data, two observers, alpha = 0.095.
    coder_a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    coder_b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    alpha = krippendorff_alpha(np.column_stack([coder_a, coder_b]))
    assert round(alpha, 3) == 0.095
    assert alpha == pytest.approx(2 / 21, abs=1e-15)


def test_krippendorff_text_categories_with_none():
    labels = {1: "very low", 2: "low", 3: "mid", 4: "high", 5: "very high"}
    text = [
        [None if math.isnan(value) else labels[int(value)] for value in unit]
        for unit in KRIPPENDORFF_2011
    ]
    assert round(krippendorff_alpha(text), 3) == 0.743


def test_gwet_2014_conventions_on_krippendorff_example():
    # Gwet (2014) handbook / irrCAC on the same 12 units: p_a = 0.818,
    # Fleiss kappa 0.761, AC1 0.775, Brennan-Prediger 0.773.
    assert percent_agreement(KRIPPENDORFF_2011) == pytest.approx(9 / 11, abs=1e-15)
    assert round(fleiss_kappa(KRIPPENDORFF_2011), 3) == 0.761
    assert round(gwet_ac1(KRIPPENDORFF_2011), 3) == 0.775
    assert round(brennan_prediger(KRIPPENDORFF_2011), 3) == 0.773
    assert brennan_prediger(KRIPPENDORFF_2011) == pytest.approx(17 / 22, abs=1e-15)


def test_fleiss_1971_example():
    matrix = matrix_from_counts(FLEISS_1971_COUNTS)
    kappa = fleiss_kappa(matrix)
    assert round(kappa, 3) == 0.430
    assert kappa == pytest.approx(
        inter_rater.fleiss_kappa(FLEISS_1971_COUNTS), abs=1e-12
    )


def test_fleiss_wikipedia_example():
    # 10 subjects, 14 raters, 5 categories; Fleiss' kappa 0.210.
    counts = np.array(
        [
            [0, 0, 0, 0, 14],
            [0, 2, 6, 4, 2],
            [0, 0, 3, 5, 6],
            [0, 3, 9, 2, 0],
            [2, 2, 8, 1, 1],
            [7, 7, 0, 0, 0],
            [3, 2, 6, 3, 0],
            [2, 5, 3, 2, 2],
            [6, 5, 2, 1, 0],
            [0, 2, 2, 3, 7],
        ]
    )
    kappa = fleiss_kappa(matrix_from_counts(counts))
    assert round(kappa, 3) == 0.210
    assert kappa == pytest.approx(inter_rater.fleiss_kappa(counts), abs=1e-12)


def test_cohen_two_by_two_example():
    # 50 units: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no.  p_o = 0.7,
    # p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5, kappa = 0.4.
    matrix = [["yes", "yes"]] * 20 + [["yes", "no"]] * 5
    matrix += [["no", "yes"]] * 10 + [["no", "no"]] * 15
    kappa = cohen_kappa(matrix)
    assert kappa == pytest.approx(0.4, abs=1e-15)
    first, second = zip(*matrix, strict=True)
    assert kappa == pytest.approx(cohen_kappa_score(first, second), abs=1e-15)


def test_cohen_uses_only_units_both_coders_rated():
    rng = np.random.default_rng(7)
    matrix = rng.integers(0, 4, size=(200, 2)).astype(float)
    matrix[rng.random(200) < 0.5, 1] = rng.integers(0, 4, size=1)  # some agreement
    matrix[rng.random(matrix.shape) < 0.2] = nan
    both = ~np.isnan(matrix).any(axis=1)
    expected = cohen_kappa_score(matrix[both, 0], matrix[both, 1])
    assert cohen_kappa(matrix) == pytest.approx(expected, abs=1e-12)


def test_hand_example():
    assert percent_agreement(HAND_EXAMPLE) == 0.75
    assert gwet_ac1(HAND_EXAMPLE) == pytest.approx(0.6, abs=1e-15)
    assert gwet_ac1(HAND_EXAMPLE, categories="abc") == pytest.approx(9 / 13, abs=1e-15)
    assert brennan_prediger(HAND_EXAMPLE) == pytest.approx(0.5, abs=1e-15)
    assert brennan_prediger(HAND_EXAMPLE, categories="abc") == pytest.approx(
        0.625, abs=1e-15
    )
    assert fleiss_kappa(HAND_EXAMPLE) == pytest.approx(1 / 3, abs=1e-15)
    assert cohen_kappa(HAND_EXAMPLE) == pytest.approx(1 / 3, abs=1e-15)
    assert krippendorff_alpha(HAND_EXAMPLE) == pytest.approx(0.375, abs=1e-15)


def test_missing_data_conventions_for_gwet_style_coefficients():
    # Eight units coded "a" by one coder only, then (a, b) and (b, a).
    # p_a over the two units with >= 2 ratings: 0.  Shares over all ten rated
    # units: pi_a = (8 + 0.5 + 0.5) / 10 = 0.9, pi_b = 0.1.
    # Fleiss: p_e = 0.82 -> (0 - 0.82) / 0.18 = -41/9 (below -1, by convention).
    # AC1: p_e = 2 * 0.9 * 0.1 = 0.18 -> -0.18 / 0.82 = -9/41.
    # Krippendorff ignores the single ratings: n_a = n_b = 2, alpha = 1 - 3*4/8.
    matrix = [["a", None]] * 8 + [["a", "b"], ["b", "a"]]
    assert percent_agreement(matrix) == 0.0
    assert fleiss_kappa(matrix) == pytest.approx(-41 / 9, abs=1e-12)
    assert gwet_ac1(matrix) == pytest.approx(-9 / 41, abs=1e-12)
    assert brennan_prediger(matrix) == pytest.approx(-1.0, abs=1e-15)
    assert krippendorff_alpha(matrix) == pytest.approx(-0.5, abs=1e-15)


def test_percent_agreement_weights_units_equally():
    # Unit 1: 3 ratings, pairs agree 2 of 6; unit 2: (x, x) agrees; unit 3 drops.
    matrix = [["x", "x", "y"], ["x", None, "x"], [None, "y", None]]
    assert percent_agreement(matrix) == pytest.approx((1 / 3 + 1) / 2, abs=1e-15)


# Agreement with the krippendorff package.


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("seed", range(8))
def test_matches_krippendorff_package(level, seed):
    rng = np.random.default_rng(seed)
    n_units, n_coders = rng.integers(5, 60), rng.integers(2, 6)
    matrix = rng.integers(0, 7, size=(n_units, n_coders)).astype(float)
    matrix[rng.random(matrix.shape) < 0.3] = nan
    expected = krippendorff.alpha(reliability_data=matrix.T, level_of_measurement=level)
    assert krippendorff_alpha(matrix, level) == pytest.approx(expected, abs=1e-9)


def test_declared_unused_categories_leave_alpha_unchanged():
    for level in LEVELS:
        declared = krippendorff_alpha(KRIPPENDORFF_2011, level, categories=range(8))
        assert declared == pytest.approx(
            krippendorff_alpha(KRIPPENDORFF_2011, level), abs=1e-12
        )


# Input forms.


def test_input_forms_agree():
    as_list = [
        [None if math.isnan(v) else int(v) for v in row] for row in KRIPPENDORFF_2011
    ]
    as_object = np.array(as_list, dtype=object)
    masked = np.ma.masked_invalid(KRIPPENDORFF_2011)
    expected = krippendorff_alpha(KRIPPENDORFF_2011)
    for matrix in (as_list, as_object, masked):
        assert krippendorff_alpha(matrix) == expected


def test_boolean_ratings_match_declared_zero_one():
    matrix = np.array([[True, True], [False, True], [False, False], [True, True]])
    assert gwet_ac1(matrix) == gwet_ac1(matrix.astype(int), categories=[0, 1])


def test_invalid_inputs_raise():
    with pytest.raises(ValueError, match="exactly 2 coders"):
        cohen_kappa(KRIPPENDORFF_2011)
    with pytest.raises(ValueError, match="undeclared"):
        fleiss_kappa(KRIPPENDORFF_2011, categories=[1, 2, 3])
    with pytest.raises(ValueError, match="different kinds"):
        fleiss_kappa(KRIPPENDORFF_2011, categories=["a", "b"])
    with pytest.raises(ValueError, match="level must be one of"):
        krippendorff_alpha(KRIPPENDORFF_2011, "cardinal")
    with pytest.raises(ValueError, match="numeric categories"):
        krippendorff_alpha(HAND_EXAMPLE, "ordinal")
    with pytest.raises(ValueError, match="non-negative"):
        krippendorff_alpha([[-1, 1], [2, 2]], "ratio")
    with pytest.raises(ValueError, match="units x coders"):
        percent_agreement([1, 2, 3])


# Degenerate cases: NaN and an AgreementWarning, never a made-up value.

ALL_COEFFICIENTS = [*NOMINAL_COEFFICIENTS, cohen_kappa]
CHANCE_CORRECTED = [fleiss_kappa, krippendorff_alpha, cohen_kappa]


@pytest.mark.parametrize("coefficient", [*CHANCE_CORRECTED, gwet_ac1, brennan_prediger])
def test_single_category_gives_nan(coefficient):
    with pytest.warns(AgreementWarning, match="one category|fewer than two categ"):
        assert math.isnan(coefficient([["a", "a"], ["a", "a"], ["a", None]]))


def test_single_category_percent_agreement_is_observed_agreement():
    with warnings.catch_warnings():
        warnings.simplefilter("error", AgreementWarning)
        assert percent_agreement([["a", "a"], ["a", "a"]]) == 1.0


@pytest.mark.parametrize("coefficient", [gwet_ac1, brennan_prediger])
def test_declared_categories_define_chance_for_one_used_category(coefficient):
    with warnings.catch_warnings():
        warnings.simplefilter("error", AgreementWarning)
        assert coefficient([["a", "a"], ["a", "a"]], categories=["a", "b"]) == 1.0


@pytest.mark.parametrize("coefficient", CHANCE_CORRECTED)
def test_declared_categories_do_not_rescue_kappa_or_alpha(coefficient):
    with pytest.warns(AgreementWarning, match="one category"):
        value = coefficient([["a", "a"], ["a", "a"]], categories=["a", "b"])
    assert math.isnan(value)


@pytest.mark.parametrize("coefficient", ALL_COEFFICIENTS)
def test_single_unit_gives_nan(coefficient):
    with pytest.warns(AgreementWarning, match="fewer than two units"):
        assert math.isnan(coefficient([["a", "b"]]))


@pytest.mark.parametrize("coefficient", ALL_COEFFICIENTS)
def test_no_pairable_values_gives_nan(coefficient):
    with pytest.warns(AgreementWarning, match="fewer than two units"):
        assert math.isnan(coefficient([["a", None], [None, "b"], ["b", None]]))


@pytest.mark.parametrize("coefficient", ALL_COEFFICIENTS)
def test_all_missing_gives_nan(coefficient):
    with pytest.warns(AgreementWarning):
        assert math.isnan(coefficient([[None, None], [nan, None]]))


@pytest.mark.parametrize("level", LEVELS)
def test_zero_expected_disagreement_gives_nan(level):
    matrix = [[2, 2], [2, 2], [2, nan], [3, nan]]  # 3 is never pairable
    with pytest.warns(AgreementWarning, match="expected disagreement is 0"):
        assert math.isnan(krippendorff_alpha(matrix, level, categories=[1, 2, 3]))


# Properties.


def rating_matrices(max_coders=4, missing=True):
    cells = [0.0, 1.0, 2.0, 3.0] + ([nan] if missing else [])
    shapes = st.tuples(st.integers(1, 12), st.integers(2, max_coders))
    return arrays(np.float64, shapes, elements=st.sampled_from(cells))


@st.composite
def perfect_agreement_matrices(draw):
    n_units = draw(st.integers(2, 12))
    n_coders = draw(st.integers(2, 4))
    others = st.lists(st.integers(0, 3), min_size=n_units - 2, max_size=n_units - 2)
    categories = [0, 1, *draw(others)]
    matrix = np.repeat(np.array(categories, dtype=float)[:, None], n_coders, axis=1)
    missing = draw(arrays(np.bool_, matrix.shape))
    missing[:2] = False  # two comparable units in different categories
    matrix[missing] = nan
    return matrix


@given(perfect_agreement_matrices())
def test_perfect_agreement_gives_one(matrix):
    for coefficient in NOMINAL_COEFFICIENTS:
        assert coefficient(matrix) == pytest.approx(1.0, abs=1e-12)
    for level in LEVELS:
        assert krippendorff_alpha(matrix, level) == pytest.approx(1.0, abs=1e-12)
    assert cohen_kappa(matrix[:, :2]) == pytest.approx(1.0, abs=1e-12)


@given(rating_matrices(), st.permutations(range(4)))
def test_relabelling_categories_changes_nothing(matrix, permutation):
    labels = [f"code {k}" for k in permutation]
    relabelled = [
        [None if math.isnan(v) else labels[int(v)] for v in row] for row in matrix
    ]
    for coefficient in NOMINAL_COEFFICIENTS:
        assert same(quietly(coefficient, matrix), quietly(coefficient, relabelled))
        assert same(
            quietly(coefficient, matrix, categories=range(4)),
            quietly(coefficient, relabelled, categories=labels),
        )
    assert same(
        quietly(cohen_kappa, matrix[:, :2]),
        quietly(cohen_kappa, [row[:2] for row in relabelled]),
    )


@given(rating_matrices(), st.randoms(use_true_random=False))
def test_coder_order_changes_nothing(matrix, random):
    order = list(range(matrix.shape[1]))
    random.shuffle(order)
    shuffled = matrix[:, order]
    for coefficient in NOMINAL_COEFFICIENTS:
        assert same(quietly(coefficient, matrix), quietly(coefficient, shuffled))
    for level in LEVELS:
        assert same(
            quietly(krippendorff_alpha, matrix, level),
            quietly(krippendorff_alpha, shuffled, level),
        )
    assert same(
        quietly(cohen_kappa, matrix[:, :2]), quietly(cohen_kappa, matrix[:, 1::-1])
    )


def within(value, low, high):
    return math.isnan(value) or low - 1e-12 <= value <= high + 1e-12


@given(rating_matrices())
def test_results_stay_in_range(matrix):
    assert within(quietly(percent_agreement, matrix), 0, 1)
    for coefficient in (gwet_ac1, brennan_prediger):
        assert within(quietly(coefficient, matrix), -1, 1)
    for level in LEVELS:
        assert within(quietly(krippendorff_alpha, matrix, level), -1, 1)
    assert within(quietly(cohen_kappa, matrix[:, :2]), -1, 1)


@given(rating_matrices(missing=False))
def test_fleiss_in_range_without_missing_data(matrix):
    # With missing data Gwet's convention can push Fleiss' kappa below -1.
    assert within(quietly(fleiss_kappa, matrix), -1, 1)


# The per-code path.

SCALAR_BY_NAME = {
    "percent_agreement": percent_agreement,
    "cohen_kappa": cohen_kappa,
    "fleiss_kappa": fleiss_kappa,
    "krippendorff_alpha": krippendorff_alpha,
    "gwet_ac1": gwet_ac1,
    "brennan_prediger": brennan_prediger,
}


@settings(max_examples=60)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(1, 4), st.integers(1, 15), st.integers(2, 4)),
        elements=st.sampled_from([0.0, 1.0, nan]),
    )
)
def test_per_code_path_equals_scalar_functions(codings):
    table = quietly(per_code_agreement, codings)
    expected_names = set(SCALAR_BY_NAME) - (
        {"cohen_kappa"} if codings.shape[2] != 2 else set()
    )
    assert set(table) == expected_names
    for name, values in table.items():
        assert values.shape == (codings.shape[0],)
        for code, value in enumerate(values):
            scalar = quietly(SCALAR_BY_NAME[name], codings[code], categories=[0, 1])
            assert same(value, scalar), (name, code)


def test_per_code_accepts_booleans_and_masks():
    rng = np.random.default_rng(3)
    applied = rng.random((5, 40, 3)) < 0.3
    mask = rng.random(applied.shape) < 0.1
    from_mask = per_code_agreement(np.ma.masked_array(applied, mask))
    with_nan = applied.astype(float)
    with_nan[mask] = nan
    from_nan = per_code_agreement(with_nan)
    for name in from_mask:
        np.testing.assert_array_equal(from_mask[name], from_nan[name])


def test_per_code_warns_for_codes_never_applied():
    codings = np.zeros((2, 6, 2))
    codings[1, :3] = 1
    with pytest.warns(AgreementWarning, match=r"1 of 2 codes \(indices \[0\]\)"):
        table = per_code_agreement(codings)
    assert math.isnan(table["cohen_kappa"][0])
    assert math.isnan(table["krippendorff_alpha"][0])
    assert table["gwet_ac1"][0] == 1.0
    assert table["brennan_prediger"][0] == 1.0
    assert table["cohen_kappa"][1] == 1.0


def test_per_code_rejects_non_binary_codes():
    with pytest.raises(ValueError, match="0, 1"):
        per_code_agreement(np.full((1, 3, 2), 2.0))


# Bootstrap.


def bootstrap_matrix():
    rng = np.random.default_rng(11)
    truth = rng.integers(0, 3, size=120)
    matrix = np.column_stack([truth, truth, truth]).astype(float)
    noise = rng.random(matrix.shape) < 0.25
    matrix[noise] = rng.integers(0, 3, size=noise.sum())
    matrix[rng.random(matrix.shape) < 0.1] = nan
    return matrix


def test_bootstrap_is_reproducible_and_brackets_estimate():
    matrix = bootstrap_matrix()
    first = bootstrap_ci(krippendorff_alpha, matrix, n_boot=500, seed=5)
    assert first == bootstrap_ci(krippendorff_alpha, matrix, n_boot=500, seed=5)
    assert first != bootstrap_ci(krippendorff_alpha, matrix, n_boot=500, seed=6)
    low, high = first
    assert low < krippendorff_alpha(matrix) < high


@pytest.mark.parametrize(
    ("coefficient", "kwargs"),
    [
        (percent_agreement, {}),
        (fleiss_kappa, {}),
        (gwet_ac1, {"categories": [0, 1, 2, 3]}),
        (brennan_prediger, {}),
        (functools.partial(krippendorff_alpha, level="ordinal"), {}),
        (krippendorff_alpha, {"categories": [0, 1, 2, 5]}),
    ],
)
def test_vectorised_bootstrap_agrees_with_resampling_rows(coefficient, kwargs):
    matrix = bootstrap_matrix()
    fast = bootstrap_ci(coefficient, matrix, n_boot=2000, seed=1, **kwargs)
    slow = bootstrap_ci(
        lambda m, **kw: coefficient(m, **kw), matrix, n_boot=2000, seed=1, **kwargs
    )
    assert fast == pytest.approx(slow, abs=0.02)


def test_vectorised_bootstrap_agrees_with_resampling_rows_for_cohen():
    matrix = bootstrap_matrix()[:, :2]
    fast = bootstrap_ci(cohen_kappa, matrix, n_boot=2000, seed=1)
    slow = bootstrap_ci(lambda m: cohen_kappa(m), matrix, n_boot=2000, seed=1)
    assert fast == pytest.approx(slow, abs=0.02)


@pytest.mark.parametrize("coefficient", ALL_COEFFICIENTS)
def test_resampling_weights_count_copies_of_units(coefficient):
    # Weights of 2 for every profile must equal the matrix stacked on itself.
    matrix = (
        bootstrap_matrix()[:, :2] if coefficient is cohen_kappa else bootstrap_matrix()
    )
    plan = internals._resampling_plan(coefficient, matrix, {})
    assert float(plan.evaluate(plan.frequencies)) == pytest.approx(
        coefficient(matrix), abs=1e-12
    )
    doubled = coefficient(np.vstack([matrix, matrix]))
    assert float(plan.evaluate(2 * plan.frequencies)) == pytest.approx(
        doubled, abs=1e-12
    )


def test_bootstrap_of_undefined_coefficient_is_nan():
    with pytest.warns(AgreementWarning):
        low, high = bootstrap_ci(fleiss_kappa, [["a", "a"], ["a", "a"]], seed=0)
    assert math.isnan(low) and math.isnan(high)


def test_bootstrap_rejects_bad_arguments():
    with pytest.raises(ValueError, match="level"):
        bootstrap_ci(fleiss_kappa, HAND_EXAMPLE, level=95)
    with pytest.raises(ValueError, match="n_boot"):
        bootstrap_ci(fleiss_kappa, HAND_EXAMPLE, n_boot=0)


def test_per_code_bootstrap():
    rng = np.random.default_rng(2)
    codings = (rng.random((4, 150, 3)) < 0.3).astype(float)
    codings[1] = codings[1, :, :1]  # code 1: all coders agree
    codings[2] = 0  # code 2: never applied
    with pytest.warns(AgreementWarning):
        intervals = per_code_bootstrap_ci(codings, n_boot=400, seed=3)
    again = quietly(per_code_bootstrap_ci, codings, n_boot=400, seed=3)
    table = quietly(per_code_agreement, codings)
    for name, bounds in intervals.items():
        assert bounds.shape == (4, 2)
        np.testing.assert_array_equal(bounds, again[name])
        defined = ~np.isnan(table[name])
        assert np.isnan(bounds[~defined]).all()
        assert (bounds[defined, 0] <= table[name][defined] + 1e-12).all()
        assert (table[name][defined] <= bounds[defined, 1] + 1e-12).all()
    np.testing.assert_allclose(intervals["fleiss_kappa"][1], [1.0, 1.0])
    single = bootstrap_ci(
        fleiss_kappa, codings[0], n_boot=2000, seed=4, categories=[0, 1]
    )
    np.testing.assert_allclose(
        quietly(per_code_bootstrap_ci, codings, n_boot=2000, seed=4)["fleiss_kappa"][0],
        single,
        atol=0.02,
    )
