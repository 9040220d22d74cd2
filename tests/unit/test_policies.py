"""Replenishment policies: how much each orders for a given inventory position."""

from __future__ import annotations

from sim.model.flows.policies import BaseStock, ForecastOrderUpTo, MinMax, ReorderPoint
from sim.scenario.commerce import PolicySpec


def test_rq_orders_enough_multiples_of_q_to_lift_the_position_above_r():
    policy = ReorderPoint(reorder_point=12, quantity=20)
    assert policy.order(13) == 0
    assert policy.order(12) == 20
    assert policy.order(-9) == 40  # 12 - (-9) = 21 below: two batches lift it to 31 > 12


def test_ss_orders_up_to_s_at_or_below_s():
    policy = MinMax(low=5, high=20)
    assert policy.order(6) == 0
    assert policy.order(5) == 15
    assert policy.order(-3) == 23


def test_base_stock_orders_up_to_s():
    assert BaseStock(order_up_to=70, review_period=1440).review(52, 18) == 18


def test_forecast_learns_nothing_from_the_first_review():
    """The review at time 0 closes no period: it must not count as a day of zero demand."""
    spec = PolicySpec(type="forecast", review_period="1d", window=7, safety_factor=1.65)
    policy = ForecastOrderUpTo(spec, expected_per_period=100.0, lead_time=2 * 1440)
    before = (policy.forecast_per_period(), policy.error_sd, policy.mark)
    policy.review(position=0, period_demand=None)
    assert (policy.forecast_per_period(), policy.error_sd, policy.mark) == before
    policy.review(position=0, period_demand=100)  # a day exactly as expected
    assert policy.forecast_per_period() == 100.0
