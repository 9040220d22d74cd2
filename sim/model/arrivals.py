"""Poisson arrival streams with a weekly profile and named rate factors, one wake-up per arrival.

The rate is piecewise constant over the week (a RateProfile) times the product of named
factors (the timeline's windows; later campaigns and site health), which `set_factor`
changes at the current instant. Arrival k falls where the integrated rate, factors included,
reaches E1 + ... + Ek (unit exponentials): exact, without thinning. A change keeps the
pending arrival's target on that integrated scale and recomputes its time; nothing new is
drawn, so two runs that differ only in factors share every random number, and a factor of 0
holds the pending arrival until a later factor lets the integral grow again.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from heapq import heappush

from sim.calendar import RateProfile
from sim.distributions import Exponential
from sim.model.context import Context
from sim.model.wakeup import NORMAL, Wakeup, call_later
from sim.scenario.timeline import factor_changes


class ArrivalStream:
    """Calls `on_arrival(now)` at each arrival. `scaled_as` is the flow's name in the
    timeline's `scale:` (the stream applies its windows itself)."""

    def __init__(self, ctx: Context, profile: RateProfile, stream: str,
                 on_arrival: Callable[[float], None], scaled_as: str | None = None) -> None:
        self.env = ctx.env
        self.horizon = ctx.horizon
        self.profile = profile
        self.on_arrival = on_arrival
        self._unit = Exponential(avg=1.0).sampler(ctx.streams.stream(stream))
        self._constant = profile.constant
        self._alive = profile.rate > 0
        self._factors: dict[str, float] = {}
        self._factor = 1.0  # the product of the factors
        # The pending arrival: with a positive factor, its time and (varying profile) its
        # target on the profile's own cumulative scale; with a factor of 0, the expected
        # arrivals (factors included) still owed before it.
        self._next_at = 0.0
        self._target = 0.0
        self._owed = 0.0
        self._step = 1.0 / profile.rate if self._constant and self._alive else 1.0
        self._current = 0  # the pending wake-up's number: older wake-ups are stale
        self._arrive_cb = self._arrive
        self._arrive_cbs = (self._arrive,)
        self._changes = factor_changes(ctx.spec.timeline, scaled_as) if scaled_as else []
        # who follows the intended rate (the site): (callback, the factor it sets itself)
        self._listeners: list[tuple[Callable[[float, float], None], str]] = []

    def follow(self, callback: Callable[[float, float], None], own: str) -> None:
        """Call `callback(now, factor)` at start and whenever the product of the factors
        other than `own` (the listener's own factor) changes: the intended rate is then
        `profile.rate_at(now) * factor` (the profile's steps are the listener's to follow).
        """
        self._listeners.append((callback, own))

    def _tell_others(self, name: str) -> None:
        """A factor changed: tell the listeners whose own factor it is not (their call of
        set_factor may come back here; it is then their own and they are not told)."""
        now = self.env._now
        for callback, own in self._listeners:
            if name != own:
                callback(now, math.prod(v for k, v in self._factors.items() if k != own))

    def _tell(self, now: float) -> None:
        for callback, own in self._listeners:
            callback(now, math.prod(v for k, v in self._factors.items() if k != own))

    def start(self) -> None:
        for at, name, value in self._changes:
            if at <= 0:
                self._store(name, value)
            elif at < self.horizon:
                call_later(self.env, at, self._timed_change, (name, value))
        self._factor = self._product()
        if self._alive:
            self._owed = self._unit()
            if self._factor > 0:
                self._resume(0.0)
        if self._listeners:
            self._tell(0.0)

    # --- the hot path ----------------------------------------------------------------------

    def _arrive(self, event: Wakeup) -> None:
        if event._value != self._current:
            return  # a change moved this arrival
        now = self.env._now
        if self._constant:
            self._next_at = at = now + self._unit() * self._step
        else:
            self._target += self._unit() * self._step
            self._next_at = at = self.profile.time_of(self._target)
        if at < self.horizon:  # the same wake-up, for the next arrival (call_again, inline)
            event.callbacks = self._arrive_cbs
            env = self.env
            heappush(env._queue, (now + (at - now), NORMAL, next(env._eid), event))
        self.on_arrival(now)

    # --- factors ---------------------------------------------------------------------------

    def set_factor(self, name: str, value: float | None) -> None:
        """Set the named factor (None removes it) from now on, moving the pending arrival."""
        self._store(name, value)
        if self._listeners:
            self._tell_others(name)
        factor = self._product()
        if factor == self._factor or not self._alive:
            self._factor = factor
            return
        now = self.env._now
        if self._factor > 0:  # what is still owed, on the integrated scale, factors included
            if self._constant:
                left = (self._next_at - now) * self.profile.rate
            else:
                left = self._target - self.profile.cumulative(now)
            self._owed = max(left, 0.0) * self._factor
        self._factor = factor
        self._current += 1  # the wake-up already queued, if any, is stale now
        if factor > 0:
            self._resume(now)

    def _resume(self, now: float) -> None:
        """Schedule the pending arrival from what is owed, at the current factor."""
        if self._constant:
            self._step = 1.0 / (self.profile.rate * self._factor)
            self._next_at = at = now + self._owed * self._step
        else:
            self._step = 1.0 / self._factor
            self._target = self.profile.cumulative(now) + self._owed * self._step
            self._next_at = at = self.profile.time_of(self._target)
        if at < self.horizon:
            call_later(self.env, at - now, self._arrive_cb, self._current)

    def _product(self) -> float:
        """The factors multiplied; one so small that the time to the next arrival overflows
        (1e-320) holds the stream like 0."""
        factor = math.prod(self._factors.values())
        rate = self.profile.rate
        if factor > 0 and rate > 0 and not (math.isfinite(1.0 / (rate * factor))
                                            and math.isfinite(1.0 / factor)):
            return 0.0
        return factor

    def _store(self, name: str, value: float | None) -> None:
        if value is None:
            self._factors.pop(name, None)
        else:
            self._factors[name] = value

    def _timed_change(self, event: Wakeup) -> None:
        self.set_factor(*event._value)
