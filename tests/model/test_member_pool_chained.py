"""A handler whose `end` submits the next step to the same pool (fulfilment's stages): the
member who just finished is not free while it ends the item, so the next step goes to a
free member or the queue, and nobody is booked twice (a member pool once counted the
finishing member busy twice and lost work: negative utilisation on a warehouse of agents).
"""

from __future__ import annotations

from sim.model.org.members import MemberPool
from tests.model.test_member_pool import Item, Recorder, at, member_pool, times


class TwoSteps(Recorder):
    """Every item is worked twice: its end submits step two ("<name>+") to the same pool."""

    def __init__(self, work: float, pool: MemberPool) -> None:
        super().__init__(work)
        self.pool = pool

    def end(self, item: Item, now: float) -> None:
        super().end(item, now)
        if not item.name.endswith("+"):
            self.pool.submit(self, Item(item.name + "+"))


def working(pool: MemberPool) -> int:
    return sum(member.work is not None for member in pool.members)


def test_one_member_does_both_steps_one_after_the_other():
    env, pool = member_pool([(["ann"], (), 1.0)])
    handler = TwoSteps(10.0, pool)
    at(env, 0.0, lambda: pool.submit(handler, Item("a")))
    at(env, 5.0, lambda: pool.submit(handler, Item("b")))
    checks: list[tuple[int, int]] = []
    for t in (12.0, 25.0, 33.0):
        at(env, t, lambda: checks.append((pool.busy, working(pool))))
    env.run(until=100)
    # a (0-10), then the queue's first: b (10-20), a+ (20-30), b+ (30-40)
    assert times(handler.log, "begin") == {"a": 0.0, "b": 10.0, "a+": 20.0, "b+": 30.0}
    assert times(handler.log, "end") == {"a": 10.0, "b": 20.0, "a+": 30.0, "b+": 40.0}
    assert checks == [(1, 1)] * 3
    assert pool.busy == 0 and pool.waiting == 0


def test_the_next_step_goes_to_a_free_colleague():
    env, pool = member_pool([(["ann", "bob"], (), 1.0)])
    handler = TwoSteps(10.0, pool)
    at(env, 0.0, lambda: pool.submit(handler, Item("a")))
    checks: list[tuple[int, int]] = []
    at(env, 15.0, lambda: checks.append((pool.busy, working(pool))))
    env.run(until=100)
    assert times(handler.log, "begin") == {"a": 0.0, "a+": 10.0}
    assert times(handler.log, "end") == {"a": 10.0, "a+": 20.0}
    assert checks == [(1, 1)]
    assert pool.busy == 0
