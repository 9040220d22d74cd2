"""Analytic queueing formulas: the numbers of cases.md plus identities on other parameters."""

from __future__ import annotations

import heapq
import math

import numpy as np
import pytest
from scipy import linalg, special

from sim.analysis.queueing import (
    QueueTheory,
    erlang_a,
    erlang_b,
    erlang_c,
    jackson_network,
    mg1,
    mmc_sojourn,
)

# Random parameter sets (lam, mu, theta, c), some overloaded (lam > c*mu).
RNG = np.random.default_rng(20240601)
ERLANG_A_CASES = [
    (2.0, 1 / 3, 0.5, 6),
    (1.0, 0.5, 0.2, 3),
    (10.0, 1.0, 0.1, 8),  # overloaded
    (5.0, 2.0, 3.0, 1),  # overloaded, fast abandonment
    (30.0, 0.25, 0.05, 100),  # overloaded, many servers
] + [
    (
        float(RNG.uniform(0.5, 20)),
        float(RNG.uniform(0.1, 2)),
        float(RNG.uniform(0.01, 2)),
        int(RNG.integers(1, 25)),
    )
    for _ in range(6)
]


# ----------------------------------------------------------------------------- independent refs


def birth_death(lam: float, mu: float, theta: float, c: int, n_max: int) -> np.ndarray:
    """Stationary distribution of the M/M/c+M chain on 0..n_max by plain products (in logs)."""
    n = np.arange(1, n_max + 1)
    death = np.minimum(n, c) * mu + np.maximum(n - c, 0) * theta
    log_w = np.concatenate([[0.0], np.cumsum(np.log(lam) - np.log(death))])
    return np.exp(log_w - special.logsumexp(log_w))


def absorbing_chain(lam: float, mu: float, theta: float, c: int):
    """Erlang A service level and served wait from the absorbing chain of cases.md (expm)."""
    pi = birth_death(lam, mu, theta, c, c + 2000)
    pi = pi[: int(np.nonzero(pi > 1e-17)[0].max()) + 1]  # drop the negligible tail
    q = pi[c:]
    p_wait = q.sum()
    start = q / p_wait
    k_max = q.size - 1
    size = k_max + 2  # transient states k = 0..k_max, then 'served'
    gen = np.zeros((size, size))
    cmu = c * mu
    for k in range(k_max + 1):
        if k == 0:
            gen[0, size - 1] = cmu
        else:
            gen[k, k - 1] = cmu + k * theta
        gen[k, k] = -(cmu + (k + 1) * theta)  # leaving k: move on or abandon
    p0 = np.zeros(size)
    p0[: k_max + 1] = start

    def sl(t: float) -> float:
        return float(1 - p_wait + p_wait * (p0 @ linalg.expm(gen * t))[-1])

    g_t = gen[: k_max + 1, : k_max + 1]
    fundamental = np.linalg.inv(-g_t)
    to_served = gen[: k_max + 1, -1]
    served_wait_mass = start @ fundamental @ fundamental @ to_served  # E[T; served | wait]
    served_prob = start @ fundamental @ to_served
    served_share = 1 - p_wait + p_wait * served_prob
    return sl, p_wait * served_wait_mass / served_share, served_share


# ----------------------------------------------------------------------------- cases.md


def test_q1_mm1():
    r = erlang_c(0.8, 1.0, 1)
    w = mmc_sojourn(0.8, 1.0, 1)
    assert r.wait_all == pytest.approx(4.000, abs=6e-4)
    assert w == pytest.approx(5.000, abs=6e-4)
    assert 0.8 * w == pytest.approx(4.000, abs=6e-4)  # L = lambda W
    assert r.service_level(5.0) == pytest.approx(0.7057, abs=6e-5)


def test_q2a_erlang_c():
    r = erlang_c(2.0, 1 / 3, 8)
    assert r.p_wait == pytest.approx(0.35698, abs=6e-6)
    assert r.wait_all == pytest.approx(0.53547, abs=6e-6)
    assert r.service_level(20 / 60) == pytest.approx(0.71415, abs=6e-6)


@pytest.mark.parametrize(
    "c, expected", [(11, 0.3896), (12, 0.6402), (13, 0.7956), (14, 0.8884), (15, 0.9415)]
)
def test_q2b_staffing_table(c, expected):
    # 100 calls per 30 min, handle 180 s; minutes throughout
    assert erlang_c(100 / 30, 1 / 3, c).service_level(20 / 60) == pytest.approx(expected, abs=6e-5)


def test_q2b_minimum_staff_for_80_in_20s():
    c = next(c for c in range(11, 40) if erlang_c(100 / 30, 1 / 3, c).service_level(1 / 3) >= 0.8)
    assert c == 14


def test_q2e_erlang_b():
    assert erlang_b(8, 6.0) == pytest.approx(0.12188, abs=6e-6)


