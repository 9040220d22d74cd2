"""Figures of the tech flow and the site: the four DORA measures, where an incident's time to
restore (and a feature item's lead time) goes, and the site's latency and lost orders.

They read Results only. The DORA panel marks the boundaries of the answers DORA's survey
offers (an hour, a day, a week, a month; deploys per day, week, month), on which its published
performance clusters are drawn, so a team can place itself (Forsgren, Humble & Kim 2018,
Accelerate; the yearly State of DevOps reports).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.metrics.declare import lookup
from sim.plots import style
from sim.plots.commerce import split_colours
from sim.plots.distributions import duration_unit
from sim.plots.support import metric_mean
from sim.plots.timeseries import horizon_of, plot_levels, plot_rates
from sim.units import DAY, HOUR, WEEK, format_duration

__all__ = ["plot_dora", "plot_site", "plot_tech_time_split", "site_figures", "tech_figures"]

TRIGGER = "tech.busy"  # the tech flow ran when this series exists
SITE_TRIGGER = "site.latency"
SPLITS = (("tech.incident.time_split.", "mean incident", "tech.incident.time_to_restore.mean"),
          ("tech.feature.time_split.", "mean feature item", "tech.feature_lead_time.mean"))
DURATION_MARKS = ((HOUR, "1 h"), (DAY, "1 d"), (WEEK, "1 w"), (30 * DAY, "1 mo"))
DEPLOY_MARKS = ((7.0, "daily"), (1.0, "weekly"), (7.0 / 30, "monthly"))
# the phases of incidents (detection and paging in greys, waiting in vermillion, the fix in
# blue) and of feature items (queue and work in the orders' blues, set aside in purple)
SPLIT_COLOURS = {"detect": "#BBBBBB", "page": "#777777", "wait": "#D55E00", "fix": "#0072B2",
                 "queue": "#56B4E9", "work": "#005A8C", "preempted": "#CC79A7",
                 "deploy_wait": "#E69F00"}


def _interval(results: Any, name: str) -> tuple[float, float, float]:
    """Mean and a 95% interval across replications (t; nan when unobserved)."""
    from sim.analysis.statistics import mean_ci

    values = np.asarray(results.metrics.get(name, ()), dtype=float)
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return (float("nan"),) * 3
    estimate = mean_ci(values)
    if estimate.low is None:
        return estimate.mean, estimate.mean, estimate.mean
    declared = lookup(name)  # an interval stays within what the metric can be
    low, high = (declared.truncate(estimate.low, estimate.high) if declared is not None
                 else (estimate.low, estimate.high))
    return estimate.mean, low, high


def plot_dora(results: Any, axes: Any = None) -> Any:
    """Four panels: deploys per week, lead time for changes, change failure share and time
    to restore, each the mean with its 95% interval across replications, against the
    survey's answer boundaries (log scales: the clusters are orders of magnitude apart)."""
    if axes is None:
        figure = style.new_figure((9.0, 5.5))
        axes = figure.subplots(2, 2).ravel()
    panels = (
        ("tech.deploys_per_week", "deployment frequency", "deploys per week", DEPLOY_MARKS,
         1.0, True),
        ("tech.feature_lead_time.mean", "lead time for changes", "", DURATION_MARKS, None,
         True),
        ("tech.change_failure_share", "change failure rate", "% of deploys", (), 0.01, False),
        ("tech.incident.time_to_restore.mean", "time to restore", "", DURATION_MARKS, None,
         True),
    )
    for ax, (name, title, unit, marks, scale, log) in zip(axes, panels, strict=True):
        mean, low, high = _interval(results, name)
        if scale is None:  # a duration: in the unit of the mean
            unit, scale = duration_unit(mean if np.isfinite(mean) else HOUR)
        if np.isfinite(mean):
            ax.barh([0], [mean / scale], height=0.5, color=style.colour("work"))
            ax.errorbar([mean / scale], [0], xerr=[[(mean - low) / scale],
                                                   [(high - mean) / scale]],
                        fmt="none", ecolor="#222222", capsize=4)
            text = (f"{mean:.1%}" if name.endswith("share") else
                    format_duration(mean) if name.endswith("mean") else f"{mean:.3g}")
            ax.text(mean / scale, 0.32, text, ha="center", fontsize=9)
        else:
            ax.text(0.5, 0.5, "not observed", transform=ax.transAxes, ha="center")
        values = [v / scale for v in (low, high) if np.isfinite(v) and v > 0]
        for at, label in marks:
            ax.axvline(at / scale, color=style.GRID_COLOUR, linestyle="--", linewidth=1)
            ax.text(at / scale, -0.45, label, ha="center", fontsize=8, color="#555555")
            values.append(at / scale)
        if log and values:
            ax.set_xscale("log")
            ax.set_xlim(min(values) / 2, max(values) * 2)
        ax.set_yticks([])
        ax.set_ylim(-0.55, 0.6)
        style.label(ax, title, unit, "")
    axes[0].figure.suptitle("DORA measures (mean and 95% interval across replications)")
    return axes


