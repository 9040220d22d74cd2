"""Long work at a shift's end: set down with its effort done kept, resumed by the next member
on shift with the skill; short work (no `set_down`, or not pre-emptible) is finished in
overtime as before. Driven by hand with constant durations: exact event times."""

from __future__ import annotations

import pytest
import simpy

from sim.model.org.members import MemberPool
from tests.model.test_member_pool import Item, Recorder, at, times


class LongWork(Recorder):
    """A handler whose work is long: it is set down at a shift's end."""

    def set_down(self, item: Item, now: float) -> None:
        self.log.append(("set_down", item.name, now))


def pool_of(speeds: dict[str, float]) -> tuple[simpy.Environment, MemberPool]:
    env = simpy.Environment()
    pool = MemberPool(env, "team", 60.0, 10, [])
    for name, speed in speeds.items():
        pool.add_group([name], (), speed)
    pool.ensure_priorities(2)
    return env, pool


def test_long_work_waits_for_the_next_shift_with_its_effort_kept():
    env, pool = pool_of({"ann": 1.0, "bob": 2.0})
    ann, bob = pool.members
    handler = LongWork(30.0)
    seen = {}
    at(env, 0.0, lambda: pool.come_on(ann))
    at(env, 0.0, lambda: pool.submit(handler, Item("page"), True))
    at(env, 10.0, lambda: pool.go_off(ann))

    def look() -> None:
        work = pool._queued(handler)[0]
        seen.update(member=work.member, remaining=work.remaining, done=work.done,
                    busy=pool.busy, present=pool.present)
    at(env, 30.0, look)
    at(env, 50.0, lambda: pool.come_on(bob))  # speed 2: the 20 minutes left take 10
    env.run(until=200)
    assert handler.log == [("begin", "page", 0.0), ("set_down", "page", 10.0),
                           ("resumed", "page", 50.0), ("end", "page", 60.0)]
    assert seen["member"] is None and seen["remaining"] == 20.0 and seen["done"] == 10.0
    assert seen["busy"] == 0 and seen["present"] == 0  # ann left: no overtime
    assert ann.busy_time == 10.0 and bob.busy_time == 10.0


def test_a_free_member_on_shift_takes_it_up_at_once():
    env, pool = pool_of({"ann": 1.0, "bob": 1.0})
    for member in pool.members:
        at(env, 0.0, lambda m=member: pool.come_on(m))
    handler = LongWork(30.0)
    at(env, 0.0, lambda: pool.submit(handler, Item("page"), True))  # ann, the first listed
    at(env, 10.0, lambda: pool.go_off(pool.members[0]))
    env.run(until=200)
    assert handler.log[1:] == [("set_down", "page", 10.0), ("resumed", "page", 10.0),
                               ("end", "page", 30.0)]
    assert pool.members[1].busy_time == 20.0 and pool.busy == 0


@pytest.mark.parametrize("handler, preempt", [(Recorder(30.0), True), (LongWork(30.0), False)],
                         ids=["no set_down", "not pre-emptible"])
def test_short_or_unpreemptible_work_is_finished_in_overtime(handler, preempt):
    env, pool = pool_of({"ann": 1.0})
    ann = pool.members[0]
    at(env, 0.0, lambda: pool.come_on(ann))
    at(env, 0.0, lambda: pool.submit(handler, Item("x"), preempt))
    at(env, 10.0, lambda: pool.go_off(ann))
    present = []
    at(env, 20.0, lambda: present.append(pool.present))
    env.run(until=200)
    assert times(handler.log, "end") == {"x": 30.0}
    assert present == [1] and pool.present == 0 and pool.busy == 0


def test_a_member_called_in_takes_the_call_after_overtime_or_sets_long_work_aside():
    env, pool = pool_of({"ann": 1.0, "bob": 1.0})
    ann, bob = pool.members
    short, long = Recorder(30.0), LongWork(100.0)
    granted = {}

    def call(member) -> None:
        pool.call_in(member).callbacks.append(
            lambda e: granted.setdefault(member.name, env.now))
    at(env, 0.0, lambda: pool.come_on(ann))
    at(env, 0.0, lambda: pool.come_on(bob))
    at(env, 0.0, lambda: pool.submit(short, Item("inquiry")))  # ann: not pre-emptible
    at(env, 0.0, lambda: pool.submit(long, Item("feature"), True))  # bob
    at(env, 10.0, lambda: pool.go_off(ann))  # overtime on the inquiry until 30
    at(env, 15.0, lambda: call(ann))
    at(env, 20.0, lambda: call(bob))  # on shift, on long work: set aside at once
    env.run(until=200)
    assert granted == {"ann": 30.0, "bob": 20.0}
    assert ("preempted", "feature", 20.0) in long.log
    assert pool.busy == 2 and pool.present == 2  # both held: ann off shift, as overtime
