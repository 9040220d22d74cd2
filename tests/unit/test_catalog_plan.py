"""The catalog plan shared by the model and the theory: policy levels, and pickup weekdays
parsed once by the spec."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from sim.model.flows.policies import BaseStock, ForecastOrderUpTo, MinMax, ReorderPoint, make_policy
from sim.scenario.catalog_plan import (
    BaseStockLevels,
    MinMaxLevels,
    ReorderLevels,
    policy_levels,
)
from sim.scenario.commerce import CarrierSpec, PolicySpec

RATE = 30 / 1440  # units per minute: 30 a day


@pytest.mark.parametrize("spec", [
    {"type": "rQ", "reorder_point": 12, "order_quantity": 20},
    {"type": "rQ", "reorder_point": "2d", "order_quantity": "5d"},  # cover: 60 and 150 units
    {"type": "rQ", "reorder_point": 3, "order_quantity": "1m"},  # rounds to 0: batches of 1
    {"type": "sS", "min": "1d", "max": 90},
    {"type": "base_stock", "order_up_to": "3d", "review_period": "1d"},
])
def test_the_model_orders_by_the_levels_the_theory_reads(spec):
    policy_spec = PolicySpec(**spec)
    levels = policy_levels(policy_spec, RATE)
    policy = make_policy(policy_spec, RATE, lead_time=2 * 1440)
    if isinstance(levels, ReorderLevels):
        assert isinstance(policy, ReorderPoint)
        assert (policy.reorder_point, policy.quantity) == (levels.reorder_point, levels.quantity)
        assert levels.quantity >= 1
    elif isinstance(levels, MinMaxLevels):
        assert isinstance(policy, MinMax)
        assert (policy.low, policy.high) == (levels.low, levels.high) == (30, 90)
    else:
        assert isinstance(levels, BaseStockLevels) and isinstance(policy, BaseStock)
        assert (policy.order_up_to, policy.review_period) == (90, 1440.0)
        assert (levels.order_up_to, levels.review_period) == (90, 1440.0)


def test_cover_converts_at_the_expected_demand():
    levels = policy_levels(PolicySpec(type="rQ", reorder_point="2d", order_quantity="5d"), RATE)
    assert levels == ReorderLevels(60, 150)


def test_a_forecast_policy_has_no_fixed_levels():
    spec = PolicySpec(type="forecast", review_period="1d", window=7, safety_factor=1.65)
    assert policy_levels(spec, RATE) is None
    assert isinstance(make_policy(spec, RATE, lead_time=1440), ForecastOrderUpTo)


def test_the_spec_holds_the_pickup_weekdays_parsed():
    carrier = CarrierSpec(transit_time="1d", pickups=["11:00"], pickup_days="sat-mon")
    assert carrier.pickup_days == frozenset({5, 6, 0})
    assert CarrierSpec(transit_time="1d").pickup_days == frozenset(range(7))  # default 'all'


@pytest.mark.parametrize(("days", "message"), [
    ("mon-fry", "expected a weekday"),
    (["mon", "tue"], "expected weekdays like 'mon-fri'"),
])
def test_bad_pickup_days_name_what_was_expected(days, message):
    with pytest.raises(ValidationError, match=message) as error:
        CarrierSpec(transit_time="1d", pickup_days=days)
    assert error.value.errors()[0]["loc"] == ("pickup_days",)
