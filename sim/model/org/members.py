"""Members as agents: each with a name, skills, a speed and a shift; work that can be pre-empted.

`MemberPool` keeps the handler contract of `Pool` (pool.py) for teams whose members are not
interchangeable, or whose work pre-empts. Every piece of work gets a `Work` handle: the
member on it, the work left (minutes at speed 1) and a token that makes a finish callback
stale when the work is pre-empted (performance.md: a stale timeout is a cheap no-op, never
an interrupt).

Routing: work asks for a skill (-1: any member), which its handler's optional
`skill_of(item) -> int` names (the pool's number for it, from `skill_index`). A free member
with it takes it, the first listed (`preference`) or the one with least busy time so far
(`least_busy`). A member who becomes free takes the most urgent queued work it has a skill
for, first come first served within a priority.

Pre-emption: work submitted with `preempt=True`, finding nobody free, takes the member of the
least urgent pre-emptible work of a strictly lower priority (the latest started among
equals); that work goes back to the front of its queue with the effort done kept
(done + remaining = total) and no longer waits for a customer's patience.

Shift ends: a member whose shift ends finishes short work in hand (overtime), but sets long
work down, the same way, for the next member on shift with the skill: work that is
pre-emptible and whose handler has `set_down(item, now)` (then `resumed` when taken up).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from itertools import count
from typing import Any

from simpy import Environment, Event

from sim.metrics.level import Level
from sim.model.org.pool import GRANTS, Grant, Handler, PoolLevels
from sim.model.wakeup import Wakeup, call_later

ANY_SKILL = -1


class Member:
    __slots__ = ("name", "group", "keys", "speed", "on_shift", "work", "started_at",
                 "busy_time", "away_time")

    def __init__(self, name: str, group: int, skills: tuple[int, ...], speed: float) -> None:
        self.name = name
        self.group = group
        self.keys = (*skills, ANY_SKILL)  # the queues this member takes work from
        self.speed = speed
        self.on_shift = False
        self.work: Work | None = None
        self.started_at = 0.0
        self.busy_time = 0.0  # time spent working so far (least_busy routing)
        self.away_time = 0.0  # time spent in meetings, those ended so far


class Work:
    """A pre-emptible work handle: one item's work in the pool, from submit to end."""

    __slots__ = ("handler", "item", "priority", "skill", "seq", "total", "remaining",
                 "member", "token", "started", "preempts", "preemptible", "preemptions")

    def __init__(self, handler: Handler, item: Any, skill: int, seq: int,
                 preempts: bool, preemptible: bool) -> None:
        self.handler = handler
        self.item = item
        self.priority = item.priority
        self.skill = skill
        self.seq = seq  # submission order: first come first served across skill queues
        self.total: float | None = None  # work in minutes at speed 1 (None: held)
        self.remaining: float | None = None
        self.member: Member | None = None
        self.token = 0
        self.started = False
        self.preempts = preempts
        self.preemptible = preemptible
        self.preemptions = 0

    @property
    def done(self) -> float:
        return self.total - self.remaining


class _Asker:
    """A member of another team, as this pool numbers their skills (help across teams)."""

    __slots__ = ("keys",)

    def __init__(self, keys: tuple[int, ...]) -> None:
        self.keys = keys


class _Away:
    """The handler of a member in a meeting (never finishes on its own: `come_back` ends it)."""

    __slots__ = ()


class _AwayItem:
    __slots__ = ()
    priority = -1
    in_queue = False


_AWAY = Work(_Away(), _AwayItem(), ANY_SKILL, -1, False, False)  # a member's work in meetings
_ENDING = Work(_Away(), _AwayItem(), ANY_SKILL, -1, False, False)  # ending an item


