"""Channels between teams: the collaboration layer on the hand-off seam (issue 10).

Every hand-off from one team to another (the seam's source and target are both teams of the
scenario, and differ) is carried by `Collaboration`, the seam's `Channel`, as a low-rate
SimPy process, its journey:

1. a leg over the pair's channel: `chat`/`email` wait for a member of the receiving team on
   shift (in their time zone), then `notice` of shift time. Extra staff count: the
   timeline's windows and a campaign's staffing put members on shift for their whole
   window, on the run's clock, whatever the team's hours or time zone (as the roster does),
   and a window that takes every member off leaves nobody to notice (`Reach`: the team is
   reachable while its roster is above 0; staff added at run time wakes the messages it
   lets through sooner). `meeting` waits for the next
   occurrence's start; `ticket` joins the receiving team's queue at its priority; no channel
   for the pair: passed at once. The wait is the `channel` (or `meeting`) component;
2. with the channel's `error` probability the hand-off is wrong: the receiver finds out after
   part of the work (a uniform share of the payload's `effort`, on its own pool), sends it
   back over the reverse channel, the sender redoes it (`effort`, on its pool) and sends it
   again: all of it `handoff_rework`. The hand-off and its resends are one outcome for the
   receiver's trust in the sender, judged on first arrival: a failure when wrong or after
   the payload's `due` time, else a success;
3. verification: the receiver checks it, `verification x (1 - trust)` of its own capacity
   (`verification` is the check itself; waiting for a member to do it is the team's
   capacity, left to the flow's `queue`);
4. uptake: with probability `1 - trust` the receiver asks back first: one more round trip
   (`ask_back`; no outcome for trust);
   where members of the receiving team have their own trust in the sender, the member who
   reads it (receivers.py) is drawn on first arrival, and its trust is used in 2-4;
5. role clarity of the receiving team: left unowned until its next meeting or stand-up
   (`orphaned`), or started twice (the copy is wasted work on its pool);
then it is delivered to its receiver. Time spent on each step is charged to the payload's
`collab_times` (sim/metrics/split.py) when it has one, so the entity's split adds up.

Meetings take their attendees off work for their duration through `MemberPool.call_away`
(the meeting tax), whether or not anything waits for them. Without the collaboration
sections none of this is built, and hand-offs pass directly, as before.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Generator
from typing import Any

import numpy as np
from simpy import Event, Interrupt

from sim.metrics.load import Demand
from sim.metrics.output import Balance, FlowOutput, safe_ratio
from sim.metrics.split import (
    ASK_BACK,
    CHANNEL,
    COMPONENT_INDEX,
    HANDOFF_REWORK,
    MEETING,
    ORPHANED,
    VERIFICATION,
)
from sim.model.org.clarity import Clarity
from sim.model.org.handoff import Handoff
from sim.model.org.help import Help
from sim.model.org.members import MemberPool
from sim.model.org.receivers import build_receivers
from sim.model.org.team import reachable_intervals
from sim.model.org.trust import TrustBook
from sim.scenario.collab import (
    ChannelSpec,
    channel_key,
    collaboration_on,
    handoff_pairs,
    trust_pairs,
)
from sim.scenario.timeline import staff_steps
from sim.units import DAY

Journey = Generator[Event, Any, Any]


def on_shift_intervals(ctx: Any, team: str) -> tuple[list[float], list[float]]:
    """Starts and ends of the times some member of `team` is on shift, merged, to the horizon:
    its shifts and the timeline's staff windows (extra staff added at run time: `Reach`)."""
    return reachable_intervals(ctx.spec.teams[team], ctx.horizon,
                               staff_steps(ctx.spec.timeline, team, ctx.horizon))


def after_shift_time(starts: list[float], ends: list[float], now: float, amount: float
                     ) -> float | None:
    """When `amount` minutes of on-shift time have passed from `now` (waiting for the next
    shift first); None when that is beyond the horizon."""
    i = bisect.bisect_right(ends, now)
    while i < len(starts):
        lo = max(starts[i], now)
        room = ends[i] - lo
        if amount <= room:
            return lo + amount
        amount -= room
        i += 1
    return None


def next_occurrence(first: float, every: float, now: float) -> float:
    """The first start at or after `now` of a series starting at `first`, period `every`."""
    return first + max(math.ceil((now - first) / every), 0) * every