def plot_tech_time_split(results: Any, ax: Axes | None = None) -> Axes:
    """A bar per kind of work (incidents: detect, page, wait, fix; feature items: queue,
    work, preempted, deploy_wait): the mean minutes per component, stacked in order; each
    total is the mean time to restore or lead time."""
    if ax is None:
        ax = style.new_axes((9.0, 3.2))
    rows = []
    for prefix, label, total_name in SPLITS:
        parts = {name[len(prefix):]: metric_mean(results, name) for name in results.metrics
                 if name.startswith(prefix)}
        if parts and any(np.isfinite(v) for v in parts.values()):
            rows.append((label, {k: v if np.isfinite(v) else 0.0 for k, v in parts.items()},
                         metric_mean(results, total_name)))
    longest = max((sum(parts.values()) for _, parts, _ in rows), default=0.0)
    unit, size = duration_unit(longest if longest > 0 else HOUR)
    for y, (_label, parts, total) in enumerate(rows):
        extra = split_colours(list(parts))
        colours = {k: SPLIT_COLOURS.get(k, extra[k]) for k in parts}
        left = 0.0
        for component, value in parts.items():
            width = value / size
            ax.barh([y], [width], left=[left], height=0.6, color=colours[component],
                    edgecolor="white", label=component.replace("_", " "))
            left += width
        ax.text(left, y + 0.35, f"total {format_duration(sum(parts.values()))}"
                + (f" (mean {format_duration(total)})" if np.isfinite(total) else ""),
                ha="right", fontsize=8.5)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([label for label, _, _ in rows])
    ax.set_ylim(-0.5, len(rows) - 0.2)
    style.label(ax, "Where the time goes: incidents and feature items", f"mean time ({unit})",
                "")
    ax.legend(fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.3),
              ncol=4)
    return ax


def plot_site(results: Any, axes: Any = None) -> Any:
    """The site's latency over time (mean per bin) and the orders it lost, per day."""
    if axes is None:
        figure = style.new_figure(style.PANELS_FIGSIZE)
        axes = figure.subplots(2, 1, sharex=True)
    common = {"warmup": results.warmup, "horizon": horizon_of(results)}
    plot_levels({"latency": results.series["site.latency"]}, results.bin_width, scale=60.0,
                title="Site latency (mean per bin)", ylabel="seconds", ax=axes[0], **common)
    plot_rates({"lost orders": results.series["site.lost_orders"]}, results.bin_width,
               title="Orders lost to the site", ylabel="orders per day", ax=axes[1], **common)
    return axes


def tech_figures(results: Any) -> dict[str, Figure]:
    figures = {"tech_time_split": plot_tech_time_split(results).figure}
    if any(name in results.metrics for name in ("tech.deploys_per_week",
                                                "tech.incident.time_to_restore.mean")):
        figures["tech_dora"] = plot_dora(results)[0].figure
    return figures


def site_figures(results: Any) -> dict[str, Figure]:
    return {"site": plot_site(results)[0].figure}
