"""Incidents: where they come from and their life, a SimPy process (a low-rate story).

Sources: a background Poisson stream per severity, the site's load hazard (`LOAD_INCIDENT`;
ignored while a load incident of that severity is open: the same overload) and failed
deploys (the tech flow calls `occur`). Every random quantity of an incident is drawn when it
occurs, each from its severity's own stream (common random numbers).

Life: occurrence (the site goes down or to reduced capacity, by severity, until the fix
ends) -> detection (`tech.detect`) -> a page (`on_call.page`; `off_shift_page` when nobody
of the team is on shift) -> an engineer (two with `second_engineer`), taken from the team's
pool at the top priority, pre-empting feature work -> triage and fix (at the engineers'
speed) -> resolved. Off shift the page goes to the member on call when it is sent (the
rotation's turn, `on_call.every` each), who is called in and works it alone (one incident at
a time, first come first served; overtime in the team's utilisation). Time to restore runs
from occurrence to resolution; its split is detect + page + wait + fix (fix includes triage)
+ meeting: the part of the wait for an engineer while members of the team were in a meeting
(the on-call member, off shift), the meeting tax, which is collaboration. An engineer on an
incident is never called away to a meeting (the pool never takes a grant), and no hand-off
between teams precedes an incident, so its other collaboration components are 0.

Tech tells support when it detects an incident and when it is fixed (`INCIDENT_STATUS`, over
the tech->support channel); the incident's inquiries come from customers, over no channel.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Generator
from typing import Any

from sim.calendar import RateProfile
from sim.metrics.level import Level
from sim.metrics.load import Demand
from sim.metrics.records import OPEN, OPERATIONS, entity_kind
from sim.metrics.split import (
    COLLABORATION_COMPONENTS,
    COMPONENT_INDEX,
    MEETING,
    collaboration_tags,
)
from sim.model.arrivals import ArrivalStream
from sim.model.context import Context
from sim.model.flows.shipments import CONTACT
from sim.model.flows.signals import (
    INCIDENT_STATUS,
    SITE_HEALTH,
    Contact,
    IncidentStatus,
    SiteHealth,
)
from sim.model.org.pool import PoolLevels
from sim.scenario.tech import TechSpec, rotation_names

INCIDENT_PRIORITY = 0  # above every feature item
CUSTOMERS = "customers"  # who raises an incident's inquiries: not a team, so no channel
INCIDENT_OPERATIONS = ("detect", "page", "wait", "fix")
# the collaboration components too: only `meeting` (the wait while engineers are in one)
INCIDENT_COMPONENTS = INCIDENT_OPERATIONS + COLLABORATION_COMPONENTS
WAIT = INCIDENT_OPERATIONS.index("wait")
MEETING_AT = len(INCIDENT_OPERATIONS) + COMPONENT_INDEX[MEETING]
CAUSES = ("background", "load", "deploy")
# `page` may later be partly collaboration (a channel to the on-call); operations for now
INCIDENT_RECORDS = entity_kind(
    "incidents", "incidents",
    {**dict.fromkeys(INCIDENT_OPERATIONS, OPERATIONS), **collaboration_tags()},
    ("resolved", OPEN), active=lambda spec: spec.tech is not None and bool(spec.tech.incidents),
    metrics="tech.incident")


class Incident:
    __slots__ = ("id", "severity", "cause", "occurred_at", "counted", "detect", "page",
                 "triage", "fix", "detected_at", "paged_at", "started_at", "resolved_at",
                 "off_shift", "away_clock", "away_mark", "meeting")

    def __init__(self, id: int, severity: str, cause: str, now: float, counted: bool) -> None:
        self.id = id
        self.severity = severity
        self.cause = cause
        self.occurred_at = now
        self.counted = counted
        self.detected_at = self.paged_at = self.started_at = self.resolved_at = None
        self.off_shift = False
        # the wait's meeting part: a clock of meeting time read when paged (`away_mark`) and
        # when an engineer starts (`meeting`: the difference)
        self.away_clock: Callable[[float], float] | None = None
        self.away_mark = 0.0
        self.meeting = 0.0

    def split(self, now: float) -> tuple[float, ...]:
        """detect, page, wait, fix and the collaboration components (meeting only): so far
        (an open incident) or in full."""
        marks = [self.occurred_at, self.detected_at, self.paged_at, self.started_at,
                 self.resolved_at]
        parts = []
        for lo, hi in zip(marks, marks[1:], strict=False):
            if lo is None:
                parts.append(0.0)
            else:
                parts.append((hi if hi is not None else now) - lo)
        parts += [0.0] * len(COLLABORATION_COMPONENTS)
        meeting = self.meeting
        if self.away_clock is not None and self.started_at is None:  # waiting still
            meeting = self.away_clock(now) - self.away_mark
        if meeting:
            parts[WAIT] -= meeting
            parts[MEETING_AT] = meeting
        return tuple(parts)


class _Severity:
    """A severity's samplers, drawn from its own streams."""

    def __init__(self, ctx: Context, name: str, tech: TechSpec) -> None:
        spec = tech.incidents[name]
        streams = ctx.streams
        self.spec = spec

        def sampler(dist: Any, part: str):
            return dist.sampler(streams.stream(f"tech.incidents.{name}.{part}")) if dist \
                else None

        self.detect = sampler(tech.detect, "detect")
        self.page = sampler(tech.on_call.page, "page")
        self.off_page = sampler(tech.on_call.off_shift_page or tech.on_call.page, "off_page")
        self.triage = sampler(spec.triage, "triage")
        self.fix = sampler(spec.fix_time, "fix")
        self.mean_work = (spec.fix_time.mean + (spec.triage.mean if spec.triage else 0.0)) \
            * (2 if spec.second_engineer else 1)


