"""The shop's web site, as a rate: visits, latency and the orders it loses.

Visits come at `visits_per_order` x the intended order rate (the weekly profile times every
factor on the order arrivals but the site's own). The site's state is piecewise constant: it
is recomputed when the intended rate changes (the profile's steps, which the site follows;
the timeline's and campaigns' factors, which the order stream tells it of) or its capacity
does (an open incident: `SITE_HEALTH`; a campaign's scaling: `SITE_CAPACITY`). Each time it
sets the order arrivals' factor `site` to conversion(latency) / conversion(base latency)
(curves in sim/analysis/site.py), so orders need no per-order work and common random numbers
hold; the orders lost are the integral of intended rate x (1 - factor).

The site also drives two rates of its own, as Poisson streams with piecewise-constant rates
(`PiecewisePoisson`): the load hazard of each severity above `load_threshold` (an incident
sent to tech: `LOAD_INCIDENT`) and site_issue inquiries in proportion to the orders it loses.
"""

from __future__ import annotations

import bisect
import math
from array import array
from collections.abc import Callable

import numpy as np

from sim.analysis.site import ConversionCurve, order_factor
from sim.distributions import Exponential
from sim.metrics.level import Level
from sim.metrics.output import FlowOutput, safe_ratio
from sim.model.arrivals import ArrivalStream
from sim.model.context import Context
from sim.model.flows.shipments import CONTACT
from sim.model.flows.signals import (
    LOAD_INCIDENT,
    Contact,
    SiteCapacity,
    SiteHealth,
)
from sim.model.wakeup import Wakeup, call_later
from sim.scenario.tech import SiteSpec

SITE_FACTOR = "site"  # the order arrivals' factor the site sets
SITE_ISSUE = "site_issue"  # the inquiry type a slow site or an incident raises


class PiecewisePoisson:
    """A Poisson stream whose rate changes at instants (`set_rate`): each event falls where
    the integrated rate reaches a unit exponential drawn after the previous one (exact)."""

    __slots__ = ("env", "rate", "_unit", "_fire", "_owed", "_since", "_token", "_cb")

    def __init__(self, ctx: Context, stream: str, fire: Callable[[float], None]) -> None:
        self.env = ctx.env
        self.rate = 0.0
        self._unit = Exponential(avg=1.0).sampler(ctx.streams.stream(stream))
        self._fire = fire
        self._owed = self._unit()
        self._since = 0.0
        self._token = 0
        self._cb = self._wake

    def set_rate(self, now: float, rate: float) -> None:
        if rate == self.rate:
            return
        self._owed = max(0.0, self._owed - self.rate * (now - self._since))
        self._since = now
        self.rate = rate
        self._schedule(now)

    def _schedule(self, now: float) -> None:
        self._token += 1
        if self.rate > 0:
            call_later(self.env, self._owed / self.rate, self._cb, self._token)

    def _wake(self, event: Wakeup) -> None:
        if event._value != self._token:
            return  # the rate changed since
        now = self.env._now
        self._since = now
        self._owed = self._unit()
        self._schedule(now)
        self._fire(now)


