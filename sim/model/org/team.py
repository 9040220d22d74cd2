"""Teams on shifts: turn a team's member groups into a pool whose size follows the roster."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from simpy import Environment

from sim.model.org.pool import Pool
from sim.model.wakeup import Wakeup, call_later
from sim.scenario.schema import TeamSpec


def roster_changes(team: TeamSpec, horizon: float, extra: Iterable[tuple[float, int]] = ()
                   ) -> tuple[int, list[tuple[float, int]]]:
    """Members on shift at time 0, and the later (time, change) steps, merged by time.

    `extra`: more (time, change) steps, such as the timeline's staff windows."""
    steps: dict[float, int] = defaultdict(int)
    for group in team.shifts:
        if group.members == 0:
            continue
        for start, end in group.shift.intervals(horizon):
            steps[start] += group.members
            if end < horizon:
                steps[end] -= group.members
    for at, change in extra:
        steps[at] += change
    at_start = steps.pop(0.0, 0)
    return at_start, sorted((t, d) for t, d in steps.items() if d)


def member_hours(team: TeamSpec, start: float, end: float,
                 extra: Iterable[tuple[float, int]] = ()) -> float:
    """Member-hours on shift within [start, end] (for staff cost); `extra` as in
    `roster_changes` (each step holds until `end`, so a window is a step and its undoing)."""
    total = 0.0
    for group in team.shifts:
        for lo, hi in group.shift.intervals(end):
            total += group.members * max(0.0, min(hi, end) - max(lo, start))
    for at, change in extra:
        total += change * max(0.0, end - max(at, start))
    return total / 60.0


def staff_pool(env: Environment, name: str, team: TeamSpec, horizon: float,
               bin_width: float, bins: int, extra: Iterable[tuple[float, int]] = ()) -> Pool:
    """A pool with the team's members, changing size as shifts start and end (and as the
    `extra` steps say)."""
    pool = Pool(env, name, bin_width, bins)
    at_start, changes = roster_changes(team, horizon, extra)
    if at_start:
        pool.change_members(at_start)
    for at, delta in changes:
        call_later(env, at, _apply_change(pool), delta)
    return pool


def _apply_change(pool: Pool):
    def apply(event: Wakeup) -> None:
        pool.change_members(event._value)
    return apply
