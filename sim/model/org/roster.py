"""Roster changes made while a run is under way: extra members on shift for a window.

The timeline's staff windows are known before the run and built into the roster
(`team.py`); a campaign's staffing is only known once the team has arranged it, so it is
added here, at run time, to either kind of pool: the counter gets more members on shift,
a pool of agents gets new members like the team's first group (its skills and speed).
"""

from __future__ import annotations

from sim.model.org.members import MemberPool
from sim.model.org.pool import Pool, PoolLevels
from sim.model.org.team import _apply_change, _come_on, _go_off
from sim.model.wakeup import call_later
from sim.scenario.schema import TeamSpec


def add_staff(pool: PoolLevels, team: TeamSpec, extra: int, start: float, end: float,
              label: str) -> None:
    """Put `extra` more members on shift from `start` to `end` (instants at or after now;
    an end at or past the horizon is never reached). `label` names the agents."""
    env = pool.env
    now = env._now
    if extra <= 0 or end <= start:
        return
    if start < now:
        raise ValueError(f"team {pool.name}: extra staff cannot start in the past "
                         f"({start} < {now})")
    if isinstance(pool, MemberPool):
        first = team.shifts[0]
        come, go = _come_on(pool), _go_off(pool)
        names = [f"{label}.{i}" for i in range(extra)]
        for member in pool.add_members(0, names, first.skills, first.speed):
            call_later(env, start - now, come, member)
            call_later(env, end - now, go, member)
    elif isinstance(pool, Pool):
        change = _apply_change(pool)
        call_later(env, start - now, change, extra)
        call_later(env, end - now, change, -extra)
    else:
        raise TypeError(f"team {pool.name}: cannot add staff to a {type(pool).__name__}")