class Site:
    """The site's piecewise state, its integrals over the observed window and its history."""

    def __init__(self, ctx: Context, spec: SiteSpec, arrivals: ArrivalStream | None) -> None:
        self.ctx = ctx
        self.env = ctx.env
        self.spec = spec
        self.arrivals = arrivals
        self.curve = ConversionCurve(spec.conversion_points(), spec.loss_per_100ms,
                                     spec.timeout)
        self._capacity_factors: dict[str, float] = {}
        self._demand = 1.0  # the order arrivals' factors but the site's
        self._started = False
        # the state in force since `_last`
        self._last = 0.0
        self.order_rate = 0.0  # intended orders per minute
        self.visits = 0.0  # per minute
        self.capacity = spec.capacity
        self.utilisation = 0.0
        self.latency = spec.base_latency
        self.factor = 1.0
        # integrals over the observed window
        self.intended = self.lost = self.visit_total = self.latency_visits = 0.0
        self.served = self.offered = self.down_time = 0.0
        self._latencies = array("d")  # per piece in the window: latency and visits (p90)
        self._weights = array("d")
        # history over the whole run, for `lost_orders(start, end)` and plots
        self._times = array("d", [0.0])
        self._lost_rates = array("d", [0.0])
        self.latency_level = Level(ctx.bin_width, ctx.bins, spec.base_latency)
        self.lost_level = Level(ctx.bin_width, ctx.bins)  # lost orders per minute
        ctx.at_window_start(self._window_start)
        tech = ctx.spec.tech
        self._load = {}
        if tech is not None:
            for name, severity in tech.incidents.items():
                if severity.load_rate > 0:
                    self._load[name] = (severity.load_rate, PiecewisePoisson(
                        ctx, f"site.load_incidents.{name}", self._incident_fire(name)))
        self._inquiries = (PiecewisePoisson(ctx, "site.inquiries", self._raise_inquiry)
                           if spec.inquiries_per_lost_order > 0 and ctx.spec.support
                           else None)
        self.load_incidents = 0
        self.inquiries_raised = 0
        self._step_cb = self._profile_step
        if arrivals is not None:  # told at the stream's start, and of every factor after
            arrivals.follow(self._demand_changed, SITE_FACTOR)
        ctx.services["site"] = self

    # --- what changes the state ------------------------------------------------------------

    def start(self) -> None:
        self._started = True
        if self.arrivals is None:
            self._update(0.0)
        elif not self.arrivals.profile.constant:
            self._next_step(0.0)

    def _next_step(self, now: float) -> None:
        at = self.arrivals.profile.next_step(now)
        if at < self.ctx.horizon:
            call_later(self.env, at - now, self._step_cb)

    def _profile_step(self, _event: Wakeup) -> None:
        now = self.env._now
        self._update(now)
        self._next_step(now)

    def _demand_changed(self, now: float, factor: float) -> None:
        self._demand = factor
        self._update(now)

    def health(self, change: SiteHealth, now: float) -> None:
        """An incident opened or closed (`SITE_HEALTH`)."""
        if change.factor is None:
            self._capacity_factors.pop(change.name, None)
        else:
            self._capacity_factors[change.name] = change.factor
        self._update(now)

    def scale(self, change: SiteCapacity, now: float) -> None:
        """A campaign's capacity, scaled over its window (`SITE_CAPACITY`)."""
        def begin(_event: Wakeup) -> None:
            self.health(SiteHealth(change.name, change.factor), self.env._now)

        def end(_event: Wakeup) -> None:
            self.health(SiteHealth(change.name, None), self.env._now)

        horizon = self.ctx.horizon
        if change.end <= now or change.start >= horizon:
            return
        call_later(self.env, max(0.0, change.start - now), begin)
        if change.end < horizon:
            call_later(self.env, change.end - now, end)

    # --- the state -------------------------------------------------------------------------

    def _update(self, now: float) -> None:
        """Close the piece since the last change, compute the state from now on, and set the
        order arrivals' factor."""
        if not self._started:
            return
        self._close(now)
        spec = self.spec
        rate = (self.arrivals.profile.rate_at(now) * self._demand
                if self.arrivals is not None else 0.0)
        self.order_rate = rate
        self.visits = rate * spec.visits_per_order
        self.capacity = spec.capacity * math.prod(self._capacity_factors.values())
        if self.capacity > 0:
            self.utilisation = self.visits / self.capacity
            self.latency, self.factor = order_factor(
                self.utilisation, spec.base_latency, spec.timeout, spec.servers, self.curve)
        else:  # down: every visit times out
            self.utilisation = 0.0
            self.latency, self.factor = spec.timeout, 0.0
        lost_rate = rate * (1.0 - self.factor)
        self._times.append(now)
        self._lost_rates.append(lost_rate)
        self.latency_level.set(now, self.latency)
        self.lost_level.set(now, lost_rate)
        if self.arrivals is not None:
            self.arrivals.set_factor(SITE_FACTOR, self.factor)
        excess = max(0.0, (self.utilisation - spec.load_threshold) / (1.0 - spec.load_threshold))
        for load_rate, stream in self._load.values():
            stream.set_rate(now, load_rate * excess)
        if self._inquiries is not None:
            self._inquiries.set_rate(now, spec.inquiries_per_lost_order * lost_rate)

    def _close(self, now: float) -> None:
        start = max(self._last, self.ctx.warmup)
        self._last = now
        span = now - start
        if span <= 0:
            return
        self.intended += self.order_rate * span
        self.lost += self.order_rate * (1.0 - self.factor) * span
        visits = self.visits * span
        self.visit_total += visits
        self.latency_visits += self.latency * visits
        self.served += min(self.visits, self.capacity) * span
        self.offered += self.capacity * span
        if self.capacity <= 0:
            self.down_time += span
        if visits > 0:
            self._latencies.append(self.latency)
            self._weights.append(visits)

    def _window_start(self, now: float) -> None:
        self.latency_level.start_window(now)
        self.lost_level.start_window(now)

    # --- what the site raises --------------------------------------------------------------

    def _incident_fire(self, severity: str) -> Callable[[float], None]:
        def fire(now: float) -> None:
            self.load_incidents += 1
            self.ctx.org.send(LOAD_INCIDENT, severity, "site")
        return fire

    def _raise_inquiry(self, now: float) -> None:
        self.inquiries_raised += 1
        self.ctx.org.send(CONTACT, Contact(SITE_ISSUE, "slow_site"), "site")

    # --- the view (signals.SiteView) -------------------------------------------------------

    def lost_orders(self, start: float, end: float) -> float:
        """Expected intended orders lost between `start` and `end` (up to now)."""
        end = min(end, self.env._now)
        if end <= start:
            return 0.0
        times, rates = self._times, self._lost_rates
        total = 0.0
        i = max(0, bisect.bisect_right(times, start) - 1)
        while i < len(times) and times[i] < end:
            lo = max(times[i], start)
            hi = min(times[i + 1] if i + 1 < len(times) else end, end)
            total += rates[i] * max(0.0, hi - lo)
            i += 1
        return total

    # --- results ---------------------------------------------------------------------------

    def collect(self, now: float) -> FlowOutput:
        self._close(now)
        span = now - self.ctx.warmup
        out = FlowOutput()
        m = out.metrics
        m["site.latency.mean"] = safe_ratio(self.latency_visits, self.visit_total)
        m["site.latency.p90"] = weighted_quantile(self._latencies, self._weights, 0.9)
        m["site.utilisation"] = safe_ratio(self.served, self.offered)
        m["site.downtime_share"] = safe_ratio(self.down_time, span)
        m["site.lost_orders_share"] = safe_ratio(self.lost, self.intended)
        m["site.lost_orders_per_day"] = safe_ratio(self.lost, span / 1440.0)
        out.series["site.latency"] = self.latency_level.series(now)
        out.series["site.lost_orders"] = self.lost_level.series(now) * self.ctx.bin_width
        return out


