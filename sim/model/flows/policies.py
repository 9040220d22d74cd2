"""Replenishment policies: how much to order, given a product's inventory position.

Continuous-review policies (rQ, sS) are asked after every change of position; periodic ones
(base_stock, forecast) at each review. The position is on hand + on order - backorders.
"""

from __future__ import annotations

import math
from collections import deque

from sim.scenario.catalog_plan import (
    BaseStockLevels,
    MinMaxLevels,
    ReorderLevels,
    policy_levels,
)
from sim.scenario.commerce import PolicySpec


class ReorderPoint:
    """rQ: when the position is at or below R, order as many Q as lift it above R."""

    periodic = False

    def __init__(self, reorder_point: int, quantity: int) -> None:
        self.reorder_point = reorder_point
        self.quantity = max(1, quantity)
        self.mark = reorder_point

    def order(self, position: int) -> int:
        if position > self.reorder_point:
            return 0
        batches = (self.reorder_point - position) // self.quantity + 1
        return batches * self.quantity


class MinMax:
    """sS: when the position is at or below s, order up to S."""

    periodic = False

    def __init__(self, low: int, high: int) -> None:
        self.low = low
        self.high = high
        self.mark = low

    def order(self, position: int) -> int:
        return self.high - position if position <= self.low else 0


class BaseStock:
    """Every review period, order up to S."""

    periodic = True

    def __init__(self, order_up_to: int, review_period: float) -> None:
        self.order_up_to = order_up_to
        self.review_period = review_period
        self.mark = order_up_to

    def review(self, position: int, period_demand: int | None) -> int:
        return max(0, self.order_up_to - position)


class ForecastOrderUpTo:
    """Data-driven: order up to forecast demand over lead time + review period, plus safety
    stock z x (forecast error sd) x sqrt((L + T) / T). The forecast is a moving average or
    exponential smoothing of demand per period, started at the scenario's expected demand.

    `forecast_per_period` is the seam where a forecast from marketing will be blended in.
    """

    periodic = True

    def __init__(self, spec: PolicySpec, expected_per_period: float, lead_time: float) -> None:
        self.review_period = spec.review_period
        self.method = spec.method
        self.alpha = spec.alpha
        self.z = spec.safety_factor
        self.cover = (lead_time + spec.review_period) / spec.review_period
        self.history: deque[float] = deque([expected_per_period] * spec.window,
                                           maxlen=spec.window)
        self.smoothed = expected_per_period
        self.errors: deque[float] = deque(maxlen=max(spec.window, 10))
        # until errors are seen, assume Poisson-like noise
        self.error_sd = math.sqrt(max(expected_per_period, 0.0))
        self.mark = self.order_up_to()

    def forecast_per_period(self) -> float:
        if self.method == "exp_smoothing":
            return self.smoothed
        return sum(self.history) / len(self.history)

    def order_up_to(self) -> int:
        expected = self.forecast_per_period() * self.cover
        return int(math.ceil(expected + self.z * self.error_sd * math.sqrt(self.cover)))

    def review(self, position: int, period_demand: int | None) -> int:
        """`period_demand` is None at the first review (no period has passed yet)."""
        if period_demand is None:
            return max(0, self.mark - position)
        self.errors.append(period_demand - self.forecast_per_period())
        self.error_sd = math.sqrt(sum(e * e for e in self.errors) / len(self.errors))
        self.history.append(period_demand)
        self.smoothed += self.alpha * (period_demand - self.smoothed)
        self.mark = self.order_up_to()
        return max(0, self.mark - position)


def make_policy(spec: PolicySpec | None, demand_per_minute: float, lead_time: float):
    """The policy object for a product (None: never reordered)."""
    if spec is None:
        return None
    levels = policy_levels(spec, demand_per_minute)
    if isinstance(levels, ReorderLevels):
        return ReorderPoint(levels.reorder_point, levels.quantity)
    if isinstance(levels, MinMaxLevels):
        return MinMax(levels.low, levels.high)
    if isinstance(levels, BaseStockLevels):
        return BaseStock(levels.order_up_to, levels.review_period)
    return ForecastOrderUpTo(spec, demand_per_minute * spec.review_period, lead_time)
