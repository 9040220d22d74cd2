"""Members as agents, driven by hand with constant durations: exact event times.

Skills route work, speed divides it, shifts (in local time) bring members on and off, and
pre-emption sets work aside and resumes it with the effort done kept.
"""

from __future__ import annotations

import pytest
import simpy
from simpy.events import Timeout

from sim.model.org.members import MemberPool
from sim.model.org.pool import Pool
from sim.model.org.processes import hold_meetings
from sim.model.org.team import group_intervals, roster_changes, staff_pool
from sim.scenario.schema import MemberGroupSpec, TeamSpec
from sim.units import DAY, HOUR


class Item:
    __slots__ = ("name", "priority", "in_queue", "skill")

    def __init__(self, name: str, priority: int = 0, skill: int = -1) -> None:
        self.name = name
        self.priority = priority
        self.in_queue = False
        self.skill = skill


class Recorder:
    """Works `work` minutes (at speed 1) on every item; logs begin/end/preempted/resumed."""

    def __init__(self, work: float) -> None:
        self.work = work
        self.log: list[tuple[str, str, float]] = []

    def begin(self, item: Item, now: float) -> float:
        self.log.append(("begin", item.name, now))
        return self.work

    def skill_of(self, item: Item) -> int:
        return item.skill

    def end(self, item: Item, now: float) -> None:
        self.log.append(("end", item.name, now))

    def preempted(self, item: Item, now: float) -> None:
        self.log.append(("preempted", item.name, now))

    def resumed(self, item: Item, now: float) -> None:
        self.log.append(("resumed", item.name, now))


def at(env: simpy.Environment, when: float, action) -> None:
    Timeout(env, when).callbacks.append(lambda _e: action())


def member_pool(groups: list[tuple[list[str], tuple[str, ...], float]], least_busy=False
                ) -> tuple[simpy.Environment, MemberPool]:
    env = simpy.Environment()
    skills = sorted({s for _, group_skills, _ in groups for s in group_skills})
    pool = MemberPool(env, "team", 60.0, 10, skills, least_busy)
    for names, group_skills, speed in groups:
        for member in pool.add_group(names, group_skills, speed):
            pool.come_on(member)
    pool.ensure_priorities(3)
    return env, pool


def times(log, kind):
    return {name: t for k, name, t in log if k == kind}


def test_work_waits_for_a_member_with_its_skill():
    env, pool = member_pool([(["ann"], ("orders",), 1.0), (["bob"], ("payments",), 1.0)])
    handler = Recorder(10.0)
    pay = pool.skill_index("payments")
    at(env, 0.0, lambda: pool.submit(handler, Item("p1", skill=pay)))
    at(env, 1.0, lambda: pool.submit(handler, Item("p2", skill=pay)))  # ann is free, unskilled
    at(env, 2.0, lambda: pool.submit(handler, Item("any")))  # no skill asked: ann takes it
    env.run(until=100)
    assert times(handler.log, "begin") == {"p1": 0.0, "p2": 10.0, "any": 2.0}
    assert pool.busy == 0 and pool.waiting == 0


def test_preference_takes_the_first_listed_and_least_busy_the_idlest():
    for least_busy, expected in ((False, ["a", "a", "a"]), (True, ["a", "b", "c"])):
        assert taken_by(least_busy) == expected


def taken_by(least_busy: bool) -> list[str]:
    env, pool = member_pool([(["a", "b", "c"], (), 1.0)], least_busy)
    handler = Recorder(5.0)
    taken: list[str] = []

    def submit(name: str) -> None:
        pool.submit(handler, Item(name))
        taken.append(next(m.name for m in pool.members if m.work))
    for i, t in enumerate([0.0, 10.0, 20.0]):
        at(env, t, lambda i=i: submit(f"i{i}"))
    env.run(until=100)
    return taken


