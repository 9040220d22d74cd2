"""Figures of a run, one family per module, all in one style (`style`).

`figures_for(results)` returns the figures of the flows present in the results, by file
stem; `Results.plots()` and `Results.save()` call it. The families are generic and reused
by every flow (support, orders, inventory): `plot_rates` (counts per bin as rates),
`plot_levels` (queues, stock, utilisation over time), `plot_distribution` (durations with
percentiles).

Figures are `matplotlib.figure.Figure` objects built without pyplot, so nothing here changes
the global backend: they save headless and display inline in notebooks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from matplotlib.figure import Figure

from sim.plots.collab import collab_figures
from sim.plots.commerce import inventory_figures, orders_figures
from sim.plots.distributions import duration_unit, plot_distribution
from sim.plots.support import support_figures
from sim.plots.tech import site_figures, tech_figures
from sim.plots.timeline import timeline_figures
from sim.plots.timeseries import TimeAxis, plot_levels, plot_rates

__all__ = ["FLOW_FIGURES", "TimeAxis", "duration_unit", "figures_for", "plot_distribution",
           "plot_levels", "plot_rates"]

# (series that shows the flow ran, builder of its figures); a new flow adds one line here,
# built from plot_rates / plot_levels / plot_distribution.
FLOW_FIGURES: tuple[tuple[str, Callable[[Any], dict[str, Figure]]], ...] = (
    ("support.arrivals", support_figures),
    ("orders.placed", orders_figures),
    ("inventory.on_hand.total", inventory_figures),
    ("orders.placed", timeline_figures),  # draws only with campaigns, a site or incidents
    ("tech.busy", tech_figures),
    ("site.latency", site_figures),
    ("collab.messages", collab_figures),
)


def figures_for(results: Any) -> dict[str, Figure]:
    """File stem -> figure, for each flow whose series are in `results`."""
    figures: dict[str, Figure] = {}
    for trigger, build in FLOW_FIGURES:
        if trigger in results.series:
            figures.update(build(results))
    return figures
