"""Time series over a run: rates (counts per bin, shown per day) and levels (time averages).

Every series is an array (replications x bins); bins are `bin_width` minutes wide from time 0,
the last one may be partial (cut by the horizon) or nan. The mean across replications is
drawn as a line and, with two replications or more, the 10th-90th percentile across them as
a light band. The warm-up span is shaded and labelled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator

from sim.plots import style
from sim.units import DAY, HOUR

__all__ = ["TimeAxis", "bin_edges", "horizon_of", "plot_levels", "plot_rates", "shade_warmup",
           "spread"]


@dataclass(frozen=True)
class TimeAxis:
    """How time is shown: days, or hours when the horizon is under two days."""

    unit: str
    size: float  # minutes per unit

    @classmethod
    def for_horizon(cls, horizon: float) -> TimeAxis:
        return cls("hours", HOUR) if horizon < 2 * DAY else cls("days", DAY)

    def ticks(self, span: float) -> MaxNLocator:
        """Round ticks over `span` minutes: hours by 1, 2, 3, 6, 12; days by quarters on short
        horizons, else by 1, 2, 5, 7, 10, 20..."""
        if self.unit == "hours":
            steps = [1, 2, 3, 6, 10]
        else:
            steps = [1, 2.5, 5, 10] if span <= 3 * DAY else [1, 2, 5, 7, 10]
        return MaxNLocator(nbins=9, steps=steps)

    @property
    def label(self) -> str:
        return f"time since start ({self.unit})"


def horizon_of(results: Any) -> float | None:
    """The horizon in minutes from a Results' facts, None when it has none (an old folder)."""
    facts = getattr(results, "facts", None)
    return facts.horizon if facts is not None else None


def bin_edges(bins: int, bin_width: float, horizon: float | None = None) -> np.ndarray:
    """`bins + 1` edges in minutes; the last one cut at the horizon when that falls inside."""
    edges = np.arange(bins + 1, dtype=float) * bin_width
    if horizon is not None and bins and edges[-2] < horizon < edges[-1]:
        edges[-1] = horizon
    return edges


def spread(data: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, 10th and 90th percentile across replications (rows), nan-aware and silent."""
    data = np.atleast_2d(np.asarray(data, dtype=float))
    mean = np.full(data.shape[1], np.nan)
    low, high = mean.copy(), mean.copy()
    seen = np.isfinite(data).any(axis=0)
    if seen.any():
        part = data[:, seen]
        mean[seen] = np.nanmean(part, axis=0)
        low[seen], high[seen] = np.nanpercentile(part, (10, 90), axis=0)
    return mean, low, high


def shade_warmup(ax: Axes, warmup: float, time_axis: TimeAxis) -> None:
    """A light span over the warm-up, named in the legend (its statistics are left out)."""
    if warmup > 0:
        ax.axvspan(0.0, warmup / time_axis.size, color=style.WARMUP_COLOUR,
                   alpha=style.WARMUP_ALPHA, linewidth=0, label=style.WARMUP_LABEL)


def _draw(ax: Axes, x: np.ndarray, data: np.ndarray, name: str, colour: str,
          linewidth: float, band: bool, steps: bool = False) -> None:
    mean, low, high = spread(data)
    replications = data.shape[0]
    if band and replications >= 2:
        collection = ax.fill_between(x, low, high, color=colour, alpha=style.BAND_ALPHA,
                                     linewidth=0, step="mid" if steps else None)
        collection.set_gid(f"{style.BAND_GID}:{replications}")
    ax.plot(x, mean, color=colour, linewidth=linewidth, label=name,
            drawstyle="steps-mid" if steps else "default")


def _frame(ax: Axes | None, lengths: list[int], bin_width: float, horizon: float | None,
           warmup: float, time_axis: TimeAxis | None) -> tuple[Axes, TimeAxis, float]:
    if ax is None:
        ax = style.new_axes()
    span = horizon if horizon is not None else max(lengths, default=0) * bin_width
    time_axis = time_axis or TimeAxis.for_horizon(span)
    shade_warmup(ax, warmup, time_axis)
    ax.set_xlim(0.0, span / time_axis.size if span > 0 else 1.0)
    ax.xaxis.set_major_locator(time_axis.ticks(span))
    return ax, time_axis, span


def plot_rates(
    series: Mapping[str, Any],
    bin_width: float,
    *,
    warmup: float = 0.0,
    horizon: float | None = None,
    observed_from: float | None = None,
    per: float = DAY,
    per_label: str = "day",
    title: str = "Rates",
    ylabel: str | None = None,
    colours: Mapping[str, str] | None = None,
    band: bool = True,
    legend: bool = True,
    time_axis: TimeAxis | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Counts per bin (label -> replications x bins) drawn as rates per `per` minutes.

    Bins are scaled by the time they cover: the last bin by its part before the horizon, and
    with `observed_from` (counts kept only after warm-up) by their part after it; a bin less
    than half observed is left out rather than shown as a misleading dip.
    """
    arrays = {name: np.atleast_2d(np.asarray(data, dtype=float)) for name, data in series.items()}
    ax, time_axis, _ = _frame(ax, [a.shape[1] for a in arrays.values()], bin_width, horizon,
                              warmup, time_axis)
    for index, (name, data) in enumerate(arrays.items()):
        edges = bin_edges(data.shape[1], bin_width, horizon)
        start = np.maximum(edges[:-1], observed_from) if observed_from else edges[:-1]
        covered = edges[1:] - start
        with np.errstate(invalid="ignore", divide="ignore"):
            scale = np.where(covered >= 0.5 * bin_width, per / covered, np.nan)
        x = (edges[:-1] + edges[1:]) / 2 / time_axis.size
        tint = (colours or {}).get(name) or style.colour(name, index)
        _draw(ax, x, data * scale, name, tint, style.LINE_WIDTH, band)
    ax.set_ylim(bottom=0.0)
    style.label(ax, title, time_axis.label, ylabel or f"per {per_label}")
    if legend:
        style.legend(ax)
    return ax


def plot_levels(
    series: Mapping[str, Any],
    bin_width: float,
    *,
    warmup: float = 0.0,
    horizon: float | None = None,
    scale: float = 1.0,
    title: str = "Levels",
    ylabel: str = "level",
    colours: Mapping[str, str] | None = None,
    linewidth: float = style.LINE_WIDTH,
    steps: bool = False,
    band: bool = True,
    legend: bool = True,
    time_axis: TimeAxis | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Per-bin time averages of levels (queue length, stock on hand, utilisation x `scale`),
    label -> replications x bins; `steps` draws each bin flat (for levels that jump, such as
    staffing)."""
    arrays = {name: np.atleast_2d(np.asarray(data, dtype=float)) * scale
              for name, data in series.items()}
    ax, time_axis, _ = _frame(ax, [a.shape[1] for a in arrays.values()], bin_width, horizon,
                              warmup, time_axis)
    for index, (name, data) in enumerate(arrays.items()):
        edges = bin_edges(data.shape[1], bin_width, horizon)
        x = (edges[:-1] + edges[1:]) / 2 / time_axis.size
        tint = (colours or {}).get(name) or style.colour(name, index)
        _draw(ax, x, data, name, tint, linewidth, band, steps)
    if all(not (a < 0).any() for a in arrays.values()):  # nan compares False
        ax.set_ylim(bottom=0.0)
    style.label(ax, title, time_axis.label, ylabel)
    if legend:
        style.legend(ax)
    return ax