def test_speed_divides_the_work():
    env, pool = member_pool([(["fast"], (), 2.0)])
    handler = Recorder(10.0)
    at(env, 0.0, lambda: pool.submit(handler, Item("x")))
    env.run(until=100)
    assert times(handler.log, "end") == {"x": 5.0}


def test_preemption_resumes_with_the_effort_done_kept():
    env, pool = member_pool([(["solo"], (), 2.0)])  # speed 2: 10 min of work take 5 min
    handler = Recorder(10.0)
    low = Item("low", priority=1)
    handles = {}
    at(env, 0.0, lambda: pool.submit(handler, low, True))
    at(env, 1.0, lambda: handles.setdefault("low", pool.members[0].work))
    at(env, 2.0, lambda: pool.submit(handler, Item("high", priority=0), True))
    at(env, 3.0, lambda: pool.submit(handler, Item("equal", priority=0), True))
    env.run(until=100)
    work = handles["low"]
    # 2 min at speed 2 done = 4 of 10; high runs 2-7, equal (no pre-emption) 7-12, low resumes
    assert [e for e in handler.log if e[1] == "low"] == [
        ("begin", "low", 0.0), ("preempted", "low", 2.0), ("resumed", "low", 12.0),
        ("end", "low", 15.0)]
    assert times(handler.log, "begin")["equal"] == 7.0
    assert "preempted" not in {k for k, name, _ in handler.log if name == "high"}
    assert work.preemptions == 1 and work.total == 10.0 and work.remaining == 0.0


def test_done_plus_remaining_is_total_at_every_preemption():
    env, pool = member_pool([(["a", "b"], (), 1.0)])
    seen = []

    class Checking(Recorder):
        def preempted(self, item, now):
            seen.append((item, now))
            super().preempted(item, now)

    handler = Checking(30.0)
    items = [Item(f"low{i}", priority=2) for i in range(2)]
    for i, item in enumerate(items):
        at(env, float(i), lambda item=item: pool.submit(handler, item, True))
    for t in (5.0, 7.0, 40.0):
        at(env, t, lambda t=t: pool.submit(handler, Item(f"high{t}", priority=0), True))
    checks = []

    def check() -> None:
        for queues in pool._queues:
            for queue in queues.values():
                for work in queue:
                    if work.started:
                        checks.append(work.done + work.remaining == pytest.approx(work.total))
                        checks.append(0 < work.done < work.total)
    for t in (6.0, 8.0, 41.0):
        at(env, t, check)
    env.run(until=500)
    assert checks and all(checks)
    assert len(seen) == 3
    assert times(handler.log, "end").keys() == {"low0", "low1", "high5.0", "high7.0", "high40.0"}


def test_a_withdrawn_item_is_skipped_and_a_preempted_one_is_never_withdrawn():
    env, pool = member_pool([(["solo"], (), 1.0)])
    handler = Recorder(10.0)
    low, gone = Item("low", priority=1), Item("gone", priority=1)
    at(env, 0.0, lambda: pool.submit(handler, low, True))
    at(env, 1.0, lambda: pool.submit(handler, gone, True))
    at(env, 2.0, lambda: pool.submit(handler, Item("high", priority=0), True))
    at(env, 3.0, lambda: pool.withdraw(gone))
    env.run(until=100)
    assert low.in_queue is False  # set aside, but not waiting for patience
    assert "gone" not in times(handler.log, "begin")
    assert times(handler.log, "end") == {"high": 12.0, "low": 20.0}
    assert pool.waiting == 0 and pool.preempted_waiting == 0


def test_a_member_off_shift_finishes_the_work_in_hand_then_leaves():
    env, pool = member_pool([(["ann"], (), 1.0)])
    handler = Recorder(10.0)
    ann = pool.members[0]
    at(env, 0.0, lambda: pool.submit(handler, Item("a")))
    at(env, 1.0, lambda: pool.submit(handler, Item("b")))
    at(env, 5.0, lambda: pool.go_off(ann))
    at(env, 30.0, lambda: pool.come_on(ann))
    env.run(until=100)
    assert times(handler.log, "begin") == {"a": 0.0, "b": 30.0}
    assert pool.present_level.integral(100) == pytest.approx(10.0 + 70.0)
    assert pool.on_shift_level.integral(100) == pytest.approx(5.0 + 70.0)


