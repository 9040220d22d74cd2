"""The tech team: incidents (incidents.py), feature work and deploys, and the DORA measures.

Feature items come from three places: a stream of requests (`features`), named planned items
(`work`, each requested at its `at` and started once every item it depends on is deployed)
and work requests other teams send on `work.<team>` (a campaign's page; the contract of
sim/model/org/requests.py: `on_done` is called when the item is deployed). All are worked by
the team's members at a priority below incidents, pre-emptible: an incident takes the member
of the latest started item, which is resumed later with its effort done kept. Among feature
items, their own `priority` (0 first; a work request's) orders the queue, without pre-emption.

A finished item is deployed at once (no `deploys.days`), or with every item waiting at the
next deploy day's `at` time (one deploy for all of them). Each deploy fails with probability
`change_failure`: an incident of the deploys' severity.

Feature lead time runs from the request to the deploy, over the items deployed after the
warm-up (DORA's lead time for changes: the changes deployed in the period); its split is
queue (request to first start, dependencies included, and from each question's answer to a
member again), work (with a member), preempted (set aside by incidents), off_shift (set down
at a member's shift end until a member on shift takes it up: feature work is not worked
through the night) and deploy_wait (finished to deployed).

A stream or planned item with `requested_by` travels from that team to tech over the
channels (hand-off kind `tech.requested`; the way is collaboration, as a work request's);
with `questions` (a work request's: its `questions`, asked of its sender, e.g. a campaign
page's of marketing), its effort is handed to the pool in equal parts, and between parts the
item is set aside while the question makes its round trip (`Collaboration.round_trip`):
`ask_back`; once answered it waits for a member again like any queued item (`queue`: that
wait is the team's capacity, so answers that come back at once cost no collaboration time
even when the item was set aside). Without a channel between tech and the team asked (no
`channels:`, or none for the pair either way) the answer comes at once and the member goes
on: the item is not set aside, so it has no collaboration time.
"""

from __future__ import annotations

from array import array
from typing import Any

import numpy as np

from sim.metrics.load import Demand
from sim.metrics.output import Balance, FlowOutput, describe_durations, safe_ratio
from sim.metrics.records import OPEN, OPERATIONS, entity_kind
from sim.metrics.split import (
    ASK_BACK,
    COLLABORATION_COMPONENTS,
    COMPONENT_INDEX,
    MEETING,
    collaboration_tags,
    new_times,
    reported_components,
)
from sim.model.arrivals import ArrivalStream
from sim.model.context import Context
from sim.model.flows.incidents import (
    INCIDENT_COMPONENTS,
    INCIDENT_PRIORITY,
    INCIDENT_RECORDS,
    Incidents,
)
from sim.model.org.pool import utilisation, utilisation_series
from sim.model.org.requests import WorkRequest, question_count
from sim.model.wakeup import Wakeup, call_later
from sim.scenario.tech import TechSpec, dependency_order, rotation_names
from sim.units import DAY, WEEK

FEATURE_PRIORITY = INCIDENT_PRIORITY + 1
FEATURE_OPERATIONS = ("queue", "work", "preempted", "off_shift", "deploy_wait")
FEATURE_COMPONENTS = FEATURE_OPERATIONS + COLLABORATION_COMPONENTS
FEATURE_RECORDS = entity_kind(
    "features", "feature items",
    {**dict.fromkeys(FEATURE_OPERATIONS, OPERATIONS), **collaboration_tags()},
    ("deployed", OPEN),
    active=lambda spec: spec.tech is not None and bool(spec.tech.features or spec.tech.work),
    metrics="tech.feature")
STREAM, PLANNED, REQUEST = "stream", "planned", "request"
REQUESTED = "tech.requested"  # hand-off kind: a feature item a team requests of tech


