"""Callbacks at a later simulated time, on SimPy's own event queue, without a Timeout.

`Environment.step` pops `(time, priority, id, event)`, hands the event to each of its
`callbacks` and then looks at `_ok`. A slotted object with just those attributes, pushed the
way `Environment.schedule` pushes, is processed exactly like a Timeout with a callback, in the
same order, but costs less to make (performance.md: "callback on a timeout"). This is the
one place that touches the queue (SimPy 4.x internals; the version is pinned in
pyproject.toml and the model tests would catch a change).
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappush
from typing import Any

from simpy import Environment

NORMAL = 1  # simpy.events.NORMAL
LATE = 2  # after everything else at the same instant (e.g. periodic inventory reviews)


class Wakeup:
    __slots__ = ("callbacks", "_ok", "_value")

    def __init__(self, callback: Callable[[Wakeup], None], value: Any) -> None:
        self.callbacks = [callback]
        self._ok = True
        self._value = value


def call_later(env: Environment, delay: float, callback: Callable[[Wakeup], None],
               value: Any = None, priority: int = NORMAL) -> None:
    """Call `callback(wakeup)` after `delay` (>= 0); `wakeup._value` is `value`."""
    heappush(env._queue, (env._now + delay, priority, next(env._eid), Wakeup(callback, value)))
