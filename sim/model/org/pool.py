"""A team's members serving queued work: a counter of idle members plus priority deques.

This replaces `simpy.Resource` and a process per work item (performance.md, point 3): an
arriving item starts at once if a member is idle, otherwise it waits in its priority's
deque; a member who finishes takes the next item directly, in one callback. Work items are
moved by timeout callbacks, never by processes.

Contract for a handler (the flow that owns the work):
- `begin(item, now) -> float`: the item starts now; return how long the member works on it.
- `end(item, now) -> None`: the member has finished it (it may submit the item elsewhere).
Items carry `priority` (0 is served first) and `in_queue`, which the pool maintains; an item
withdrawn while queued (a customer who gives up) is skipped lazily when it reaches the front.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np
from simpy import Environment

from sim.metrics.level import Level
from sim.metrics.load import Demand, QueueObservation
from sim.model.wakeup import Wakeup, call_later


class Handler(Protocol):
    def begin(self, item: Any, now: float) -> float: ...
    def end(self, item: Any, now: float) -> None: ...


class Pool:
    __slots__ = ("env", "name", "_queues", "waiting", "idle", "busy", "_leaving", "queue",
                 "busy_level", "present_level", "on_shift_level", "_finish_cb", "_demands",
                 "_window", "_waiting_at_window", "_bin_width")

    def __init__(self, env: Environment, name: str, bin_width: float, bins: int) -> None:
        self.env = env
        self.name = name
        self._queues: list[deque] = [deque()]
        self.waiting = 0  # items queued and not withdrawn
        self.idle = 0  # members on shift with nothing to do
        self.busy = 0  # members working (possibly past the end of their shift)
        self._leaving = 0  # busy members whose shift has ended: they leave when done
        self.queue = Level(bin_width, bins)
        self.busy_level = Level(bin_width, bins)
        self.present_level = Level(bin_width, bins)  # on shift, plus overtime
        self.on_shift_level = Level(bin_width, bins)  # the roster: capacity, no overtime
        self._finish_cb = self._finish
        self._demands: list[Callable[[], Demand]] = []
        self._window = 0.0
        self._waiting_at_window = 0
        self._bin_width = bin_width

    def ensure_priorities(self, count: int) -> None:
        while len(self._queues) < count:
            self._queues.append(deque())

    # --- work ----------------------------------------------------------------------------

    def submit(self, handler: Handler, item: Any) -> None:
        """Start `item` now if a member is idle, else queue it by priority."""
        if self.idle:
            self.idle -= 1
            self.busy += 1
            now = self.env._now
            self.busy_level.set(now, self.busy)
            item.in_queue = False
            call_later(self.env, handler.begin(item, now), self._finish_cb, (handler, item))
        else:
            item.in_queue = True
            self._queues[item.priority].append((handler, item))
            self.waiting += 1
            self.queue.set(self.env._now, self.waiting)

    def withdraw(self, item: Any) -> None:
        """Take a queued item out (it gave up); its deque entry is skipped later."""
        item.in_queue = False
        self.waiting -= 1
        self.queue.set(self.env._now, self.waiting)

    def _finish(self, event: Wakeup) -> None:
        handler, item = event._value
        now = self.env._now
        handler.end(item, now)
        if self._leaving:
            self._leaving -= 1
            self.busy -= 1
            self.busy_level.set(now, self.busy)
            self.present_level.set(now, self.busy + self.idle)
            return
        if self.waiting:
            next_handler, next_item = self._pop()
            call_later(self.env, next_handler.begin(next_item, now), self._finish_cb,
                       (next_handler, next_item))
        else:
            self.busy -= 1
            self.idle += 1
            self.busy_level.set(now, self.busy)

    def _pop(self) -> tuple[Handler, Any]:
        for queue in self._queues:
            while queue:
                entry = queue.popleft()
                if entry[1].in_queue:
                    entry[1].in_queue = False
                    self.waiting -= 1
                    self.queue.set(self.env._now, self.waiting)
                    return entry
        raise RuntimeError(f"pool {self.name}: waiting count says {self.waiting}, queues empty")

    # --- shifts --------------------------------------------------------------------------

    def change_members(self, delta: int) -> None:
        """Members come on shift (delta > 0) or go off (delta < 0, after the work in hand).

        Members coming on shift are idle and take queued work at once; colleagues finishing
        overtime still leave when done (changes at the same instant are netted by the roster).
        """
        now = self.env._now
        self.on_shift_level.set(now, self.on_shift_level.value + delta)
        if delta > 0:
            self.idle += delta
            while self.idle and self.waiting:
                handler, item = self._pop()
                self.idle -= 1
                self.busy += 1
                call_later(self.env, handler.begin(item, now), self._finish_cb, (handler, item))
            self.busy_level.set(now, self.busy)
        elif delta < 0:
            leave_now = min(self.idle, -delta)
            self.idle -= leave_now
            self._leaving += -delta - leave_now
        self.present_level.set(now, self.busy + self.idle)

    @property
    def present(self) -> int:
        return self.busy + self.idle

    def start_window(self, now: float) -> None:
        for level in (self.queue, self.busy_level, self.present_level, self.on_shift_level):
            level.start_window(now)
        self._window = now
        self._waiting_at_window = self.waiting

    # --- steady state ----------------------------------------------------------------------

    def queued_for(self, handler: Handler) -> int:
        """Items of `handler` waiting now (a scan: at the end of a run, not on hot paths)."""
        return sum(1 for queue in self._queues for owner, item in queue
                   if owner is handler and item.in_queue)

    def add_demand(self, read: Callable[[], Demand]) -> None:
        """A flow (or stage) that brings work to this team: `read()` gives its totals for the
        observed window at the end of the run (the overload check, sim/metrics/load.py)."""
        self._demands.append(read)

    def observe(self, now: float) -> QueueObservation:
        """The team's queue over the observed window, for `LoadWatch` (at collect time)."""
        first = int(self._window / self._bin_width)
        return QueueObservation(
            team=self.name, demands=[read() for read in self._demands],
            capacity=self.on_shift_level.integral(now),
            waiting_at_start=self._waiting_at_window, waiting_at_end=self.waiting,
            queue_series=self.queue.series(now)[first:])


def utilisation(pools: list[Pool], now: float) -> float:
    """Busy member-time over member-time present (on shift plus overtime: members finishing
    their work in hand after their shift ended), in the observed window, over `pools`."""
    present = sum(p.present_level.integral(now) for p in pools)
    busy = sum(p.busy_level.integral(now) for p in pools)
    return busy / present if present else float("nan")


def utilisation_series(pools: list[Pool], now: float) -> dict[str, np.ndarray]:
    """Per bin, over `pools`: members busy, on shift and in overtime (mean numbers), and the
    utilisation busy / (on shift + overtime). A bin with nobody on shift has no utilisation
    (nan): only overtime there, 100% busy by definition, which would draw a false spike
    after every shift end; its overtime still counts in the window's utilisation."""
    busy = sum(p.busy_level.series(now) for p in pools)
    present = sum(p.present_level.series(now) for p in pools)
    on_shift = sum(p.on_shift_level.series(now) for p in pools)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(on_shift > 0, busy / np.maximum(present, 1e-300), np.nan)
    return {"busy": busy, "on_shift": on_shift,
            "overtime": np.maximum(present - on_shift, 0.0), "utilisation": share}
