"""Comparing two runs: paired differences, ratios of means (delta method) and their paired
differences and changes, Holm's correction.

Two runs on the same seed share their random numbers replication by replication (common
random numbers), so replication r of one is paired with replication r of the other: the
differences carry the change and little of the noise the two runs share. Replications where
either run leaves a metric undefined (nan) are left out of the pair, and `n` says how many
pairs remain.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from sim.analysis.statistics import t_quantile

ArrayLike = Sequence[float] | np.ndarray


class Interval(NamedTuple):
    """An estimate with its interval and how many (pairs of) replications it stands on."""

    estimate: float  # nan when nothing defines it
    low: float | None  # None with fewer than two values, or where undefined
    high: float | None
    n: int
    std_error: float  # inf with fewer than two values
    p_value: float  # two-sided, for "no difference" (0 for a ratio: ratio 1); nan if untested


def _pairs(base: ArrayLike, alt: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """The replications both runs define, as two aligned arrays."""
    x = np.asarray(base, dtype=float)
    y = np.asarray(alt, dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"paired samples need the same replications, got {len(x)} and {len(y)}")
    both = np.isfinite(x) & np.isfinite(y)
    return x[both], y[both]


def _t_interval(estimate: float, error: float, n: int, level: float, null: float | None
                ) -> Interval:
    """Student-t interval (n-1 degrees of freedom) and the two-sided p-value against `null`
    (nan when `null` is None: an estimate, not a test)."""
    half = t_quantile(level, n - 1) * error
    if null is None:  # a run's summary: no test, and no scipy import (0.5 s) for one
        return Interval(estimate, estimate - half, estimate + half, n, error, math.nan)
    from scipy.stats import t  # slow to import; only comparisons need it

    if error > 0:
        p_value = float(2 * t.sf(abs(estimate - null) / error, n - 1))
    else:  # every pair differs by the same amount: no noise at all
        p_value = 1.0 if estimate == null else 0.0
    return Interval(estimate, estimate - half, estimate + half, n, error, p_value)


def paired_difference(base: ArrayLike, alt: ArrayLike, level: float = 0.95) -> Interval:
    """The mean of alt - base over the replications both define, with its Student-t
    interval: the paired interval of a common-random-numbers comparison."""
    x, y = _pairs(base, alt)
    n = len(x)
    if n == 0:
        return Interval(math.nan, None, None, 0, math.inf, math.nan)
    differences = y - x
    mean = float(differences.mean())
    if n < 2:
        return Interval(mean, None, None, n, math.inf, math.nan)
    error = float(differences.std(ddof=1)) / math.sqrt(n)
    return _t_interval(mean, error, n, level, 0.0)


def ratio_of_means(numerator: ArrayLike, denominator: ArrayLike, level: float = 0.95,
                   paired: bool = True, test: bool = True) -> Interval:
    """mean(numerator) / mean(denominator) with a delta-method interval.

    Paired (the same replications of two runs, or two totals of one run such as handled
    and arrived): the ratio r's standard error is sd(y - r x) / (sqrt(n) |mean x|), which
    holds the covariance of the pairs. Independent samples: sqrt(s_y^2/n_y +
    r^2 s_x^2/n_x) / |mean x|. Student t with n-1 degrees of freedom (the smaller sample's).
    Undefined (nan) when the denominator's mean is 0. With `test`, the p-value is against a
    ratio of 1; without, it is nan (a summary's estimate).
    """
    if paired:
        x, y = _pairs(denominator, numerator)
        n_x = n_y = len(x)
    else:
        x = np.asarray(denominator, dtype=float)
        y = np.asarray(numerator, dtype=float)
        x, y = x[np.isfinite(x)], y[np.isfinite(y)]
        n_x, n_y = len(x), len(y)
    n = min(n_x, n_y)
    if n == 0 or float(x.mean()) == 0.0:
        return Interval(math.nan, None, None, n, math.inf, math.nan)
    ratio = float(y.mean()) / float(x.mean())
    if n < 2:
        return Interval(ratio, None, None, n, math.inf, math.nan)
    if paired:
        spread = float((y - ratio * x).std(ddof=1)) / math.sqrt(n)
    else:
        spread = math.sqrt(float(y.var(ddof=1)) / n_y + ratio**2 * float(x.var(ddof=1)) / n_x)
    return _t_interval(ratio, spread / abs(float(x.mean())), n, level, 1.0 if test else None)


def relative_change(base: ArrayLike, alt: ArrayLike, level: float = 0.95) -> Interval:
    """(mean alt - mean base) / mean base over the paired replications, with the delta-method
    interval of the ratio of means shifted by 1; undefined when the base mean is 0."""
    ratio = ratio_of_means(alt, base, level, paired=True)
    low = None if ratio.low is None else ratio.low - 1.0
    high = None if ratio.high is None else ratio.high - 1.0
    return Interval(ratio.estimate - 1.0, low, high, ratio.n, ratio.std_error, ratio.p_value)


def _ratio_terms(numerator: np.ndarray, denominator: np.ndarray) -> tuple[float, np.ndarray]:
    """A ratio of means R and each replication's term of its delta-method expansion,
    (numerator - R x denominator) / mean(denominator): R's error is their mean's."""
    mean = float(denominator.mean())
    ratio = float(numerator.mean()) / mean
    return ratio, (numerator - ratio * denominator) / mean


def _paired_ratios(base_numerator: ArrayLike, base_denominator: ArrayLike,
                   alt_numerator: ArrayLike, alt_denominator: ArrayLike
                   ) -> tuple[np.ndarray, ...] | None:
    """The four aligned over the replications all define; None when a ratio is undefined
    (no replication, or a denominator mean of 0)."""
    columns = [np.asarray(c, dtype=float) for c in (base_numerator, base_denominator,
                                                      alt_numerator, alt_denominator)]
    if len({c.shape for c in columns}) != 1:
        raise ValueError("paired ratios need the same replications in all four columns")
    kept = np.logical_and.reduce([np.isfinite(c) for c in columns])
    columns = [c[kept] for c in columns]
    if not kept.any() or columns[1].mean() == 0.0 or columns[3].mean() == 0.0:
        return None
    return tuple(columns)


def paired_ratio_difference(base_numerator: ArrayLike, base_denominator: ArrayLike,
                            alt_numerator: ArrayLike, alt_denominator: ArrayLike,
                            level: float = 0.95) -> Interval:
    """R_alt - R_base for two ratios of means (a share of arrivals in each run) on the same
    replications: the delta-method terms of the two ratios, differenced pair by pair, give
    its standard error; Student t with n-1 degrees of freedom. A p-value for 'no
    difference'."""
    columns = _paired_ratios(base_numerator, base_denominator, alt_numerator, alt_denominator)
    if columns is None:
        return Interval(math.nan, None, None, 0, math.inf, math.nan)
    base_ratio, base_terms = _ratio_terms(columns[0], columns[1])
    alt_ratio, alt_terms = _ratio_terms(columns[2], columns[3])
    return _from_terms(alt_ratio - base_ratio, alt_terms - base_terms, level, 0.0)


def paired_ratio_change(base_numerator: ArrayLike, base_denominator: ArrayLike,
                        alt_numerator: ArrayLike, alt_denominator: ArrayLike,
                        level: float = 0.95) -> Interval:
    """R_alt / R_base - 1 for two ratios of means on the same replications, delta method
    (the terms of R_alt / R_base: alt's / R_base - R_alt x base's / R_base^2); undefined
    when R_base is 0."""
    columns = _paired_ratios(base_numerator, base_denominator, alt_numerator, alt_denominator)
    if columns is None:
        return Interval(math.nan, None, None, 0, math.inf, math.nan)
    base_ratio, base_terms = _ratio_terms(columns[0], columns[1])
    alt_ratio, alt_terms = _ratio_terms(columns[2], columns[3])
    if base_ratio == 0.0:
        return Interval(math.nan, None, None, len(base_terms), math.inf, math.nan)
    terms = alt_terms / base_ratio - alt_ratio * base_terms / base_ratio**2
    return _from_terms(alt_ratio / base_ratio - 1.0, terms, level, 0.0)


def _from_terms(estimate: float, terms: np.ndarray, level: float, null: float) -> Interval:
    n = len(terms)
    if n < 2:
        return Interval(estimate, None, None, n, math.inf, math.nan)
    return _t_interval(estimate, float(terms.std(ddof=1)) / math.sqrt(n), n, level, null)


def independent_difference(base: ArrayLike, alt: ArrayLike, level: float = 0.95) -> Interval:
    """mean(alt) - mean(base) of two independent samples, Welch's interval: what a
    comparison without common random numbers can say."""
    x = np.asarray(base, dtype=float)
    y = np.asarray(alt, dtype=float)
    x, y = x[np.isfinite(x)], y[np.isfinite(y)]
    n = min(len(x), len(y))
    if n < 2:
        mean = float(y.mean() - x.mean()) if n else math.nan
        return Interval(mean, None, None, n, math.inf, math.nan)
    vx, vy = float(x.var(ddof=1)) / len(x), float(y.var(ddof=1)) / len(y)
    error = math.sqrt(vx + vy)
    mean = float(y.mean() - x.mean())
    if error == 0:
        return Interval(mean, mean, mean, n, 0.0, 1.0 if mean == 0 else 0.0)
    dof = (vx + vy) ** 2 / (vx**2 / (len(x) - 1) + vy**2 / (len(y) - 1))
    from scipy.stats import t

    half = float(t.ppf(0.5 + level / 2, dof)) * error
    return Interval(mean, mean - half, mean + half, n, error,
                    float(2 * t.sf(abs(mean) / error, dof)))


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values, in the order given: the i-th smallest of m is
    multiplied by m - i + 1, made non-decreasing, capped at 1. Rejecting where the adjusted
    value is below alpha keeps the family-wise error rate at alpha. nan (untested) stays nan
    and does not count in m."""
    tested = [(p, i) for i, p in enumerate(p_values) if p == p]
    m = len(tested)
    adjusted = [math.nan] * len(p_values)
    running = 0.0
    for rank, (p, index) in enumerate(sorted(tested)):
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[index] = running
    return adjusted
