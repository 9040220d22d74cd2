"""Figures of the commerce flows: orders placed and delivered, the lead time, its split into
phases, and stock over time for the busiest products.

They read Results only (never `sim.model`): the components of the lead-time split are the
`orders.time_split.*` metrics present, so components added by later layers are drawn too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.plots import style
from sim.plots.distributions import duration_unit, plot_distribution
from sim.plots.support import mark_overload, metric_mean, overload_warnings, plot_queue_panels
from sim.plots.timeseries import (
    TimeAxis,
    bin_edges,
    horizon_of,
    plot_levels,
    plot_rates,
    spread,
)
from sim.units import format_duration

__all__ = ["inventory_figures", "mark_label", "orders_figures", "plot_fulfilment_queue",
           "plot_inventory_stock",
           "plot_orders_lead_time", "plot_orders_throughput", "plot_orders_time_split",
           "split_colours", "split_components", "stock_products"]

TRIGGER = "orders.placed"  # the order flow ran when this series exists
INVENTORY_TRIGGER = "inventory.on_hand.total"  # stock was tracked
SPLIT_PREFIX = "orders.time_split."
ON_HAND_PREFIX = "inventory.on_hand."
MARK_PREFIX = "inventory.reorder_mark."
POSITION_PREFIX = "inventory.position."  # on hand + on order - backorders: what policies see
POSITION_STYLE = ":"

# The lead-time split, placed to delivered: known components in the order they happen, each
# with a readable name; components not listed here follow in the order of the metrics.
SPLIT_ORDER = ("stock", "queue", "work", "cutoff", "pickup", "transit")
SPLIT_NAMES = {
    "stock": "waiting for stock",
    "queue": "warehouse queue",
    "work": "warehouse work",
    "cutoff": "held by the cut-off",
    "pickup": "waiting for pickup",
    "transit": "in transit",
}

# What the dashed line of a product's stock panel is, by replenishment policy type.
MARK_NAMES = {"rQ": ("reorder point", "R"), "sS": ("reorder level", "s"),
              "base_stock": ("order-up-to level", "S"), "forecast": ("order-up-to level", "S")}


def _format(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _replications(results: Any, name: str) -> str:
    """'mean of 3 replications', or '1 replication'."""
    count = len(np.atleast_2d(results.series[name])) if name in results.series \
        else results.replications
    return f"mean of {count} replications" if count != 1 else "1 replication"


def _time_axis(results: Any, name: str) -> tuple[TimeAxis, float | None]:
    horizon = horizon_of(results)
    span = horizon if horizon is not None else \
        np.atleast_2d(results.series[name]).shape[1] * results.bin_width
    return TimeAxis.for_horizon(span), horizon


# --- orders placed and delivered ------------------------------------------------------------

def plot_orders_throughput(results: Any,
                           axes: Sequence[Axes] | None = None) -> tuple[Axes, ...]:
    """Orders placed and delivered per day (counted after warm-up), warm-up shaded.

    One panel; two stacked panels on one time axis (placed above, delivered below, each on
    its own scale) when the peaks of one dwarf the other, as deliveries that come in bursts
    at pickup times do. `axes`: one or two Axes to draw on. Returns them.
    """
    names = {"placed": "placed", "delivered": "delivered"}
    series = {label: results.series[f"orders.{key}"] for key, label in names.items()
              if f"orders.{key}" in results.series}
    colours = {label: style.COLOURS[key] for key, label in names.items()}
    if axes is None:
        axes = style.new_panels(2) if _dwarfs(series) else [style.new_axes()]
    axes = tuple(axes)
    title = f"Orders placed and delivered ({_replications(results, TRIGGER)})"
    time_axis, horizon = _time_axis(results, TRIGGER)
    common = dict(warmup=results.warmup, horizon=horizon, observed_from=results.warmup,
                  time_axis=time_axis, colours=colours, legend=False)
    if len(axes) == 1:
        plot_rates(series, results.bin_width, title=title, ylabel="orders per day", ax=axes[0],
                   **common)
    else:
        for index, (label, data) in enumerate(series.items()):
            ax = axes[min(index, len(axes) - 1)]
            plot_rates({label: data}, results.bin_width, ax=ax, **common,
                       title=title if index == 0 else "", ylabel=f"orders {label}\nper day")
    style.finish_stacked(list(axes))
    lines = [f"{label}: {_format(metric_mean(results, f'orders.{key}_per_day'))} a day"
             for key, label in names.items()
             if np.isfinite(metric_mean(results, f"orders.{key}_per_day"))]
    if lines:
        style.side_note(axes[-1], "after warm-up\n" + "\n".join(lines)
                        + f"\nbins of {format_duration(results.bin_width)}")
    return axes


def _dwarfs(series: dict[str, Any], ratio: float = 4.0) -> bool:
    """Whether the highest mean bin of one series is over `ratio` times that of another."""
    peaks = []
    for data in series.values():
        mean, _, _ = spread(data)
        peaks.append(float(np.nanmax(mean)) if np.isfinite(mean).any() else 0.0)
    if len(peaks) < 2 or min(peaks) <= 0:
        return False
    return max(peaks) > ratio * min(peaks)


# --- lead time ------------------------------------------------------------------------------

def plot_orders_lead_time(results: Any, ax: Axes | None = None) -> Axes:
    """Histogram of order lead times (placed to delivered), p50/p90/p99 and the delivery
    promise marked, the on-time share noted."""
    percentiles = {key: metric_mean(results, f"orders.lead_time.{key}")
                   for key in ("p50", "p90", "p99")}
    sample = np.asarray(results.samples.get("orders.lead_time", np.empty(0)), dtype=float)
    facts = getattr(results, "facts", None)
    promise = facts.promise if facts is not None else None
    typical = percentiles["p90"]
    if not np.isfinite(typical):
        finite = sample[np.isfinite(sample)]
        typical = float(np.percentile(finite, 90)) if len(finite) else float("nan")
    unit = duration_unit(typical)
    notes = [f"percentiles: {_replications(results, TRIGGER)}"]
    on_time = metric_mean(results, "orders.on_time_share")
    if np.isfinite(on_time):
        within = f" (within {_format(promise / unit[1])} {unit[0]})" if promise else ""
        notes.insert(0, f"on time{within}: {on_time:.1%}")
    ax = plot_distribution(sample, percentiles, title="Order lead time: placed to delivered",
                           quantity="lead time", ylabel="share of delivered orders (%)",
                           note="\n".join(notes), unit=unit, ax=ax)
    if promise is not None:
        ax.axvline(promise / unit[1], color=style.COLOURS["promise"], linestyle="-",
                   linewidth=2.2, alpha=0.8,
                   label=f"promise = {_format(promise / unit[1])} {unit[0]}")
        low, high = ax.get_xlim()
        if promise / unit[1] > high * 0.97:
            ax.set_xlim(low, promise / unit[1] * 1.05)
        style.legend(ax, outside=True)
    return ax


# --- split of the lead time -----------------------------------------------------------------

def split_components(metrics: Any) -> list[str]:
    """The components of the lead-time split in the metrics: the known ones in the order they
    happen, then any others in the order of the metrics."""
    present = [name[len(SPLIT_PREFIX):] for name in metrics if name.startswith(SPLIT_PREFIX)]
    known = [name for name in SPLIT_ORDER if name in present]
    return known + [name for name in present if name not in SPLIT_ORDER]


def split_colours(components: Sequence[str]) -> dict[str, str]:
    """A colour per component: the fixed one of a known phase (by who holds the order), the
    others in turn from the extra colours."""
    extra = style.SPLIT_EXTRA_COLOURS
    others = [name for name in components if name not in style.SPLIT_COLOURS]
    return {name: style.SPLIT_COLOURS.get(name) or extra[others.index(name) % len(extra)]
            for name in components}


def plot_orders_time_split(results: Any, ax: Axes | None = None) -> Axes:
    """One horizontal bar of the mean minutes per phase of an order's lead time, stacked in
    the order they happen; the total is the mean lead time. The orders are those delivered
    after warm-up (as the flow samples them), wherever they were placed."""
    if ax is None:
        ax = style.new_axes((9.0, 2.9))
    components = split_components(results.metrics)
    values = {name: metric_mean(results, SPLIT_PREFIX + name) for name in components}
    values = {name: value if np.isfinite(value) else 0.0 for name, value in values.items()}
    total = float(sum(values.values()))
    lead = metric_mean(results, "orders.lead_time.mean")
    name, size = duration_unit(total if total > 0 else lead)
    colours = split_colours(components)
    left = 0.0
    for component, value in values.items():
        tint = colours[component]
        width = value / size
        label = f"{SPLIT_NAMES.get(component, component.replace('_', ' '))}: " \
                f"{_readable(value)}"
        bar = ax.barh([0], [width], left=[left], height=0.6, color=tint, edgecolor="white",
                      linewidth=0.8, label=label)
        bar.patches[0].set_gid(f"orgsim-split:{component}")
        if total > 0 and value / total >= 0.07:
            dark = _is_dark(tint)
            ax.text(left + width / 2, 0, _readable(value), ha="center", va="center", fontsize=9,
                    color="white" if dark else "#222222")
        left += width
    end = total / size
    text = f"total {_format(end)} {name}"
    if np.isfinite(lead):
        same = abs(lead - total) <= 1e-6 * max(abs(lead), 1.0)
        text += " = mean lead time" if same else f"\n(mean lead time {_format(lead / size)} {name})"
    ax.text(end, 0.42, text, ha="right", va="bottom", fontsize=9, color="#222222")
    ax.set_xlim(0.0, end * 1.02 if end > 0 else 1.0)
    ax.set_ylim(-0.45, 0.75)
    ax.set_yticks([0])
    ax.set_yticklabels(["mean order"])
    ax.grid(False, axis="y")
    style.label(ax, f"Where the lead time goes ({_replications(results, TRIGGER)}, orders "
                "delivered after warm-up)", f"mean time per order ({name})", "")
    ax.legend(fontsize=8.5, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.32),
              ncol=3)
    return ax


def _readable(minutes: float) -> str:
    """'0', '45 s', '5.2 min', '18 h', '1.2 d'."""
    return "0" if minutes == 0 else format_duration(minutes)


def _is_dark(colour: str) -> bool:
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.299 * red + 0.587 * green + 0.114 * blue < 140


# --- stock ----------------------------------------------------------------------------------

def stock_products(series: Any) -> list[str]:
    """SKUs with a stock series (the busiest products, as the flow keeps them), in order."""
    return [name[len(ON_HAND_PREFIX):] for name in series
            if name.startswith(ON_HAND_PREFIX) and name != INVENTORY_TRIGGER]


def policy_type(results: Any, sku: str) -> str | None:
    """The replenishment policy type of a product ('rQ', ...), None when the run does not
    say (no policy, or an old folder without facts)."""
    facts = getattr(results, "facts", None)
    return facts.policy_types.get(sku) if facts is not None else None


def mark_label(policy: str | None, value: float) -> tuple[str, str]:
    """(long label, short label) of a product's reorder mark under `policy`, e.g.
    ('reorder point R = 20', 'R = 20')."""
    name, symbol = MARK_NAMES.get(policy or "", ("reorder mark", ""))
    short = f"{symbol} = {_format(value)}" if symbol else _format(value)
    return f"{name} {short}", short


def plot_inventory_stock(results: Any, axes: Sequence[Axes] | None = None) -> tuple[Axes, ...]:
    """Units on hand over time, one panel per product (the busiest), each with its inventory
    position (on hand + on order - backorders, dotted) and its reorder mark (R for rQ, s for
    sS, S for base stock and forecast; dashed), all in the product's colour: the policy
    compares the position, not the stock on hand, with the mark. A first panel with all
    products when the catalog has more than those shown."""
    series = results.series
    skus = stock_products(series)
    total = series.get(INVENTORY_TRIGGER)
    shown = [np.atleast_2d(series[ON_HAND_PREFIX + sku]) for sku in skus]
    with_total = total is not None and (not shown or not np.allclose(
        np.nan_to_num(np.sum(shown, axis=0)), np.nan_to_num(np.atleast_2d(total))))
    rows = len(skus) + int(with_total)
    if axes is None:
        height = min(1.3 + 1.75 * max(rows, 1), 10.0)
        axes = style.new_panels(max(rows, 1), figsize=(9.0, height))
    axes = tuple(axes)
    time_axis, horizon = _time_axis(results, INVENTORY_TRIGGER if total is not None
                                    else ON_HAND_PREFIX + skus[0])
    common = dict(warmup=results.warmup, horizon=horizon, time_axis=time_axis, legend=False)
    panels = list(axes)
    if with_total:
        ax = panels.pop(0)
        plot_levels({"all products": total}, results.bin_width, ylabel="units",
                    title="All products: units on hand", colours={"all products": "#555555"},
                    ax=ax, **common)
    for index, (sku, ax) in enumerate(zip(skus, panels, strict=False)):
        tint = style.CYCLE[index % len(style.CYCLE)]
        position = series.get(POSITION_PREFIX + sku)
        plot_levels({f"{sku} on hand": series[ON_HAND_PREFIX + sku]}, results.bin_width,
                    ylabel="units", title=f"{sku}: units on hand"
                    + (" and inventory position" if position is not None else ""),
                    colours={f"{sku} on hand": tint}, ax=ax, **common)
        if position is not None:
            _draw_position(ax, results, sku, position, tint, horizon, time_axis)
        _draw_mark(ax, results, sku, tint, horizon, time_axis)
    for ax in axes[:-1]:
        ax.tick_params(labelbottom=False)
        ax.set_xlabel("")
    _stock_legend(axes[0].figure, results, axes)
    return axes


def _draw_position(ax: Axes, results: Any, sku: str, position: Any, tint: str,
                   horizon: float | None, time_axis: TimeAxis) -> None:
    """The inventory position, mean across replications per bin, as a dotted line."""
    mean, _, _ = spread(position)
    edges = bin_edges(len(mean), results.bin_width, horizon)
    ax.plot((edges[:-1] + edges[1:]) / 2 / time_axis.size, mean, color=tint,
            linestyle=POSITION_STYLE, linewidth=style.LINE_WIDTH,
            label=f"{sku} inventory position")
    if not np.isfinite(mean).any():
        return
    low, high = ax.get_ylim()  # fixed by the on-hand panel: widen it to the position
    lowest, highest = float(np.nanmin(mean)), float(np.nanmax(mean))
    ax.set_ylim(min(low, lowest * 1.1), max(high, highest * 1.05))  # below 0: backorders


def _draw_mark(ax: Axes, results: Any, sku: str, tint: str, horizon: float | None,
               time_axis: TimeAxis) -> None:
    mark = results.series.get(MARK_PREFIX + sku)
    if mark is None:
        return
    mean, _, _ = spread(mark)
    if not np.isfinite(mean).any():
        ax.text(0.99, 0.96, "no replenishment policy", transform=ax.transAxes, ha="right",
                va="top", fontsize=8.5, color="#555555")
        return
    edges = bin_edges(len(mean), results.bin_width, horizon) / time_axis.size
    level = float(np.nanmean(mean))
    long, short = mark_label(policy_type(results, sku), level)
    ax.plot(edges, np.append(mean, mean[-1]), color=tint, linestyle="--", linewidth=1.3,
            drawstyle="steps-post", label=f"{sku} {long}")  # each bin flat, edge to edge
    ax.text(ax.get_xlim()[1], level, f"{short} ", ha="right", va="bottom", fontsize=8.5,
            color=tint, fontweight="bold")
    low, high = ax.get_ylim()
    if level * 1.15 > high:
        ax.set_ylim(low, level * 1.15)


def _stock_legend(figure: Figure, results: Any, axes: Sequence[Axes]) -> None:
    """One legend for every panel: what a solid and a dashed line are, the band, warm-up."""
    count = len(np.atleast_2d(results.series[INVENTORY_TRIGGER])) \
        if INVENTORY_TRIGGER in results.series else results.replications
    averaged = "(time average per bin,\n" + (f"mean of {count} reps)" if count != 1
                                             else "1 rep)")
    handles: list[Any] = [
        Line2D([], [], color="#555555", linewidth=style.LINE_WIDTH,
               label=f"units on hand\n{averaged}"),
    ]
    if any(name.startswith(POSITION_PREFIX) for name in results.series):
        handles.append(Line2D([], [], color="#555555", linestyle=POSITION_STYLE,
                              linewidth=style.LINE_WIDTH,
                              label="inventory position:\non hand + on order\n- backorders"))
    handles.append(Line2D([], [], color="#555555", linestyle="--", linewidth=1.3,
                          label="reorder mark:\nR (rQ), s (sS) or\norder-up-to S, which\n"
                                "the policy compares with\nthe inventory position"))
    _, labels = style.legend_entries(*axes)
    if count >= 2:
        handles.append(style.band_handle(count))
    if style.WARMUP_LABEL in labels:
        handles.append(Patch(color=style.WARMUP_COLOUR, alpha=style.WARMUP_ALPHA + 0.1,
                             label=style.WARMUP_LABEL))
    figure.legend(handles=handles, loc="outside right upper", fontsize=8.5, frameon=False)


# --- the figures of the flows ---------------------------------------------------------------

def plot_fulfilment_queue(results: Any,
                          axes: Sequence[Axes] | None = None) -> tuple[Axes, ...]:
    """The warehouse teams' queue, utilisation and members on shift and in overtime, marked
    when fulfilment is overloaded."""
    return plot_queue_panels(results, "fulfilment", "Warehouse", "shipments", axes)


def orders_figures(results: Any) -> dict[str, Figure]:
    figures = {"orders_throughput": plot_orders_throughput(results)[0].figure}
    if "orders.lead_time" in results.samples or "orders.lead_time.p90" in results.metrics:
        lead_time = plot_orders_lead_time(results)
        mark_overload(lead_time, overload_warnings(results, "fulfilment"))
        figures["orders_lead_time"] = lead_time.figure
    if "fulfilment.queue_length" in results.series:
        figures["fulfilment_queue"] = plot_fulfilment_queue(results)[0].figure
    if split_components(results.metrics):
        figures["orders_time_split"] = plot_orders_time_split(results).figure
    return figures


def inventory_figures(results: Any) -> dict[str, Figure]:
    if not stock_products(results.series):
        return {}
    return {"inventory_stock": plot_inventory_stock(results)[0].figure}