class FeatureItem:
    """One item of feature work; `effort` is minutes of work at speed 1."""

    __slots__ = ("id", "name", "kind", "effort", "priority", "due", "created_at", "counted",
                 "in_queue", "started_at", "built_at", "deployed_at", "aside_at", "aside",
                 "off_at", "off", "request", "waiting_on", "dependents", "collab",
                 "by_meeting", "meeting", "left", "questions", "asked", "asked_at",
                 "answered_at", "requeued", "requested_by")

    def __init__(self, id: int, name: str, kind: str, effort: float, due: float | None,
                 now: float, counted: bool, request: WorkRequest | None = None,
                 priority: int = 0) -> None:
        self.id = id
        self.name = name
        self.kind = kind
        self.effort = effort
        self.priority = FEATURE_PRIORITY + priority  # always below incidents
        self.due = due
        self.created_at = now
        self.counted = counted
        self.in_queue = False
        self.started_at = self.built_at = self.deployed_at = self.aside_at = None
        self.aside = 0.0
        self.meeting = 0.0  # set aside by meetings (collaboration, not pre-emption)
        self.by_meeting = False  # the current set-aside is a meeting's
        self.off_at = None  # set down at a shift's end, waiting for a member on shift
        self.off = 0.0
        self.request = request
        self.waiting_on = 0
        self.dependents: list[FeatureItem] = []
        # a request's collaboration times on its way here (channel, verification, ...)
        self.collab = (list(request.collab_times) if request is not None
                       and request.collab_times is not None else None)
        self.left = effort  # not yet handed to a member (less with questions to come)
        self.questions = 0  # still to ask the requesting team
        self.asked = 0.0  # set aside on questions: their round trips
        self.asked_at: float | None = None
        self.answered_at: float | None = None  # the pending question's answer came back
        self.requeued = 0.0  # answered, waiting for a member again
        self.requested_by: str | None = None

    @property
    def collab_times(self) -> list[float] | None:
        """The channel's charge on the way here (sim/model/org/channels.py)."""
        return self.collab

    def split(self, now: float) -> tuple[float, ...]:
        """queue, work, preempted, off_shift, deploy_wait, then the collaboration components:
        so far (an open item) or in full. A request's lead time runs from its sending: its
        time on the way (all collaboration) is taken out of the queue."""
        aside, meeting = self.aside, self.meeting
        if self.aside_at is not None:
            if self.by_meeting:
                meeting += now - self.aside_at
            else:
                aside += now - self.aside_at
        off = self.off + (now - self.off_at if self.off_at is not None else 0.0)
        asked, requeued = self.asked, self.requeued
        if self.asked_at is not None:
            if self.answered_at is None:
                asked += now - self.asked_at
            else:
                asked += self.answered_at - self.asked_at
                requeued += now - self.answered_at
        collab = self.collab[:] if self.collab is not None else new_times()
        on_the_way = sum(collab)
        collab[COMPONENT_INDEX[MEETING]] += meeting
        collab[COMPONENT_INDEX[ASK_BACK]] += asked
        if self.started_at is None:
            return (now - self.created_at - on_the_way, 0.0, 0.0, 0.0, 0.0, *collab)
        queue = self.started_at - self.created_at - on_the_way + requeued
        built = self.built_at if self.built_at is not None else now
        deployed = self.deployed_at if self.deployed_at is not None else now
        return (queue, built - self.started_at - aside - meeting - off - asked - requeued,
                aside, off,
                deployed - built if self.built_at is not None else 0.0, *collab)