# --- work the layer puts on a team's pool (checking, rework, tickets, duplicates) ------------

class Task:
    """A piece of a team's time the layer asks for; `done` succeeds when it is finished."""

    __slots__ = ("effort", "priority", "in_queue", "done", "began")

    def __init__(self, effort: float, priority: int, done: Event | None) -> None:
        self.effort = effort
        self.priority = priority
        self.in_queue = False
        self.done = done
        self.began: float | None = None  # when a member first took it up


class TaskHandler:
    """The pool handler of the layer's tasks (pool.py's contract)."""

    __slots__ = ("worked",)

    def __init__(self) -> None:
        self.worked = 0.0  # effort begun, minutes at speed 1

    def begin(self, task: Task, now: float) -> float:
        self.worked += task.effort
        if task.began is None:
            task.began = now
        return task.effort

    def end(self, task: Task, now: float) -> None:
        if task.done is not None:
            task.done.succeed()

    def preempted(self, task: Task, now: float) -> None:
        pass

    def resumed(self, task: Task, now: float) -> None:
        pass


# --- channels: one leg of a hand-off ---------------------------------------------------------

class Direct:
    """No channel for the pair: passed at once."""

    component = CHANNEL

    def arrival(self, now: float) -> float | None:
        return now


class Reach:
    """When a team can be reached: the times some member of it is on shift, to the horizon.

    Built from its shifts and the timeline's windows; it grows when staff is added at run
    time (a campaign's staffing, `Context.add_staff`), and then wakes the messages waiting
    for it that the new members notice sooner (an interrupt: rare, and it leaves the usual
    path a single timeout)."""

    __slots__ = ("starts", "ends", "horizon", "waiting")

    def __init__(self, intervals: tuple[list[float], list[float]], horizon: float) -> None:
        self.starts, self.ends = intervals
        self.horizon = horizon
        self.waiting: dict[Any, tuple[float, float, float]] = {}  # process: sent, notice, due

    def after(self, now: float, amount: float) -> float | None:
        return after_shift_time(self.starts, self.ends, now, amount)

    def add(self, start: float, end: float) -> None:
        """Members on shift over [start, end) too (start is now or later: the past stays)."""
        end = min(end, self.horizon)
        if end <= start:
            return
        starts, ends = self.starts, self.ends
        i = bisect.bisect_left(ends, start)  # the first interval that ends at or after start
        j = bisect.bisect_right(starts, end)  # past the last that starts at or before end
        if i < j:
            start, end = min(start, starts[i]), max(end, ends[j - 1])
        starts[i:j] = [start]
        ends[i:j] = [end]
        for process, (sent, notice, due) in list(self.waiting.items()):
            sooner = self.after(sent, notice)
            if sooner is not None and sooner < due:
                del self.waiting[process]  # interrupted once, however many adds come now
                process.interrupt()

    def wait(self, env: Any, sent: float, notice: float) -> Journey:
        """Until `notice` minutes of on-shift time have passed since `sent`: recomputed when
        staff is added meanwhile (the on-shift time already past is unchanged)."""
        arrival = self.after(sent, notice)
        if arrival is not None and arrival <= sent:
            return
        process = env.active_process
        while True:
            self.waiting[process] = (sent, notice, math.inf if arrival is None else arrival)
            try:
                if arrival is None:
                    yield Event(env)  # never, unless staff comes: in transit at the horizon
                else:
                    yield env.timeout(arrival - env.now)
                del self.waiting[process]
                return
            except Interrupt:
                arrival = self.after(sent, notice)
                if arrival is not None and arrival <= env.now:
                    return


class Chat:
    """chat or email: noticed `notice` of the receiver's shift time after it is first on."""

    component = CHANNEL

    def __init__(self, reach: Reach, notice) -> None:
        self.reach = reach
        self._notice = notice

    def wait(self, env: Any, sent: float) -> Journey:
        """Until the receiver notices a message sent at `sent` (staff added meanwhile
        counts: `Reach.wait`)."""
        return self.reach.wait(env, sent, self._notice())


