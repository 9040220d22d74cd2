"""A team's members serving queued work: a counter of idle members plus priority deques.

This replaces `simpy.Resource` and a process per work item (performance.md, point 3): an
arriving item starts at once if a member is idle, otherwise it waits in its priority's
deque; a member who finishes takes the next item directly, in one callback. Work items are
moved by timeout callbacks, never by processes.

Contract for a handler (the flow that owns the work):
- `begin(item, now) -> float | None`: the item starts now; return how much work it takes
  (minutes at speed 1), or None to hold the member until `release` (a process's grant).
- `end(item, now) -> None`: the member has finished it (it may submit the item elsewhere).
- optional, `skill_of(item) -> int`: the skill the item needs (`skill_index`; -1: anyone),
  read by `MemberPool` only.
- pre-emptible work only (`MemberPool.submit(..., preempt=True)`): `preempted(item, now)`
  when a member leaves it for more urgent work, `resumed(item, now)` when one takes it up.
Items carry `priority` (0 is served first) and `in_queue`, which the pool maintains; an item
withdrawn while queued (a customer who gives up) is skipped lazily when it reaches the front.

Two pools keep this contract: `Pool` here, a counter for interchangeable members (the fast
path), and `MemberPool` (members.py), members as agents with skills, speed and pre-emption.
SimPy processes use either through `request`/`release` (processes.py shows how).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from heapq import heappush
from typing import Any, Protocol

import numpy as np
from simpy import Environment, Event

from sim.metrics.level import Level
from sim.metrics.load import Demand, QueueObservation
from sim.model.wakeup import NORMAL, Wakeup, call_again, call_later


class Handler(Protocol):
    def begin(self, item: Any, now: float) -> float: ...
    def end(self, item: Any, now: float) -> None: ...


class Grant:
    """A member held by a SimPy process: the value of the event `request` returns.

    `member` is the member's name (None for interchangeable members); the process gives the
    member back with `pool.release(grant)`."""

    __slots__ = ("event", "priority", "skill", "in_queue", "granted_at", "member", "work")

    def __init__(self, env: Environment, priority: int, skill: int) -> None:
        self.event = Event(env)
        self.priority = priority
        self.skill = skill
        self.in_queue = False
        self.granted_at: float | None = None
        self.member: str | None = None
        self.work = None  # the MemberPool's work handle

    def forget(self) -> None:
        """Released: break the grant <-> event and grant <-> work cycles, so reference
        counting frees them at once (the run pauses the cyclic collector)."""
        self.event = None
        self.work = None


class GrantHandler:
    """The pool handler of grants: hands the member to the waiting process and holds it."""

    __slots__ = ()

    def begin(self, grant: Grant, now: float) -> None:
        grant.granted_at = now
        grant.event.succeed(grant)
        return None  # held until release

    def end(self, grant: Grant, now: float) -> None:
        pass


GRANTS = GrantHandler()


class PoolLevels:
    """What every pool keeps for observation: time-weighted levels of the queue and of busy,
    present and rostered members, and the flows that bring it work (the overload check)."""

    __slots__ = ("env", "name", "queue", "busy_level", "present_level", "on_shift_level",
                 "_demands", "_window", "_waiting_at_window", "_bin_width")
    waiting: int

    def __init__(self, env: Environment, name: str, bin_width: float, bins: int) -> None:
        self.env = env
        self.name = name
        self.queue = Level(bin_width, bins)
        self.busy_level = Level(bin_width, bins)
        self.present_level = Level(bin_width, bins)  # on shift, plus overtime
        self.on_shift_level = Level(bin_width, bins)  # the roster: capacity, no overtime
        self._demands: list[Callable[[], Demand]] = []
        self._window = 0.0
        self._waiting_at_window = 0
        self._bin_width = bin_width

    def start_window(self, now: float) -> None:
        for level in (self.queue, self.busy_level, self.present_level, self.on_shift_level):
            level.start_window(now)
        self._window = now
        self._waiting_at_window = self.waiting

    def add_demand(self, read: Callable[[], Demand]) -> None:
        """A flow (or stage) that brings work to this team: `read()` gives its totals for the
        observed window at the end of the run (the overload check, sim/metrics/load.py)."""
        self._demands.append(read)

    def observe(self, now: float) -> QueueObservation:
        """The team's queue over the observed window, for `LoadWatch` (at collect time)."""
        first = int(self._window / self._bin_width)
        return QueueObservation(
            team=self.name, demands=[read() for read in self._demands],
            capacity=self.capacity(now),
            waiting_at_start=self._waiting_at_window, waiting_at_end=self.waiting,
            queue_series=self.queue.series(now)[first:])

    def capacity(self, now: float) -> float:
        """Work the roster could do in the observed window (member-minutes at speed 1)."""
        return self.on_shift_level.integral(now)

    def preempted_for(self, handler: Handler) -> int:
        """Items of `handler` pre-empted and waiting to be resumed (none without pre-emption)."""
        return 0