@pytest.mark.parametrize(
    "args, p_wait, p_ab, wait_all, wait_served",
    [
        ((2.0, 1 / 3, 1 / 2, 6), 0.51103, 0.17623, 0.35245, 0.29739),
        ((1.0, 1 / 2, 1 / 5, 3), 0.36433, 0.07210, 0.36052, 0.31783),
    ],
    ids=["Q3a", "Q3c"],
)
def test_q3_erlang_a(args, p_wait, p_ab, wait_all, wait_served):
    r = erlang_a(*args)
    assert r.p_wait == pytest.approx(p_wait, abs=6e-6)
    assert r.p_abandon == pytest.approx(p_ab, abs=6e-6)
    assert r.wait_all == pytest.approx(wait_all, abs=6e-6)
    assert r.wait_served == pytest.approx(wait_served, abs=6e-6)


@pytest.mark.parametrize(
    "variance, wq",
    [(0.0, 2.000), (1.0, 4.000), (1.0**2, 4.000), (1.5**2, 6.500)],
    ids=["deterministic", "exponential", "lognormal-sd1", "lognormal-sd1.5"],
)
def test_q4_pollaczek_khinchine(variance, wq):
    assert mg1(0.8, 1.0, variance).wait_all == pytest.approx(wq, abs=6e-4)


def test_q5_jackson():
    r = jackson_network(
        external=[1.0, 0.0, 0.0],
        mu=[1.5, 0.75, 1.5],
        servers=[1, 2, 1],
        routing=[[0, 1, 0], [0, 0, 1], [0, 0.2, 0]],
    )
    assert r.time_in_system == pytest.approx(12.4545, abs=6e-5)
    assert r.throughput == pytest.approx((1.0, 1.25, 1.25))
    assert r.utilisation == pytest.approx((2 / 3, 5 / 6, 5 / 6))


# ----------------------------------------------------------------------------- Erlang B / C


@pytest.mark.parametrize("c, a", [(1, 0.5), (8, 6.0), (30, 25.0), (200, 180.0), (5, 0.0)])
def test_erlang_b_matches_closed_form(c, a):
    n = np.arange(c + 1)
    log_terms = n * math.log(a) - special.gammaln(n + 1) if a > 0 else np.where(n == 0, 0, -np.inf)
    expected = math.exp(log_terms[-1] - special.logsumexp(log_terms))
    assert erlang_b(c, a) == pytest.approx(expected, rel=1e-10, abs=1e-300)


@pytest.mark.parametrize("lam, mu, c", [(0.8, 1, 1), (2, 1 / 3, 8), (9.5, 1, 10), (45, 0.5, 100)])
def test_erlang_c_littles_law_against_birth_death(lam, mu, c):
    r = erlang_c(lam, mu, c)
    pi = birth_death(lam, mu, 0.0, c, n_max=20_000)
    n = np.arange(pi.size)
    lq = float(np.dot(np.maximum(n - c, 0), pi))
    assert r.p_wait == pytest.approx(pi[c:].sum(), rel=1e-9)
    assert r.queue_length == pytest.approx(lq, rel=1e-8)
    assert r.queue_length == pytest.approx(lam * r.wait_all, rel=1e-12)  # Little
    ls = float(np.dot(n, pi))
    assert ls == pytest.approx(lam * mmc_sojourn(lam, mu, c), rel=1e-8)  # Little, system
    assert r.utilisation == pytest.approx(lam / (c * mu))
    assert r.service_level(0.0) == pytest.approx(1 - r.p_wait)


def test_erlang_c_rejects_unstable():
    with pytest.raises(ValueError):
        erlang_c(8.0, 1.0, 8)
    with pytest.raises(ValueError):
        erlang_a(9.0, 1.0, 0.0, 8)  # theta = 0 delegates to Erlang C
    with pytest.raises(ValueError):
        mmc_sojourn(2.0, 1.0, 1)


# ----------------------------------------------------------------------------- Erlang A


@pytest.mark.parametrize("lam, mu, theta, c", ERLANG_A_CASES)
def test_erlang_a_identities(lam, mu, theta, c):
    r = erlang_a(lam, mu, theta, c)
    assert r.p_abandon == pytest.approx(theta * r.wait_all, rel=1e-12)
    assert lam * (1 - r.p_abandon) == pytest.approx(c * mu * r.utilisation, rel=1e-10)
    assert r.queue_length == pytest.approx(lam * r.wait_all, rel=1e-12)
    assert 0 <= r.p_abandon <= r.p_wait <= 1
    assert 0 <= r.utilisation <= 1
    # everyone is eventually served or abandons
    assert r.service_level(1e6) == pytest.approx(1 - r.p_abandon, abs=1e-10)
    assert r.service_level(0.0) == pytest.approx(1 - r.p_wait, abs=1e-12)
    # against a plain linear-space birth-death solution
    pi = birth_death(lam, mu, theta, c, n_max=c + 3000)
    n = np.arange(pi.size)
    assert r.p_wait == pytest.approx(pi[c:].sum(), rel=1e-9)
    assert r.queue_length == pytest.approx(float(np.dot(np.maximum(n - c, 0), pi)), rel=1e-9)


