"""What a flow hands back at the end of a replication: metrics, series, samples, balances."""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field

import numpy as np

SAMPLE_CAP = 20_000  # values kept per replication for distribution plots


@dataclass(frozen=True)
class Balance:
    """A conservation identity: `total` must equal the sum of `parts`, exactly."""

    name: str
    total: int
    parts: dict[str, int]

    @property
    def holds(self) -> bool:
        return self.total == sum(self.parts.values())

    def __str__(self) -> str:
        parts = " + ".join(f"{k} {v}" for k, v in self.parts.items())
        sign = "=" if self.holds else "!="
        return f"{self.name}: {self.total} {sign} {parts}"


@dataclass
class FlowOutput:
    metrics: dict[str, float] = field(default_factory=dict)
    series: dict[str, np.ndarray] = field(default_factory=dict)
    samples: dict[str, np.ndarray] = field(default_factory=dict)
    balances: list[Balance] = field(default_factory=list)


def describe_durations(prefix: str, values: array | np.ndarray) -> dict[str, float]:
    """Mean and percentiles of a duration sample (nan when empty)."""
    data = np.frombuffer(values, dtype=float) if isinstance(values, array) else values
    if len(data) == 0:
        nan = float("nan")
        return {f"{prefix}.mean": nan, f"{prefix}.p50": nan, f"{prefix}.p90": nan,
                f"{prefix}.p99": nan}
    p50, p90, p99 = percentiles(data, PERCENTILES)
    return {f"{prefix}.mean": float(data.mean()), f"{prefix}.p50": float(p50),
            f"{prefix}.p90": float(p90), f"{prefix}.p99": float(p99)}


PERCENTILES = np.true_divide((50, 90, 99), 100)  # as np.percentile turns them into quantiles


def percentiles(data: np.ndarray, quantiles: np.ndarray) -> np.ndarray:
    """`np.percentile(data, 100 * quantiles)` (its default linear method), the same floats
    computed the same way, for a non-empty sample. np.percentile imports numpy.ma on its
    first call (np.unique checks for masks): a fifth of orgsim's start-up (benchmarks/README.md).
    A sample holding nan gives nan, as there."""
    n = len(data)
    # numpy's virtual index of the linear method, and _get_indexes
    virtual = (n - 1) * quantiles
    previous = np.floor(virtual)
    following = previous + 1
    above = virtual >= n - 1
    previous[above] = -1
    following[above] = -1
    below = virtual < 0
    previous[below] = 0
    following[below] = 0
    lower, upper = previous.astype(np.intp), following.astype(np.intp)
    kth = sorted({0, n - 1, *(int(i) % n for i in lower), *(int(i) % n for i in upper)})
    part = np.partition(data, kth)
    if np.isnan(part[-1]):  # nan sorts last: numpy's answer is nan
        return np.full(len(quantiles), np.nan)
    a, b = part[lower], part[upper]
    gamma = virtual - previous  # numpy's _get_gamma (linear: no fix), then _lerp
    diff = b - a
    result = np.add(a, diff * gamma)
    np.subtract(b, diff * (1 - gamma), out=result, where=gamma >= 0.5)
    return result


def sketch(values: array | np.ndarray, cap: int = SAMPLE_CAP) -> np.ndarray:
    """At most `cap` evenly spaced order statistics: enough for a histogram, deterministic."""
    data = np.sort(np.frombuffer(values, dtype=float) if isinstance(values, array) else values)
    if len(data) <= cap:
        return data
    return data[np.linspace(0, len(data) - 1, cap).astype(np.int64)]


def safe_ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("nan")
