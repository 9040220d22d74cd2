"""Statistics across replications: means and Student-t confidence intervals."""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from sim.analysis.t_table import LEVEL as T_TABLE_LEVEL
from sim.analysis.t_table import T95


@lru_cache(maxsize=256)  # a summary asks for the same few quantiles once per metric
def t_quantile(level: float, dof: int) -> float:
    """Two-sided Student t quantile, e.g. 2.262 for level 0.95 and 9 degrees of freedom."""
    if level == T_TABLE_LEVEL and 1 <= dof <= len(T95):
        return T95[dof - 1]  # scipy's own floats, without its import (t_table.py)
    from scipy.stats import t  # imported here: scipy is slow to import and rarely needed

    return float(t.ppf(0.5 + level / 2.0, dof))


class MeanCI(NamedTuple):
    """A metric's mean across replications, with how many replications defined it.

    A replication where the metric is undefined (nan: no inquiry answered, say) has no value
    to average: `n` counts those that gave one, `replications` all of them, so a reader sees
    when a mean stands on fewer replications than the run had.
    """

    mean: float  # nan when no replication defined the metric
    low: float | None  # the interval; None with fewer than two values
    high: float | None
    n: int  # replications that defined the metric
    replications: int
    std_error: float  # of the mean: sd / sqrt(n); inf with fewer than two values

    @property
    def all_defined(self) -> bool:
        return self.n == self.replications


def mean_ci(values: Sequence[float] | np.ndarray, level: float = 0.95) -> MeanCI:
    """Mean and confidence interval over the replications that defined the metric (Student t,
    n-1 degrees of freedom), counting them in `n`."""
    data = np.asarray(values, dtype=float)
    total = len(data)
    data = data[np.isfinite(data)]
    n = len(data)
    if n == 0:
        return MeanCI(math.nan, None, None, 0, total, math.inf)
    mean = float(data.mean())
    if n < 2:
        return MeanCI(mean, None, None, n, total, math.inf)
    error = float(data.std(ddof=1)) / math.sqrt(n)
    half = t_quantile(level, n - 1) * error
    return MeanCI(mean, mean - half, mean + half, n, total, error)


def half_width(values: Sequence[float] | np.ndarray, level: float = 0.95) -> float:
    estimate = mean_ci(values, level)
    return (estimate.high - estimate.low) / 2.0 if estimate.low is not None else math.nan