class Tech:
    """The tech flow: a pool handler for feature items, and the owner of the incidents."""

    def __init__(self, ctx: Context, spec: TechSpec) -> None:
        self.ctx = ctx
        self.env = ctx.env
        self.spec = spec
        self.pool = ctx.pool(spec.team)
        self.pool.ensure_priorities(FEATURE_PRIORITY + 1)
        self.incidents = Incidents(ctx, spec, self.pool)
        streams = ctx.streams
        features = spec.features
        self.arrivals = (ArrivalStream(ctx, features.arrivals.profile(),
                                       "tech.features.arrivals", self._request_feature)
                         if features else None)
        self._effort = (features.effort.sampler(streams.stream("tech.features.effort"))
                        if features else None)
        self._planned_effort = {name: item.effort.sampler(
            streams.stream(f"tech.work.{name}.effort")) for name, item in spec.work.items()}
        self._fails = ctx.uniform("tech.deploys.failure")
        self.items_all = 0
        self.deployed_all = 0
        self.built_all = 0
        self.open: dict[int, FeatureItem] = {}
        self.planned: dict[str, FeatureItem] = {}
        self._pending: list[FeatureItem] = []  # built, waiting for the deploy day
        self._deploy_scheduled = False
        self._later_dependents: dict[str, list[FeatureItem]] = {}
        self.on_the_way = 0  # requested items still travelling to tech
        self.asking = 0  # items set aside until their question is answered
        # the window's counts
        self.requested = 0
        self.effort_requested = 0.0
        self.deploys = self.failed_deploys = 0
        self.lead_times = array("d")
        self.split_sums = [0.0] * len(FEATURE_COMPONENTS)
        self.with_due = self.late = 0
        self.deploy_times: list[float] = []  # after warm-up
        self.deploys_per_bin = [0] * (ctx.bins + 1)
        self.records = ctx.record_log(FEATURE_RECORDS)
        self._questions = {name: item.questions.sampler(streams.stream(f"tech.{name}.questions"))
                           for name, item in self._requesting() if item.questions is not None}
        if any(item.requested_by for _name, item in self._requesting()):
            ctx.org.on(REQUESTED, self._arrived, target=spec.team)
        self.pool.add_demand(self.demand)

    # --- starting ---------------------------------------------------------------------------

    def start(self) -> None:
        self.incidents.start()
        if self.arrivals is not None:
            self.arrivals.start()
        for name in dependency_order({k: v.depends_on for k, v in self.spec.work.items()}):
            at = self.spec.work[name].at
            if at < self.ctx.horizon:
                call_later(self.env, at, self._request_planned, name)

    def _new(self, name: str, kind: str, effort: float, due: float | None, now: float,
             request: WorkRequest | None = None, priority: int = 0) -> FeatureItem:
        item = FeatureItem(self.items_all, name, kind, effort, due, now,
                           now >= self.ctx.warmup, request, priority)
        self.pool.ensure_priorities(item.priority + 1)
        self.items_all += 1
        self.open[item.id] = item
        if item.counted:
            self.requested += 1
            self.effort_requested += effort
        return item

    def _requesting(self) -> list[tuple[str, Any]]:
        """(name, spec) of the feature stream ('features') and the planned items."""
        named = [("features", self.spec.features)] if self.spec.features else []
        return named + [(f"work.{name}", item) for name, item in self.spec.work.items()]

    def _request_feature(self, now: float) -> None:
        spec = self.spec.features
        deadline = spec.deadline
        item = self._new("feature", STREAM, self._effort(), now + deadline if deadline else None,
                         now, priority=spec.priority)
        if spec.requested_by is None:
            self._submit(item)
        else:
            self._send(item, spec.requested_by, "features", now)

    def _request_planned(self, event: Wakeup) -> None:
        name = event._value
        spec = self.spec.work[name]
        item = self._new(name, PLANNED, self._planned_effort[name](), spec.due, self.env._now,
                         priority=spec.priority)
        self.planned[name] = item
        for waiting in self._later_dependents.pop(name, []):
            item.dependents.append(waiting)
        if spec.requested_by is None:
            self._wait_then_submit(item)
        else:
            self._send(item, spec.requested_by, f"work.{name}", self.env._now)

    def _wait_then_submit(self, item: FeatureItem) -> None:
        """A planned item waits for its dependencies, then joins the queue."""
        self._wait_for(item, self.spec.work[item.name].depends_on)
        if item.waiting_on == 0:
            self._submit(item)

    def _send(self, item: FeatureItem, team: str, name: str, now: float) -> None:
        """A requested item travels from its team over the channel; its questions are drawn
        now. Its time on the way is collaboration (`collab`), as a work request's."""
        item.requested_by = team
        item.collab = new_times()
        questions = self._questions.get(name)
        if questions is not None:
            item.questions = self._set_aside_for(question_count(questions), team)
        self.on_the_way += 1
        self.ctx.org.send(REQUESTED, item, team)

    def _arrived(self, item: FeatureItem, now: float) -> None:
        self.on_the_way -= 1
        if item.kind == PLANNED:
            self._wait_then_submit(item)
        else:
            self._submit(item)

    def _submit(self, item: FeatureItem) -> None:
        """Pre-emptible by incidents; among feature items the priority orders the queue."""
        self.pool.submit(self, item, preempt=True, queue_only=True)

    def _wait_for(self, item: FeatureItem, dependencies: tuple[str, ...]) -> None:
        """Make `item` wait until the planned items it depends on are deployed."""
        for dependency in dependencies:
            before = self.planned.get(dependency)
            if before is None or before.deployed_at is None:
                item.waiting_on += 1
                # told when the dependency is deployed; one requested later (a later `at`)
                # takes this item as its dependent when it is requested
                if before is not None:
                    before.dependents.append(item)
                else:
                    self._later_dependents.setdefault(dependency, []).append(item)

    def receive(self, request: WorkRequest, now: float) -> None:
        """A work request on `work.<team>` (the contract in sim/model/org/requests.py)."""
        item = self._new(request.name, REQUEST, request.effort, request.due,
                         request.created_at, request, request.priority)
        # a campaign page may wait for planned work (`after`); names tech does not plan are
        # the sender's own to wait for
        self._wait_for(item, tuple(n for n in request.after if n in self.spec.work))
        if request.questions:  # asked of the team that sent it
            item.requested_by = request.source
            item.questions = self._set_aside_for(request.questions, request.source)
        if item.waiting_on == 0:
            self._submit(item)

    def _set_aside_for(self, questions: int, asked: str) -> int:
        """The questions that set an item aside: all of them when a channel carries them
        between tech and the team asked; none without one (no collaboration layer, or no
        channel either way), where each answer comes at once and the member goes on (handing
        the item back to the pool would make it wait for a member: time no collaboration
        cost)."""
        collaboration = self.ctx.services.get("collaboration")
        if collaboration is None or collaboration.answers_at_once(self.spec.team, asked):
            return 0
        return questions

    # --- pool handler -----------------------------------------------------------------------

    def skill_of(self, item: FeatureItem) -> int:
        request = item.request
        return self.pool.skill_index(request.skill if request is not None else None)

    def begin(self, item: FeatureItem, now: float) -> float:
        if item.started_at is None:
            item.started_at = now
            if item.request is not None:
                item.request.started_at = now
        elif item.asked_at is not None:  # taken up again after a question's answer
            item.asked += item.answered_at - item.asked_at
            item.requeued += now - item.answered_at
            item.asked_at = item.answered_at = None
        if item.questions:  # work up to the next question: the effort split evenly
            part = item.left / (item.questions + 1)
            item.left -= part
            return part
        return item.left

    def preempted(self, item: FeatureItem, now: float) -> None:
        item.aside_at = now
        item.by_meeting = getattr(self.pool, "calling_away", False)

    def set_down(self, item: FeatureItem, now: float) -> None:
        """The member's shift ended: long work waits for the next member on shift."""
        item.off_at = now

    def resumed(self, item: FeatureItem, now: float) -> None:
        if item.off_at is not None:
            item.off += now - item.off_at
            item.off_at = None
        elif item.by_meeting:
            item.meeting += now - item.aside_at
            item.aside_at = None
        else:
            item.aside += now - item.aside_at
            item.aside_at = None

    def end(self, item: FeatureItem, now: float) -> None:
        if item.questions:
            self._ask(item, now)
            return
        item.built_at = now
        self.built_all += 1
        if item.request is not None and not item.request.change:
            self._deployed(item, now)  # an answer, not a change: done when built
            return
        if self.spec.deploys.days is None:
            self._deploy([item], now)
            return
        self._pending.append(item)
        if not self._deploy_scheduled:
            at = next_deploy(now, self.spec.deploys.days, self.spec.deploys.at)
            if at < self.ctx.horizon:
                self._deploy_scheduled = True
                call_later(self.env, at - now, self._deploy_day)

    # --- questions to the requesting team ------------------------------------------------

    def _ask(self, item: FeatureItem, now: float) -> None:
        """Set the item aside (the member takes other work) until the answer comes back
        (questions are asked only over a channel: `_set_aside_for`)."""
        item.questions -= 1
        item.asked_at = now
        self.asking += 1
        self.env.process(self._question(item, self.ctx.services["collaboration"]))

    def _question(self, item: FeatureItem, collaboration: Any) -> Any:
        yield from collaboration.round_trip(self.spec.team, item.requested_by)
        self.asking -= 1
        item.answered_at = self.env._now
        self._submit(item)  # waits for a member like any queued item (`queue`)

    # --- deploys ----------------------------------------------------------------------------

    def _deploy_day(self, _event: Wakeup) -> None:
        self._deploy_scheduled = False
        items, self._pending = self._pending, []
        self._deploy(items, self.env._now)

    def _deploy(self, items: list[FeatureItem], now: float) -> None:
        counted = now >= self.ctx.warmup
        failed = self._fails() < self.spec.deploys.change_failure
        if counted:
            self.deploys += 1
            self.failed_deploys += failed
            self.deploy_times.append(now)
            self.deploys_per_bin[int(now / self.ctx.bin_width)] += 1
        for item in items:
            self._deployed(item, now)
        if failed:
            self.incidents.occur(self.spec.failure_severity, "deploy", now)

    def _deployed(self, item: FeatureItem, now: float) -> None:
        item.deployed_at = now
        self.deployed_all += 1
        del self.open[item.id]
        split = item.split(now)
        # DORA's lead time for changes is over the changes deployed in the period: counted
        # by deploy, so items slower than what is left of the run are not cut off the sample
        if now >= self.ctx.warmup:
            self.lead_times.append(now - item.created_at)
            for i, part in enumerate(split):
                self.split_sums[i] += part
            if item.due is not None:
                self.with_due += 1
                self.late += now > item.due
        if self.records is not None:
            self.records.add(item.id, item.kind, item.created_at, now, "deployed", split)
        for waiting in item.dependents:
            waiting.waiting_on -= 1
            if waiting.waiting_on == 0:
                self._submit(waiting)
        if item.request is not None:
            request = item.request
            request.done_at = now
            if request.on_done is not None:
                request.on_done(request, now)

    # --- at the end -------------------------------------------------------------------------

    @property
    def completed_all(self) -> int:
        """Items deployed and incidents resolved, warm-up included."""
        return self.deployed_all + self.incidents.resolved_all

    def effort_account(self, now: float) -> list[tuple[float, float, float]]:
        """Per item (members at speed 1): (effort, time worked, effort remaining by the
        pool's work handle; 0 once built). Worked + remaining = effort for every item."""
        handles = {id(work.item): work for work in self._works()}
        rows = []
        for item in self.open.values():
            worked = item.split(now)[1]
            work = handles.get(id(item))
            if item.built_at is not None or item.started_at is None:
                remaining = 0.0 if item.built_at is not None else item.effort
            elif item.asked_at is not None:  # set aside on a question: the rest to do
                remaining = item.left
            else:  # the part handed to the pool, and what is left after its next question
                remaining = work.remaining + (item.left if item.questions else 0.0)
                if work.member is not None:  # in hand: less the progress since taken up
                    remaining -= (now - work.member.started_at) * work.member.speed
            rows.append((item.effort, worked, remaining))
        return rows

    def _works(self) -> list[Any]:
        """The pool's work handles of feature items, queued or in hand (members only)."""
        pool = self.pool
        works = list(pool._queued(self))
        works += [m.work for m in pool.members if m.work is not None and m.work.handler is self]
        return works

    def demand(self) -> Demand:
        return Demand("tech", "features", "feature items", self.requested,
                      self.effort_requested)

    def collect(self, now: float) -> FlowOutput:
        incidents = self.incidents
        incidents.close(now)
        open_items = list(self.open.values())
        if self.records is not None:
            for item in open_items:
                self.records.add(item.id, item.kind, item.created_at, None, OPEN,
                                 item.split(now))
        ctx = self.ctx
        span = now - ctx.warmup
        days = span / DAY
        out = FlowOutput()
        m = out.metrics
        spec = self.spec
        if spec.incidents:
            m["tech.incidents_per_day"] = sum(incidents.occurred.values()) / days
            restore = describe_durations("tech.incident.time_to_restore",
                                         incidents.restore_times)
            m["tech.incident.time_to_restore.mean"] = restore["tech.incident.time_to_restore.mean"]
            m["tech.incident.time_to_restore.p90"] = restore["tech.incident.time_to_restore.p90"]
            m["tech.on_call.pages_per_week"] = incidents.off_shift_pages / (span / WEEK)
            for name, pages in incidents.pages_by_member.items():
                m[f"tech.on_call.pages_per_week.{name}"] = pages / (span / WEEK)
            resolved = len(incidents.restore_times)
            for name, total in zip(INCIDENT_COMPONENTS, incidents.split_sums, strict=True):
                m[f"tech.incident.time_split.{name}"] = safe_ratio(total, resolved)
            for cause in incident_causes(spec):
                m[f"tech.incidents_by_cause.{cause}"] = incidents.by_cause[cause] / days
        if spec.features or spec.work or spec.team in ctx.work_targets:
            m["tech.deploys_per_week"] = self.deploys / (span / WEEK)
            m["tech.change_failure_share"] = safe_ratio(self.failed_deploys, self.deploys)
            lead = describe_durations("tech.feature_lead_time", self.lead_times)
            m["tech.feature_lead_time.mean"] = lead["tech.feature_lead_time.mean"]
            m["tech.feature_lead_time.p90"] = lead["tech.feature_lead_time.p90"]
            done = len(self.lead_times)
            for name, total in zip(FEATURE_COMPONENTS, self.split_sums, strict=True):
                m[f"tech.feature.time_split.{name}"] = safe_ratio(total, done)
            overdue = sum(1 for item in open_items
                          if item.due is not None and ctx.warmup <= item.due < now)
            m["tech.features_late_share"] = safe_ratio(self.late + overdue,
                                                       self.with_due + overdue)
        m["tech.utilisation"] = utilisation([self.pool], now)
        staff = utilisation_series([self.pool], now)
        out.series["tech.busy"] = staff["busy"]
        out.series["tech.utilisation"] = staff["utilisation"]
        out.series["tech.queue_length"] = self.pool.queue.series(now)
        bins = len(staff["busy"])
        for name, level in incidents.open_levels.items():
            out.series[f"tech.incidents_open.{name}"] = level.series(now)[:bins]
        if "tech.deploys_per_week" in m:
            out.series["tech.deploys"] = np.asarray(self.deploys_per_bin[:bins], dtype=float)
        out.samples["tech.incident.time_to_restore"] = np.asarray(incidents.restore_times)
        out.samples["tech.feature_lead_time"] = np.asarray(self.lead_times)
        out.balances += self._balances()
        return out

    def _balances(self) -> list[Balance]:
        incidents = self.incidents
        in_pool = self.pool.preempted_for(self)
        queued = self.pool.queued_for(self)
        blocked = sum(1 for item in self.open.values() if item.waiting_on > 0)
        built = sum(1 for item in self.open.values() if item.built_at is not None)
        asking, on_the_way = self.asking, self.on_the_way
        in_hand = len(self.open) - queued - in_pool - blocked - built - asking - on_the_way
        parts = {"deployed": self.deployed_all, "waiting to deploy": built,
                 "in hand": in_hand, "waiting": queued, "pre-empted, waiting": in_pool,
                 "waiting for dependencies": blocked}
        if asking or on_the_way:
            parts |= {"set aside on a question": asking, "on the way to tech": on_the_way}
        return [
            Balance("incidents", incidents.occurred_all,
                    {"resolved": incidents.resolved_all, "open": len(incidents.open)}),
            Balance("feature items", self.items_all, parts),
        ]


