"""Analytic inventory formulas: the numbers of cases.md plus identities on other parameters."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special, stats

from sim.analysis.inventory import (
    InventoryTheory,
    base_stock_periodic,
    bullwhip_lower_bound,
    newsvendor_normal,
    rq_poisson_constant_lead,
    ss_poisson_constant_lead,
)

# ----------------------------------------------------------------------------- independent refs


def net_stats(levels: np.ndarray, m: float) -> tuple[float, float, float]:
    """Brute force: average over levels of on hand, backorders, P(net <= 0); net = y - Pois(m)."""
    d = np.arange(0, int(m + 60 * np.sqrt(m) + 200))
    pmf = stats.poisson.pmf(d, m)
    net = levels[:, None] - d[None, :]
    on = (np.maximum(net, 0) * pmf).sum(axis=1).mean()
    back = (np.maximum(-net, 0) * pmf).sum(axis=1).mean()
    out = ((net <= 0) * pmf).sum(axis=1).mean()
    return float(on), float(back), float(out)


def periodic_brute(rate: float, t: float, lead: float, s: int, panels: int = 200):
    """Composite Gauss-Legendre over u of the base-stock net-stock measures."""
    x, w = np.polynomial.legendre.leggauss(16)
    on = back = out = 0.0
    for p in range(panels):
        u = (p + 0.5 * (x + 1)) / panels
        for ui, wi in zip(u, w, strict=True):
            o, b, s_out = net_stats(np.array([s]), rate * (lead + ui * t))
            on += wi * o / (2 * panels)
            back += wi * b / (2 * panels)
            out += wi * s_out / (2 * panels)
    return on, back, out


# ----------------------------------------------------------------------------- cases.md


def test_i1a_rq():
    r = rq_poisson_constant_lead(rate=2.0, lead_time=5.0, reorder_point=12, order_quantity=20)
    assert r.fill_rate == pytest.approx(0.97345, abs=6e-6)
    assert r.on_hand == pytest.approx(12.536, abs=6e-4)
    assert r.backorders == pytest.approx(0.03599, abs=6e-6)
    assert r.stockout_share == pytest.approx(0.02655, abs=6e-6)
    assert r.cycle_service_level == pytest.approx(0.79156, abs=6e-6)
    assert r.cycle_service_level == pytest.approx(stats.poisson.cdf(12, 10.0), rel=1e-12)


def test_i1a_as_ss():
    assert ss_poisson_constant_lead(2.0, 5.0, 12, 32) == rq_poisson_constant_lead(2.0, 5.0, 12, 20)


def test_i2a_periodic_base_stock():
    r = base_stock_periodic(rate=20.0, review_period=1.0, lead_time=2.0, order_up_to=70)
    assert r.on_hand == pytest.approx(20.059, abs=6e-4)
    assert r.backorders == pytest.approx(0.05925, abs=6e-6)
    assert r.stockout_share == pytest.approx(0.01971, abs=6e-6)
    assert r.fill_rate == pytest.approx(0.98029, abs=6e-6)
    # end of each day = just before the next order arrives: net = 70 - Poisson(60)
    assert 1 - r.cycle_service_level == pytest.approx(0.09019, abs=6e-6)
    end_of_day = rq_poisson_constant_lead(20.0, 3.0, reorder_point=69, order_quantity=1)
    assert end_of_day.on_hand == pytest.approx(10.394, abs=6e-4)


def test_i3_newsvendor():
    q, profit, fill = newsvendor_normal(mean=100, sd=30, price=10, cost=4, salvage=1)
    assert q == pytest.approx(112.92, abs=6e-3)
    assert profit == pytest.approx(501.83, abs=6e-3)
    assert fill == pytest.approx(0.9340, abs=6e-5)


@pytest.mark.parametrize("lead, p, expected", [(1, 5, 1.48), (2, 5, 2.12), (1, 10, 1.22)])
def test_bullwhip_single_stage(lead, p, expected):
    assert bullwhip_lower_bound(lead, p) == pytest.approx(expected, abs=6e-3)


def test_bullwhip_multi_stage():
    shared = bullwhip_lower_bound(4 * 1, 5)  # centralised information: sum of lead times
    not_shared = bullwhip_lower_bound(1, 5) ** 4
    assert shared == pytest.approx(3.88, abs=6e-3)
    assert not_shared == pytest.approx(4.80, abs=6e-3)


# ----------------------------------------------------------------------------- identities

RQ_CASES = [
    (2.0, 5.0, 12, 20),
    (0.5, 3.0, 0, 1),
    (10.0, 2.0, 15, 7),
    (3.0, 4.0, -3, 5),  # negative reorder point: always backordered part of the cycle
    (1.0, 1.0, 2, 500),  # large Q uses the closed-form segments
    (50.0, 1.5, 80, 40),
    (0.0, 5.0, 3, 4),  # no demand
]


@pytest.mark.parametrize("rate, lead, r, q", RQ_CASES)
def test_rq_against_brute_force_and_net_identity(rate, lead, r, q):
    res = rq_poisson_constant_lead(rate, lead, r, q)
    m = rate * lead
    on, back, out = (
        net_stats(np.arange(r + 1, r + q + 1), m)
        if m > 0
        else (
            float(np.maximum(np.arange(r + 1, r + q + 1), 0).mean()),
            float(np.maximum(-np.arange(r + 1, r + q + 1), 0).mean()),
            float((np.arange(r + 1, r + q + 1) <= 0).mean()),
        )
    )
    assert res.on_hand == pytest.approx(on, abs=1e-9)
    assert res.backorders == pytest.approx(back, abs=1e-9)
    assert res.stockout_share == pytest.approx(out, abs=1e-12)
    assert res.fill_rate == pytest.approx(1 - out, abs=1e-12)
    # E[net] = R + (Q + 1)/2 - rate L
    assert res.on_hand - res.backorders == pytest.approx(r + (q + 1) / 2 - m, abs=1e-9)


@pytest.mark.parametrize("rate, lead, r", [(2.0, 5.0, 12), (0.7, 3.0, 1), (25.0, 2.0, 55)])
def test_rq_with_unit_q_is_continuous_base_stock(rate, lead, r):
    res = rq_poisson_constant_lead(rate, lead, r, 1)
    s = r + 1
    dist = stats.poisson(rate * lead)
    assert res.stockout_share == pytest.approx(dist.sf(s - 1), rel=1e-10)
    d = np.arange(s)
    assert res.on_hand == pytest.approx(float(((s - d) * dist.pmf(d)).sum()), rel=1e-10)
    base = base_stock_periodic(rate, 0.0, lead, s)  # review period 0 = continuous review
    for name in ("fill_rate", "on_hand", "backorders", "stockout_share"):
        assert getattr(base, name) == pytest.approx(getattr(res, name), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("rate, lead, s", [(2.0, 5.0, 13), (20.0, 2.0, 50)])
def test_periodic_tends_to_continuous_as_review_period_shrinks(rate, lead, s):
    cont = rq_poisson_constant_lead(rate, lead, s - 1, 1)
    prev_gap = np.inf
    for t in (0.5, 0.05, 1e-3, 1e-5):
        per = base_stock_periodic(rate, t, lead, s)
        gap = abs(per.fill_rate - cont.fill_rate)
        assert gap < prev_gap
        prev_gap = gap
    assert per.fill_rate == pytest.approx(cont.fill_rate, abs=1e-5)
    assert per.on_hand == pytest.approx(cont.on_hand, abs=1e-4)


@pytest.mark.parametrize(
    "rate, t, lead, s",
    [
        (20.0, 1.0, 2.0, 70),  # exact-sum branch
        (3.0, 0.2, 1.0, 5),  # Gauss-Legendre branch (rate T < 1)
        (1.0, 0.999, 2.0, 4),  # just below the switch
        (1.0, 1.001, 2.0, 4),  # just above the switch
        (5.0, 7.0, 0.0, 30),  # zero lead time, long review
        (100.0, 2.0, 1.0, 250),
    ],
)
def test_periodic_against_numerical_integration(rate, t, lead, s):
    res = base_stock_periodic(rate, t, lead, s)
    on, back, out = periodic_brute(rate, t, lead, s, panels=40)
    assert res.on_hand == pytest.approx(on, abs=1e-9)
    assert res.backorders == pytest.approx(back, abs=1e-9)
    assert res.stockout_share == pytest.approx(out, abs=1e-11)
    assert res.on_hand - res.backorders == pytest.approx(s - rate * (lead + t / 2), abs=1e-9)
    assert res.cycle_service_level == pytest.approx(stats.poisson.cdf(s, rate * (lead + t)))


def test_newsvendor_is_optimal_and_consistent():
    mean, sd, price, cost, salvage = 100.0, 30.0, 10.0, 4.0, 1.0
    q_star, profit, fill = newsvendor_normal(mean, sd, price, cost, salvage)
    x, w = np.polynomial.legendre.leggauss(100)
    lo, hi = mean - 12 * sd, mean + 12 * sd

    def expect(f, q: float) -> float:
        """E[f(D)] for D ~ N(mean, sd), Gauss-Legendre split at the kink q."""
        total = 0.0
        for a, b in ((lo, q), (q, hi)):
            d = a + (b - a) * (x + 1) / 2
            total += (b - a) / 2 * float(np.dot(w, f(d) * stats.norm.pdf(d, mean, sd)))
        return total

    def expected_profit(q: float) -> float:
        return expect(
            lambda d: price * np.minimum(d, q) + salvage * np.maximum(q - d, 0) - cost * q, q
        )

    assert expected_profit(q_star) == pytest.approx(profit, rel=1e-9)
    assert expected_profit(q_star) > expected_profit(q_star - 1.0)
    assert expected_profit(q_star) > expected_profit(q_star + 1.0)
    sales = expect(lambda d: np.minimum(d, q_star), q_star)
    assert fill == pytest.approx(sales / mean, rel=1e-9)
    # the critical ratio
    assert special.ndtr((q_star - mean) / sd) == pytest.approx((price - cost) / (price - salvage))
    with pytest.raises(ValueError):
        newsvendor_normal(mean, sd, price=5, cost=6, salvage=1)


def test_inputs_are_validated():
    with pytest.raises(ValueError):
        rq_poisson_constant_lead(1.0, 1.0, 3, 0)
    with pytest.raises(ValueError):
        ss_poisson_constant_lead(1.0, 1.0, 5, 5)
    with pytest.raises(ValueError):
        base_stock_periodic(-1.0, 1.0, 1.0, 3)
    with pytest.raises(ValueError):
        bullwhip_lower_bound(1.0, 0)
    assert isinstance(rq_poisson_constant_lead(1.0, 1.0, 3, 2), InventoryTheory)
