"""Analytic inventory results used to validate the simulator.

Pure functions: continuous-review (R, Q) and (s, S) with Poisson unit demand, periodic-review
base-stock, the normal newsvendor and the bullwhip lower bound. Rates per unit time, times in
the same unit; stock in units.

Sources: Hadley & Whitin, *Analysis of Inventory Systems* (1963); Zipkin, *Foundations of
Inventory Management* (2000) ch. 6 and 9; Axsater, *Inventory Control* (2006) ch. 5; Chen,
Drezner, Ryan & Simchi-Levi, Management Science 46(3) 2000.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

__all__ = [
    "InventoryTheory",
    "base_stock_periodic",
    "bullwhip_lower_bound",
    "newsvendor_normal",
    "rq_poisson_constant_lead",
    "ss_poisson_constant_lead",
]


@dataclass(frozen=True)
class InventoryTheory:
    """Steady-state time averages of one stocking point."""

    fill_rate: float  # share of units demanded served from stock on hand
    on_hand: float  # time-average units on hand
    backorders: float  # time-average units backordered
    stockout_share: float  # share of time with nothing on hand
    cycle_service_level: float | None = None  # P(no stock-out in a replenishment cycle)


# ----------------------------------------------------------------------------- helpers


def _nonneg(name: str, value: float) -> float:
    value = float(value)
    if not (math.isfinite(value) and value >= 0.0):
        raise ValueError(f"{name} must be >= 0 and finite, got {value}")
    return value


def _integer(name: str, value: int) -> int:
    if isinstance(value, bool) or int(value) != value:
        raise ValueError(f"{name} must be an integer, got {value!r}")
    return int(value)


def _upper_cut(m: float) -> int:
    """A level y with P(Poisson(m) >= y) far below 1e-30."""
    return int(math.ceil(m + 40.0 * math.sqrt(m) + 80.0))


def _point_stats(y: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """E[(y-D)^+], E[(D-y)^+], P(D >= y) for D ~ Poisson(m), elementwise, y >= 1, m > 0."""
    y = y.astype(float)
    on = y * special.pdtr(y, m) - m * special.pdtr(y - 1.0, m)
    back = m * special.pdtrc(y - 1.0, m) - y * special.pdtrc(y, m)
    out = special.pdtrc(y - 1.0, m)
    return np.maximum(on, 0.0), np.maximum(back, 0.0), out


def _position_average(lo: int, hi: int, m: float) -> tuple[float, float, float]:
    """Average over integer y uniform on [lo, hi] of the net = y - Poisson(m) measures.

    Returns (on hand, backorders, P(net <= 0)). Levels y <= 0 and y far above m are summed in
    closed form, so any order quantity is cheap.
    """
    count = hi - lo + 1
    on_sum = back_sum = out_sum = 0.0
    # y <= 0: nothing on hand, backorders m - y
    a, b = lo, min(hi, 0)
    if a <= b:
        n = b - a + 1
        back_sum += n * m - (a + b) * n / 2.0
        out_sum += n
    # y beyond the cut: on hand y - m, no backorders, never out
    cut = 1 if m == 0.0 else _upper_cut(m)
    a, b = max(lo, cut), hi
    if a <= b:
        n = b - a + 1
        on_sum += (a + b) * n / 2.0 - n * m
    # 1 <= y < cut: exact Poisson sums
    a, b = max(lo, 1), min(hi, cut - 1)
    if a <= b:
        y = np.arange(a, b + 1)
        on, back, out = _point_stats(y, np.full(y.shape, m))
        on_sum += float(on.sum())
        back_sum += float(back.sum())
        out_sum += float(out.sum())
    return on_sum / count, back_sum / count, out_sum / count


# ----------------------------------------------------------------------------- continuous review


def rq_poisson_constant_lead(
    rate: float, lead_time: float, reorder_point: int, order_quantity: int
) -> InventoryTheory:
    """Continuous-review (R, Q), unit Poisson demand, constant lead time L, full backordering.

    The inventory position is uniform on {R+1, ..., R+Q} and independent of the lead-time
    demand, so net = position - Poisson(rate L) (Hadley & Whitin 1963; Zipkin 2000 sec. 6.2).
    Fill rate for unit demand = P(net >= 1) (PASTA) = 1 - stockout share. Cycle service level
    = P(Poisson(rate L) <= R): the net stock just before an order arrives is R minus the
    lead-time demand (Axsater 2006 sec. 5.3).
    """
    rate = _nonneg("rate", rate)
    lead_time = _nonneg("lead_time", lead_time)
    r = _integer("reorder_point", reorder_point)
    q = _integer("order_quantity", order_quantity)
    if q < 1:
        raise ValueError(f"order_quantity must be >= 1, got {q}")
    m = rate * lead_time
    on, back, out = _position_average(r + 1, r + q, m)
    return _theory(on, back, out, _cycle_service_level(r, m))


def ss_poisson_constant_lead(rate: float, lead_time: float, s: int, S: int) -> InventoryTheory:
    """Continuous-review (s, S) with unit Poisson demand: identical to (R = s, Q = S - s)."""
    s = _integer("s", s)
    S = _integer("S", S)
    if S <= s:
        raise ValueError(f"need S > s, got s={s}, S={S}")
    return rq_poisson_constant_lead(rate, lead_time, s, S - s)


# ----------------------------------------------------------------------------- periodic review


def base_stock_periodic(
    rate: float, review_period: float, lead_time: float, order_up_to: int
) -> InventoryTheory:
    """Periodic review every T, order up to S on the position, lead time L, Poisson demand.

    Net stock at a uniformly random time is S - Poisson(rate (L + u T)), u ~ U[0, 1)
    (Zipkin 2000 sec. 9.4). The average over u is exact: with D(m) ~ Poisson(m) and
    G_j = P(m1 < Gamma(j+1) <= m2) = integral of Pois(m; j) dm over [m1, m2],
    E[(S - D)^+] averages to sum_{j<S} (S - j) G_j / (m2 - m1) and P(D >= S) to
    1 - sum_{j<S} G_j / (m2 - m1). Short windows (rate T < 1) use 64-node Gauss-Legendre.
    Fill rate = P(net >= 1) (PASTA). Cycle service level = P(Poisson(rate (L + T)) <= S).
    review_period = 0 gives continuous-review base stock.
    """
    rate = _nonneg("rate", rate)
    t = _nonneg("review_period", review_period)
    lead = _nonneg("lead_time", lead_time)
    s_level = _integer("order_up_to", order_up_to)
    m1, m2 = rate * lead, rate * (lead + t)
    width = m2 - m1
    mean_demand = 0.5 * (m1 + m2)
    if s_level <= 0:
        on, out = 0.0, 1.0
    elif m2 == 0.0:
        on, out = float(s_level), 0.0
    elif width < 1.0:
        nodes, weights = np.polynomial.legendre.leggauss(64)
        m = m1 + 0.5 * (nodes + 1.0) * width
        on_u, _, out_u = _point_stats(np.full(m.shape, s_level), m)
        on = 0.5 * float(np.dot(weights, on_u))
        out = 0.5 * float(np.dot(weights, out_u))
    else:
        j = np.arange(s_level, dtype=float) + 1.0  # Gamma shape j+1 for j = 0..S-1
        low1, low2 = special.gammainc(j, m1), special.gammainc(j, m2)
        upper = low1 > 0.5  # take the difference of the smaller tails
        g = np.where(upper, special.gammaincc(j, m1) - special.gammaincc(j, m2), low2 - low1)
        on = float(np.dot(s_level - (j - 1.0), g)) / width
        out = 1.0 - float(g.sum()) / width
    out = min(max(out, 0.0), 1.0)
    back = max(on - (s_level - mean_demand), 0.0)
    return _theory(on, back, out, _cycle_service_level(s_level, m2))


# ----------------------------------------------------------------------------- one-off buys


def newsvendor_normal(
    mean: float, sd: float, price: float, cost: float, salvage: float
) -> tuple[float, float, float]:
    """Newsvendor with normal demand: returns (Q*, expected profit, fill rate).

    Q* = mean + sd z with Phi(z) = (price - cost)/(price - salvage). Expected sales
    E[min(D, Q)] = mean - sd L(z), L(z) = phi(z) - z (1 - Phi(z)); profit =
    (price - salvage) E[min(D, Q)] - (cost - salvage) Q; fill rate = E[min(D, Q)] / mean.
    Requires salvage < cost < price (Zipkin 2000 sec. 6.3; Axsater 2006).
    """
    mean = float(mean)
    sd = _nonneg("sd", sd)
    price, cost, salvage = float(price), float(cost), float(salvage)
    if not (salvage < cost < price):
        raise ValueError(f"need salvage < cost < price, got {salvage}, {cost}, {price}")
    if mean <= 0.0:
        raise ValueError(f"mean demand must be > 0, got {mean}")
    ratio = (price - cost) / (price - salvage)
    z = float(special.ndtri(ratio))
    q_star = mean + sd * z
    loss = math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi) - z * float(special.ndtr(-z))
    sales = mean - sd * loss
    profit = (price - salvage) * sales - (cost - salvage) * q_star
    return q_star, profit, sales / mean


def bullwhip_lower_bound(lead_time: float, periods: int) -> float:
    """Var(orders)/Var(demand) >= 1 + 2L/p + 2L^2/p^2 for order-up-to with a p-period moving
    average forecast and lead time L (Chen, Drezner, Ryan & Simchi-Levi 2000)."""
    lead = _nonneg("lead_time", lead_time)
    p = _integer("periods", periods)
    if p < 1:
        raise ValueError(f"periods must be >= 1, got {p}")
    return 1.0 + 2.0 * lead / p + 2.0 * lead * lead / (p * p)


def _cycle_service_level(level: float, lead_demand_mean: float) -> float:
    """P(demand over the protection interval <= level), Poisson demand."""
    if level < 0:
        return 0.0
    if lead_demand_mean == 0.0:
        return 1.0
    return float(special.pdtr(level, lead_demand_mean))


def _theory(on: float, back: float, out: float, csl: float) -> InventoryTheory:
    return InventoryTheory(fill_rate=1.0 - out, on_hand=on, backorders=back,
                           stockout_share=out, cycle_service_level=csl)
