"""The site's curves, pure: page latency under load and conversion against latency.

Latency: the site as an M/M/c queue of `servers` workers whose mean service time is the
base latency; a visit's mean time in it is `base * (1 + C(c, a) / (c (1 - rho)))` with
a = c rho and C the Erlang C probability of waiting (Gross et al. 2008, sec. 2.3). With one
worker this is the M/M/1 curve `base / (1 - rho)`; with many, latency stays at the base until
load nears capacity. It is saturated at the timeout, reached at rho >= 1 or when the curve
passes it (every visit then times out).

Conversion: log-linear between anchor points (Portent 2019, "Site speed is (still) impacting
your conversion rate": about 3% at 1 s, 1.7% at 2 s, 1.1% at 5 s), below the first point
falling `loss_per_100ms` per +100 ms (Kohavi & Longbotham 2007, "Online experiments: lessons
learned": +100 ms cost Amazon about 1% of sales), beyond the last point on the last segment's
slope, and 0 at the timeout (the page never loads).

The order factor the site puts on order arrivals is conversion(latency) / conversion(base):
1 at the base latency, 0 when the site is down or saturated.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

HUNDRED_MS = 0.1 / 60.0  # minutes


def wait_probability(servers: int, rho: float) -> float:
    """Erlang C: the share of visits that wait for a worker, at utilisation rho < 1, from
    Erlang B's stable recursion (as sim/analysis/queueing.py, which imports scipy: the model
    imports this module, and a run should not pay scipy's start-up)."""
    a = servers * rho
    b = 1.0
    for k in range(1, servers + 1):
        b = a * b / (k + a * b)
    return servers * b / (servers - a * (1.0 - b))


def latency(rho: float, base: float, timeout: float, servers: int) -> float:
    """Mean page latency at utilisation `rho` (minutes), saturated at `timeout`."""
    if rho >= 1.0:
        return timeout
    if rho <= 0.0:
        return base
    mean = base * (1.0 + wait_probability(servers, rho) / (servers * (1.0 - rho)))
    return min(mean, timeout)


class ConversionCurve:
    """Conversion as a function of latency (see the module docstring); `points` are
    (latency in minutes, conversion) pairs, sorted by latency."""

    def __init__(self, points: Sequence[tuple[float, float]], loss_per_100ms: float,
                 timeout: float) -> None:
        self.latencies = [p[0] for p in points]
        self.logs = [math.log(p[1]) for p in points]
        self.fast_slope = math.log(1.0 - loss_per_100ms) / HUNDRED_MS  # per minute
        self.slow_slope = (
            (self.logs[-1] - self.logs[-2]) / (self.latencies[-1] - self.latencies[-2])
            if len(points) > 1 else self.fast_slope)
        self.timeout = timeout

    def __call__(self, at: float) -> float:
        if at >= self.timeout:
            return 0.0
        lat, logs = self.latencies, self.logs
        if at <= lat[0]:
            return math.exp(logs[0] + self.fast_slope * (at - lat[0]))
        for i in range(1, len(lat)):
            if at <= lat[i]:
                share = (at - lat[i - 1]) / (lat[i] - lat[i - 1])
                return math.exp(logs[i - 1] + share * (logs[i] - logs[i - 1]))
        return math.exp(logs[-1] + self.slow_slope * (at - lat[-1]))


def order_factor(rho: float, base: float, timeout: float, servers: int,
                 curve: ConversionCurve) -> tuple[float, float]:
    """(latency, the factor on orders: conversion there over conversion at the base)."""
    at = latency(rho, base, timeout, servers)
    return at, curve(at) / curve(base)