class Incidents:
    """The incidents of one tech team; `tech.py` owns it and reports its metrics."""

    def __init__(self, ctx: Context, tech: TechSpec, pool: PoolLevels) -> None:
        self.ctx = ctx
        self.env = ctx.env
        self.tech = tech
        self.pool = pool
        pool.ensure_priorities(INCIDENT_PRIORITY + 2)
        self.severities = {name: _Severity(ctx, name, tech) for name in tech.incidents}
        self.streams = [
            ArrivalStream(ctx, RateProfile(spec.rate), f"tech.incidents.{name}.arrivals",
                          self._background(name))
            for name, spec in tech.incidents.items() if spec.rate > 0]
        by_name = {member.name: member for member in pool.members}
        self.rotation = [by_name[name] for name in rotation_names(tech, ctx.spec.teams[tech.team])]
        self.pages_by_member = dict.fromkeys((m.name for m in self.rotation), 0)  # off shift
        self._inquiry_gap = ctx.streams.stream("tech.incidents.inquiries")
        self.occurred_all = 0
        self.resolved_all = 0
        self.occurred = dict.fromkeys(tech.incidents, 0)  # in the window, by severity
        self.by_cause = dict.fromkeys(CAUSES, 0)
        self.restore_times = array("d")
        self.split_sums = [0.0] * len(INCIDENT_COMPONENTS)
        self.off_shift_pages = 0
        self.inquiries_raised = 0
        # open incidents by severity over time (the run timeline's incident bars)
        self.open_levels = {name: Level(ctx.bin_width, ctx.bins) for name in tech.incidents}
        self.open: dict[int, Incident] = {}
        self.records = ctx.record_log(INCIDENT_RECORDS)
        pool.add_demand(self.demand)

    def demand(self) -> Demand:
        """The engineer time the window's incidents brought (the overload check)."""
        items = sum(self.occurred.values())
        work = sum(self.occurred[name] * sev.mean_work for name, sev in self.severities.items())
        return Demand("tech", "incidents", "incidents", items, work)

    def start(self) -> None:
        for stream in self.streams:
            stream.start()

    def _background(self, severity: str):
        def arrive(now: float) -> None:
            self.occur(severity, "background", now)
        return arrive

    def from_load(self, severity: str, now: float) -> None:
        """The site's load hazard struck (`LOAD_INCIDENT`): an incident, unless one of the
        severity raised by load is still open (the same overload, already being fixed)."""
        if any(i.cause == "load" and i.severity == severity for i in self.open.values()):
            return
        self.occur(severity, "load", now)

    def occur(self, severity: str, cause: str, now: float) -> Incident:
        incident = Incident(self.occurred_all, severity, cause, now, now >= self.ctx.warmup)
        sev = self.severities[severity]
        incident.detect = sev.detect() if sev.detect else 0.0
        incident.page = sev.page() if sev.page else 0.0
        off_page = sev.off_page() if sev.off_page else 0.0
        incident.page = (incident.page, off_page)
        incident.triage = sev.triage() if sev.triage else 0.0
        incident.fix = sev.fix()
        self.occurred_all += 1
        if incident.counted:
            self.occurred[severity] += 1
            self.by_cause[cause] += 1
        self.open[incident.id] = incident
        level = self.open_levels[severity]
        level.set(now, level.value + 1)
        self.env.process(self._life(incident, sev))
        if sev.spec.inquiries > 0:
            self.env.process(self._raise_inquiries(incident, sev.spec.inquiries))
        return incident

    # --- an incident's life ----------------------------------------------------------------

    def _life(self, incident: Incident, sev: _Severity) -> Generator:
        env = self.env
        org = self.ctx.org
        name = f"incident.{incident.id}"
        if sev.spec.site is not None:
            org.send(SITE_HEALTH, SiteHealth(name, sev.spec.site), "tech")
        yield env.timeout(incident.detect)
        incident.detected_at = env.now
        self._tell_support(incident, fixed=False)
        incident.off_shift = off_shift = self.pool.on_shift_level.value <= 0
        yield env.timeout(incident.page[1] if off_shift else incident.page[0])
        incident.paged_at = env.now
        work = incident.triage + incident.fix
        pool = self.pool
        if off_shift:  # the member on call when paged is called in, alone
            member = self.on_call_at(incident.detected_at)
            if env.now >= self.ctx.warmup:
                self.off_shift_pages += 1
                self.pages_by_member[member.name] += 1
            self._mark_away(incident, lambda now: pool.member_away_clock(member, now))
            grant = yield self.pool.call_in(member)
            self._started(incident)
            yield env.timeout(work if member.speed == 1.0 else work / member.speed)
            self.pool.release(grant)
        else:
            requests = [self.pool.request(priority=INCIDENT_PRIORITY, preempt=True)
                        for _ in range(2 if sev.spec.second_engineer else 1)]
            self._mark_away(incident, pool.away_clock)
            grants = list((yield env.all_of(requests)).values())
            self._started(incident)
            # at the engineers' pace: the mean speed of the members held
            speed = sum(grant.work.member.speed for grant in grants) / len(grants)
            yield env.timeout(work if speed == 1.0 else work / speed)
            for grant in grants:
                self.pool.release(grant)
        incident.resolved_at = now = env.now
        if sev.spec.site is not None:
            org.send(SITE_HEALTH, SiteHealth(name, None), "tech")
        self._tell_support(incident, fixed=True)
        self._resolved(incident, now)

    def _mark_away(self, incident: Incident, clock: Callable[[float], float]) -> None:
        incident.away_clock = clock
        incident.away_mark = clock(self.env.now)

    def _started(self, incident: Incident) -> None:
        """Engineers are on it: the wait's meeting part is known."""
        now = self.env.now
        incident.started_at = now
        incident.meeting = incident.away_clock(now) - incident.away_mark

    def _tell_support(self, incident: Incident, fixed: bool) -> None:
        """A status update to support (over the tech->support channel, when there is one)."""
        org = self.ctx.org
        if org.receives(INCIDENT_STATUS):
            org.send(INCIDENT_STATUS, IncidentStatus(incident.id, fixed), self.tech.team)

    def on_call_at(self, now: float) -> Any:
        """The member whose turn on call it is at `now`."""
        rotation = self.rotation
        return rotation[int(now // self.tech.on_call.every) % len(rotation)]

    def _resolved(self, incident: Incident, now: float) -> None:
        self.resolved_all += 1
        del self.open[incident.id]
        split = incident.split(now)
        if incident.counted:
            self.restore_times.append(now - incident.occurred_at)
            for i, part in enumerate(split):
                self.split_sums[i] += part
        level = self.open_levels[incident.severity]
        level.set(now, level.value - 1)
        if self.records is not None:
            self.records.add(incident.id, incident.severity, incident.occurred_at, now,
                             "resolved", split)

    def _raise_inquiries(self, incident: Incident, rate: float) -> Generator:
        """site_issue inquiries while the incident is open, a Poisson stream at `rate`."""
        env = self.env
        while True:
            yield env.timeout(self._inquiry_gap.exponential(1.0 / rate))
            if incident.resolved_at is not None:
                return
            self.inquiries_raised += 1
            self.ctx.org.send(CONTACT, Contact("site_issue", "incident", incident.id),
                              CUSTOMERS)

    # --- at the end ------------------------------------------------------------------------

    def close(self, now: float) -> None:
        """Record the incidents still open."""
        for incident in self.open.values():
            if self.records is not None:
                self.records.add(incident.id, incident.severity, incident.occurred_at, None,
                                 OPEN, incident.split(now))
