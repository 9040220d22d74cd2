"""A metric's estimate across replications, as every table states it: the mean with its
Student-t interval, or, for a metric declared as a ratio (`Metric.per`: abandoned share per
arrival), the ratio of means with a delta-method interval.

A ratio's replications are not equally informative: one with twice the arrivals holds twice
the evidence. The ratio of means (sum of value x denominator over sum of denominators)
weighs them so; it is the long-run share the metric stands for, and its interval comes
from sim.analysis.paired.ratio_of_means (numerator and denominator from the same
replications, so their covariance counts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from sim.analysis.paired import ratio_of_means
from sim.analysis.statistics import MeanCI, mean_ci
from sim.metrics.declare import lookup

Values = Sequence[float] | np.ndarray


def denominator_of(name: str) -> str | None:
    """The metric `name` is a ratio over (its declaration's `per`), or None."""
    declared = lookup(name)
    return declared.denominator(name) if declared is not None else None


def estimate(values: Values, denominators: Values | None = None, level: float = 0.95
             ) -> MeanCI:
    """The mean of `values` with its t interval; with `denominators` (each replication's,
    in any fixed unit), the ratio of means sum(value x denominator) / sum(denominator) with
    its delta-method interval, `n` counting the replications that define both."""
    if denominators is None:
        return mean_ci(values, level)
    value = np.asarray(values, dtype=float)
    per = np.asarray(denominators, dtype=float)
    ratio = ratio_of_means(value * per, per, level, paired=True, test=False)
    return MeanCI(ratio.estimate, ratio.low, ratio.high, ratio.n, len(value),
                  ratio.std_error)


def ratio_parts(name: str, metrics: Mapping[str, Values]) -> Values | None:
    """The denominators of a ratio metric in `metrics` (None: not a ratio, or its
    denominator is not there, as in a folder saved without it)."""
    per = denominator_of(name)
    return metrics.get(per) if per is not None else None


def metric_estimate(name: str, metrics: Mapping[str, Values], level: float = 0.95) -> MeanCI:
    """The estimate of the metric `name` from a run's per-replication `metrics`."""
    return estimate(metrics[name], ratio_parts(name, metrics), level)
