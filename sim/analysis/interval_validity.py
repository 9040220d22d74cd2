"""When the 95% confidence intervals of a run can be trusted, from the scenario alone.

A replication's mean wait is an average over the window it observes. A queue forgets its
past over its relaxation time; a window of only a few relaxation times holds few
independent stretches, and its mean is skewed (a rare long busy period drags it up), so the
Student-t interval over a handful of replications covers the true mean less often than 95%.
`benchmarks/interval_coverage.py` measures it against Erlang C (400 experiments of 5
replications, M/M/1 at load 0.8 and M/M/8 at 0.75): the coverage is 77-86% at 2 relaxation
times, 90-93% at 10, 93-94% at 20, 94-96% at 40 and 94.5% at 80 (binomial SE 1.1 points),
so each replication must observe `WINDOW_RELAXATION_TIMES` = 40 of them. With 10
replications the narrower intervals cover only 91-94% at 40-80 (a bias that 5 replications
hide), so the rule is a floor, not a guarantee, for many replications.

Each flow registers a function that gives its time scales (`register_time_scale`);
`short_window_warnings(spec)` compares the observed window (horizon - warm-up) with
`WINDOW_RELAXATION_TIMES` of each and returns `warning:` texts. A pure function of the spec:
no run, no model.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from sim.scenario.schema import ScenarioSpec, TeamSpec
from sim.units import format_duration

__all__ = ["WINDOW_RELAXATION_TIMES", "TimeScale", "register_time_scale",
           "relaxation_time", "short_window_warnings", "time_scales"]

# Relaxation times a replication's observed window must span for 95% intervals to hold
# (benchmarks/interval_coverage.py; see the README, "When the intervals hold").
WINDOW_RELAXATION_TIMES = 40


@dataclass(frozen=True)
class TimeScale:
    """How long one of a flow's queues takes to forget its past, in minutes."""

    flow: str  # 'support'
    minutes: float
    what: str = "the queue's relaxation time"


TimeScales = Callable[[ScenarioSpec], list[TimeScale]]
_TIME_SCALES: list[TimeScales] = []


def register_time_scale(function: TimeScales) -> TimeScales:
    """Register a flow's time scales (a function of the spec); usable as a decorator."""
    _TIME_SCALES.append(function)
    return function


def time_scales(spec: ScenarioSpec) -> list[TimeScale]:
    """The time scales of every flow switched on in `spec`."""
    return [scale for function in _TIME_SCALES for scale in function(spec)]


def short_window_warnings(spec: ScenarioSpec) -> list[str]:
    """One text per time scale the observed window is too short for (empty: intervals hold)."""
    window = spec.horizon - spec.warmup
    warnings = []
    for scale in time_scales(spec):
        needed = WINDOW_RELAXATION_TIMES * scale.minutes
        if window < needed:
            warnings.append(
                f"{scale.flow}: each replication observes {format_duration(window)}, under the "
                f"~{format_duration(needed)} ({WINDOW_RELAXATION_TIMES} x {scale.what}, "
                f"{format_duration(scale.minutes)}) that 95% intervals need; intervals may "
                "cover less than 95%; lengthen the horizon")
    return warnings


def relaxation_time(arrival_rate: float, service_rate: float, servers: float,
                    variability: float = 1.0, patience: float | None = None) -> float:
    """Relaxation time of a c-server queue, 1 / (c mu (1 - sqrt(rho))^2) (exact for M/M/1,
    the heavy-traffic scale for M/M/c), times `variability` = (1 + cs^2) / 2 of the service
    time (1 for exponential). With patience (mean time before customers give up), waiting
    customers leave within about that, so it is at most `patience` (and finite when the desk
    is overloaded). Infinite for an unstable queue without patience."""
    if arrival_rate <= 0 or servers <= 0 or service_rate <= 0:
        return 0.0 if arrival_rate <= 0 else (patience if patience is not None else math.inf)
    load = arrival_rate / (servers * service_rate)
    queue = (variability / (servers * service_rate * (1.0 - math.sqrt(load)) ** 2)
             if load < 1.0 else math.inf)
    return min(queue, patience) if patience is not None else queue


def on_shift_members(team: TeamSpec, start: float, end: float) -> float:
    """Time-average members on shift over [start, end]."""
    if end <= start:
        return 0.0
    total = 0.0
    for group in team.shifts:
        for low, high in group.shift.intervals(end):
            total += group.members * max(0.0, min(high, end) - max(low, start))
    return total / (end - start)


@register_time_scale
def _support(spec: ScenarioSpec) -> list[TimeScale]:
    """The desk as one queue at its average load: its own arrivals (inquiries raised by
    other flows are left out), the handle time mixed over the inquiry types, the members on
    shift averaged over the window, the longest patience if every type has one."""
    support = spec.support
    if support is None or support.arrivals is None or support.team not in spec.teams:
        return []
    kinds = list(support.inquiry_types.values()) or [None]
    weights = [kind.share for kind in kinds if kind] or [1.0]
    if not sum(weights):
        return []
    handles = [(kind and kind.handle_time) or support.handle_time for kind in kinds]
    patiences = [(kind and kind.patience) or support.patience for kind in kinds]
    if any(handle is None for handle in handles):
        return []
    total = sum(weights)
    mean = sum(w * h.mean for w, h in zip(weights, handles, strict=False)) / total
    second = sum(w * (h.variance + h.mean ** 2)
                 for w, h in zip(weights, handles, strict=False)) / total
    if mean <= 0:
        return []
    variability = (1.0 + (second - mean ** 2) / mean ** 2) / 2.0
    patiences = [p for w, p in zip(weights, patiences, strict=False) if w > 0]
    patience = (max(p.mean for p in patiences) if all(p is not None for p in patiences)
                else None)
    members = on_shift_members(spec.teams[support.team], spec.warmup, spec.horizon)
    minutes = relaxation_time(support.arrivals.rate, 1.0 / mean, members, variability,
                              patience)
    if not math.isfinite(minutes):
        return []  # unstable: the overload check says so, not this one
    return [TimeScale("support", minutes)]
