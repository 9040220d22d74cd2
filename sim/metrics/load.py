"""Is a queue in steady state? Offered load against capacity, and backlog growth.

Every team's queue registers once with a `LoadWatch` (the context does it when it makes a
team's pool); every flow that brings work to the team adds a `Demand` reader to it. At the
end of a replication the watch reads totals the flows already keep (arrivals in the window
times the mean work per arrival, members on shift, the number waiting at the window's start
and end, the per-bin queue series) and judges each queue, with no cost on the hot path.

What one replication saw (`judge`):
- the offered load: work demanded by the arrivals in the observed window (member-minutes)
  over the members' time on shift in the window (shifts included, overtime not);
- whether the backlog grew by more than chance allows: the number waiting at the window's
  end exceeds that at its start by more than `GROWTH_NOISE` times the spread of the
  (linearly detrended) per-bin queue series, and by at least `GROWTH_SHARE` of the growth
  the excess load alone would build (so a queue that impatient customers keep stable does
  not count as growing);
- the share of the offered load that customers who gave up took with them.
Across replications (`aggregate`), a team is **overloaded** when the offered load pooled over
the replications is at least 1 AND its backlog grew in a majority of them; load is reported
**lost to abandonment** when its mean share reaches `ABANDONED_SHARE`.
False alarms: a stable queue at true load rho passes the load test only when its estimate
reaches 1, a deviation of (1 - rho) / rho relative; the estimate is a Poisson count of n
arrivals (pooled over the replications) times a fixed mean, so the chance is about
Phi(-(1 - rho) / rho * sqrt(n)) (rho = 0.9: 0.02% at n = 1,000, 10% at n = 135, a desk of
one agent observed for 10 hours), and the growth test must pass in a majority as well.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

GROWTH_NOISE = 3.0  # growth must exceed this many (detrended) spreads of the queue series
GROWTH_SHARE = 0.25  # ... and this share of the growth the excess load predicts
ABANDONED_SHARE = 0.10  # report abandonment when it took at least this share of the load


@dataclass(frozen=True)
class Demand:
    """The work one flow (or one stage of it) brought to a team in the observed window."""

    flow: str  # 'support', 'fulfilment'
    stage: str | None  # a stage of the flow, or None
    noun: str  # what waits: 'inquiries', 'shipments'
    items: float  # arrivals in the window
    offered: float  # member-minutes their work takes (arrivals x mean work)
    abandoned: float = 0.0  # member-minutes of it that left unserved (customers gave up)


@dataclass(frozen=True)
class QueueObservation:
    """What one team's queue looked like over the observed window."""

    team: str
    demands: list[Demand]
    capacity: float  # member-minutes on shift in the window
    waiting_at_start: float
    waiting_at_end: float
    queue_series: np.ndarray  # per-bin mean number waiting, over the window


@dataclass(frozen=True)
class Finding:
    """What one replication saw of one team's queue (picklable, plain values)."""

    team: str
    flows: tuple[tuple[str, str | None], ...]  # (flow, stage) with demand on the team
    noun: str
    load: float  # offered load over capacity
    waiting_at_start: float
    waiting_at_end: float
    grew: bool  # the backlog grew by more than chance allows
    abandoned_share: float  # of the offered load

    @property
    def overloaded(self) -> bool:
        return self.load >= 1.0 and self.grew


def judge(obs: QueueObservation) -> Finding | None:
    """What one replication saw of one queue (None when no work came to it)."""
    demands = [d for d in obs.demands if d.items > 0]
    offered = sum(d.offered for d in demands)
    items = sum(d.items for d in demands)
    if not demands or offered <= 0 or obs.capacity <= 0:
        return None
    excess_items = max(offered - obs.capacity, 0.0) * items / offered
    growth = obs.waiting_at_end - obs.waiting_at_start
    return Finding(obs.team, tuple((d.flow, d.stage) for d in demands), demands[0].noun,
                   offered / obs.capacity, obs.waiting_at_start, obs.waiting_at_end,
                   growth > growth_threshold(obs.queue_series, excess_items),
                   sum(d.abandoned for d in demands) / offered)


def growth_threshold(series: np.ndarray, excess_items: float) -> float:
    """How much the number waiting must grow to count as a growing backlog."""
    data = np.asarray(series, dtype=float)
    data = data[np.isfinite(data)]
    spread = 0.0
    if len(data) >= 3:
        x = np.arange(len(data), dtype=float)
        slope, intercept = np.polyfit(x, data, 1)
        spread = float(np.std(data - (slope * x + intercept)))
    return max(GROWTH_NOISE * spread, GROWTH_SHARE * excess_items, 1.0)


@dataclass
class LoadWatch:
    """The queues of one replication; each registers once, each is judged at collect time."""

    _observers: list[Callable[[float], QueueObservation]] = field(default_factory=list)

    def register(self, observe: Callable[[float], QueueObservation]) -> None:
        self._observers.append(observe)

    def findings(self, now: float) -> list[Finding]:
        judged = (judge(observe(now)) for observe in self._observers)
        return [f for f in judged if f is not None]


def aggregate(per_replication: list[list[Finding]]) -> list[str]:
    """Warnings from every replication's findings, per team: overloaded when the load pooled
    over the replications (their mean: equal windows and rosters) is at least 1 and the
    backlog grew in a majority of them; abandonment when its mean share is large."""
    reps = len(per_replication)
    by_team: dict[str, list[Finding]] = {}
    for findings in per_replication:
        for finding in findings:
            by_team.setdefault(finding.team, []).append(finding)
    warnings = []
    for found in by_team.values():
        load = float(np.mean([f.load for f in found]))
        grew = [f for f in found if f.grew]
        if load >= 1.0 and 2 * len(grew) > reps:
            warnings.append(describe_overload(found, load, len(grew), reps))
        lost = float(np.mean([f.abandoned_share for f in found]))
        if lost >= ABANDONED_SHARE:
            warnings.append(describe_abandonment(found[0], lost, load))
    return warnings


def describe_overload(found: list[Finding], load: float, grew: int, reps: int) -> str:
    first = found[0]
    verb = "are" if len(first.flows) > 1 else "is"
    start = np.mean([f.waiting_at_start for f in found])
    end = np.mean([f.waiting_at_end for f in found])
    share = f"; in {grew} of {reps} replications" if reps > 1 else ""
    return (f"{_who(first)} {verb} overloaded: offered load {load:.2f} x capacity; backlog "
            f"grew from {start:,.0f} to {end:,.0f} {first.noun} through the window{share}; "
            "means and intervals of waits and lead times grow with the horizon and are not "
            "steady-state values")


def describe_abandonment(first: Finding, lost: float, load: float) -> str:
    why = ("; the queue is kept from growing only by customers giving up" if load >= 1.0
           else "")
    return (f"{_who(first)}: {lost:.0%} of the offered load was lost to abandonment (offered "
            f"load {load:.2f} x capacity; reported from {ABANDONED_SHARE:.0%}){why}")


def _who(finding: Finding) -> str:
    """'fulfilment stage 'pick' (team 'warehouse')', or 'support (team 'support')'."""
    by_flow: dict[str, list[str]] = {}
    for flow, stage in finding.flows:
        by_flow.setdefault(flow, [])
        if stage is not None:
            by_flow[flow].append(stage)
    parts = []
    for flow, stages in by_flow.items():
        if not stages:
            parts.append(flow)
        else:
            names = ", ".join(f"'{s}'" for s in stages)
            parts.append(f"{flow} stage{'s' if len(stages) > 1 else ''} {names}")
    return f"{' and '.join(parts)} (team '{finding.team}')"
