"""The run's timeline figure: drawn only with a layer beyond demand, one panel per layer
present, campaign windows shaded where their series says, prerequisite marks from the
resolved scenario and the readiness margins."""

from __future__ import annotations

import numpy as np

from sim.plots import FLOW_FIGURES
from sim.plots.timeline import plot_run_timeline, timeline_figures
from sim.results import Results, RunFacts
from sim.units import DAY

BINS = 48  # two days of hourly bins


def results(series: dict, metrics: dict | None = None, resolved: dict | None = None
            ) -> Results:
    return Results("x", 0, resolved or {}, metrics or {}, series, {}, 60.0, 0.0,
                   facts=RunFacts(horizon=2 * DAY, warmup=0.0, promise=None))


def campaign_series(reps: int = 2) -> dict:
    active = np.zeros((reps, BINS))
    active[:, 24:36] = 1.0  # 24h to 36h
    return {"orders.placed": np.ones((reps, BINS)), "campaign.sale.active": active}


def test_no_figure_without_a_layer_beyond_demand():
    assert timeline_figures(results({"orders.placed": np.ones((2, BINS))})) == {}


def test_the_campaign_window_is_shaded_where_it_ran_and_marks_follow_the_margins():
    resolved = {"campaigns": {"sale": {"start": "1d", "prerequisites": {
        "page": {"effort": "4h", "due": "20h"}, "forecast": {"effort": "1h"}}}}}
    metrics = {"campaign.sale.ready_margin.page": np.array([120.0, 240.0]),  # 3h before
               "campaign.sale.ready_margin.forecast": np.array([-60.0, -60.0])}  # 1h late
    ax = plot_run_timeline(results(campaign_series(), metrics, resolved))
    window = next(c for c in ax.containers if c.get_label() == "campaign sale")
    lefts = sorted(p.get_x() for p in window.patches if p.get_height() > 0)
    assert lefts and lefts[0] == 1.0 and max(lefts) < 1.5  # days 1 to 1.5
    marks = {line.get_label(): line.get_xdata()[0] for line in ax.lines
             if line.get_label() in ("due", "done in time", "done late")}
    assert marks["done in time"] * DAY == DAY - 180.0
    assert marks["done late"] * DAY == DAY + 60.0


def test_latency_and_incidents_add_panels_and_the_figure_is_registered():
    series = {**campaign_series(), "site.latency": np.full((2, BINS), 0.02),
              "site.lost_orders": np.zeros((2, BINS)),
              "tech.incidents_open.sev1": np.zeros((2, BINS)),
              "tech.busy": np.ones((2, BINS))}
    figures = timeline_figures(results(series))
    assert timeline_figures in [build for _, build in FLOW_FIGURES]  # figures_for draws it
    assert len(figures["timeline"].axes) == 3  # demand, latency, incidents
    tech_panel = figures["timeline"].axes[2]
    assert "engineers busy" in [line.get_label() for line in tech_panel.lines]
