"""Metric units come from the structure of a name, not from words users put inside it."""

from __future__ import annotations

import pytest

from sim.metrics.catalog import format_value, metric_unit

UNITS = {
    "support.wait.mean": "min", "support.wait.p99": "min", "support.wait_all.mean": "min",
    "orders.lead_time.p50": "min", "orders.time_split.transit": "min",
    "fulfilment.pick.wait.mean": "min",
    "support.service_level": "share", "support.utilisation": "share",
    "inventory.fill_rate": "share", "orders.on_time_share": "share",
    "support.abandoned_share": "share",
    "orders.placed_per_day": "/d", "cost.staff": "money", "revenue": "money",
    "inventory.on_hand.mean": "units", "inventory.lost_sales": "units",
    "support.queue_length.mean": "items",
    # user-chosen names in the middle must not change the unit
    "support.type.on_time_check.wait.mean": "min",
    "support.type.late_share_desk.arrivals_per_day": "/d",
    "support.type.waiting_list.service_level": "share",
    "fulfilment.lead_time_check.wait.mean": "min",
}


@pytest.mark.parametrize("name", UNITS)
def test_unit_of(name):
    assert metric_unit(name) == UNITS[name]


def test_format_value_readable():
    assert format_value(0.5, "min") == "30 s"
    assert format_value(0.714, "share") == "71.4%"
    assert format_value(float("nan"), "min") == "n/a"
