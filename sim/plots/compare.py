"""The forest plot of a comparison: each metric's relative change (alt - base over the base
mean) with its 95% interval, grouped by flow.

Relative changes put metrics of every unit (minutes, shares, money) on one axis; a metric
whose base mean is 0 has no relative change and is left out, and the title says how many.
"""

from __future__ import annotations

import math
from typing import Any

from matplotlib.figure import Figure

from sim.plots import style

SIGNIFICANT_COLOUR = "#D55E00"
PLAIN_COLOUR = "#0072B2"
ROW_INCHES = 0.24
MIN_HEIGHT = 2.5


def forest_figure(table: Any, family: int, replications: int) -> Figure:
    """A figure from `Comparison.table()`: one row per metric with a relative change, flows
    separated by a header row; differences significant after Holm's correction in colour."""
    shown = table[[_finite(v) for v in table["relative"]]]
    left_out = len(table) - len(shown)
    rows: list[tuple[str, Any]] = []  # (label, row or None for a flow header)
    for flow, group in shown.groupby("flow", sort=False):
        rows.append((flow, None))
        rows.extend((name, row) for name, (_, row) in zip(group["metric"], group.iterrows(),
                                                           strict=True))
    height = max(MIN_HEIGHT, 1.2 + ROW_INCHES * len(rows))
    figure = style.new_figure((style.FIGSIZE[0], height))
    ax = figure.add_subplot()
    style.apply(ax)
    ax.grid(True, axis="x", color=style.GRID_COLOUR, linewidth=0.8)
    ax.grid(False, axis="y")
    for position, (label, row) in enumerate(rows):
        y = -position
        if row is None:
            ax.text(0.0, y, label, transform=ax.get_yaxis_transform(), ha="right",
                    va="center", fontsize=9, fontweight="bold")
            continue
        colour = SIGNIFICANT_COLOUR if row["significant"] else PLAIN_COLOUR
        if _finite(row["relative_low"]):
            ax.plot([100 * row["relative_low"], 100 * row["relative_high"]], [y, y],
                    color=colour, linewidth=style.LINE_WIDTH)
        ax.plot([100 * row["relative"]], [y], "o", color=colour, markersize=4)
    ax.axvline(0.0, color="#444444", linewidth=style.THIN_LINE_WIDTH)
    ax.set_yticks([-i for i, (_, row) in enumerate(rows) if row is not None])
    ax.set_yticklabels([label for label, row in rows if row is not None], fontsize=8)
    ax.set_ylim(-len(rows) + 0.5, 0.5)
    title = (f"Relative change, alternative vs base: 95% paired intervals, {replications} "
             f"replications\norange: significant after Holm's correction over {family} "
             "metrics")
    if left_out:
        title += f"\nnot shown: {left_out} metric(s) whose base mean is 0 (no relative change)"
    style.label(ax, title, "change relative to the base mean (%)", "")
    ax.title.set_fontsize(9)
    return figure


def _finite(value: Any) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False
