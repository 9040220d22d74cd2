"""A level that changes at event times (queue length, busy members, stock on hand).

It keeps the time integral over the observation window (after warm-up) and per time bin
for plots, updated only when the level changes: no events, no polling.
"""

from __future__ import annotations

import math

import numpy as np


class Level:
    __slots__ = ("value", "_last", "_area", "_start", "_width", "_bin_end", "_bin_area",
                 "_bin", "_bins")

    def __init__(self, bin_width: float, bins: int, value: float = 0.0) -> None:
        """`bins` = 0 keeps only the window average (no per-bin series, no bin upkeep)."""
        self.value = value
        self._last = 0.0
        self._area = 0.0
        self._start = 0.0
        self._width = bin_width
        self._bin_end = bin_width if bins else math.inf
        self._bin_area = 0.0
        self._bin = 0
        self._bins = np.zeros(bins + 1)

    def set(self, now: float, value: float) -> None:
        if now >= self._bin_end:
            self._roll(now)
        area = self.value * (now - self._last)
        self._area += area
        self._bin_area += area
        self.value = value
        self._last = now

    def _roll(self, now: float) -> None:
        """Close every bin that ended before `now`."""
        while now >= self._bin_end:
            area = self.value * (self._bin_end - self._last)
            self._area += area
            self._bins[self._bin] = (self._bin_area + area) / self._width
            self._bin_area = 0.0
            self._last = self._bin_end
            self._bin += 1
            self._bin_end += self._width

    def start_window(self, now: float) -> None:
        """Start the observation window: the time average counts from here (end of warm-up)."""
        self.set(now, self.value)
        self._area = 0.0
        self._start = now

    def mean(self, now: float) -> float:
        """Time average over the window, up to `now` (call once, at the end of the run)."""
        self.set(now, self.value)
        span = now - self._start
        return self._area / span if span > 0 else float(self.value)

    def integral(self, now: float) -> float:
        self.set(now, self.value)
        return self._area

    def series(self, now: float) -> np.ndarray:
        """Per-bin time averages up to `now` (the last, partial bin averaged over its length)."""
        self.set(now, self.value)
        bins = self._bins.copy()
        covered = now - (self._bin_end - self._width)
        if covered > 0 and self._bin < len(bins):
            bins[self._bin] = self._bin_area / covered
        return bins[: self._bin + (1 if covered > 0 else 0)]
