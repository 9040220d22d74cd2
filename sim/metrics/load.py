"""Is a queue in steady state? Offered load against capacity, and backlog growth.

Every team's queue registers once with a `LoadWatch` (the context does it when it makes a
team's pool); every flow that brings work to the team adds a `Demand` reader to it. At the
end of a replication the watch reads totals the flows already keep (arrivals in the window
times the mean work per arrival, members on shift, the number waiting at the window's start
and end, the per-bin queue series) and judges each queue, with no cost on the hot path.

The judgement of one replication (`judge`):
- the offered load: work demanded by the arrivals in the observed window (member-minutes)
  over the members' time on shift in the window (shifts included, overtime not);
- **overloaded** when the offered load is at least 1 AND the backlog grew through the window
  by more than chance allows: the number waiting at the end exceeds that at the start by
  more than `GROWTH_NOISE` times the spread of the (linearly detrended) per-bin queue series,
  and by at least `GROWTH_SHARE` of the growth the excess load alone would build (so a queue
  that impatient customers keep stable is never called overloaded);
- **lost to abandonment** when customers who gave up took at least `ABANDONED_SHARE` of the
  offered load with them.
False alarms: a stable queue at true load rho passes the first test only when its estimated
load reaches 1, a deviation of (1 - rho) / rho relative; the estimate is a Poisson count of n
arrivals times a fixed mean, so the chance is about Phi(-(1 - rho) / rho * sqrt(n)) (at
rho = 0.9 and n = 1,000 arrivals: 0.02%), and the growth test must fail too. `aggregate`
then needs a majority of the replications, which makes a false alarm rarer still.
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
    """A judgement of one queue in one replication (picklable, plain values)."""

    kind: str  # 'overloaded' or 'abandonment'
    team: str
    flows: tuple[tuple[str, str | None], ...]  # (flow, stage) with demand on the team
    noun: str
    load: float  # offered load over capacity
    waiting_at_start: float = 0.0
    waiting_at_end: float = 0.0
    abandoned_share: float = 0.0


def judge(obs: QueueObservation) -> list[Finding]:
    """The findings for one queue in one replication (empty when it looks steady)."""
    demands = [d for d in obs.demands if d.items > 0]
    offered = sum(d.offered for d in demands)
    items = sum(d.items for d in demands)
    if not demands or offered <= 0 or obs.capacity <= 0:
        return []
    load = offered / obs.capacity
    flows = tuple((d.flow, d.stage) for d in demands)
    noun = demands[0].noun
    findings = []
    growth = obs.waiting_at_end - obs.waiting_at_start
    if load >= 1.0 and growth > growth_threshold(obs.queue_series,
                                                 (offered - obs.capacity) * items / offered):
        findings.append(Finding("overloaded", obs.team, flows, noun, load,
                                obs.waiting_at_start, obs.waiting_at_end))
    abandoned = sum(d.abandoned for d in demands)
    if abandoned >= ABANDONED_SHARE * offered:
        findings.append(Finding("abandonment", obs.team, flows, noun, load,
                                abandoned_share=abandoned / offered))
    return findings


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
        return [f for observe in self._observers for f in judge(observe(now))]


def aggregate(per_replication: list[list[Finding]]) -> list[str]:
    """Warnings from every replication's findings: a queue is overloaded when a majority of
    the replications found it so; abandonment is reported with the mean share of the
    replications that found it large, when a majority did."""
    reps = len(per_replication)
    groups: dict[tuple[str, str], list[Finding]] = {}
    for findings in per_replication:
        for finding in findings:
            groups.setdefault((finding.kind, finding.team), []).append(finding)
    warnings = []
    for (kind, _team), found in groups.items():
        if 2 * len(found) <= reps:
            continue
        warnings.append(describe(kind, found, reps))
    return warnings


def describe(kind: str, found: list[Finding], reps: int) -> str:
    first = found[0]
    who = _who(first)
    share = f"{len(found)} of {reps} replications" if reps > 1 else "the replication"
    if kind == "overloaded":
        load = np.mean([f.load for f in found])
        start = np.mean([f.waiting_at_start for f in found])
        end = np.mean([f.waiting_at_end for f in found])
        verb = "are" if len(first.flows) > 1 else "is"
        return (f"{who} {verb} overloaded: offered load {load:.2f} x capacity; backlog grew from "
                f"{start:,.0f} to {end:,.0f} {first.noun} through the window ({share}); "
                "means and intervals of waits and lead times grow with the horizon and are "
                "not steady-state values")
    lost = np.mean([f.abandoned_share for f in found])
    load = np.mean([f.load for f in found])
    why = ("; the queue is kept from growing only by customers giving up" if load >= 1.0
           else "")
    return (f"{who}: {lost:.0%} of the offered load was lost to abandonment (offered load "
            f"{load:.2f} x capacity, {share}; reported from {ABANDONED_SHARE:.0%}){why}")


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