class Pool(PoolLevels):
    """Interchangeable members as a counter (no skills, speed 1, no pre-emption)."""

    __slots__ = ("_queues", "waiting", "idle", "busy", "_leaving", "_finish_cb", "_finish_cbs",
                 "_spare")
    preemptive = False

    def __init__(self, env: Environment, name: str, bin_width: float, bins: int) -> None:
        super().__init__(env, name, bin_width, bins)
        self._queues: list[deque] = [deque()]
        self.waiting = 0  # items queued and not withdrawn
        self.idle = 0  # members on shift with nothing to do
        self.busy = 0  # members working (possibly past the end of their shift)
        self._leaving = 0  # busy members whose shift has ended: they leave when done
        self._finish_cb = self._finish
        self._finish_cbs = (self._finish,)
        # the wake-ups of members who went idle, reused for their next item (no more of them
        # than idle members: sim/model/wakeup.py, call_again)
        self._spare: list[Wakeup] = []

    def ensure_priorities(self, count: int) -> None:
        while len(self._queues) < count:
            self._queues.append(deque())

    # --- work ----------------------------------------------------------------------------

    def skill_index(self, skill: str | None) -> int:
        """The pool's number for a skill (-1: any member); interchangeable members have none."""
        if skill is not None:
            raise ValueError(f"team {self.name}: no member has skill '{skill}'")
        return -1

    def submit(self, handler: Handler, item: Any) -> None:
        """Start `item` now if a member is idle, else queue it by priority."""
        if self.idle:
            self.idle -= 1
            self.busy += 1
            now = self.env._now
            self.busy_level.set(now, self.busy)
            item.in_queue = False
            work = handler.begin(item, now)
            if work is not None:  # _schedule_finish, inline on this hot path
                spare = self._spare
                if spare:
                    wakeup = spare.pop()
                    wakeup.callbacks = self._finish_cbs
                    wakeup._value = (handler, item)
                else:
                    wakeup = Wakeup(self._finish_cb, (handler, item))
                env = self.env
                heappush(env._queue, (now + work, NORMAL, next(env._eid), wakeup))
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
            work = next_handler.begin(next_item, now)
            if work is not None:  # the member's wake-up, again for the next item
                event.callbacks = self._finish_cbs  # call_again, inline on this hot path
                event._value = (next_handler, next_item)
                env = self.env
                heappush(env._queue, (now + work, NORMAL, next(env._eid), event))
        else:
            self.busy -= 1
            self.idle += 1
            self.busy_level.set(now, self.busy)
            event._value = None  # keeps no finished item alive
            self._spare.append(event)

    def _schedule_finish(self, work: float, handler: Handler, item: Any) -> None:
        """A member idle until now starts `item`: wake up when its `work` is done."""
        if self._spare:
            call_again(self.env, self._spare.pop(), work, self._finish_cbs, (handler, item))
        else:
            call_later(self.env, work, self._finish_cb, (handler, item))

    # --- SimPy processes -------------------------------------------------------------------

    def request(self, skill: str | None = None, priority: int = 0,
                preempt: bool = False) -> Event:
        """An event a process yields: it fires with a `Grant` when a member is free for it
        (queued by `priority` with the other work, 0 first). Give the member back with
        `release(grant)`; `withdraw(grant)` takes back a request that still waits."""
        if preempt:
            raise ValueError(f"team {self.name}: interchangeable members take no pre-empting "
                             "work (the team is built as members when a flow pre-empts)")
        grant = Grant(self.env, priority, self.skill_index(skill))
        self.ensure_priorities(priority + 1)
        self.submit(GRANTS, grant)
        return grant.event

    def release(self, grant: Grant) -> None:
        """The process is done with its member: the member takes the next work or idles."""
        if grant.granted_at is None:
            raise ValueError("release of a grant that was never granted")
        self._finish(Wakeup(None, (GRANTS, grant)))
        grant.forget()

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
                work = handler.begin(item, now)
                if work is not None:
                    self._schedule_finish(work, handler, item)
            self.busy_level.set(now, self.busy)
        elif delta < 0:
            leave_now = min(self.idle, -delta)
            self.idle -= leave_now
            del self._spare[self.idle:]
            self._leaving += -delta - leave_now
        self.present_level.set(now, self.busy + self.idle)

    @property
    def present(self) -> int:
        return self.busy + self.idle

    # --- steady state ----------------------------------------------------------------------

    def waiting_items(self, handler: Handler) -> list[tuple[Any, bool]]:
        """Items of `handler` waiting now, each with whether it was set aside (never here)."""
        return [(item, False) for queue in self._queues for owner, item in queue
                if owner is handler and item.in_queue]

    def queued_for(self, handler: Handler) -> int:
        """Items of `handler` waiting now (a scan: at the end of a run, not on hot paths)."""
        return sum(1 for queue in self._queues for owner, item in queue
                   if owner is handler and item.in_queue)


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