@pytest.mark.parametrize("lam, mu, theta, c", ERLANG_A_CASES[:5])
def test_erlang_a_service_level_and_served_wait_match_absorbing_chain(lam, mu, theta, c):
    r = erlang_a(lam, mu, theta, c)
    sl, wait_served, served_share = absorbing_chain(lam, mu, theta, c)
    assert served_share == pytest.approx(1 - r.p_abandon, abs=1e-10)
    assert r.wait_served == pytest.approx(wait_served, rel=1e-8)
    for t in (0.05, 1 / 3, 1.0, 4.0):
        assert r.service_level(t) == pytest.approx(sl(t), abs=1e-9)


@pytest.mark.parametrize("lam, mu, c", [(2.0, 1 / 3, 8), (0.8, 1.0, 1), (100 / 30, 1 / 3, 14)])
def test_erlang_a_tends_to_erlang_c(lam, mu, c):
    ec = erlang_c(lam, mu, c)
    ea = erlang_a(lam, mu, 1e-9, c)
    for name in ("p_wait", "wait_all", "wait_served", "queue_length", "utilisation"):
        assert getattr(ea, name) == pytest.approx(getattr(ec, name), rel=1e-6), name
    assert ea.p_abandon == pytest.approx(0.0, abs=1e-7)
    for t in (0.0, 1 / 3, 2.0, 10.0):
        assert ea.service_level(t) == pytest.approx(ec.service_level(t), abs=1e-7)
    assert erlang_a(lam, mu, 0.0, c) == ec


def test_erlang_a_heavy_overload_stays_finite():
    r = erlang_a(50.0, 1.0, 0.01, 10)  # offered 50 erlangs on 10 servers
    assert r.p_abandon == pytest.approx(1 - 10 / 50, rel=1e-3)  # fluid limit
    assert r.utilisation == pytest.approx(1.0, abs=1e-6)


def simulate_erlang_a(lam, mu, theta, c, n, seed):
    """FCFS M/M/c+M by offered waits: abandoners never hold a server."""
    rng = np.random.default_rng(seed)
    arrivals = np.cumsum(rng.exponential(1 / lam, n))
    service = rng.exponential(1 / mu, n)
    patience = rng.exponential(1 / theta, n)
    free = [0.0] * c
    offered = np.empty(n)
    served = np.empty(n, dtype=bool)
    for i in range(n):
        a = arrivals[i]
        w = max(free[0] - a, 0.0)
        offered[i] = w
        if w <= patience[i]:
            served[i] = True
            heapq.heapreplace(free, a + w + service[i])
        else:
            served[i] = False
    waits = np.where(served, offered, patience)
    return offered, served, waits


def test_erlang_a_monte_carlo():
    lam, mu, theta, c = 2.0, 1 / 3, 0.5, 6  # Q3a
    r = erlang_a(lam, mu, theta, c)
    offered, served, waits = simulate_erlang_a(lam, mu, theta, c, 200_000, seed=7)
    keep = slice(5_000, None)
    offered, served, waits = offered[keep], served[keep], waits[keep]
    assert (offered > 0).mean() == pytest.approx(r.p_wait, abs=0.012)
    assert 1 - served.mean() == pytest.approx(r.p_abandon, abs=0.006)
    assert waits.mean() == pytest.approx(r.wait_all, abs=0.015)
    assert waits[served].mean() == pytest.approx(r.wait_served, abs=0.015)
    for t in (0.1, 0.5, 1.0):
        assert (served & (offered <= t)).mean() == pytest.approx(r.service_level(t), abs=0.012)


# ----------------------------------------------------------------------------- M/G/1


@pytest.mark.parametrize("lam, mean", [(0.8, 1.0), (0.3, 2.0), (0.05, 10.0)])
def test_mg1_exponential_is_mm1(lam, mean):
    g = mg1(lam, mean, mean**2, shape="exp")
    c = erlang_c(lam, 1 / mean, 1)
    for name in ("p_wait", "wait_all", "wait_served", "queue_length", "utilisation"):
        assert getattr(g, name) == pytest.approx(getattr(c, name), rel=1e-12), name
    for t in (0.0, 0.5, 3.0, 20.0):
        assert g.service_level(t) == pytest.approx(c.service_level(t), rel=1e-12)


