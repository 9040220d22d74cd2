"""The summary's confidence intervals stay within what each metric can be."""

from __future__ import annotations

import numpy as np

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
    assert summary["support.wait.mean"] == {"mean": 1.0, "ci95": None, "unit": "min"}
