"""The run's timeline: demand over time, site latency and incidents when the model has them,
and campaign windows with their prerequisites' due and done marks.

Each layer is drawn only when its series are in the results, so the figure works for a shop
with campaigns and no site as well as for one with a site and incidents. The layers it
looks for (series names, replications x bins):
- `orders.placed` (counts per bin): the demand panel;
- `site.latency` (minutes, time-average per bin): the latency panel, drawn in seconds;
- `tech.incidents_open.<severity>` (time-average open incidents per bin): incident bars,
  with `tech.busy` (engineers at work: feature work and incidents) as a line over them;
- `campaign.<name>.active` (share of each bin in the window): shaded windows; the due and
  done marks come from the resolved scenario and the `ready_margin` metrics.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.plots import style
from sim.plots.support import metric_mean
from sim.plots.timeseries import TimeAxis, bin_edges, horizon_of, plot_levels, plot_rates
from sim.units import parse_duration

DEMAND = "orders.placed"
LATENCY = "site.latency"
INCIDENT_PREFIX = "tech.incidents_open."
TECH_BUSY = "tech.busy"
CAMPAIGN_PREFIX, ACTIVE_SUFFIX = "campaign.", ".active"
WINDOW_COLOUR = "#E69F00"
LATENCY_COLOUR = "#D55E00"
DUE_MARK, DONE_MARK = "v", "o"


def timeline_figures(results: Any) -> dict[str, Figure]:
    """The timeline figure, when the run has any layer beyond demand."""
    if not (_campaigns(results) or LATENCY in results.series or _incidents(results)):
        return {}
    return {"timeline": plot_run_timeline(results).figure}


def plot_run_timeline(results: Any) -> Axes:
    """Stacked panels on one time axis: demand, latency, incidents (those present), with
    campaign windows shaded on each and prerequisite marks on the demand panel. Returns the
    demand panel."""
    layers = [name for name, present in (("demand", DEMAND in results.series),
                                         ("latency", LATENCY in results.series),
                                         ("incidents", bool(_incidents(results)))) if present]
    axes = style.new_panels(len(layers)) if len(layers) > 1 else [style.new_axes()]
    horizon = horizon_of(results)
    first = next(iter(results.series.values()))
    span = horizon or np.atleast_2d(first).shape[1] * results.bin_width
    time_axis = TimeAxis.for_horizon(span)
    common = dict(warmup=results.warmup, horizon=horizon, time_axis=time_axis, legend=False)
    for ax, layer in zip(axes, layers, strict=True):
        if layer == "demand":
            plot_rates({"orders placed": results.series[DEMAND]}, results.bin_width, ax=ax,
                       title="Run timeline", ylabel="orders per day", **common)
        elif layer == "latency":
            plot_levels({"page latency": results.series[LATENCY]}, results.bin_width, ax=ax,
                        title="", ylabel="latency (s)", scale=60.0,
                        colours={"page latency": LATENCY_COLOUR}, **common)
        else:
            _plot_incidents(results, ax, time_axis, horizon)
        _shade_campaigns(results, ax, time_axis, horizon)
    if "demand" in layers:
        _mark_prerequisites(results, axes[0], time_axis)
    style.finish_stacked(list(axes))
    return axes[0]


def _campaigns(results: Any) -> list[str]:
    return [name[len(CAMPAIGN_PREFIX):-len(ACTIVE_SUFFIX)] for name in results.series
            if name.startswith(CAMPAIGN_PREFIX) and name.endswith(ACTIVE_SUFFIX)]


def _incidents(results: Any) -> list[str]:
    return sorted(name for name in results.series if name.startswith(INCIDENT_PREFIX))


def _plot_incidents(results: Any, ax: Axes, time_axis: TimeAxis, horizon: float | None
                    ) -> None:
    """Open incidents per bin as stacked bars, one colour per severity."""
    bottom = None
    for index, name in enumerate(_incidents(results)):
        data = np.nanmean(np.atleast_2d(results.series[name]), axis=0)
        edges = bin_edges(len(data), results.bin_width, horizon) / time_axis.size
        ax.bar(edges[:-1], data, width=np.diff(edges), align="edge", bottom=bottom,
               color=style.colour(name, index), label=name[len(INCIDENT_PREFIX):])
        bottom = data if bottom is None else bottom + data
    ylabel = "open incidents"
    if TECH_BUSY in results.series:
        plot_levels({"engineers busy": results.series[TECH_BUSY]}, results.bin_width, ax=ax,
                    horizon=horizon, time_axis=time_axis, legend=False, title="",
                    ylabel="", colours={"engineers busy": "#555555"})
        ylabel = "open incidents,\nengineers busy"
    style.label(ax, "", time_axis.label, ylabel)


def _shade_campaigns(results: Any, ax: Axes, time_axis: TimeAxis, horizon: float | None
                     ) -> None:
    for name in _campaigns(results):
        active = np.nanmean(np.atleast_2d(results.series[CAMPAIGN_PREFIX + name
                                                         + ACTIVE_SUFFIX]), axis=0)
        edges = bin_edges(len(active), results.bin_width, horizon) / time_axis.size
        ax.bar(edges[:-1], np.where(active > 0, 1.0, 0.0), width=np.diff(edges), align="edge",
               color=WINDOW_COLOUR, alpha=0.18, linewidth=0,
               transform=ax.get_xaxis_transform(), label=f"campaign {name}")


def _mark_prerequisites(results: Any, ax: Axes, time_axis: TimeAxis) -> None:
    """Due (triangle) and done (circle, mean over replications that finished it) for each
    prerequisite, along the top of the demand panel."""
    campaigns = (getattr(results, "resolved", None) or {}).get("campaigns") or {}
    row = 0
    for name in _campaigns(results):
        spec = campaigns.get(name) or {}
        start = _minutes(spec.get("start"))
        if start is None:
            continue
        for item, due in _prerequisites(spec, start):
            height = 0.95 - 0.07 * row
            margin = metric_mean(results, f"campaign.{name}.ready_margin.{item}")
            ax.plot([due / time_axis.size], [height], DUE_MARK, color="#555555",
                    transform=ax.get_xaxis_transform(), label="due", clip_on=False)
            if np.isfinite(margin):
                done = start - margin
                late = margin < 0
                ax.plot([done / time_axis.size], [height], DONE_MARK,
                        color=style.ALERT_COLOUR if late else "#009E73",
                        transform=ax.get_xaxis_transform(),
                        label="done late" if late else "done in time", clip_on=False)
            ax.text(due / time_axis.size, height, f" {item}", fontsize=7.5, va="center",
                    transform=ax.get_xaxis_transform())
            row += 1


def _prerequisites(spec: dict, start: float) -> list[tuple[str, float]]:
    """(name, due) of the campaign's prerequisites in the resolved scenario."""
    items = spec.get("prerequisites") or {}
    found = []
    for kind in ("page", "capacity", "forecast"):
        if items.get(kind):
            found.append((kind, _minutes(items[kind].get("due")) or start))
    for team, staffing in (items.get("staffing") or {}).items():
        found.append((f"staffing.{team}", _minutes((staffing or {}).get("due")) or start))
    return found


def _minutes(value: Any) -> float | None:
    if value is None:
        return None
    try:
        return float(parse_duration(value))
    except (TypeError, ValueError):
        return None