def weighted_quantile(values: array, weights: array, q: float) -> float:
    """The `q` quantile of `values` weighted by `weights` (nan when there is no weight)."""
    if not len(values):
        return float("nan")
    v = np.frombuffer(values, dtype=float)
    w = np.frombuffer(weights, dtype=float)
    order = np.argsort(v, kind="stable")
    cumulative = np.cumsum(w[order])
    index = int(np.searchsorted(cumulative, q * cumulative[-1]))
    return float(v[order][min(index, len(v) - 1)])


# --- declared metrics (sim/metrics/declare.py); one block, kept apart from the model code ---

from sim.metrics.declare import DURATION, RATE, SHARE, Metric, declare  # noqa: E402

SITE_METRICS = declare("site", [
    Metric("site.latency.mean", DURATION, "page latency, mean over visits (a visit while the "
           "site is down counts at the timeout)"),
    Metric("site.latency.p90", DURATION, "page latency, 90th percentile over visits"),
    Metric("site.utilisation", SHARE, "visits served over the capacity offered (while up)"),
    Metric("site.downtime_share", SHARE, "time the site was down (capacity 0)"),
    Metric("site.lost_orders_share", SHARE, "intended orders not placed because the site was "
           "slow or down (expected counts: visits are a rate)"),
    Metric("site.lost_orders_per_day", RATE, "intended orders lost to the site per day"),
], active=lambda spec: spec.site is not None, order=25)