class Meeting:
    """Waits for the next occurrence of the pair's meeting."""

    component = MEETING

    def __init__(self, first: float, every: float, spec: ChannelSpec | None = None,
                 teams: tuple[str, ...] = ()) -> None:
        self.first = first
        self.every = every
        self.spec = spec  # the channel it serves (one meeting serves both directions)
        self.teams = teams

    def arrival(self, now: float) -> float | None:
        return next_occurrence(self.first, self.every, now)


class Ticket:
    """Joins the receiving team's queue at a priority: arrives when a member takes it."""

    component = CHANNEL

    def __init__(self, team: str, priority: int) -> None:
        self.team = team
        self.priority = priority

    def arrival(self, now: float) -> float | None:
        return None  # decided by the queue (Collaboration._leg)


class Collaboration:
    """The seam's channel for hand-offs between teams, and the layer's metrics (a flow)."""

    def __init__(self, ctx: Any) -> None:
        """`ctx`: the model's Context (org never imports it: the context imports org)."""
        self.ctx = ctx
        self.env = ctx.env
        spec = ctx.spec
        self.spec = spec
        self.teams = frozenset(spec.teams)
        pairs = handoff_pairs(spec)
        self.trust = TrustBook(spec.trust, ctx.bin_width, ctx.bins, trust_pairs(spec))
        ctx.services["trust"] = self.trust
        ctx.services["collaboration"] = self  # flows' own round trips (tech's questions)
        ctx.at_window_start(self.trust.start_window)
        self.verification = spec.trust.verification if spec.trust is not None else 0.0
        self._receivers = build_receivers(ctx)  # pairs where members have their own trust
        self.clarity = {name: Clarity(team) for name, team in spec.teams.items()}
        self._channels: dict[tuple[str, str], Any] = {}
        self._reach: dict[str, Reach] = {}  # when each receiving team of a chat is on shift
        ctx.on_staff_added(self._staff_added)
        self._errors: dict[tuple[str, str], float] = {}
        self._meetings: dict[str, list[Meeting]] = {}  # meetings each team attends
        self._uniform = ctx.uniform("collab.draws")
        self._tasks = TaskHandler()
        self._reported = [(a, b) for a, b in pairs] if spec.channels else []
        # counts: legs (messages) and hand-offs; waits per pair after warm-up
        self.legs_sent = 0
        self.legs_delivered = 0
        self.legs_in_window = 0
        self.handoffs = 0
        self.handoffs_delivered = 0
        self.wrong = 0
        self.duplicate_work = 0.0
        self.meeting_time = 0.0  # member-minutes in meetings, in the window
        self._waits: dict[tuple[str, str], list[float]] = {}
        self._per_bin = [0] * (ctx.bins + 1)  # messages delivered per bin, after warm-up
        self._load: dict[str, list] = {}  # per team: tasks and their effort in the window
        self._build_meetings()
        self.help = self._build_help()

    # --- wiring ----------------------------------------------------------------------------

    def install(self) -> None:
        """Carry every hand-off between two teams (after the flows have registered)."""
        self.ctx.org.use_channel(self, self.teams)

    def _channel(self, source: str, target: str):
        key = (source, target)
        channel = self._channels.get(key)
        if channel is None:
            spec = self.spec.channels.channel(source, target) if self.spec.channels else None
            channel = self._channels[key] = self._make(source, target, spec)
            self._errors[key] = spec.error if spec is not None else 0.0
        return channel

    def _make(self, source: str, target: str, spec: ChannelSpec | None):
        if spec is None:
            return Direct()
        if spec.kind in ("chat", "email"):
            stream = self.ctx.streams.stream(f"collab.notice.{source}.{target}")
            return Chat(self._reach_of(target), spec.notice.sampler(stream))
        if spec.kind == "meeting":
            return self._meeting_of(source, target, spec)
        return Ticket(target, spec.priority - 1)

    def _reach_of(self, team: str) -> Reach:
        """The team's reach, one per team (the staff added so far at run time included)."""
        reach = self._reach.get(team)
        if reach is None:
            reach = self._reach[team] = Reach(on_shift_intervals(self.ctx, team),
                                              self.ctx.horizon)
            for added, start, end, members in self.ctx.added_staff:
                if added == team and members > 0:
                    reach.add(start, end)
        return reach

    def _staff_added(self, team: str, start: float, end: float, members: int) -> None:
        reach = self._reach.get(team)
        if reach is not None:
            reach.add(start, end)

    def _build_meetings(self) -> None:
        """Every meeting channel a pair that hands work over uses: a series from the start
        (the meeting tax is paid whether or not anything waits)."""
        if self.spec.channels is None:
            return
        keys = {(a, b) for a, b in handoff_pairs(self.spec)}
        keys |= set(self.spec.channels.pairs())
        for source, target in sorted(keys):
            if source in self.teams and target in self.teams and source != target:
                self._channel(source, target)

    def _build_help(self) -> Help | None:
        help_spec = self.spec.trust.help if self.spec.trust is not None else None
        if help_spec is None:
            return None
        pools = [self.ctx.pool(team) for team in sorted(self.spec.teams)]
        return Help([p for p in pools if isinstance(p, MemberPool)], self.trust,
                    help_spec.threshold, help_spec.waiting, self.ctx.warmup,
                    frozenset(self.spec.trust.member_overrides()))

    def _meeting_of(self, source: str, target: str, spec: ChannelSpec) -> Meeting:
        for meeting in self._meetings.get(source, []):
            if meeting.spec is spec and target in meeting.teams:
                return meeting  # the same meeting both ways
        meeting = Meeting(spec.first_start, spec.every, spec, (source, target))
        for team in meeting.teams:
            self._meetings.setdefault(team, []).append(meeting)
        self.env.process(self._hold_meetings(meeting, spec))
        return meeting

    def _hold_meetings(self, meeting: Meeting, spec: ChannelSpec) -> Journey:
        pools = []
        for team in meeting.teams:
            pool = self.ctx.pool(team)
            if not isinstance(pool, MemberPool):  # built as members (preempting_teams)
                raise RuntimeError(f"team {team} attends meetings but is not built as members")
            pools.append((pool, (spec.attendees or {}).get(team)))
        if spec.duration <= 0:
            return
        env = self.env
        start = meeting.first
        while True:
            if start > env.now:
                yield env.timeout(start - env.now)
            # the members of the day: extra staff a campaign or the timeline added attend too
            called = [(pool, member) for pool, count in pools
                      for member in pool.members[:count] if pool.call_away(member)]
            yield env.timeout(spec.duration)
            for pool, member in called:
                pool.come_back(member)
            self.meeting_time += len(called) * max(0.0, env.now - max(env.now - spec.duration,
                                                                     self.ctx.warmup))
            start += spec.every

    # --- carrying a hand-off (the seam's Channel protocol) ---------------------------------

    def carry(self, handoff: Handoff, deliver: Callable[[Handoff], None]) -> None:
        self.handoffs += 1
        self.env.process(self._journey(handoff, deliver))

    def _journey(self, handoff: Handoff, deliver: Callable[[Handoff], None]) -> Journey:
        env = self.env
        source, target = handoff.source, handoff.target
        payload = handoff.payload
        times = getattr(payload, "collab_times", None)
        effort = getattr(payload, "effort", 0.0) or 0.0
        reworked = False
        receivers = self._receivers.get((target, source)) if self._receivers else None
        receiver = target  # whose trust: the team's, or the reading member's own
        while True:
            began = env.now
            component = yield from self._leg(source, target)
            _charge(times, HANDOFF_REWORK if reworked else component, env.now - began)
            wrong = bool(self._errors[(source, target)]) and (
                self._uniform() < self._errors[(source, target)])
            if not reworked:
                # a hand-off and its reworked resends are one outcome, judged when it first
                # arrives (wrong, or late), so outcomes come with the hand-offs themselves
                # and the time average of trust is the chain's stationary mean
                due = getattr(payload, "due", None)
                late = due is not None and env.now > due
                if receivers is not None:
                    receiver = receivers.draw(env.now)
                self.trust.outcome(receiver, source, not (wrong or late), env.now)
            if wrong:
                self.wrong += 1
                began = env.now
                if effort:  # found out after part of the work
                    yield from self._work(target, self._uniform() * effort)
                yield from self._leg(target, source)
                if effort:
                    yield from self._work(source, effort)
                _charge(times, HANDOFF_REWORK, env.now - began)
                reworked = True
                continue
            break
        trust = self.trust.value(receiver, source)
        if self.verification and trust < 1.0:
            check = yield from self._work(target, self.verification * (1.0 - trust))
            # the check itself; the wait for a member to do it is the team's capacity (queue,
            # as the flows count what the layer does not charge), so near full trust the
            # collaboration time goes to 0 with the check
            _charge(times, VERIFICATION, env.now - check.began)
        if trust < 1.0 and self._uniform() < 1.0 - trust:
            began = env.now
            yield from self._leg(target, source)
            yield from self._leg(source, target)
            _charge(times, ASK_BACK, env.now - began)
        clarity = self.clarity[target]
        if not clarity.clear:
            draw = self._uniform()
            if draw < clarity.orphan:
                began = env.now
                owned = self._next_meeting_or_standup(target, env.now)
                if owned > env.now:
                    yield env.timeout(owned - env.now)
                _charge(times, ORPHANED, env.now - began)
            elif draw < clarity.orphan + clarity.duplicate and effort:
                self.duplicate_work += effort  # a second member starts it too: wasted
                self._submit(target, effort, None)
        self.handoffs_delivered += 1
        deliver(handoff)

    def _leg(self, source: str, target: str) -> Journey:
        """One message from `source` to `target` over their channel; returns its component."""
        channel = self._channel(source, target)
        env = self.env
        sent = env.now
        self.legs_sent += 1
        if type(channel) is Ticket:
            yield from self._work(target, 0.0, channel.priority)
        elif type(channel) is Chat:
            yield from channel.wait(env, sent)
        else:
            arrival = channel.arrival(sent)
            if arrival is None:
                yield Event(env)  # never: still in transit at the horizon
            elif arrival > sent:
                yield env.timeout(arrival - sent)
        self.legs_delivered += 1
        if env.now >= self.ctx.warmup:
            self.legs_in_window += 1
            self._per_bin[int(env.now / self.ctx.bin_width)] += 1
            wait = self._waits.setdefault((source, target), [0.0, 0])
            wait[0] += env.now - sent
            wait[1] += 1
        return channel.component

    def round_trip(self, asker: str, asked: str) -> Journey:
        """A question from `asker` to `asked` and its answer back, over their channels (a
        flow's own questions, e.g. tech's about a feature; the caller charges the time)."""
        yield from self._leg(asker, asked)
        yield from self._leg(asked, asker)

    def answers_at_once(self, asker: str, asked: str) -> bool:
        """Whether a round trip between the two passes at once: no channel either way."""
        channels = self.spec.channels
        return channels is None or (channels.channel(asker, asked) is None
                                    and channels.channel(asked, asker) is None)

    def _work(self, team: str, effort: float, priority: int = 0) -> Journey:
        """A piece of `team`'s time; returns its task once done (when it began: `began`)."""
        done = Event(self.env)
        task = self._submit(team, effort, done, priority)
        yield done
        return task

    def _submit(self, team: str, effort: float, done: Event | None, priority: int = 0) -> Task:
        pool = self.ctx.pool(team)
        pool.ensure_priorities(priority + 1)
        load = self._load.get(team)
        if load is None:  # the team's overload check counts this work too (metrics/load.py)
            load = self._load[team] = [0, 0.0]
            pool.add_demand(lambda: Demand("collab", None, "hand-off checks", load[0], load[1]))
        if self.env.now >= self.ctx.warmup:
            load[0] += 1
            load[1] += effort
        task = Task(effort, priority, done)
        pool.submit(self._tasks, task)
        return task

    def _next_meeting_or_standup(self, team: str, now: float) -> float:
        times = [meeting.arrival(now) for meeting in self._meetings.get(team, [])]
        return min([self.clarity[team].next_standup(now), *times])

    # --- as a flow ---------------------------------------------------------------------------

    def start(self) -> None:
        pass

    def collect(self, now: float) -> FlowOutput:
        ctx = self.ctx
        days = (ctx.horizon - ctx.warmup) / DAY
        out = FlowOutput()
        m = out.metrics
        m["collab.messages_per_day"] = self.legs_in_window / days
        for source, target in self._reported:
            total, count = self._waits.get((source, target), (0.0, 0))
            name = f"collab.channel.{channel_key(source, target)}"
            m[f"{name}.wait.mean"] = safe_ratio(total, count)
            m[f"{name}.messages_per_day"] = count / days
        out.series["collab.messages"] = np.asarray(self._per_bin[: ctx.bins], dtype=float)
        on_shift = sum(pool.on_shift_level.integral(now) for pool in ctx.pools.values())
        m["collab.meeting_share"] = safe_ratio(self.meeting_time, on_shift)
        m["collab.rework_share"] = safe_ratio(self.wrong, self.wrong + self.handoffs_delivered)
        busy = sum(pool.busy_level.integral(now) for pool in ctx.pools.values())
        m["collab.duplicate_work_share"] = safe_ratio(self.duplicate_work, busy)
        if self.help is not None:
            m["collab.helped_per_day"] = self.help.helped / days
        if self.spec.trust is not None:
            for truster, trusted in trust_pairs(self.spec):
                name = f"trust.{channel_key(truster, trusted)}"
                m[f"{name}.mean"] = self.trust.mean(truster, trusted, now)
                m[f"{name}.final"] = self.trust.value(truster, trusted)
                m[f"{name}.outcome_mean"] = self.trust.outcome_mean(truster, trusted)
                out.series[name] = self.trust.series(truster, trusted, now)[: ctx.bins]
        in_flight = self.legs_sent - self.legs_delivered
        out.balances.append(Balance("collaboration messages", self.legs_sent,
                                    {"delivered": self.legs_delivered,
                                     "in flight": in_flight}))
        return out


