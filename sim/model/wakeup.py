"""Callbacks at a later simulated time, on SimPy's own event queue, without a Timeout.

`Environment.step` pops `(time, priority, id, event)`, hands the event to each of its
`callbacks` and then looks at `_ok`. A slotted object with just those attributes, pushed the
way `Environment.schedule` pushes, is processed exactly like a Timeout with a callback, in the
same order, but costs less to make (performance.md: "callback on a timeout"). This module
holds what touches the queue (SimPy 4.x internals; the version is pinned in pyproject.toml
and the model tests would catch a change); only the two hottest callbacks, a member's next
item (org/pool.py) and a stream's next arrival (arrivals.py), inline `call_again`.

A wake-up SimPy has processed is in no queue any more: the callback it woke may schedule it
again (`call_again`) instead of making a new one. The hot paths (a stream's next arrival, a
member's next item) do, which saves an object per event; the event order is the same, as
the queue entry (time, priority, a fresh id) is made exactly as `call_later` makes it.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any

from simpy import Environment

URGENT = 0  # simpy.events.URGENT
NORMAL = 1  # simpy.events.NORMAL
LATE = 2  # after everything else at the same instant (e.g. periodic inventory reviews)


class Wakeup:
    __slots__ = ("callbacks", "_value")
    _ok = True  # SimPy's step reads it after the callbacks: a wake-up never fails

    def __init__(self, callback: Callable[[Wakeup], None], value: Any) -> None:
        self.callbacks = (callback,)  # SimPy's step only iterates over them
        self._value = value


def call_later(env: Environment, delay: float, callback: Callable[[Wakeup], None],
               value: Any = None, priority: int = NORMAL) -> None:
    """Call `callback(wakeup)` after `delay` (>= 0); `wakeup._value` is `value`."""
    heappush(env._queue, (env._now + delay, priority, next(env._eid), Wakeup(callback, value)))


def call_again(env: Environment, wakeup: Wakeup, delay: float,
               callbacks: tuple[Callable[[Wakeup], None]], value: Any) -> None:
    """Schedule `wakeup`, just processed (the one handed to the running callback), again:
    `callbacks` is `(callback,)`, kept by the caller so that nothing is allocated."""
    wakeup.callbacks = callbacks
    wakeup._value = value
    heappush(env._queue, (env._now + delay, NORMAL, next(env._eid), wakeup))


def run_until(env: Environment, until: float) -> None:
    """`env.run(until=until)`, the same events in the same order, without a method call per
    event. Like SimPy, it stops at an urgent stop event at `until` (so the events at exactly
    `until` wait for the next run), scheduled as SimPy schedules it (the same time, the same
    id), and a failed event nobody defused crashes the run as there."""
    at = float(until)
    if at <= env._now:
        raise ValueError(f"until ({at}) must be greater than the current simulation time")
    stop = Wakeup(None, None)
    queue = env._queue
    heappush(queue, (env._now + (at - env._now), URGENT, next(env._eid), stop))
    while True:
        env._now, _, _, event = heappop(queue)
        if event is stop:
            # SimPy queues its stop event once more (empty, to resume its callbacks): the
            # same id is used up here, so event ids and counts stay as they were
            next(env._eid)
            return
        callbacks, event.callbacks = event.callbacks, None
        for callback in callbacks:
            callback(event)
        if not event._ok and not hasattr(event, "_defused"):
            failure = type(event._value)(*event._value.args)
            failure.__cause__ = event._value
            raise failure
