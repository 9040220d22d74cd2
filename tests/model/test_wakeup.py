"""Wake-ups on SimPy's queue behave like Timeouts with a callback: same times, same order."""

from __future__ import annotations

import pytest
import simpy

from sim.model.wakeup import LATE, call_again, call_later, run_until


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


def _busy_model(env: simpy.Environment, log: list) -> None:
    """Processes, a resource, interrupts, a defused failure and wake-ups, some at exactly the
    slice ends used below."""
    desk = simpy.Resource(env, 2)

    def customer(name, delay):
        yield env.timeout(delay)
        with desk.request() as req:
            yield req
            log.append((env.now, name, "start"))
            try:
                yield env.timeout(4)
            except simpy.Interrupt:
                log.append((env.now, name, "interrupted"))
        log.append((env.now, name, "end"))

    def boss(victim):
        yield env.timeout(3)
        victim.interrupt()
        failed = env.event()
        failed.defused = True
        failed.fail(ValueError("defused"))
        yield env.timeout(0)

    first = env.process(customer("a", 0))
    for i, delay in enumerate((1, 2, 2, 3, 10)):
        env.process(customer(f"c{i}", delay))
    env.process(boss(first))
    for at in (2, 5, 10, 12):
        call_later(env, at, lambda event: log.append((env.now, "wakeup", event._value)), at)


def test_run_until_processes_what_env_run_does_in_the_same_order():
    logs, clocks, ids = [], [], []
    for runner in ("simpy", "run_until"):
        env, log = simpy.Environment(), []
        _busy_model(env, log)
        for until in (2, 5, 7.5, 10, 30):  # slices ending on events, like progress slices
            if runner == "simpy":
                env.run(until=until)
            else:
                run_until(env, until)
            clocks.append((runner, env.now))
        logs.append(log)
        ids.append(next(env._eid))
    assert logs[0] == logs[1] and len(logs[0]) == 17
    assert [c for r, c in clocks if r == "simpy"] == [c for r, c in clocks if r == "run_until"]
    assert ids[0] == ids[1]  # the same events were scheduled (the stop events included)


def test_run_until_crashes_on_an_undefused_failure_like_simpy():
    env = simpy.Environment()
    event = env.event()
    event.fail(KeyError("lost"))
    with pytest.raises(KeyError, match="lost"):
        run_until(env, 5)
    with pytest.raises(ValueError, match="greater than the current"):
        run_until(env, env.now)
