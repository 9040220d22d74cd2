"""Figures of the support flow: throughput, waiting times, queue and utilisation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.plots import style
from sim.plots.distributions import Overlay, plot_distribution
from sim.plots.timeseries import TimeAxis, horizon_of, plot_levels, plot_rates

__all__ = ["mark_overload", "metric_mean", "overload_warnings", "plot_queue_panels",
           "plot_support_queue", "plot_support_throughput", "plot_support_wait",
           "support_figures"]

TRIGGER = "support.arrivals"  # the support flow ran when this series exists


def metric_mean(results: Any, name: str) -> float:
    """Mean of a metric across replications (nan when missing or never observed)."""
    values = np.asarray(results.metrics.get(name, ()), dtype=float)
    values = values[np.isfinite(values)]
    return float(values.mean()) if len(values) else float("nan")


def _replications(results: Any) -> str:
    """'mean of 3 replications', or '1 replication'."""
    count = len(np.atleast_2d(results.series[TRIGGER]))
    return f"mean of {count} replications" if count != 1 else "1 replication"


def plot_support_throughput(results: Any, ax: Axes | None = None) -> Axes:
    """Inquiries arriving, handled and abandoned, per day (counted after warm-up)."""
    names = {"arrivals": "arrived", "handled": "handled", "abandoned": "abandoned"}
    series = {label: results.series[f"support.{key}"] for key, label in names.items()
              if f"support.{key}" in results.series}
    colours = {label: style.COLOURS[key] for key, label in names.items()}
    return plot_rates(series, results.bin_width, warmup=results.warmup,
                      horizon=horizon_of(results), observed_from=results.warmup,
                      title=f"Support throughput ({_replications(results)})",
                      ylabel="inquiries per day", colours=colours, ax=ax)


def plot_support_wait(results: Any, ax: Axes | None = None) -> Axes:
    """Histogram of the waits of answered inquiries, p50/p90/p99 marked, with the times after
    which customers gave up outlined over the same bins.

    When the run has the shares (`support.waited_share`, `support.abandoned_share`), bars and
    notes are % of all arrivals after warm-up: answered at once (not in the bars), waited and
    did not give up (the answered waits; the few still waiting at the horizon count here too),
    gave up. Without them, bars are % of answered inquiries, and the note says so.
    """
    percentiles = {key: metric_mean(results, f"support.wait.{key}")
                   for key in ("p50", "p90", "p99")}
    waits = np.asarray(results.samples.get("support.wait", np.empty(0)), dtype=float)
    gave_up = np.asarray(results.samples.get("support.abandon_wait", np.empty(0)), dtype=float)
    waited = metric_mean(results, "support.waited_share")
    abandoned = metric_mean(results, "support.abandoned_share")
    title = "Support: wait until an agent answers, or the customer gives up"
    note = f"percentiles: waits of answered inquiries,\n{_replications(results)}"
    if not (np.isfinite(waited) and np.isfinite(abandoned)):
        return plot_distribution(
            waits, percentiles, title=title, quantity="wait",
            ylabel="share of answered inquiries (%)",
            zero_label="answered at once (of those answered)", note=note, ax=ax)
    answered_after_wait = max(waited - abandoned, 0.0)
    shares = (f"of all arrivals after warm-up:\n"
              f"answered at once: {1.0 - waited:.1%} (not in the bars)\n"
              f"waited, did not give up: {answered_after_wait:.1%}\n"
              f"gave up: {abandoned:.1%}")
    overlays = [Overlay(gave_up, "gave up (time to abandon)", style.COLOURS["abandoned"],
                        share=abandoned)] if len(gave_up) else []
    return plot_distribution(
        waits[waits > 0], percentiles, title=title, quantity="wait",
        ylabel="share of all arrivals (%)", note=f"{shares}\n{note}",
        share=answered_after_wait, label="answered after a wait", overlays=overlays, ax=ax)


def plot_support_queue(results: Any,
                       axes: Sequence[Axes] | None = None) -> tuple[Axes, ...]:
    """Queue length (top), utilisation in % (middle) and, when known, members on shift and
    in overtime as thin lines in a slim panel (bottom), over time and on one time axis.

    `axes`: the two or three Axes to draw on (default: new stacked panels). Returns them.
    """
    return plot_queue_panels(results, "support", "Support", "inquiries", axes)


def overload_warnings(results: Any, flow: str) -> list[str]:
    """The run's warnings that call `flow` overloaded (plots read them from Results)."""
    return [w for w in getattr(results, "warnings", None) or ()
            if w.startswith(flow) and "overloaded" in w]


