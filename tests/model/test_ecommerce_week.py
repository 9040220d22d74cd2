"""The bundled ecommerce_week scenario tells the stories it is meant to tell."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import sim

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "ecommerce_week.yaml"


def run(*overrides: str, reps: int = 2) -> sim.Results:
    return sim.run(sim.load_scenario(SCENARIO, list(overrides)), reps=reps)


def test_a_late_supplier_makes_lead_times_grow():
    """Same seed, so the same customers (common random numbers); only the overseas supplier
    changes: mostly late, by days. Stock-outs follow, and orders wait for stock."""
    on_time = run("suppliers.overseas.on_time=1.0", reps=3)
    late = run("suppliers.overseas.on_time=0.2", "suppliers.overseas.late_delay=const(4d)",
               reps=3)
    assert late["orders.placed_per_day"] == on_time["orders.placed_per_day"]
    assert late["inventory.stockout_share"] > on_time["inventory.stockout_share"] + 0.02
    assert late["orders.time_split.stock"] > on_time["orders.time_split.stock"] + 60  # minutes
    assert late["orders.lead_time.mean"] > on_time["orders.lead_time.mean"]
    assert late["orders.on_time_share"] < on_time["orders.on_time_share"]
    assert late["support.type.out_of_stock.arrivals_per_day"] > \
        on_time["support.type.out_of_stock.arrivals_per_day"]


@pytest.fixture(scope="module")
def one_run() -> sim.Results:
    return run(reps=1)


def test_orders_follow_a_day_and_night_rhythm(one_run):
    results = one_run
    assert results.bin_width == 60  # hourly bins (output.bin)
    placed = results.series["orders.placed"][0]
    hours = np.arange(len(placed)) % 24
    night = placed[(hours >= 1) & (hours < 5)].mean()
    evening = placed[(hours >= 18) & (hours < 22)].mean()
    assert evening > 3 * night  # daily_profile: 1.6 in the evening, 0.35 at night


def test_stock_cycles_under_each_policy(one_run):
    """Each listed best seller gets stock from its supplier in the run, under its policy."""
    results = one_run
    policies = {"HEADPHONES": "rQ", "CHARGER": "sS", "PHONE-CASE": "base_stock",
                "SMARTWATCH": "forecast"}
    for sku in policies:
        stock = results.series[f"inventory.on_hand.{sku}"][0]
        rises = np.sum(np.diff(stock) > 0.02 * np.nanmax(stock))
        assert rises >= 1, f"{sku} ({policies[sku]}) never got stock"
