"""Teams on shifts: turn a team's member groups into a pool whose members follow the roster.

Interchangeable members (no skills, speed 1) and work that never pre-empts get the counter
`Pool`, the fast path; otherwise each member is an agent of a `MemberPool`. The choice is
made here, once, when the model is built.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from simpy import Environment

from sim.model.org.members import MemberPool
from sim.model.org.pool import Pool, PoolLevels
from sim.model.wakeup import Wakeup, call_later
from sim.scenario.schema import MemberGroupSpec, TeamSpec
from sim.scenario.timeline import window_steps
from sim.units import WEEK


def group_intervals(group: MemberGroupSpec, horizon: float) -> list[tuple[float, float]]:
    """The group's on-shift intervals within [0, horizon] on the simulation clock: its shift
    is read in its local time, `timezone` minutes ahead of the clock. Shifts repeat weekly,
    so the local calendar is read one week on, where no interval is cut at its time 0."""
    offset = group.timezone
    if group.shift.always or offset == 0:
        return group.shift.intervals(horizon)
    lead = offset + WEEK
    spans = []
    for lo, hi in group.shift.intervals(horizon + lead):
        lo, hi = max(lo - lead, 0.0), min(hi - lead, horizon)
        if hi > lo:
            spans.append((lo, hi))
    return spans


def roster_changes(team: TeamSpec, horizon: float, extra: Iterable[tuple[float, int]] = ()
                   ) -> tuple[int, list[tuple[float, int]]]:
    """Members on shift at time 0, and the later (time, change) steps, merged by time.

    `extra`: more (time, change) steps, such as the timeline's staff windows."""
    steps: dict[float, int] = defaultdict(int)
    for group in team.shifts:
        if group.members == 0:
            continue
        for start, end in group_intervals(group, horizon):
            steps[start] += group.members
            if end < horizon:
                steps[end] -= group.members
    for at, change in extra:
        steps[at] += change
    at_start = steps.pop(0.0, 0)
    return at_start, sorted((t, d) for t, d in steps.items() if d)


def reachable_intervals(team: TeamSpec, horizon: float,
                        extra: Iterable[tuple[float, int]] = ()
                        ) -> tuple[list[float], list[float]]:
    """Starts and ends of the times within [0, horizon] when at least one member of `team`
    is on shift, read off the same roster the pool follows (`roster_changes`, with `extra`
    steps such as the timeline's staff windows): a window that adds members makes the team
    reachable for all of it, one that removes them all leaves nobody to reach."""
    on_shift, changes = roster_changes(team, horizon, extra)
    starts: list[float] = [0.0] if on_shift > 0 else []
    ends: list[float] = []
    for at, change in changes:
        was_on = on_shift > 0
        on_shift += change
        if was_on and on_shift <= 0:
            ends.append(at)
        elif not was_on and on_shift > 0:
            starts.append(at)
    if len(ends) < len(starts):
        ends.append(horizon)
    return starts, ends


def member_hours(team: TeamSpec, start: float, end: float,
                 extra: Iterable[tuple[float, int]] = ()) -> float:
    """Member-hours on shift within [start, end] (for staff cost); `extra` as in
    `roster_changes` (each step holds until `end`, so a window is a step and its undoing)."""
    total = 0.0
    for group in team.shifts:
        for lo, hi in group_intervals(group, end):
            total += group.members * max(0.0, min(hi, end) - max(lo, start))
    for at, change in extra:
        total += change * max(0.0, end - max(at, start))
    return total / 60.0


def staff_pool(env: Environment, name: str, team: TeamSpec, horizon: float,
               bin_width: float, bins: int, preemptive: bool = False,
               staff: Sequence[tuple[float, float, int]] = ()) -> PoolLevels:
    """A pool with the team's members, changing as shifts start and end: the counter for
    interchangeable members whose work never pre-empts, else members as agents. `staff`:
    the timeline's (start, end, extra members) windows."""
    if team.plain and not preemptive:
        return _counter_pool(env, name, team, horizon, bin_width, bins,
                             window_steps(list(staff), horizon))
    return _member_pool(env, name, team, horizon, bin_width, bins, staff)


def _counter_pool(env: Environment, name: str, team: TeamSpec, horizon: float,
                  bin_width: float, bins: int, extra: list[tuple[float, int]]) -> Pool:
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


def _member_pool(env: Environment, name: str, team: TeamSpec, horizon: float,
                 bin_width: float, bins: int, staff: Sequence[tuple[float, float, int]]
                 ) -> MemberPool:
    skills = sorted(team.skills)
    pool = MemberPool(env, name, bin_width, bins, skills, team.routing == "least_busy")
    come, go = _come_on(pool), _go_off(pool)
    for label, group in zip(team.group_labels(), team.shifts, strict=True):
        names = [group.name] if group.name else [f"{label}.{i}" for i in range(group.members)]
        members = pool.add_group(names, group.skills, group.speed)
        for start, end in group_intervals(group, horizon):
            for member in members:
                # coming on at time 0 happens now, before any work is submitted
                if start == 0.0:
                    pool.come_on(member)
                else:
                    call_later(env, start, come, member)
                if end < horizon:
                    call_later(env, end, go, member)
    _timeline_members(pool, team, horizon, staff, come, go)
    return pool


def _timeline_members(pool: MemberPool, team: TeamSpec, horizon: float,
                      staff: Sequence[tuple[float, float, int]], come, go) -> None:
    """The timeline's extra members: each window adds members like the team's first group
    (its skills and speed; counted in its utilisation), on shift for the window only. The
    validator refuses a window that removes members from a team of agents."""
    first = team.shifts[0]
    label = team.group_labels()[0]
    for index, (start, end, extra) in enumerate(staff):
        if extra < 0:
            raise ValueError(f"team {pool.name}: a timeline window cannot remove members "
                             "who are agents")
        names = [f"{label}.timeline{index}.{i}" for i in range(extra)]
        for member in pool.add_members(0, names, first.skills, first.speed):
            if start == 0.0:
                pool.come_on(member)
            else:
                call_later(pool.env, start, come, member)
            if end < horizon:
                call_later(pool.env, end, go, member)


def _come_on(pool: MemberPool):
    def come(event: Wakeup) -> None:
        pool.come_on(event._value)
    return come


def _go_off(pool: MemberPool):
    def go(event: Wakeup) -> None:
        pool.go_off(event._value)
    return go