def mark_overload(ax: Axes, warnings: list[str]) -> None:
    """A red title suffix and note on a panel whose queue is overloaded."""
    if not warnings:
        return
    title = ax.get_title(loc="left") or ax.get_title()
    ax.set_title("")
    ax.set_title(f"{title}: OVERLOADED", color=style.ALERT_COLOUR, fontsize=11, loc="left")
    ax.text(0.01, 0.97, "overloaded: the backlog grows through the window;\nits means are "
            "not steady-state values", transform=ax.transAxes, ha="left", va="top",
            fontsize=8.5, color=style.ALERT_COLOUR)


def plot_queue_panels(results: Any, prefix: str, label: str, noun: str,
                      axes: Sequence[Axes] | None = None) -> tuple[Axes, ...]:
    """A team's queue (`{prefix}.queue_length`), utilisation (`{prefix}.utilisation`) and
    members on shift (`{prefix}.on_shift`, `{prefix}.overtime`), marked when overloaded."""
    series, horizon = results.series, horizon_of(results)
    queue_name = f"{prefix}.queue_length"
    shifts = f"{prefix}.on_shift" in series
    if axes is None:
        axes = style.new_panels(3, (1.0, 1.0, 0.45), figsize=(9.0, 7.5)) if shifts \
            else style.new_panels(2, (1.0, 1.0))
    axes = tuple(axes)
    count = len(np.atleast_2d(series[queue_name]))
    reps = f"mean of {count} replications" if count != 1 else "1 replication"
    span = horizon if horizon is not None else \
        np.atleast_2d(series[queue_name]).shape[1] * results.bin_width
    time_axis = TimeAxis.for_horizon(span)
    common = dict(warmup=results.warmup, horizon=horizon, time_axis=time_axis, legend=False)
    waiting = f"{noun} waiting"
    plot_levels({waiting: series[queue_name]}, results.bin_width,
                title=f"{label} queue ({reps})", ylabel=waiting,
                colours={waiting: style.COLOURS["queue"]}, ax=axes[0], **common)
    mark_overload(axes[0], overload_warnings(results, prefix))
    if f"{prefix}.utilisation" in series:
        utilisation = series[f"{prefix}.utilisation"]
    else:  # results saved before utilisation was a series
        with np.errstate(invalid="ignore", divide="ignore"):
            on_shift = series[f"{prefix}.on_shift"]
            utilisation = np.where(on_shift > 0, series[f"{prefix}.busy"] / on_shift, np.nan)
    name = "utilisation = busy / (on shift + overtime)"
    plot_levels({name: utilisation}, results.bin_width, scale=100.0,
                title=f"{label} utilisation", ylabel="utilisation (%)",
                colours={name: style.COLOURS["utilisation"]}, ax=axes[1], **common)
    axes[1].set_ylim(0.0, 105.0)
    if shifts and len(axes) > 2:
        staff = {"members on shift": series[f"{prefix}.on_shift"]}
        if f"{prefix}.overtime" in series:
            staff["members in overtime"] = series[f"{prefix}.overtime"]
        plot_levels(staff, results.bin_width,
                    title="", ylabel="members", linewidth=style.THIN_LINE_WIDTH,
                    steps=True, colours={"members on shift": style.COLOURS["on_shift"],
                                         "members in overtime": style.COLOURS["overtime"]},
                    band=False, ax=axes[2], **common)
        on_shift = staff["members on shift"]
        peak = float(np.nanmax(on_shift)) if np.isfinite(on_shift).any() else 1.0
        axes[2].set_ylim(0.0, max(peak, 1.0) * 1.15)
        axes[2].set_yticks(np.unique(np.round(np.linspace(0.0, max(peak, 1.0), 3))))
    for ax in axes[:-1]:
        ax.tick_params(labelbottom=False)
        ax.set_xlabel("")
    style.figure_legend(axes[0].figure, *axes)
    return axes


def support_figures(results: Any) -> dict[str, Figure]:
    figures = {
        "support_throughput": plot_support_throughput(results).figure,
        "support_wait_distribution": plot_support_wait(results).figure,
        "support_queue": plot_support_queue(results)[0].figure,
    }
    return figures
