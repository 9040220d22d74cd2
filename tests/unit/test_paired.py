"""Paired differences, ratios of means (delta method) and Holm's correction
(sim/analysis/paired.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import binom

from sim.analysis.paired import (
    holm,
    independent_difference,
    paired_difference,
    ratio_of_means,
    relative_change,
)

# --- Holm -----------------------------------------------------------------------------------


def test_holm_hand_computed():
    # sorted: 0.005 x4 = 0.02; 0.01 x3 = 0.03; 0.03 x2 = 0.06; 0.04 x1 = 0.04 -> max 0.06
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])


def test_holm_reference_values():
    # 0.001 x5 = 0.005; 0.02 x4 = 0.08; 0.03 x3 = 0.09; 0.04 x2 = 0.08 -> 0.09; 0.2 x1 = 0.2
    assert holm([0.02, 0.001, 0.04, 0.03, 0.2]) == pytest.approx([0.08, 0.005, 0.09, 0.09, 0.2])


def test_holm_caps_at_one_and_leaves_untested_out_of_the_family():
    adjusted = holm([0.5, math.nan, 0.6])  # a family of 2: 0.5 x 2 = 1.0, then max(1.0, 0.6)
    assert adjusted[0] == 1.0 and adjusted[2] == 1.0 and math.isnan(adjusted[1])
    assert holm([]) == []
    assert holm([0.03]) == [0.03]


def test_holm_controls_the_family_wise_error():
    """Under the null (uniform p-values), Holm rejects anything in at most 5% of families."""
    rng = np.random.default_rng(3)
    families = 4000
    rejections = sum(min(holm(list(rng.uniform(size=8)))) < 0.05 for _ in range(families))
    # at most alpha (Holm is exact for independent tests only at the first step: <= 0.05)
    assert rejections <= binom.isf(0.001, families, 0.05)
    assert rejections >= binom.ppf(0.001, families, 0.03)  # not vacuously conservative


# --- paired differences ---------------------------------------------------------------------


def test_paired_difference_leaves_out_undefined_replications():
    base = [1.0, 2.0, math.nan, 4.0, 5.0]
    alt = [2.0, 2.5, 3.0, math.nan, 6.5]
    diff = paired_difference(base, alt)
    assert diff.n == 3
    assert diff.estimate == pytest.approx(np.mean([1.0, 0.5, 1.5]))
    sd = np.std([1.0, 0.5, 1.5], ddof=1)
    assert diff.high - diff.estimate == pytest.approx(4.302653 * sd / math.sqrt(3), rel=1e-5)


def test_paired_difference_with_too_few_pairs_has_no_interval():
    assert paired_difference([1.0, math.nan], [2.0, 3.0]).low is None
    assert paired_difference([math.nan], [1.0]).n == 0
    with pytest.raises(ValueError):
        paired_difference([1.0, 2.0], [1.0])


def test_constant_differences_are_certain():
    same = paired_difference([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    shifted = paired_difference([1.0, 2.0, 3.0], [2.0, 3.0, 4.0])
    assert same.p_value == 1.0 and (same.low, same.high) == (0.0, 0.0)
    assert shifted.p_value == 0.0 and shifted.estimate == 1.0


def test_pairing_removes_the_shared_noise():
    rng = np.random.default_rng(5)
    shared = rng.normal(10, 3, size=20)
    base, alt = shared + rng.normal(0, 0.1, 20), shared + 0.5 + rng.normal(0, 0.1, 20)
    paired, independent = paired_difference(base, alt), independent_difference(base, alt)
    assert paired.high - paired.low < (independent.high - independent.low) / 5
    assert paired.low > 0 > independent.low  # only the pairing sees the change


def test_paired_interval_covers_on_normal_data():
    rng = np.random.default_rng(11)
    experiments, n = 2000, 8
    covered = 0
    for _ in range(experiments):
        base = rng.normal(5, 2, n)
        alt = base + rng.normal(-1, 0.7, n)  # true mean difference -1
        diff = paired_difference(base, alt)
        covered += diff.low <= -1 <= diff.high
    # the exact t interval: coverage 95%; a band of 0.1% either side of the binomial
    assert binom.ppf(0.0005, experiments, 0.95) <= covered <= binom.isf(0.0005, experiments,
                                                                         0.95)


# --- ratios of means (delta method) ---------------------------------------------------------


def _ratio_coverage(paired: bool, n: int, experiments: int, seed: int) -> int:
    rng = np.random.default_rng(seed)
    truth = 12.0 / 10.0
    covered = 0
    for _ in range(experiments):
        x = rng.normal(10, 2, n)
        if paired:  # correlated pairs, as two runs on common random numbers
            y = 1.2 * x + rng.normal(0, 1.0, n)
        else:
            y = rng.normal(12, 3, n)
        ratio = ratio_of_means(y, x, paired=paired)
        covered += ratio.low <= truth <= ratio.high
    return covered


@pytest.mark.parametrize("paired", [True, False], ids=["paired", "independent"])
def test_delta_method_ratio_interval_covers(paired):
    experiments = 2000
    covered = _ratio_coverage(paired, n=30, experiments=experiments, seed=21)
    # first-order (delta) intervals: nominal 95%, checked within the binomial band of the
    # count at 0.1% around coverages of 93% to 97% (the approximation's bias is ~1/n)
    assert binom.ppf(0.001, experiments, 0.93) <= covered <= binom.isf(0.001, experiments, 0.97)


def test_ratio_of_means_paired_error_holds_the_covariance():
    x = np.array([10.0, 12.0, 8.0, 11.0, 9.0])
    y = 2.0 * x  # exactly proportional: the ratio is known without error
    ratio = ratio_of_means(y, x)
    assert ratio.estimate == pytest.approx(2.0)
    assert ratio.high - ratio.low == pytest.approx(0.0, abs=1e-12)
    independent = ratio_of_means(y, x, paired=False)
    assert independent.high - independent.low > 0.1


def test_relative_change_is_the_ratio_less_one():
    base = [10.0, 12.0, 9.0, 11.0]
    alt = [8.0, 10.0, 7.5, 9.0]
    relative, ratio = relative_change(base, alt), ratio_of_means(alt, base)
    assert relative.estimate == pytest.approx(np.mean(alt) / np.mean(base) - 1)
    assert (relative.low, relative.high) == pytest.approx((ratio.low - 1, ratio.high - 1))
    assert relative.p_value == ratio.p_value


def test_ratio_with_a_zero_denominator_is_undefined():
    ratio = ratio_of_means([1.0, 2.0], [0.0, 0.0])
    assert math.isnan(ratio.estimate) and ratio.low is None