def _charge(times: list[float] | None, component: str, minutes: float) -> None:
    if times is not None and minutes:
        times[COMPONENT_INDEX[component]] += minutes


def build_collaboration(ctx: Any) -> Collaboration | None:
    """The layer, when the scenario has channels, trust or a team with unclear roles."""
    return Collaboration(ctx) if collaboration_on(ctx.spec) else None


# --- declared metrics (sim/metrics/declare.py) -------------------------------------------

from sim.metrics.declare import DURATION, RATE, SHARE, Metric, declare  # noqa: E402
from sim.scenario.collab import reported_channel_pairs, reported_trust_pairs  # noqa: E402

_TRUST = "with a trust section"
_ON = "with channels, trust or a team's clarity below 1"
COLLAB_METRICS = declare("collab", [
    Metric("collab.messages_per_day", RATE, "messages between teams delivered per day "
           "(hand-offs, ask-backs and rework returns, each leg one message)", condition=_ON),
    Metric("collab.channel.<pair>.wait.mean", DURATION, "mean wait of a message on the "
           "channel from one team to another (FROM.TO), by delivery",
           values=reported_channel_pairs, condition="with channels, for pairs that hand "
           "work over"),
    Metric("collab.channel.<pair>.messages_per_day", RATE, "messages from one team to "
           "another (FROM.TO) delivered per day", values=reported_channel_pairs,
           condition="with channels, for pairs that hand work over"),
    Metric("collab.meeting_share", SHARE, "member time in meetings over member time on "
           "shift, all teams", condition=_ON),
    Metric("collab.rework_share", SHARE, "hand-offs found wrong and sent back, of all "
           "hand-offs received", condition=_ON),
    Metric("collab.duplicate_work_share", SHARE, "work started twice for lack of a clear "
           "owner, of all member work time", condition=_ON),
    Metric("collab.helped_per_day", RATE, "work items members took from another, "
           "overloaded team per day (help across teams)",
           when=lambda spec: spec.trust is not None and spec.trust.help is not None,
           condition="with trust.help"),
    Metric("trust.<pair>.mean", SHARE, "time-average trust of one team in what another "
           "sends (TRUSTER.TRUSTED; the truster may be a member with its own trust, "
           "trust.members)", values=reported_trust_pairs, condition=_TRUST),
    Metric("trust.<pair>.final", SHARE, "trust at the horizon (TRUSTER.TRUSTED)",
           values=reported_trust_pairs, condition=_TRUST),
    Metric("trust.<pair>.outcome_mean", SHARE, "mean trust met by the hand-offs' outcomes "
           "in the window (TRUSTER.TRUSTED): the stationary p gain / (p gain + (1 - p) loss) "
           "for success probability p, where the time average also weighs how long each "
           "value held", values=reported_trust_pairs, condition=_TRUST),
], active=collaboration_on, order=65)
