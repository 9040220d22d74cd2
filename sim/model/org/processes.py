"""SimPy generator processes on a team's pool: the pattern for low-rate, multi-step stories.

Hot paths (arrival streams, the pool itself) run on callbacks; a story with several steps (an
incident's life, a meeting series, a round trip over a channel) reads best as a process:

    grant = yield pool.request(skill="payments", priority=0)   # wait for a member
    yield env.timeout(work)                                    # the member works
    pool.release(grant)                                        # and takes the next work

`hold_meetings` is the worked example (tests/model/test_member_pool.py drives it).
"""

from __future__ import annotations

from collections.abc import Generator

from simpy import Environment, Event

from sim.model.org.pool import PoolLevels


def hold_meetings(env: Environment, pool: PoolLevels, every: float, length: float,
                  log: list[tuple[str | None, float, float]], skill: str | None = None,
                  priority: int = 0, preempt: bool = False) -> Generator[Event, object, None]:
    """Every `every` minutes, take one member of `pool` into a meeting of `length` minutes:
    wait for a free one by `priority` like any other work (or, with `preempt`, take one from
    less urgent pre-emptible work), keep them for the meeting, give them back. Each meeting
    is logged as (member, started, ended)."""
    while True:
        called = env.now
        grant = yield pool.request(skill=skill, priority=priority, preempt=preempt)
        yield env.timeout(length)
        pool.release(grant)
        log.append((grant.member, grant.granted_at, env.now))
        yield env.timeout(max(0.0, called + every - env.now))
