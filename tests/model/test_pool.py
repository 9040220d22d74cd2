"""The member pool, driven by hand with constant durations: exact event times."""

from __future__ import annotations

import simpy
from simpy.events import Timeout

from sim.model.org.pool import Pool


class Item:
    __slots__ = ("name", "priority", "in_queue")

    def __init__(self, name: str, priority: int = 0) -> None:
        self.name = name
        self.priority = priority
        self.in_queue = False


class Recorder:
    """A handler that works `duration` minutes on every item and logs start/end times."""

    def __init__(self, duration: float) -> None:
        self.duration = duration
        self.log: list[tuple[str, str, float]] = []

    def begin(self, item: Item, now: float) -> float:
        self.log.append(("begin", item.name, now))
        return self.duration

    def end(self, item: Item, now: float) -> None:
        self.log.append(("end", item.name, now))


def at(env: simpy.Environment, when: float, action) -> None:
    Timeout(env, when).callbacks.append(lambda _e: action())


def make_pool(members: int) -> tuple[simpy.Environment, Pool]:
    env = simpy.Environment()
    pool = Pool(env, "team", bin_width=60.0, bins=10)
    pool.change_members(members)
    return env, pool


def starts(log):
    return {name: t for kind, name, t in log if kind == "begin"}


def test_fcfs_with_two_members():
    env, pool = make_pool(2)
    handler = Recorder(10.0)
    for i, t in enumerate([0.0, 1.0, 2.0, 3.0]):
        at(env, t, lambda i=i: pool.submit(handler, Item(f"i{i}")))
    env.run(until=100)
    # two start at once; the third and fourth wait for the first two members to finish
    assert starts(handler.log) == {"i0": 0.0, "i1": 1.0, "i2": 10.0, "i3": 11.0}
    assert pool.busy == 0 and pool.idle == 2 and pool.waiting == 0


def test_priority_served_first_and_fcfs_within_priority():
    env, pool = make_pool(1)
    pool.ensure_priorities(2)
    handler = Recorder(5.0)
    at(env, 0.0, lambda: pool.submit(handler, Item("first")))
    at(env, 1.0, lambda: pool.submit(handler, Item("low-a", 1)))
    at(env, 2.0, lambda: pool.submit(handler, Item("high", 0)))
    at(env, 3.0, lambda: pool.submit(handler, Item("low-b", 1)))
    env.run(until=100)
    assert starts(handler.log) == {"first": 0.0, "high": 5.0, "low-a": 10.0, "low-b": 15.0}


def test_withdrawn_item_is_skipped():
    env, pool = make_pool(1)
    handler = Recorder(5.0)
    gone = Item("gone")
    at(env, 0.0, lambda: pool.submit(handler, Item("a")))
    at(env, 1.0, lambda: pool.submit(handler, gone))
    at(env, 2.0, lambda: pool.submit(handler, Item("b")))
    at(env, 3.0, lambda: pool.withdraw(gone))
    env.run(until=100)
    assert starts(handler.log) == {"a": 0.0, "b": 5.0}
    assert pool.waiting == 0


def test_member_finishes_work_in_hand_when_shift_ends():
    env, pool = make_pool(2)
    handler = Recorder(10.0)
    at(env, 0.0, lambda: pool.submit(handler, Item("a")))
    at(env, 5.0, lambda: pool.change_members(-2))  # both go off shift at 5
    at(env, 6.0, lambda: pool.submit(handler, Item("b")))  # nobody left to start it
    at(env, 20.0, lambda: pool.change_members(1))  # one comes back at 20
    env.run(until=100)
    assert ("end", "a", 10.0) in handler.log  # finished after the shift ended
    assert starts(handler.log)["b"] == 20.0
    # present members: 2 until 5, 1 (overtime) until 10, 0 until 20, then 1 until 100
    assert pool.present_level.integral(100.0) == 2 * 5 + 1 * 5 + 0 * 10 + 1 * 80
    assert pool.present == 1


def test_busy_and_present_integrals():
    env, pool = make_pool(2)
    handler = Recorder(10.0)
    at(env, 0.0, lambda: pool.submit(handler, Item("a")))
    env.run(until=40)
    # one of two members busy for 10 of 40 minutes: busy area 10, present area 80
    assert pool.busy_level.integral(40.0) == 10.0
    assert pool.present_level.integral(40.0) == 80.0


def test_coming_on_shift_starts_queued_work():
    env, pool = make_pool(0)
    handler = Recorder(3.0)
    at(env, 0.0, lambda: pool.submit(handler, Item("a")))
    at(env, 1.0, lambda: pool.submit(handler, Item("b")))
    at(env, 4.0, lambda: pool.change_members(1))
    env.run(until=100)
    assert starts(handler.log) == {"a": 4.0, "b": 7.0}
    # queue: one item on [0, 1), two on [1, 4), one on [4, 7)
    assert pool.queue.integral(100.0) == 1 * 1 + 2 * 3 + 1 * 3


def test_member_coming_on_shift_works_while_a_colleague_finishes_overtime():
    """One member on until 60, another from 90; jobs take 120. The second member starts the
    queued job at 90, while the first is still finishing hers after the end of her shift."""
    env, pool = make_pool(1)
    handler = Recorder(120.0)
    at(env, 10.0, lambda: pool.submit(handler, Item("first")))
    at(env, 20.0, lambda: pool.submit(handler, Item("second")))
    at(env, 60.0, lambda: pool.change_members(-1))
    at(env, 90.0, lambda: pool.change_members(+1))
    env.run(until=400)
    assert starts(handler.log) == {"first": 10.0, "second": 90.0}
    # present: 1 on [0, 90), 2 on [90, 130) (the first finishes overtime at 130), then 1
    assert pool.present_level.integral(400.0) == 1 * 90 + 2 * 40 + 1 * 270


def test_spare_wakeups_never_outnumber_idle_members():
    """A member who goes idle keeps their wake-up for their next item; members who leave
    take theirs along, so shift after shift the spares stay within the idle members (and
    hold no finished item)."""
    env, pool = make_pool(3)
    handler = Recorder(2.0)
    for day in range(5):
        start = 100.0 * day
        for k in range(6):
            at(env, start + k, lambda k=k, d=day: pool.submit(handler, Item(f"d{d}-{k}")))
        at(env, start + 20, lambda: pool.change_members(-3))
        at(env, start + 50, lambda: pool.change_members(3))
        for t in (10, 30, 60):  # after work, off shift, back on shift
            at(env, start + t, lambda: checks.append((len(pool._spare), pool.idle,
                                                      [w._value for w in pool._spare])))
    checks: list = []
    env.run(until=600)
    assert len([name for kind, name, _ in handler.log if kind == "end"]) == 30
    assert all(spares <= idle and values == [None] * spares for spares, idle, values in checks)
    assert any(spares > 0 for spares, _idle, _values in checks)  # they are kept and reused
