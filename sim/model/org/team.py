"""Teams on shifts: turn a team's member groups into a pool whose size follows the roster."""

from __future__ import annotations

from collections import defaultdict

from simpy import Environment

from sim.model.org.pool import Pool
from sim.model.wakeup import Wakeup, call_later
from sim.scenario.schema import TeamSpec


def roster_changes(team: TeamSpec, horizon: float) -> tuple[int, list[tuple[float, int]]]:
    """Members on shift at time 0, and the later (time, change) steps, merged by time."""
    steps: dict[float, int] = defaultdict(int)
    for group in team.shifts:
        if group.members == 0:
            continue
        for start, end in group.shift.intervals(horizon):
            steps[start] += group.members
            if end < horizon:
                steps[end] -= group.members
    at_start = steps.pop(0.0, 0)
    return at_start, sorted((t, d) for t, d in steps.items() if d)


def member_hours(team: TeamSpec, start: float, end: float) -> float:
    """Member-hours on shift within [start, end] (for staff cost)."""
    total = 0.0
    for group in team.shifts:
        for lo, hi in group.shift.intervals(end):
            total += group.members * max(0.0, min(hi, end) - max(lo, start))
    return total / 60.0


def staff_pool(env: Environment, name: str, team: TeamSpec, horizon: float,
               bin_width: float, bins: int) -> Pool:
    """A pool with the team's members, changing size as shifts start and end."""
    pool = Pool(env, name, bin_width, bins)
    at_start, changes = roster_changes(team, horizon)
    if at_start:
        pool.change_members(at_start)
    for at, delta in changes:
        call_later(env, at, _apply_change(pool), delta)
    return pool


def _apply_change(pool: Pool):
    def apply(event: Wakeup) -> None:
        pool.change_members(event._value)
    return apply