def next_deploy(now: float, days: frozenset[int], at: float) -> float:
    """The first deploy time at or after `now`: a day in `days` (0 = Monday) at `at`."""
    day = int(now // DAY)
    for d in range(day, day + 8):
        when = d * DAY + at
        if when >= now and d % 7 in days:
            return when
    raise ValueError("no deploy day in the week")


# --- declared metrics (sim/metrics/declare.py); one block, kept apart from the model code ---

from sim.metrics.declare import COUNT, DURATION, RATE, SHARE, Metric, declare  # noqa: E402


def _has_incidents(spec: Any) -> bool:
    return bool(spec.tech.incidents)


def _has_features(spec: Any) -> bool:
    """Feature items come: a stream, planned items, or work other flows send (campaigns'
    pages: a section of its own, so read by name)."""
    return bool(spec.tech.features or spec.tech.work or getattr(spec, "campaigns", None))


def _on_call_members(spec: Any) -> list[str]:
    """The members of the on-call rotation, each once, in turn (with incidents)."""
    if not spec.tech.incidents or spec.tech.team not in spec.teams:
        return []
    return list(dict.fromkeys(rotation_names(spec.tech, spec.teams[spec.tech.team])))


def incident_causes(spec: TechSpec) -> list[str]:
    """The sources of incidents the scenario has: background, load, deploy."""
    causes = []
    if any(s.rate > 0 for s in spec.incidents.values()):
        causes.append("background")
    if any(s.load_rate > 0 for s in spec.incidents.values()):
        causes.append("load")
    if spec.deploys.change_failure > 0:
        causes.append("deploy")
    return causes


_INC = "with incidents"
_FEAT = "with features or work"
_TTR = "occurrence to fix, incidents that occurred after warm-up"
_LEAD = "request to deploy, items deployed after warm-up"
TECH_METRICS = declare("tech", [
    Metric("tech.incidents_per_day", RATE, "incidents per day, every source",
           when=_has_incidents, condition=_INC),
    Metric("tech.incidents_by_cause.<cause>", RATE, "incidents per day from the source "
           "(background, load, deploy)", values=lambda spec: incident_causes(spec.tech),
           condition=_INC),
    Metric("tech.incident.time_to_restore.mean", DURATION, f"{_TTR}: mean (DORA)",
           when=_has_incidents, condition=_INC),
    Metric("tech.incident.time_to_restore.p90", DURATION, f"{_TTR}: 90th percentile",
           when=_has_incidents, condition=_INC),
    Metric("tech.on_call.pages_per_week", COUNT, "incidents paged off shift per week: the "
           "on-call member called in", when=_has_incidents, condition=_INC,
           unit="pages a week"),
    Metric("tech.on_call.pages_per_week.<member>", COUNT, "incidents paged off shift per "
           "week to the member (of the on-call rotation)", values=_on_call_members,
           condition=_INC, unit="pages a week"),
    Metric("tech.incident.time_split.<component>", DURATION, "mean time of a resolved "
           "incident in the component (detect, page, wait, fix, and the collaboration "
           "components: meeting is the wait for engineers in a meeting); they add up to its "
           "time to restore",
           values=lambda spec: (reported_components(INCIDENT_RECORDS, spec)
                                if spec.tech.incidents else ()),
           condition=_INC),
    Metric("tech.deploys_per_week", COUNT, "deploys per week (DORA deployment frequency)",
           when=_has_features, condition=_FEAT, unit="deploys a week"),
    Metric("tech.change_failure_share", SHARE, "deploys that caused an incident (DORA)",
           when=_has_features, condition=_FEAT),
    Metric("tech.feature_lead_time.mean", DURATION, f"{_LEAD}: mean (DORA lead time for "
           "changes)", when=_has_features, condition=_FEAT),
    Metric("tech.feature_lead_time.p90", DURATION, f"{_LEAD}: 90th percentile",
           when=_has_features, condition=_FEAT),
    Metric("tech.feature.time_split.<component>", DURATION, "mean time of a deployed item "
           "in the component (queue, work, preempted, off_shift, deploy_wait, and the "
           "collaboration components: a request's time on the way, meetings' set-asides, "
           "questions' waits); they "
           "add up to its lead time (from the request)",
           values=lambda spec: (reported_components(FEATURE_RECORDS, spec)
                                if _has_features(spec) else ()),
           condition=_FEAT),
    Metric("tech.features_late_share", SHARE, "items with a due time deployed after it "
           "(of those deployed after warm-up), or still open past it", when=_has_features,
           condition=_FEAT),
    Metric("tech.utilisation", SHARE, "busy member time of the tech team over on-shift time "
           "plus overtime (the on-call member's call-outs off shift included)"),
], active=lambda spec: spec.tech is not None, order=30)
