"""Analytic queueing results used to validate the simulator.

Pure functions of the parameters (rates per unit time, times in the same unit). Covered:
Erlang B and C (M/M/c), Erlang A (M/M/c+M, exponential patience), M/G/1 by
Pollaczek-Khinchine (with the exact waiting-time distribution for M/M/1 and M/D/1) and open
Jackson networks of M/M/c stations.

Sources: Gross, Shortle, Thompson & Harris, *Fundamentals of Queueing Theory* (4th ed., 2008)
ch. 2-5; Garnett, Mandelbaum & Reiman, M&SOM 4(3) 2002; Mandelbaum & Zeltyn, "The
Palm/Erlang-A queue"; Franx, Oper. Res. Letters 29 (2001) for M/D/1 waits; Jackson,
Operations Research 5 (1957).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import special

__all__ = [
    "JacksonResult",
    "QueueTheory",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "jackson_network",
    "mg1",
    "mmc_sojourn",
]

_TAIL = 1e-15  # relative probability mass allowed beyond a truncation point
_MAX_STATES = 1 << 23  # refuse birth-death chains that would need more states than this


@dataclass(frozen=True)
class QueueTheory:
    """Steady-state results of a single queue (time unit of the caller)."""

    p_wait: float  # share of arrivals who do not get a server at once
    wait_all: float  # mean wait of all arrivals (until served or abandoned)
    wait_served: float  # mean wait of those served
    p_abandon: float  # 0.0 without abandonment
    queue_length: float  # time-average number waiting
    utilisation: float  # busy servers / c
    _sl: Callable[[float], float] | None = field(default=None, repr=False, compare=False)

    def service_level(self, t: float) -> float:
        """Share of ALL arrivals served with a wait <= t (abandoners count as misses).

        Raises NotImplementedError when the model has no exact waiting-time distribution here.
        """
        if self._sl is None:
            raise NotImplementedError("no exact waiting-time distribution for this model")
        t = float(t)
        if math.isnan(t):
            raise ValueError("t must be a number")
        if t < 0.0:
            return 0.0
        return float(min(1.0, max(0.0, self._sl(t))))


@dataclass(frozen=True)
class JacksonResult:
    """Steady state of an open Jackson network (one entry per station)."""

    throughput: tuple[float, ...]  # total arrival rate lambda_i at each station
    utilisation: tuple[float, ...]  # lambda_i / (c_i * mu_i)
    sojourn_per_visit: tuple[float, ...]  # W_i = Wq_i + 1/mu_i
    time_in_system: float  # sum(lambda_i * W_i) / sum(external)
    waits: tuple[float, ...]  # Wq_i


# ----------------------------------------------------------------------------- validation


def _rate(name: str, value: float, *, positive: bool = True) -> float:
    value = float(value)
    ok = math.isfinite(value) and (value > 0.0 if positive else value >= 0.0)
    if not ok:
        raise ValueError(f"{name} must be {'> 0' if positive else '>= 0'} and finite, got {value}")
    return value


def _servers(c: int, *, allow_zero: bool = False) -> int:
    if isinstance(c, bool) or int(c) != c:
        raise ValueError(f"number of servers must be an integer, got {c!r}")
    c = int(c)
    if c < (0 if allow_zero else 1):
        raise ValueError(f"number of servers must be >= {0 if allow_zero else 1}, got {c}")
    return c


# ----------------------------------------------------------------------------- Erlang B / C


def erlang_b(c: int, a: float) -> float:
    """Erlang B blocking probability of M/M/c/c with offered load a = lambda/mu.

    Stable recursion B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)) (Gross et al. 2008, sec. 2.5).
    """
    c = _servers(c, allow_zero=True)
    a = _rate("offered load a", a, positive=False)
    b = 1.0
    for k in range(1, c + 1):
        ab = a * b
        b = ab / (k + ab)
    return b


def erlang_c(lam: float, mu: float, c: int) -> QueueTheory:
    """M/M/c (Erlang C): C = c B / (c - a (1 - B)), Wq = C / (c mu - lambda).

    Service level P(Wq <= t) = 1 - C exp(-(c mu - lambda) t) (Gross et al. 2008, sec. 2.3).
    Raises ValueError when lambda >= c mu (no steady state).
    """
    lam = _rate("lam", lam, positive=False)
    mu = _rate("mu", mu)
    c = _servers(c)
    if lam >= c * mu:
        raise ValueError(f"unstable M/M/c: lam={lam} >= c*mu={c * mu}")
    a = lam / mu
    b = erlang_b(c, a)
    p_wait = c * b / (c - a * (1.0 - b))
    gap = c * mu - lam
    wq = p_wait / gap

    def sl(t: float) -> float:
        return 1.0 - p_wait * math.exp(-gap * t)

    return QueueTheory(
        p_wait=p_wait,
        wait_all=wq,
        wait_served=wq,
        p_abandon=0.0,
        queue_length=lam * wq,
        utilisation=a / c,
        _sl=sl,
    )


def mmc_sojourn(lam: float, mu: float, c: int) -> float:
    """Mean time in an M/M/c system, W = Wq + 1/mu (ValueError if lambda >= c mu)."""
    return erlang_c(lam, mu, c).wait_all + 1.0 / float(mu)


# ----------------------------------------------------------------------------- Erlang A


def _erlang_a_log_weights(lam: float, mu: float, theta: float, c: int) -> np.ndarray:
    """Unnormalised log pi_n, n = 0..N, of the M/M/c+M birth-death chain.

    Birth rate lam, death rate min(n, c) mu + max(n - c, 0) theta. N is chosen so that the
    mass beyond N is below _TAIL relative to the total (ratios lam/(c mu + j theta) decrease,
    so the tail after N is bounded by a geometric series).
    """
    n = np.arange(c + 1, dtype=float)
    head = n * math.log(lam / mu) - special.gammaln(n + 1.0)
    cmu = c * mu
    size = 256
    while True:
        j = np.arange(1, size + 1, dtype=float)
        tail = head[-1] + np.cumsum(math.log(lam) - np.log(cmu + j * theta))
        r_last = lam / (cmu + size * theta)
        if r_last < 1.0:
            peak = max(float(head.max()), float(tail.max()))
            bound = float(tail[-1]) + math.log(r_last) - math.log1p(-r_last)
            if bound < peak + math.log(_TAIL):
                return np.concatenate([head, tail])
        if size >= _MAX_STATES:
            raise ValueError(
                f"Erlang A chain needs more than {_MAX_STATES} states "
                f"(lam={lam}, mu={mu}, theta={theta}, c={c}); patience rate too small"
            )
        size *= 2


def erlang_a(lam: float, mu: float, theta: float, c: int) -> QueueTheory:
    """M/M/c+M (Erlang A, exponential patience with rate theta); stable for any lambda.

    Birth-death chain with death rate min(n,c) mu + max(n-c,0) theta, truncated where the tail
    mass is < 1e-15. P(abandon) = theta E[Q]/lambda, E[Wq all] = E[Q]/lambda, P(wait) = sum_{n>=c}
    pi_n (PASTA). A waiting customer with k ahead is absorbing-chain driven: k -> k-1 at rate
    c mu + k theta, served from 0 at rate c mu, abandons at rate theta. Its virtual wait V is
    hypoexponential and exp(-theta V) ~ Beta(c mu/theta, k + 1), which gives in closed form
    P(served | k) = c mu / (c mu + (k+1) theta),
    E[V; served | k] = P(served | k) * sum_{j=1}^{k+1} 1/(c mu + j theta),
    P(served within t | k) = P(served | k) * I_{1-exp(-theta t)}(k + 1, c mu/theta + 1).
    (Garnett, Mandelbaum & Reiman 2002; Mandelbaum & Zeltyn.) theta = 0 delegates to erlang_c.
    """
    lam = _rate("lam", lam, positive=False)
    mu = _rate("mu", mu)
    theta = _rate("theta", theta, positive=False)
    c = _servers(c)
    if theta == 0.0:
        return erlang_c(lam, mu, c)
    if lam == 0.0:
        return QueueTheory(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, _sl=_always_one)

    log_w = _erlang_a_log_weights(lam, mu, theta, c)
    pi = np.exp(log_w - special.logsumexp(log_w))
    q = pi[c:]  # distribution of k = n - c customers waiting, unnormalised over n >= c
    k = np.arange(q.size, dtype=float)
    cmu = c * mu
    p_wait = min(float(q.sum()), 1.0)
    mean_queue = float(np.dot(k, q))
    busy = float(np.dot(np.arange(c, dtype=float), pi[:c])) + c * p_wait
    p_abandon = theta * mean_queue / lam
    p_served_k = cmu / (cmu + (k + 1.0) * theta)
    harmonic = np.cumsum(1.0 / (cmu + (k + 1.0) * theta))
    served_share = (1.0 - p_wait) + float(np.dot(q, p_served_k))
    wait_served = float(np.dot(q, p_served_k * harmonic)) / served_share
    shape_b = cmu / theta + 1.0
    weights = q * p_served_k
    p_no_wait = 1.0 - p_wait

    def sl(t: float) -> float:
        x = -math.expm1(-theta * t)  # P(own patience <= t)
        return p_no_wait + float(np.dot(weights, special.betainc(k + 1.0, shape_b, x)))

    return QueueTheory(
        p_wait=p_wait,
        wait_all=mean_queue / lam,
        wait_served=wait_served,
        p_abandon=p_abandon,
        queue_length=mean_queue,
        utilisation=min(busy / c, 1.0),
        _sl=sl,
    )


# ----------------------------------------------------------------------------- M/G/1


class _MD1WaitCdf:
    """Exact FCFS M/D/1 waiting-time CDF with only positive terms (Franx 2001, c = 1).

    With t = k d + y (0 <= y < d): P(Wq <= t) = sum_{j=0}^{k} Q_{k+1-j} Pois(lam (d - y); j),
    where Q_m = P(N <= m) is the stationary number in system (it follows from
    N(s + d) = (N(s) - 1)^+ + arrivals in (s, s + d]). Q comes from the level-crossing
    recursion p_m a_0 = p_0 abar_m + sum_{i=1}^{m-1} p_i abar_{m+1-i} (a_j = Pois(rho; j),
    abar_j = P(Pois(rho) >= j)), which only adds positive terms; it is extended lazily up to
    the index a call needs or until the remaining mass is < 1e-17. The textbook alternating
    Crommelin sum is avoided because it cancels catastrophically for large t.
    """

    def __init__(self, lam: float, d: float) -> None:
        self.lam = lam
        self.d = d
        self.rho = lam * d
        self.a0 = math.exp(-self.rho)
        self.p = np.zeros(1024)
        self.p[0] = 1.0 - self.rho
        self.abar = special.pdtrc(np.arange(-1.0, self.p.size - 1.0), self.rho)  # P(A >= j)
        self.n = 1  # p[:n] is known
        self.complete = False  # the mass beyond n is negligible

    def _extend(self, upto: int) -> None:
        p, abar, n = self.p, self.abar, self.n
        while n <= upto and not self.complete:
            if n + 2 > p.size:
                p = np.concatenate([p, np.zeros(p.size)])
                abar = special.pdtrc(np.arange(-1.0, p.size - 1.0), self.rho)
            pm = (p[0] * abar[n] + float(np.dot(p[1:n], abar[n:1:-1]))) / self.a0
            p[n] = pm
            n += 1
            prev = p[n - 2]
            if n > 2 and pm < prev:
                ratio = pm / prev  # the tail decays geometrically from here
                self.complete = pm == 0.0 or pm * ratio / (1.0 - ratio) < 1e-17
        self.p, self.abar, self.n = p, abar, n

    def _queue_cdf(self, idx: np.ndarray) -> np.ndarray:
        self._extend(int(idx.max()))
        q = np.minimum(np.cumsum(self.p[: self.n]), 1.0)
        out = np.ones(idx.shape)
        inside = idx < self.n
        out[inside] = q[idx[inside]]
        return out

    def __call__(self, t: float) -> float:
        k = math.floor(t / self.d)
        y = t - k * self.d
        if y >= self.d:  # rounding
            k, y = k + 1, 0.0
        mean = self.lam * (self.d - max(y, 0.0))
        j = np.arange(0, min(k, 60) + 1)  # Pois(mean < 1) terms beyond 60 are < 1e-80
        log_pmf = -mean + j * math.log(mean) - special.gammaln(j + 1.0)
        return float(np.dot(self._queue_cdf(k + 1 - j), np.exp(log_pmf)))


def _always_one(t: float) -> float:
    return 1.0


def mg1(lam: float, mean: float, variance: float, shape: str | None = None) -> QueueTheory:
    """M/G/1 by Pollaczek-Khinchine: Wq = lambda E[S^2] / (2 (1 - rho)), rho = lambda E[S].

    P(wait) = rho (PASTA). The mean wait needs only two moments, the waiting-time
    distribution needs the whole service distribution, so service_level(t) is given only
    when `shape` says which: "exp" (M/M/1: 1 - rho exp(-(mu - lambda) t)) or "const"
    (M/D/1, see _MD1WaitCdf); otherwise it raises NotImplementedError. (A lognormal with
    sd = mean has the variance of an exponential, not its waiting-time distribution.)
    Gross et al. (2008) sec. 5.1. Raises ValueError when rho >= 1.
    """
    lam = _rate("lam", lam, positive=False)
    mean = _rate("mean", mean)
    variance = _rate("variance", variance, positive=False)
    rho = lam * mean
    if rho >= 1.0:
        raise ValueError(f"unstable M/G/1: rho = lam*mean = {rho} >= 1")
    wq = lam * (variance + mean * mean) / (2.0 * (1.0 - rho))
    sl: Callable[[float], float] | None
    if lam == 0.0:
        sl = _always_one
    elif shape == "exp":
        if not math.isclose(variance, mean * mean, rel_tol=1e-12):
            raise ValueError("exponential service needs variance == mean**2")
        gap = 1.0 / mean - lam

        def sl(t: float) -> float:
            return 1.0 - rho * math.exp(-gap * t)
    elif shape == "const":
        if variance != 0.0:
            raise ValueError("constant service needs variance == 0")
        sl = _MD1WaitCdf(lam, mean)
    else:
        sl = None
    return QueueTheory(
        p_wait=rho,
        wait_all=wq,
        wait_served=wq,
        p_abandon=0.0,
        queue_length=lam * wq,
        utilisation=rho,
        _sl=sl,
    )


# ----------------------------------------------------------------------------- Jackson


def jackson_network(
    external: Sequence[float],
    mu: Sequence[float],
    servers: Sequence[int],
    routing: Sequence[Sequence[float]],
) -> JacksonResult:
    """Open Jackson network of M/M/c stations (Jackson 1957; Gross et al. 2008 sec. 4.1).

    Traffic equations lambda = external + R^T lambda, with routing[i][j] the probability of
    going i -> j after service (the rest leaves). Each station is then an M/M/c_i queue;
    time in system = sum(lambda_i W_i) / sum(external) by Little's law.
    Raises ValueError on bad shapes, invalid routing or any unstable station.
    """
    ext = np.asarray(external, dtype=float)
    mus = np.asarray(mu, dtype=float)
    cs = [_servers(c) for c in servers]
    r = np.asarray(routing, dtype=float)
    n = ext.size
    if ext.ndim != 1 or mus.shape != (n,) or len(cs) != n or r.shape != (n, n):
        raise ValueError("external, mu, servers must have length n and routing be n x n")
    if np.any(ext < 0) or not np.all(np.isfinite(ext)) or ext.sum() <= 0:
        raise ValueError("external arrival rates must be >= 0 with a positive total")
    if np.any(mus <= 0) or not np.all(np.isfinite(mus)):
        raise ValueError("service rates must be > 0")
    if np.any(r < 0) or np.any(r.sum(axis=1) > 1.0 + 1e-12):
        raise ValueError("routing probabilities must be >= 0 with row sums <= 1")
    try:
        lam = np.linalg.solve(np.eye(n) - r.T, ext)
    except np.linalg.LinAlgError as exc:
        raise ValueError("routing has no exit: traffic equations are singular") from exc
    if np.any(lam < -1e-12) or not np.all(np.isfinite(lam)):
        raise ValueError("routing has no exit: traffic equations have no valid solution")
    lam = np.maximum(lam, 0.0)
    waits: list[float] = []
    for i in range(n):
        if lam[i] >= cs[i] * mus[i]:
            raise ValueError(
                f"station {i} unstable: lambda={lam[i]:.6g} >= c*mu={cs[i] * mus[i]:.6g}"
            )
        waits.append(erlang_c(lam[i], mus[i], cs[i]).wait_all)
    sojourn = [w + 1.0 / m for w, m in zip(waits, mus, strict=True)]
    util = [lam[i] / (cs[i] * mus[i]) for i in range(n)]
    total = float(np.dot(lam, sojourn)) / float(ext.sum())
    return JacksonResult(
        throughput=tuple(float(x) for x in lam),
        utilisation=tuple(float(x) for x in util),
        sojourn_per_visit=tuple(float(x) for x in sojourn),
        time_in_system=total,
        waits=tuple(float(x) for x in waits),
    )
