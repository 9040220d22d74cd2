"""Statistics across replications: means and Student-t confidence intervals."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def t_quantile(level: float, dof: int) -> float:
    """Two-sided Student t quantile, e.g. 2.262 for level 0.95 and 9 degrees of freedom."""
    from scipy.stats import t  # imported here: scipy is slow to import and rarely needed

    return float(t.ppf(0.5 + level / 2.0, dof))


def mean_ci(values: Sequence[float] | np.ndarray, level: float = 0.95
            ) -> tuple[float, float | None, float | None]:
    """Mean and confidence interval across replications (Student t, R-1 degrees of freedom).

    Replications where the metric is undefined (nan) are left out; with fewer than two
    values the interval is absent.
    """
    data = np.asarray(values, dtype=float)
    data = data[np.isfinite(data)]
    if len(data) == 0:
        return math.nan, None, None
    mean = float(data.mean())
    if len(data) < 2:
        return mean, None, None
    half = t_quantile(level, len(data) - 1) * float(data.std(ddof=1)) / math.sqrt(len(data))
    return mean, mean - half, mean + half


def half_width(values: Sequence[float] | np.ndarray, level: float = 0.95) -> float:
    mean, low, high = mean_ci(values, level)
    return (high - low) / 2.0 if low is not None else math.nan
