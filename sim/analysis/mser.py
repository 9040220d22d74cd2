"""MSER-5: where to cut the start of a simulated series so that what is left looks settled.

White's Marginal Standard Error Rule: batch the series in non-overlapping means of 5 (MSER-5),
and cut the first d batches where d minimises

    Z(d) = sum_{i > d} (Y_i - mean(Y_{d+1..n}))^2 / (n - d)^2

(the variance of what is left, divided by how much is left: cutting more helps only while it
removes bias faster than it loses data). d is searched over the first half of the batches
only; a minimum at the end of that range means the series never settled within it (a trend,
or a transient longer than half the run).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["BATCH", "MserCut", "mser"]

BATCH = 5
# A cut in the last fifth of the searched half is "at the limit": the series has not settled.
SETTLED_SHARE = 0.8


@dataclass(frozen=True)
class MserCut:
    points: int  # points of the original series to cut (a multiple of the batch)
    batches: int  # batch means cut
    statistic: float  # Z at the cut
    limit: int  # the most points the search could cut (half the series)

    @property
    def settled(self) -> bool:
        """Whether the cut is well inside the searched half."""
        return self.points < SETTLED_SHARE * self.limit


def mser(series, batch: int = BATCH) -> MserCut:
    """The MSER-`batch` cut of `series` (one value per bin; trailing nan bins ignored).

    With fewer than two whole batches nothing can be judged: no cut, and not settled."""
    values = np.asarray(series, dtype=float)
    finite = np.flatnonzero(np.isfinite(values))
    values = values[: finite[-1] + 1] if finite.size else values[:0]
    values = np.nan_to_num(values)  # a nan inside: an empty bin
    count = len(values) // batch
    if count < 2:
        return MserCut(0, 0, float("nan"), 0)
    means = values[: count * batch].reshape(count, batch).mean(axis=1)
    # suffix sums: what is left after cutting d batches, for every d at once
    left = np.arange(count, 0, -1, dtype=float)  # n - d
    total = np.cumsum(means[::-1])[::-1]
    squares = np.cumsum((means**2)[::-1])[::-1]
    sse = np.maximum(squares - total**2 / left, 0.0)
    statistic = sse / left**2
    half = count // 2
    cut = int(np.argmin(statistic[: half + 1]))  # the first minimum: cut no more than needed
    return MserCut(cut * batch, cut, float(statistic[cut]), half * batch)