def crommelin(t: float, lam: float, d: float) -> float:
    """Textbook alternating M/D/1 waiting-time CDF (fine for small t / d)."""
    total = 0.0
    for k in range(math.floor(t / d) + 1):
        x = lam * (k * d - t)
        total += x**k / math.factorial(k) * math.exp(-x)
    return (1 - lam * d) * total


@pytest.mark.parametrize("lam, d", [(0.8, 1.0), (0.3, 2.0), (1.8, 0.5)])
def test_md1_waiting_time_distribution(lam, d):
    r = mg1(lam, d, 0.0, shape="const")
    assert r.service_level(0.0) == pytest.approx(1 - lam * d, abs=1e-14)
    for t in (0.1 * d, 0.7 * d, d, 2.5 * d, 4.2 * d):
        assert r.service_level(t) == pytest.approx(crommelin(t, lam, d), abs=1e-12)
    # the mean of the distribution is Pollaczek-Khinchine's Wq (exact Gauss-Legendre per
    # unit interval, where the CDF is analytic)
    x, w = np.polynomial.legendre.leggauss(20)
    total = 0.0
    for k in range(400):
        ts = d * (k + 0.5 * (x + 1))
        total += 0.5 * d * float(np.dot(w, [1 - r.service_level(t) for t in ts]))
        if 1 - r.service_level(d * (k + 1)) < 1e-15:
            break
    assert total == pytest.approx(r.wait_all, rel=1e-9)
    # monotone and tends to 1
    grid = np.linspace(0, 60 * d, 301)
    values = np.array([r.service_level(t) for t in grid])
    assert np.all(np.diff(values) >= -1e-15)
    assert r.service_level(1e4 * d) == pytest.approx(1.0, abs=1e-12)


def test_md1_near_saturation_is_stable():
    r = mg1(0.99, 1.0, 0.0, shape="const")
    assert r.wait_all == pytest.approx(49.5)
    # the tail is roughly exponential with mean Wq = 49.5: P(W > 500) is about exp(-10)
    assert 1e-6 < 1 - r.service_level(500.0) < 1e-3
    assert r.service_level(5000.0) == pytest.approx(1.0, abs=1e-12)


def test_mg1_general_service_level_not_implemented():
    r = mg1(0.8, 1.0, 2.25)
    with pytest.raises(NotImplementedError):
        r.service_level(1.0)
    # a lognormal with sd == mean has an exponential's variance but not its wait distribution
    same_variance = mg1(0.8, 1.0, 1.0)
    with pytest.raises(NotImplementedError):
        same_variance.service_level(1.0)
    with pytest.raises(ValueError):
        mg1(1.0, 1.0, 0.0)


# ----------------------------------------------------------------------------- Jackson


@pytest.mark.parametrize("lam, mu, c", [(0.8, 1.0, 1), (2.0, 1 / 3, 8), (3.0, 1.0, 4)])
def test_jackson_single_station_is_mmc(lam, mu, c):
    r = jackson_network([lam], [mu], [c], [[0.0]])
    assert r.time_in_system == pytest.approx(mmc_sojourn(lam, mu, c), rel=1e-12)
    assert r.sojourn_per_visit[0] == pytest.approx(mmc_sojourn(lam, mu, c), rel=1e-12)
    assert r.waits[0] == pytest.approx(erlang_c(lam, mu, c).wait_all, rel=1e-12)


def test_jackson_feedback_single_station():
    # M/M/1 with Bernoulli feedback p: total rate lam/(1-p), time in system = visits * W
    lam, mu, p = 0.3, 1.0, 0.4
    r = jackson_network([lam], [mu], [1], [[p]])
    total = lam / (1 - p)
    assert r.throughput[0] == pytest.approx(total)
    assert r.time_in_system == pytest.approx(mmc_sojourn(total, mu, 1) / (1 - p))


def test_jackson_tandem_and_errors():
    r = jackson_network([1.0, 0.0], [2.0, 1.5], [1, 1], [[0, 1], [0, 0]])
    assert r.time_in_system == pytest.approx(1 / (2 - 1) + 1 / (1.5 - 1))
    with pytest.raises(ValueError):
        jackson_network([1.0, 0.0], [2.0, 0.9], [1, 1], [[0, 1], [0, 0]])  # unstable
    with pytest.raises(ValueError):
        jackson_network([1.0, 0.0], [2.0, 2.0], [1, 1], [[0, 1], [1, 0]])  # no exit
    with pytest.raises(ValueError):
        jackson_network([1.0], [2.0], [1], [[0.0, 0.0]])  # shape


def test_queue_theory_is_frozen():
    r = erlang_c(0.5, 1.0, 1)
    assert isinstance(r, QueueTheory)
    with pytest.raises(AttributeError):
        r.p_wait = 0.0  # type: ignore[misc]
    assert r.service_level(-1.0) == 0.0
