"""Poisson arrival streams with a weekly profile, one wake-up per arrival.

The rate is piecewise constant over the week (a RateProfile); arrival times come from
inverting the cumulative rate, one exponential draw per arrival, exact and without thinning.
`multiplier` scales the rate from the next arrival on: the seam campaigns and site health
will drive.
"""

from __future__ import annotations

from collections.abc import Callable

from sim.calendar import RateProfile
from sim.distributions import Exponential
from sim.model.context import Context
from sim.model.wakeup import Wakeup, call_later


class ArrivalStream:
    def __init__(self, ctx: Context, profile: RateProfile, stream: str,
                 on_arrival: Callable[[float], None]) -> None:
        self.env = ctx.env
        self.horizon = ctx.horizon
        self.profile = profile
        self.multiplier = 1.0
        self.on_arrival = on_arrival
        self._unit = Exponential(avg=1.0).sampler(ctx.streams.stream(stream))
        self._constant = profile.constant
        self._position = 0.0  # expected arrivals so far, on the profile's cumulative scale
        self._arrive_cb = self._arrive

    def start(self) -> None:
        self._schedule(0.0)

    def _schedule(self, now: float) -> None:
        rate = self.profile.rate * self.multiplier
        if rate <= 0:
            return
        if self._constant:
            at = now + self._unit() / rate
        else:
            self._position += self._unit() / self.multiplier
            at = self.profile.time_of(self._position)
        if at < self.horizon:
            call_later(self.env, at - now, self._arrive_cb)

    def _arrive(self, _event: Wakeup) -> None:
        now = self.env._now
        self._schedule(now)
        self.on_arrival(now)