class MemberPool(PoolLevels):
    """Members as agents; see the module docstring for routing and pre-emption."""

    preemptive = True

    def __init__(self, env: Environment, name: str, bin_width: float, bins: int,
                 skills: list[str], least_busy: bool = False) -> None:
        super().__init__(env, name, bin_width, bins)
        self.skills = skills
        self.least_busy = least_busy
        self.members: list[Member] = []
        self.group_busy: list[Level] = []
        self.group_present: list[Level] = []
        self.capacity_level = Level(bin_width, 0)  # the speeds of the members on shift
        self._queues: list[dict[int, deque[Work]]] = [{}]
        self._seq = count()
        self.waiting = 0  # queued work not withdrawn (pre-empted included)
        self.preempted_waiting = 0
        self.busy = 0
        self.present = 0
        self._finish_cb = self._finish
        # help across teams (sim/model/org/help.py): called when work queues here, and when
        # a member finds nothing of this team's to do; work of another team in hand here
        self.on_queued: Callable[[MemberPool], None] | None = None
        self.on_idle: Callable[[MemberPool, Member], Work | None] | None = None
        self._foreign: dict[int, MemberPool] = {}
        # True while a meeting sets work aside: a handler's `preempted` may read it, to count
        # the time set aside as the meeting's (collaboration) rather than pre-emption's
        self.calling_away = False
        # members called in by name (on call), each with the grants waiting for them
        self._called: dict[str, deque[Work]] = {}
        # members in meetings now, and the time so far with at least one of them away
        self.away = 0
        self._away_since = 0.0
        self._away_total = 0.0

    # --- set-up ----------------------------------------------------------------------------

    def add_group(self, names: list[str], skills: tuple[str, ...], speed: float) -> list[Member]:
        group = len(self.group_busy)
        self.group_busy.append(Level(self._bin_width, 0))
        self.group_present.append(Level(self._bin_width, 0))
        return self.add_members(group, names, skills, speed)

    def add_members(self, group: int, names: list[str], skills: tuple[str, ...], speed: float
                    ) -> list[Member]:
        """Members joining an existing group (the timeline's extra staff)."""
        keys = tuple(self.skill_index(s) for s in skills)
        added = [Member(name, group, keys, speed) for name in names]
        self.members += added
        return added

    def skill_index(self, skill: str | None) -> int:
        if skill is None:
            return ANY_SKILL
        if skill not in self.skills:
            raise ValueError(f"team {self.name}: no member has skill '{skill}'")
        return self.skills.index(skill)

    def ensure_priorities(self, count: int) -> None:
        while len(self._queues) < count:
            self._queues.append({})

    # --- work ------------------------------------------------------------------------------

    def submit(self, handler: Handler, item: Any, preempt: bool = False,
               queue_only: bool = False) -> None:
        """Start `item` now with a free member who has its skill, else (`preempt`) in place
        of less urgent pre-emptible work, else queue it by priority. `preempt` work is
        pre-emptible too; with `queue_only` it never takes a member from other work itself
        (feature items: their priority orders the queue, more urgent work pre-empts them)."""
        skill_of = getattr(handler, "skill_of", None)
        work = Work(handler, item, skill_of(item) if skill_of else ANY_SKILL, next(self._seq),
                    preempt and not queue_only, preempt)
        self._place(work)

    def _place(self, work: Work) -> None:
        now = self.env._now
        member = self._free_member(work.skill)
        if member is not None:
            work.item.in_queue = False
            self._set_busy(member, +1, now)
            self._start(member, work, now)
            return
        if work.preempts:
            member = self._victim_member(work)
            if member is not None:
                work.item.in_queue = False
                self._preempt(member, now)
                self._start(member, work, now)
                return
        work.item.in_queue = True
        self._queue(work).append(work)
        self.waiting += 1
        self.queue.set(now, self.waiting)
        if self.on_queued is not None:
            self.on_queued(self)

    def withdraw(self, item: Any) -> None:
        """Take a queued item out (it gave up); its queue entry is skipped later."""
        item.in_queue = False
        self.waiting -= 1
        self.queue.set(self.env._now, self.waiting)

    def _queue(self, work: Work) -> deque[Work]:
        queues = self._queues[work.priority]
        if work.skill not in queues:
            queues[work.skill] = deque()
        return queues[work.skill]

    def _free_member(self, skill: int) -> Member | None:
        best = None
        for member in self.members:
            if member.on_shift and member.work is None and (
                    skill == ANY_SKILL or skill in member.keys):
                if not self.least_busy:
                    return member
                if best is None or member.busy_time < best.busy_time:
                    best = member
        return best

    def _victim_member(self, work: Work) -> Member | None:
        """The member on the least urgent pre-emptible work below `work`'s priority."""
        best = None
        for member in self.members:
            held = member.work
            if (held is not None and held.preemptible and held.priority > work.priority
                    and (work.skill == ANY_SKILL or work.skill in member.keys)):
                if best is None or (held.priority, member.started_at) > (
                        best.work.priority, best.started_at):
                    best = member
        return best

    def _preempt(self, member: Member, now: float) -> None:
        work = member.work
        work.remaining = max(0.0, work.remaining - (now - member.started_at) * member.speed)
        work.token += 1  # its finish callback is now stale
        work.member = None
        work.preemptions += 1
        member.busy_time += now - member.started_at
        member.work = None
        if work.preemptible:
            work.handler.preempted(work.item, now)
        else:  # forced (a meeting): its handler may not listen
            preempted = getattr(work.handler, "preempted", None)
            if preempted is not None:
                preempted(work.item, now)
        if self._foreign and id(work) in self._foreign:  # another team's: back to its queue
            self._foreign.pop(id(work))._requeue(work, now)
            return
        self._queue(work).appendleft(work)  # first of its priority: it started before the rest
        self.waiting += 1
        self.preempted_waiting += 1
        self.queue.set(now, self.waiting)

    def _requeue(self, work: Work, now: float) -> None:
        """Work set aside goes back first of its priority (it started before the rest)."""
        self._queue(work).appendleft(work)
        self.waiting += 1
        self.preempted_waiting += 1
        self.queue.set(now, self.waiting)

    def _start(self, member: Member, work: Work, now: float) -> None:
        member.work = work
        member.started_at = now
        work.member = member
        if work.started:
            if work.preemptible:
                work.handler.resumed(work.item, now)
            else:  # set aside by a meeting: its handler may not listen
                resumed = getattr(work.handler, "resumed", None)
                if resumed is not None:
                    resumed(work.item, now)
        else:
            work.started = True
            if type(work.item) is Grant:
                work.item.member = member.name
                work.item.work = work
            work.total = work.remaining = work.handler.begin(work.item, now)
        if work.remaining is not None:
            call_later(self.env, work.remaining / member.speed, self._finish_cb,
                       (work, work.token))

    def _finish(self, event: Wakeup) -> None:
        work, token = event._value
        if token != work.token:  # pre-empted since: a stale finish
            return
        work.remaining = 0.0
        self._complete(work, self.env._now)

    def _complete(self, work: Work, now: float) -> None:
        member = work.member
        member.busy_time += now - member.started_at
        # while the handler ends the item the member is not free: what `end` submits here
        # (fulfilment's next stage) must not start with this member, counted busy twice
        member.work = _ENDING
        if self._foreign:
            self._foreign.pop(id(work), None)
        work.handler.end(work.item, now)
        member.work = None
        if self._called and self._take_call(member, now):
            return
        if member.on_shift:
            following = self._next_for(member)
            if following is None and self.on_idle is not None:
                following = self.on_idle(self, member)
            if following is not None:
                self._start(member, following, now)
                return
        self._set_busy(member, -1, now)
        if not member.on_shift:  # overtime is over
            self._set_present(member, -1, now)

    def _next_for(self, member: Member | _Asker) -> Work | None:
        """The most urgent queued work the member can do, first submitted first."""
        for queues in self._queues:
            best = None
            for key in member.keys:
                queue = queues.get(key)
                while queue:
                    head = queue[0]
                    if head.started or head.item.in_queue:
                        if best is None or head.seq < best.seq:
                            best, source = head, queue
                        break
                    queue.popleft()  # withdrawn: skipped lazily
            if best is not None:
                source.popleft()
                if best.started:
                    self.preempted_waiting -= 1
                else:
                    best.item.in_queue = False
                self.waiting -= 1
                self.queue.set(self.env._now, self.waiting)
                return best
        return None

    # --- levels ----------------------------------------------------------------------------

    def _set_busy(self, member: Member, delta: int, now: float) -> None:
        self.busy += delta
        self.busy_level.set(now, self.busy)
        level = self.group_busy[member.group]
        level.set(now, level.value + delta)

    def _set_present(self, member: Member, delta: int, now: float) -> None:
        self.present += delta
        self.present_level.set(now, self.present)
        level = self.group_present[member.group]
        level.set(now, level.value + delta)

    # --- shifts ----------------------------------------------------------------------------

    def come_on(self, member: Member) -> None:
        """The member's shift starts: free members take queued work at once."""
        now = self.env._now
        member.on_shift = True
        self.on_shift_level.set(now, self.on_shift_level.value + 1)
        self.capacity_level.set(now, self.capacity_level.value + member.speed)
        if member.work is not None:  # still on last shift's work: no longer overtime
            return
        self._set_present(member, +1, now)
        following = self._next_for(member)
        if following is None and self.on_idle is not None:
            following = self.on_idle(self, member)
        if following is not None:
            self._set_busy(member, +1, now)
            self._start(member, following, now)

    def go_off(self, member: Member) -> None:
        """The member's shift ends: a free member leaves; a busy one sets long work down
        (pre-emptible work whose handler has `set_down`) and leaves, or finishes the work in
        hand first (overtime)."""
        now = self.env._now
        member.on_shift = False
        self.on_shift_level.set(now, self.on_shift_level.value - 1)
        self.capacity_level.set(now, self.capacity_level.value - member.speed)
        work = member.work
        if work is None:
            self._set_present(member, -1, now)
        elif work.preemptible and hasattr(work.handler, "set_down"):
            self._set_down(member, work, now)
            self._set_busy(member, -1, now)
            self._set_present(member, -1, now)

    def _set_down(self, member: Member, work: Work, now: float) -> None:
        """Long work left at a shift's end, its effort done kept: a free member on shift with
        the skill resumes it at once, else it waits first of its priority (as pre-empted
        work does) for the next member who comes on or becomes free."""
        work.remaining = max(0.0, work.remaining - (now - member.started_at) * member.speed)
        work.token += 1  # its finish callback is now stale
        work.member = None
        member.busy_time += now - member.started_at
        member.work = None
        work.handler.set_down(work.item, now)
        home = self._foreign.pop(id(work), self) if self._foreign else self
        taker = home._free_member(work.skill)
        if taker is None:
            home._requeue(work, now)
            return
        home._set_busy(taker, +1, now)
        home._start(taker, work, now)

    def start_window(self, now: float) -> None:
        super().start_window(now)
        for level in (*self.group_busy, *self.group_present, self.capacity_level):
            level.start_window(now)

    def capacity(self, now: float) -> float:
        """Work the roster could do in the observed window: member-minutes times speed."""
        return self.capacity_level.integral(now)

    def group_utilisation(self, group: int, now: float) -> float:
        present = self.group_present[group].integral(now)
        return self.group_busy[group].integral(now) / present if present else float("nan")

    # --- help across teams ---------------------------------------------------------------------

    def take_for(self, keys: tuple[int, ...]) -> Work | None:
        """For a member of another team: the most urgent queued work that asks for one of
        `keys` (this pool's skill numbers), off the queue; never a process's grant."""
        work = self._next_for(_Asker(keys))
        if work is not None and work.handler is GRANTS:
            self._requeue_unstarted(work)
            return None
        return work

    def _requeue_unstarted(self, work: Work) -> None:
        work.item.in_queue = True
        self._queue(work).appendleft(work)
        self.waiting += 1
        self.queue.set(self.env._now, self.waiting)

    def adopt(self, work: Work, home: MemberPool) -> None:
        """Work of `home` that a member of this pool is about to start (a set-aside goes back
        to `home`'s queue)."""
        self._foreign[id(work)] = home

    def lend(self, member: Member, work: Work, home: MemberPool) -> None:
        """An idle member of this pool starts work taken from `home`'s queue."""
        self.adopt(work, home)
        now = self.env._now
        self._set_busy(member, +1, now)
        self._start(member, work, now)

    # --- meetings (the collaboration layer's meeting tax) ------------------------------------

    def call_away(self, member: Member) -> bool:
        """Take an on-shift member off work for a meeting: work in hand is set aside whatever
        its pre-emption setting, first of its priority, resumed by whoever is free first.
        False (nothing done) when the member is off shift, already away, or held by a
        process (a grant is never taken). Give the member back with `come_back`."""
        held = member.work
        if not member.on_shift or (held is not None and (held is _AWAY or
                                                         held.handler is GRANTS)):
            return False
        now = self.env._now
        if held is not None:
            self.calling_away = True
            self._preempt(member, now)
            self.calling_away = False
        else:
            self._set_busy(member, +1, now)
        member.work = _AWAY
        member.started_at = now
        if not self.away:
            self._away_since = now
        self.away += 1
        return True

    def come_back(self, member: Member) -> None:
        """The meeting is over: the member takes the next work, idles, or (shift over) leaves."""
        now = self.env._now
        member.busy_time += now - member.started_at
        member.away_time += now - member.started_at
        member.work = None
        self.away -= 1
        if not self.away:
            self._away_total += now - self._away_since
        if self._called and self._take_call(member, now):
            return
        if member.on_shift:
            following = self._next_for(member)
            if following is not None:
                self._start(member, following, now)
                return
        self._set_busy(member, -1, now)
        if not member.on_shift:
            self._set_present(member, -1, now)

    def away_clock(self, now: float) -> float:
        """Minutes so far during which some member was in a meeting: its advance over a wait
        for a member is the part of the wait the meetings held them (the meeting tax)."""
        return self._away_total + (now - self._away_since if self.away else 0.0)

    def member_away_clock(self, member: Member, now: float) -> float:
        """Minutes so far that `member` spent in meetings (as `away_clock`, for one member)."""
        return member.away_time + (now - member.started_at if member.work is _AWAY else 0.0)

    # --- SimPy processes ---------------------------------------------------------------------

    def request(self, skill: str | None = None, priority: int = 0,
                preempt: bool = False) -> Event:
        """As `Pool.request`; with `preempt`, the grant may take a member from less urgent
        pre-emptible work (the grant itself is never pre-empted: the process holds it)."""
        grant = Grant(self.env, priority, self.skill_index(skill))
        self.ensure_priorities(priority + 1)
        self._place(Work(GRANTS, grant, grant.skill, next(self._seq), preempt, False))
        return grant.event

    def call_in(self, member: Member) -> Event:
        """Hold `member` by name for a process (the on-call member paged), on shift or off:
        at once when free or on pre-emptible work (set aside as by pre-emption), else when
        the work in hand ends, before any queued work; calls wait first come first served.
        Off shift the time is overtime (busy and present). Give it back with `release`."""
        grant = Grant(self.env, 0, ANY_SKILL)
        work = Work(GRANTS, grant, ANY_SKILL, next(self._seq), False, False)
        held = member.work
        now = self.env._now
        if held is None:
            self._set_busy(member, +1, now)
            if not member.on_shift:
                self._set_present(member, +1, now)
            self._start(member, work, now)
        elif held.preemptible:
            self._preempt(member, now)
            self._start(member, work, now)
        else:
            self._called.setdefault(member.name, deque()).append(work)
        return grant.event

    def _take_call(self, member: Member, now: float) -> bool:
        """A member whose work ended takes a call waiting for them (busy stays counted)."""
        calls = self._called.get(member.name)
        if not calls:
            return False
        work = calls.popleft()
        if not calls:
            del self._called[member.name]
        self._start(member, work, now)
        return True

    def release(self, grant: Grant) -> None:
        work = grant.work
        if work is None or work.member is None:
            raise ValueError("release of a grant that is not held")
        self._complete(work, self.env._now)
        grant.forget()

    # --- at the end ---------------------------------------------------------------------------

    def _queued(self, handler: Handler) -> list[Work]:
        return [work for queues in self._queues for queue in queues.values() for work in queue
                if work.handler is handler and (work.started or work.item.in_queue)]

    def waiting_items(self, handler: Handler) -> list[tuple[Any, bool]]:
        """Items of `handler` waiting now, each with whether it was set aside (pre-empted)."""
        return [(work.item, work.started) for work in self._queued(handler)]

    def queued_for(self, handler: Handler) -> int:
        """Items of `handler` waiting for a first start (a scan: at the end of a run)."""
        return sum(1 for work in self._queued(handler) if not work.started)

    def preempted_for(self, handler: Handler) -> int:
        """Items of `handler` pre-empted and waiting to be resumed."""
        return sum(1 for work in self._queued(handler) if work.started)
