"""Figures of the collaboration layer: where each flow's response time goes (operations
against collaboration), trust over time, and who hands what to whom, how slowly.

They read Results only: a flow's split is its `<flow>.time_split.*` metrics, tagged by
the collaboration components' names (sim/metrics/split.py), so a flow added later (tech's
incidents and features) gets its bar by reporting its split.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.metrics.split import COLLABORATION_COMPONENTS
from sim.plots import style
from sim.plots.support import metric_mean
from sim.plots.timeseries import horizon_of, plot_levels
from sim.units import format_duration

__all__ = ["collab_figures", "plot_handoff_heatmap", "plot_time_split_by_flow",
           "plot_trust", "split_by_flow"]

TRIGGER = "collab.messages"  # the collaboration layer ran when this series exists
SPLIT = ".time_split."
OPERATIONS_COLOUR = "#0072B2"
COLLABORATION_COLOUR = "#D55E00"
RESPONSE_NAMES = {"support": "inquiry time to resolve", "orders": "order lead time",
                  "tech.incident": "incident time to restore", "tech.feature": "feature lead time"}


def split_by_flow(results: Any) -> dict[str, tuple[float, float]]:
    """Flow -> (operations, collaboration) mean minutes, for every flow reporting a split."""
    flows: dict[str, list[float]] = {}
    for name in results.metrics:
        flow, sep, component = name.partition(SPLIT)
        if not sep:
            continue
        value = metric_mean(results, name)
        parts = flows.setdefault(flow, [0.0, 0.0])
        if np.isfinite(value):
            parts[component in COLLABORATION_COMPONENTS] += value
    return {flow: (ops, collab) for flow, (ops, collab) in flows.items()}


def plot_time_split_by_flow(results: Any, ax: Axes | None = None) -> Axes:
    """One bar per flow, its mean response time split into operations and collaboration, as
    shares (flows' times differ by orders of magnitude), each part labelled in time."""
    split = split_by_flow(results)
    if ax is None:
        ax = style.new_axes((9.0, 1.9 + 0.7 * max(len(split), 1)))
    for row, (flow, (ops, collab)) in enumerate(split.items()):
        total = ops + collab
        shares = (ops / total, collab / total) if total > 0 else (0.0, 0.0)
        left = 0.0
        for part, share, minutes, tint, label in (
                ("operations", shares[0], ops, OPERATIONS_COLOUR, "operations"),
                ("collaboration", shares[1], collab, COLLABORATION_COLOUR, "collaboration")):
            bar = ax.barh([row], [share], left=[left], height=0.6, color=tint,
                          edgecolor="white", label=label if row == 0 else None)
            bar.patches[0].set_gid(f"orgsim-split:{flow}:{part}")
            if share >= 0.08:
                ax.text(left + share / 2, row, f"{share:.0%} ({_readable(minutes)})",
                        ha="center", va="center", fontsize=9, color="white")
            left += share
        ax.text(1.01, row, f"{_readable(total)}", ha="left", va="center", fontsize=9)
    ax.set_yticks(range(len(split)))
    ax.set_yticklabels([RESPONSE_NAMES.get(flow, flow) for flow in split])
    ax.invert_yaxis()
    ax.set_xlim(0.0, 1.0)
    ax.xaxis.set_major_formatter(lambda x, _pos: f"{x:.0%}")
    ax.grid(False, axis="y")
    style.label(ax, "Operations or collaboration: where the response time goes "
                "(mean, right: total)", "share of the mean response time", "")
    ax.figure.legend(fontsize=9, frameon=False, loc="outside lower center", ncol=2)
    return ax


def plot_trust(results: Any, ax: Axes | None = None) -> Axes:
    """Each pair's trust over time (mean across replications, 10th-90th percentile band)."""
    series = {name[len("trust."):].replace(".", " trusts ", 1): data
              for name, data in results.series.items() if name.startswith("trust.")}
    ax = plot_levels(series, results.bin_width, warmup=results.warmup,
                     horizon=horizon_of(results), title="Trust between teams",
                     ylabel="trust (0: none, 1: full)", ax=ax)
    ax.set_ylim(0.0, 1.05)
    return ax


def _pairs(results: Any) -> list[tuple[str, str, str]]:
    """(from, to, metric part) of each pair with per-pair channel metrics; team names may
    hold dots, so the split is the one that names two of the scenario's teams."""
    teams = set((getattr(results, "resolved", None) or {}).get("teams", {}) or {})
    found = []
    prefix, suffix = "collab.channel.", ".messages_per_day"
    for name in results.metrics:
        if not (name.startswith(prefix) and name.endswith(suffix)):
            continue
        key = name[len(prefix):-len(suffix)]
        parts = key.split(".")
        for cut in range(1, len(parts)):
            source, target = ".".join(parts[:cut]), ".".join(parts[cut:])
            if not teams or (source in teams and target in teams):
                found.append((source, target, key))
                break
    return found


def plot_handoff_heatmap(results: Any, ax: Axes | None = None) -> Axes:
    """From team (rows) to team (columns): the colour is the mean wait of a message, the text
    the messages per day and that wait."""
    pairs = _pairs(results)
    teams = sorted({team for source, target, _ in pairs for team in (source, target)})
    if ax is None:
        ax = style.new_axes((2.6 + 1.3 * len(teams), 1.8 + 1.0 * len(teams)))
    index = {team: i for i, team in enumerate(teams)}
    waits = np.full((len(teams), len(teams)), np.nan)
    for source, target, key in pairs:
        i, j = index[source], index[target]
        wait = metric_mean(results, f"collab.channel.{key}.wait.mean")
        volume = metric_mean(results, f"collab.channel.{key}.messages_per_day")
        waits[i, j] = wait / 60.0 if np.isfinite(wait) else np.nan
        ax.text(j, i, f"{volume:.0f}/d\n{_readable(wait) if np.isfinite(wait) else '-'}",
                ha="center", va="center", fontsize=9, color="#222222")
    image = ax.imshow(np.ma.masked_invalid(waits), cmap="Oranges", vmin=0.0)
    ax.figure.colorbar(image, ax=ax, label="mean wait of a message (h)", shrink=0.8)
    ax.set_xticks(range(len(teams)))
    ax.set_xticklabels(teams)
    ax.set_yticks(range(len(teams)))
    ax.set_yticklabels(teams)
    ax.grid(False)
    style.label(ax, "Hand-offs between teams: volume and delay", "to", "from")
    return ax


def _readable(minutes: float) -> str:
    return "0" if minutes == 0 else format_duration(minutes)


def collab_figures(results: Any) -> dict[str, Figure]:
    figures: dict[str, Figure] = {}
    if split_by_flow(results):
        figures["collab_time_split"] = plot_time_split_by_flow(results).figure
    if any(name.startswith("trust.") for name in results.series):
        figures["collab_trust"] = plot_trust(results).figure
    if _pairs(results):
        figures["collab_handoffs"] = plot_handoff_heatmap(results).figure
    return figures
