"""Distributions of durations (waits, lead times): a histogram in readable units with the
percentiles marked.

Samples are pooled across replications and given in minutes; they may be sketches (evenly
spaced order statistics), so the histogram shows shares, not counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes

from sim.plots import style
from sim.units import DAY, HOUR, MINUTE, SECOND

__all__ = ["Overlay", "duration_unit", "plot_distribution"]

# (name, minutes per unit, use it while the typical value is under this many minutes)
_UNITS = (("s", SECOND, 2 * MINUTE), ("min", MINUTE, 2 * HOUR), ("h", HOUR, 2 * DAY),
          ("d", DAY, float("inf")))


def duration_unit(typical: float) -> tuple[str, float]:
    """A readable unit for durations around `typical` minutes: seconds under 2 minutes,
    minutes under 2 hours, hours under 2 days, else days. Returns (name, minutes per unit)."""
    for name, size, below in _UNITS:
        if not typical >= below:  # nan -> the first unit
            return name, size
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Overlay:
    """Another population's durations, drawn as an outline over the same bins (e.g. the
    times after which customers gave up, over the waits of those answered).

    `share`: the part of the y axis's whole this sample stands for (bars add up to it)."""

    sample: np.ndarray
    label: str
    colour: str
    share: float = 1.0


def _format(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def plot_distribution(
    sample: np.ndarray,
    percentiles: Mapping[str, float] | None = None,
    *,
    title: str = "Distribution",
    quantity: str = "duration",
    ylabel: str = "share of the sample (%)",
    zero_label: str | None = None,
    note: str | None = None,
    unit: tuple[str, float] | None = None,
    bins: int = 40,
    colour: str = style.COLOURS["histogram"],
    share: float = 1.0,
    label: str | None = None,
    overlays: Sequence[Overlay] = (),
    ax: Axes | None = None,
) -> Axes:
    """Histogram of a duration sample (minutes) with a vertical line per percentile.

    `percentiles` maps labels ('p50', 'p90', 'p99') to values in minutes; they also choose
    the unit (from p90, else from the sample). With `zero_label` ('answered at once'), exact
    zeros are left out of the bars and their share is written in the note instead, so one
    tall bar at zero does not flatten the rest. Bars are % of the whole sample, times `share`
    when the sample is only that part of the population the y axis counts. `overlays` are
    other populations, outlined over the same bins, each weighted by its own share. `label`
    names the bars in the legend (default: the quantity).
    """
    if ax is None:
        ax = style.new_axes()
    data = _finite(sample)
    marks = {k: float(v) for k, v in (percentiles or {}).items() if np.isfinite(v)}
    typical = marks.get("p90", float(np.percentile(data, 90)) if len(data) else float("nan"))
    name, size = unit or duration_unit(typical)
    lines = [note] if note else []
    shown = data
    if zero_label is not None and len(data):
        zero_share = float(np.mean(data == 0))
        shown = data[data > 0]
        lines.insert(0, f"{zero_label}: {zero_share * share:.1%}" + ("\n(zeros, not in the bars)"
                                                            if zero_share else ""))
    if len(data):
        lines.append(f"sample: {len(data):,} values")
    others = [(overlay, _finite(overlay.sample)) for overlay in overlays]
    top = max([*marks.values(), float(np.percentile(shown, 99.5)) if len(shown) else 0.0,
               *(float(np.percentile(data, 99.5)) for _, data in others if len(data))])
    top = top * 1.08 / size if top > 0 else 1.0
    if len(shown):
        weights = np.full(len(shown), 100.0 * share / len(data))
        ax.hist(shown / size, bins=bins, range=(0.0, top), weights=weights, color=colour,
                edgecolor="white", linewidth=0.4,
                label=label or (f"{quantity}s > 0" if zero_label is not None else f"{quantity}s"))
        beyond = int(np.sum(shown / size > top))
        if beyond:
            lines.append(f"{beyond / len(data):.2%} beyond {_format(top)} {name} not shown")
    elif not any(len(data) for _, data in others):
        ax.text(0.5, 0.5, "no values", transform=ax.transAxes, ha="center", va="center",
                color="#777777")
    for overlay, values in others:
        if len(values):
            ax.hist(values / size, bins=bins, range=(0.0, top), histtype="step", linewidth=1.6,
                    weights=np.full(len(values), 100.0 * overlay.share / len(values)),
                    color=overlay.colour, label=overlay.label)
    for index, (key, value) in enumerate(marks.items()):
        tint, dash = style.PERCENTILE_STYLES.get(key, (style.CYCLE[index % len(style.CYCLE)],
                                                       "-."))
        ax.axvline(value / size, color=tint, linestyle=dash, linewidth=1.5,
                   label=f"{key} = {_format(value / size)} {name}")
    ax.set_xlim(-0.01 * top, top)
    if lines:
        style.side_note(ax, "\n".join(lines))
    style.label(ax, title, f"{quantity} ({name})", ylabel)
    style.legend(ax, outside=True)
    return ax


def _finite(sample: np.ndarray) -> np.ndarray:
    data = np.asarray(sample, dtype=float)
    return data[np.isfinite(data)]