def test_shifts_are_read_in_the_members_local_time():
    day = MemberGroupSpec(members=1, shift="09:00-17:00", timezone="+08:00")
    assert group_intervals(day, 2 * DAY) == [(1 * HOUR, 9 * HOUR),
                                             (DAY + 1 * HOUR, DAY + 9 * HOUR)]
    west = MemberGroupSpec(members=1, shift="20:00-23:00", timezone="-05:00")
    # Sunday 20:00 at -05:00 is Monday 01:00 on the clock
    assert group_intervals(west, DAY)[0] == (1 * HOUR, 4 * HOUR)
    team = TeamSpec(shifts=[{"members": 2, "shift": "09:00-17:00", "timezone": "+08:00"}])
    assert roster_changes(team, DAY) == (0, [(1 * HOUR, 2), (9 * HOUR, -2)])


def test_homogeneous_teams_keep_the_counter_and_others_get_members():
    env = simpy.Environment()
    plain = TeamSpec(shifts=[{"members": 3}, {"members": 2, "timezone": "+01:00"}])
    skilled = TeamSpec(shifts=[{"members": 3, "skills": ["orders"]}])
    assert type(staff_pool(env, "t", plain, DAY, 60.0, 24)) is Pool
    assert type(staff_pool(env, "t", plain, DAY, 60.0, 24, preemptive=True)) is MemberPool
    named = staff_pool(env, "t", TeamSpec(shifts=[{"members": 1, "name": "ann", "speed": 1.5},
                                                  {"members": 2}]), DAY, 60.0, 24)
    assert [m.name for m in named.members] == ["ann", "1.0", "1.1"]
    assert type(staff_pool(env, "t", skilled, DAY, 60.0, 24)) is MemberPool


@pytest.mark.parametrize("kind", [Pool, MemberPool])
def test_a_process_holds_a_member_between_request_and_release(kind):
    env = simpy.Environment()
    pool = Pool(env, "t", 60.0, 10) if kind is Pool else MemberPool(env, "t", 60.0, 10, [])
    if kind is Pool:
        pool.change_members(1)
    else:
        pool.come_on(pool.add_group(["ann"], (), 1.0)[0])
    handler = Recorder(4.0)
    log: list = []
    env.process(hold_meetings(env, pool, every=60.0, length=30.0, log=log))
    at(env, 1.0, lambda: pool.submit(handler, Item("x")))  # waits for the meeting to end
    env.run(until=100)
    assert log[0][1:] == (0.0, 30.0) and log[1][1:] == (60.0, 90.0)
    assert log[0][0] == (None if kind is Pool else "ann")
    assert times(handler.log, "begin") == {"x": 30.0}
    assert pool.busy == 0


def test_a_preempting_process_takes_a_member_from_less_urgent_work():
    env, pool = member_pool([(["ann"], (), 1.0)])
    handler = Recorder(20.0)
    log: list = []
    pool.submit(handler, Item("feature", priority=2), True)

    def meeting_at_ten():
        yield env.timeout(10.0)
        yield from hold_meetings(env, pool, every=1000.0, length=5.0, log=log, priority=0,
                                 preempt=True)
    env.process(meeting_at_ten())
    env.run(until=100)
    # the feature work (0-10) is set aside for the meeting (10-15) and resumed: 10 min left
    assert log == [("ann", 10.0, 15.0)]
    assert times(handler.log, "end") == {"feature": 25.0}
    with pytest.raises(ValueError, match="pre-empting"):
        Pool(env, "t", 60.0, 10).request(preempt=True)
