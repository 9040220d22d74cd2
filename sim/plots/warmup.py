"""The warm-up plot of `orgsim warmup`: each headline series, averaged across replications,
with its MSER-5 cut, the suggested warm-up and the half-run limit of the search marked."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from sim.plots import style
from sim.plots.timeseries import TimeAxis


def warmup_figure(suggestion) -> Figure:
    """One panel per headline series (a `sim.experiment.warmup.WarmupSuggestion`)."""
    cuts = suggestion.headline or suggestion.cuts[:1]
    axes = style.new_panels(max(len(cuts), 1),
                            figsize=(style.FIGSIZE[0], 2.2 + 1.8 * max(len(cuts), 1)))
    figure = axes[0].figure
    time_axis = TimeAxis.for_horizon(suggestion.horizon or 1.0)
    for ax, cut in zip(axes, cuts, strict=False):
        values = suggestion.means[cut.series]
        x = (np.arange(len(values)) + 0.5) * suggestion.bin_width / time_axis.size
        ax.plot(x, values, color=style.colour(cut.series.rsplit(".", 1)[-1]), lw=1.2,
                label=f"mean of {suggestion.replications} replications")
        ax.axvline(cut.minutes / time_axis.size, color="#555555", ls="--", lw=1,
                   label="this series' cut")
        ax.axvline(suggestion.minutes / time_axis.size, color="#D55E00", lw=1.5,
                   label="suggested warm-up")
        ax.axvspan(cut.limit / time_axis.size, x[-1] if len(x) else 0, color="#eeeeee",
                   zorder=0, label="beyond the search (second half)")
        state = "" if cut.settled else " (not settled)"
        style.label(ax, f"{cut.series}{state}", "", "level")
    axes[-1].set_xlabel(time_axis.label)
    style.legend(axes[0])
    figure.suptitle(f"{suggestion.scenario}: warm-up by MSER-5")
    return figure
