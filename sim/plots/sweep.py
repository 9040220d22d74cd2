"""Figures of a sweep: a metric against one parameter with its 95% band, a heatmap over two
parameters, and for one-at-a-time designs a tornado of each parameter's effect.

Each takes a finished sweep (`sim.experiment.sweep.Sweep`: its summary columns, parameters,
units and design) and the metric to show, in the metric's declared unit.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.metrics.declare import lookup
from sim.plots import style

__all__ = ["plot_heatmap", "plot_line", "plot_tornado", "sweep_figure", "sweep_figures"]


def _axis_name(sweep: Any, parameter: str) -> str:
    unit = sweep.units.get(parameter, "")
    return f"{parameter} ({unit})" if unit else parameter


def _metric_name(metric: str) -> str:
    declared = lookup(metric)
    return f"{metric} ({declared.unit_name})" if declared else metric


def _numeric(values: np.ndarray) -> bool:
    return values.dtype.kind in "if"


def sweep_figures(sweep: Any, metric: str) -> dict[str, Figure]:
    """File stem -> figure: the tornado for oat; a line per numeric parameter and a
    heatmap of the first two otherwise."""
    if sweep.design == "oat":
        return {"sweep_tornado": plot_tornado(sweep, metric).figure}
    columns = sweep.summary_columns
    numeric = [p for p in sweep.parameters if _numeric(columns[p])]
    figures = {f"sweep_{p}": plot_line(sweep, metric, p).figure for p in numeric}
    if len(numeric) >= 2 and sweep.design == "grid":  # a hypercube's points are no grid
        figures["sweep_heatmap"] = plot_heatmap(sweep, metric, numeric[0], numeric[1]).figure
    return figures


def sweep_figure(sweep: Any, metric: str, parameter: str | None = None) -> Figure:
    if sweep.design == "oat" and parameter is None:
        return plot_tornado(sweep, metric).figure
    if parameter is None and len(sweep.parameters) >= 2 and sweep.design == "grid":
        return plot_heatmap(sweep, metric, *sweep.parameters[:2]).figure
    return plot_line(sweep, metric, parameter or sweep.parameters[0]).figure


def plot_line(sweep: Any, metric: str, parameter: str, ax: Axes | None = None) -> Axes:
    """The metric's mean against `parameter` with its 95% band: one line per value of
    another parameter when there is one other with a few values; else averaged over the
    others (the band then averages the bounds: at least as wide as the average's own)."""
    ax = ax or style.new_axes()
    columns = sweep.summary_columns
    if sweep.design == "lhs":
        return _scatter(sweep, metric, parameter, ax)
    others = [p for p in sweep.parameters if p != parameter]
    split = others[0] if len(others) == 1 and len(set(columns[others[0]].tolist())) <= 6 \
        else None
    groups = ([(f"{_axis_name(sweep, split)} = {v}", columns[split] == v)
               for v in sorted(set(columns[split].tolist()))] if split
              else [("mean", np.ones(len(columns[parameter]), dtype=bool))])
    x = columns[parameter]
    values = list(dict.fromkeys(x.tolist()))
    if _numeric(x):
        values.sort()
    positions = values if _numeric(x) else list(range(len(values)))
    for index, (name, rows) in enumerate(groups):
        pick = [rows & (x == v) for v in values]
        y, lo, hi = ([np.nanmean(columns[c][m]) if m.any() else np.nan for m in pick]
                     for c in (metric, f"{metric}.ci_low", f"{metric}.ci_high"))
        colour = style.CYCLE[index % len(style.CYCLE)]
        ax.fill_between(positions, lo, hi, color=colour, alpha=style.BAND_ALPHA)
        ax.plot(positions, y, marker="o", color=colour, linewidth=style.LINE_WIDTH, label=name)
    if not _numeric(x):
        ax.set_xticks(positions, [str(v) for v in values])
    averaged = len(others) > 0 and split is None
    style.label(ax, f"{sweep.scenario_name}: {metric} with 95% CI"
                + (" (averaged over the other parameters)" if averaged else ""),
                _axis_name(sweep, parameter), _metric_name(metric))
    style.legend(ax)
    return ax


def _scatter(sweep: Any, metric: str, parameter: str, ax: Axes) -> Axes:
    """A Latin hypercube's points: each point's mean with its 95% interval."""
    columns = sweep.summary_columns
    mean = columns[metric]
    errors = np.vstack([mean - columns[f"{metric}.ci_low"], columns[f"{metric}.ci_high"] - mean])
    ax.errorbar(columns[parameter], mean, yerr=errors, fmt="o", color=style.CYCLE[0],
                ecolor=style.CYCLE[5], label="mean with 95% CI")
    style.label(ax, f"{sweep.scenario_name}: {metric} at each point",
                _axis_name(sweep, parameter), _metric_name(metric))
    style.legend(ax)
    return ax


def plot_heatmap(sweep: Any, metric: str, x_parameter: str, y_parameter: str,
                 ax: Axes | None = None) -> Axes:
    """The metric's mean over two parameters (averaged over any others)."""
    ax = ax or style.new_axes()
    columns = sweep.summary_columns
    x, y, means = columns[x_parameter], columns[y_parameter], columns[metric]
    xs, ys = sorted(set(x.tolist())), sorted(set(y.tolist()))
    grid = np.full((len(ys), len(xs)), np.nan)
    for i, yv in enumerate(ys):
        for j, xv in enumerate(xs):
            chosen = means[(x == xv) & (y == yv)]
            if len(chosen):
                grid[i, j] = np.nanmean(chosen)
    image = ax.imshow(grid, origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(len(xs)), [f"{v:g}" for v in xs])
    ax.set_yticks(range(len(ys)), [f"{v:g}" for v in ys])
    ax.grid(False)
    ax.figure.colorbar(image, ax=ax, label=_metric_name(metric))
    style.label(ax, f"{sweep.scenario_name}: {metric}", _axis_name(sweep, x_parameter),
                _axis_name(sweep, y_parameter))
    return ax


def plot_tornado(sweep: Any, metric: str, ax: Axes | None = None) -> Axes:
    """For one-at-a-time sweeps: the metric's range as each parameter moves over its values
    (the others at the scenario's own), around the base point, widest effect on top."""
    ax = ax or style.new_axes()
    columns = sweep.summary_columns
    means = columns[metric]
    base = float(means[0])  # oat's point 0 is the scenario itself
    rows = []
    for parameter in sweep.parameters:
        others_at_base = np.ones(len(means), dtype=bool)
        for other in sweep.parameters:
            if other != parameter:
                others_at_base &= columns[other] == columns[other][0]
        chosen = means[others_at_base]
        values = columns[parameter][others_at_base]
        low, high = float(np.nanmin(chosen)), float(np.nanmax(chosen))
        at_low = values[int(np.nanargmin(chosen))]
        at_high = values[int(np.nanargmax(chosen))]
        rows.append((high - low, parameter, low, high, at_low, at_high))
    rows.sort()  # widest last: drawn at the top
    for i, (_, _name, low, high, at_low, at_high) in enumerate(rows):
        ax.barh(i, low - base, left=base, color=style.CYCLE[0], height=0.6)
        ax.barh(i, high - base, left=base, color=style.CYCLE[2], height=0.6)
        ax.annotate(f"{at_low}", (low, i), xytext=(-4, 0), textcoords="offset points",
                    ha="right", va="center", fontsize=8)
        ax.annotate(f"{at_high}", (high, i), xytext=(4, 0), textcoords="offset points",
                    ha="left", va="center", fontsize=8)
    ax.axvline(base, color="#222222", linewidth=style.THIN_LINE_WIDTH)
    ax.set_yticks(range(len(rows)), [_axis_name(sweep, r[1]) for r in rows])
    # two lines: one long title runs past a figure's edge
    style.label(ax, f"{sweep.scenario_name}: effect on {metric}\n(one parameter at a time; "
                "bar ends labelled with its value)", _metric_name(metric), "")
    return ax
