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

__all__ = ["metric_mean", "plot_support_queue", "plot_support_throughput", "plot_support_wait",
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
    """Queue length (top), utilisation in % (middle) and, when known, members on shift as a
    thin line in a slim panel (bottom), over time and on one time axis.

    `axes`: the two or three Axes to draw on (default: new stacked panels). Returns them.
    """
    series, horizon = results.series, horizon_of(results)
    shifts = "support.on_shift" in series
    if axes is None:
        axes = style.new_panels(3, (1.0, 1.0, 0.45), figsize=(9.0, 7.5)) if shifts \
            else style.new_panels(2, (1.0, 1.0))
    axes = tuple(axes)
    span = horizon if horizon is not None else series[TRIGGER].shape[1] * results.bin_width
    time_axis = TimeAxis.for_horizon(span)
    common = dict(warmup=results.warmup, horizon=horizon, time_axis=time_axis, legend=False)
    plot_levels({"inquiries waiting": series["support.queue_length"]}, results.bin_width,
                title=f"Support queue ({_replications(results)})",
                ylabel="inquiries waiting", colours={"inquiries waiting": style.COLOURS["queue"]},
                ax=axes[0], **common)
    if "support.utilisation" in series:
        utilisation = series["support.utilisation"]
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            on_shift = series["support.on_shift"]
            utilisation = np.where(on_shift > 0, series["support.busy"] / on_shift, np.nan)
    plot_levels({"utilisation": utilisation}, results.bin_width, scale=100.0,
                title="Support utilisation (busy / on shift)", ylabel="utilisation (%)",
                colours={"utilisation": style.COLOURS["utilisation"]}, ax=axes[1], **common)
    axes[1].set_ylim(0.0, 105.0)
    if shifts and len(axes) > 2:
        on_shift = series["support.on_shift"]
        plot_levels({"members on shift": on_shift}, results.bin_width,
                    title="", ylabel="members\non shift", linewidth=style.THIN_LINE_WIDTH,
                    steps=True, colours={"members on shift": style.COLOURS["on_shift"]},
                    band=False,
                    ax=axes[2], **common)
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
