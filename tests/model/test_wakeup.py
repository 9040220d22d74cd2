"""Wake-ups on SimPy's queue behave like Timeouts with a callback: same times, same order."""

from __future__ import annotations

import simpy

from sim.model.wakeup import LATE, call_again, call_later


def test_wakeups_interleave_with_timeouts_in_schedule_order():
    env = simpy.Environment()
    log: list[tuple[float, str]] = []

    def note(name):
        return lambda event: log.append((env.now, name))

    env.timeout(5).callbacks.append(note("timeout-a"))
    call_later(env, 5, note("wakeup-b"))
    call_later(env, 5, note("late-c"), priority=LATE)
    env.timeout(5).callbacks.append(note("timeout-d"))
    call_later(env, 2, note("wakeup-e"))

    def process(env):
        yield env.timeout(5)
        log.append((env.now, "process-f"))

    env.process(process(env))
    env.run()
    # same time: scheduling order among NORMAL events, LATE after all of them
    assert log == [(2, "wakeup-e"), (5, "timeout-a"), (5, "wakeup-b"), (5, "timeout-d"),
                   (5, "process-f"), (5, "late-c")]


def test_wakeup_value_and_stop_at_horizon():
    env = simpy.Environment()
    seen = []
    call_later(env, 3, lambda event: seen.append(event._value), value="payload")
    call_later(env, 10, lambda event: seen.append("too late"))
    env.run(until=10)  # like a Timeout, an event at exactly the horizon is not processed
    assert seen == ["payload"]


def test_call_again_reuses_the_wakeup_in_schedule_order():
    """A processed wake-up scheduled again takes a fresh place in the queue, exactly where a
    new one from call_later would: same times, same order, the same object."""
    env = simpy.Environment()
    log: list[tuple[float, str, object]] = []
    seen = []

    def again(event):
        seen.append(event)
        log.append((env.now, "again", event._value))
        if event._value < 3:
            call_again(env, event, 5, (again,), event._value + 1)

    call_later(env, 5, again, value=1)
    call_later(env, 10, lambda event: log.append((env.now, "later", None)))
    env.timeout(15).callbacks.append(lambda event: log.append((env.now, "timeout", None)))
    env.run()
    # at 10 the reused wake-up was scheduled after the other one, so it comes second; at 15
    # it was scheduled (at 10) after the timeout (at 0), so it comes after it too
    assert log == [(5, "again", 1), (10, "later", None), (10, "again", 2),
                   (15, "timeout", None), (15, "again", 3)]
    assert len({id(event) for event in seen}) == 1
