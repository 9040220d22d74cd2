"""The time bins of plotted series: their width and count follow from the spec alone, so the
model and the run-size estimate (which must not build the model) agree on them."""

from __future__ import annotations

import math

from sim.units import DAY, HOUR, MINUTE

BIN_CHOICES = (15 * MINUTE, HOUR, 4 * HOUR, DAY, 7 * DAY)
MAX_BINS = 400


def choose_bin_width(horizon: float, requested: float | None = None) -> float:
    """The plot resolution: the finest standard width that keeps the series short."""
    if requested:
        return requested
    for width in BIN_CHOICES:
        if horizon / width <= MAX_BINS:
            return width
    return horizon / MAX_BINS


def bin_count(horizon: float, bin_width: float) -> int:
    return math.ceil(horizon / bin_width)
