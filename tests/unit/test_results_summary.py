"""The summary's confidence intervals stay within what each metric's declaration says it can
be, and a mean says how many replications defined it."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from sim.analysis.statistics import mean_ci, t_quantile
from sim.cli import render_summary
from sim.results import Results


def results_with(metrics: dict[str, list[float]]) -> Results:
    return Results("s", 1, {}, {k: np.array(v) for k, v in metrics.items()}, {}, {}, 60.0, 0.0)


def test_shares_stay_within_0_and_1_and_durations_above_0():
    summary = results_with({
        "inventory.fill_rate": [0.99, 1.0, 1.0, 0.97],
        "orders.time_split.stock": [0.0, 0.0, 9.0, 0.0],
        "support.wait.mean": [1.0, 1.2, 0.9, 1.1],
    }).summary_dict()["metrics"]
    low, high = summary["inventory.fill_rate"]["ci95"]
    assert high == 1.0 and 0.9 < low < 0.99
    low, high = summary["orders.time_split.stock"]["ci95"]
    assert low == 0.0 and high > 2.25
    low, high = summary["support.wait.mean"]["ci95"]  # an interval inside the bounds is kept
    assert 0.8 < low < 1.05 < high < 1.3
    assert summary["support.wait.mean"]["unit"] == "min"


def test_one_replication_has_no_interval():
    summary = results_with({"support.wait.mean": [1.0]}).summary_dict()["metrics"]
    assert summary["support.wait.mean"] == {"mean": 1.0, "ci95": None, "unit": "min",
                                            "kind": "duration", "n": 1}


def test_counts_stay_above_0_and_money_keeps_its_declared_bounds():
    summary = results_with({
        "inventory.lost_sales": [0.0, 0.0, 0.0, 12.0],
        "revenue": [10.0, 12.0, 11.0, 9.0],
    }).summary_dict()["metrics"]
    assert summary["inventory.lost_sales"]["ci95"][0] == 0.0
    assert summary["inventory.lost_sales"]["unit"] == "units"
    low, high = summary["revenue"]["ci95"]
    assert summary["revenue"]["kind"] == "money" and 8.0 < low < 10.5 < high < 13.0


def test_undefined_replications_are_counted_not_silently_dropped():
    values = [2.0, float("nan"), 3.0, 2.5, 2.2]
    estimate = mean_ci(values)
    assert (estimate.n, estimate.replications) == (4, 5)
    assert estimate.mean == pytest.approx(np.mean([2.0, 3.0, 2.5, 2.2]))
    half = t_quantile(0.95, 3) * np.std([2.0, 3.0, 2.5, 2.2], ddof=1) / 2.0
    assert estimate.high - estimate.mean == pytest.approx(half)
    results = results_with({"orders.lead_time.mean": [v * 1440 for v in values],
                            "orders.placed_per_day": [5.0, 6.0, 5.5, 6.1, 5.2]})
    summary = results.summary_dict()
    assert summary["metrics"]["orders.lead_time.mean"]["n"] == 4
    assert summary["metrics"]["orders.placed_per_day"]["n"] == 5
    table = render_summary(summary)
    lead = next(line for line in table.splitlines() if line.startswith("orders.lead_time"))
    placed = next(line for line in table.splitlines() if line.startswith("orders.placed"))
    assert " d (4 of 5 reps)" in lead
    assert "of 5 reps" not in placed
    assert results.summary().loc["orders.lead_time.mean", "n"] == 4


def test_a_metric_no_replication_defined_has_n_0_and_no_interval():
    estimate = mean_ci([float("nan")] * 3)
    assert math.isnan(estimate.mean) and estimate.low is None and estimate.n == 0
    summary = results_with({"support.wait.mean": [float("nan")] * 3}).summary_dict()
    assert summary["metrics"]["support.wait.mean"] == {
        "mean": None, "ci95": None, "unit": "min", "kind": "duration", "n": 0}
    assert "n/a (0 of 3 reps)" in render_summary(summary)


def test_a_saved_summary_of_an_older_orgsim_keeps_its_units(tmp_path):
    """Files written before declarations: no kind, no n, and maybe a metric renamed since."""
    results = results_with({"support.wait.mean": [1.0, 1.2], "support.old_share": [0.9, 1.0]})
    results.save(tmp_path, plots=False)
    summary = json.loads((tmp_path / "summary.json").read_text())
    summary["metrics"]["support.old_share"]["unit"] = "share"
    for entry in summary["metrics"].values():
        del entry["kind"], entry["n"]
    (tmp_path / "summary.json").write_text(json.dumps(summary))
    table = render_summary(summary)  # as written then: by unit, every replication counted
    assert "reps)" not in table and "%" in table.splitlines()[-1]
    loaded = Results.load(tmp_path)
    again = loaded.summary_dict()["metrics"]
    assert again["support.old_share"]["unit"] == "share"
    assert again["support.old_share"]["ci95"][1] == 1.0  # a share's bound, from its unit
    assert again["support.wait.mean"]["kind"] == "duration"
