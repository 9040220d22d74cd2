"""The `site:` and `tech:` sections: the shop's web site, incidents and the tech team.

The site is a rate, not events: its state (load, latency, conversion) is recomputed when the
intended order rate or its capacity changes (sim/model/flows/site.py). Its curves and their
sources are in docs/site_and_tech.md:
- latency: the site as an M/M/c queue of `servers` workers, a visit's mean time in it
  `base_latency * (1 + C(c, a) / (c (1 - rho)))` (Erlang C; `servers: 1` gives the M/M/1
  curve `base / (1 - rho)`), saturated at the `timeout` (rho >= 1: every visit times out);
- conversion: log-linear between `conversion` anchor points (Portent 2019: 3% at 1 s, 1.7% at
  2 s, 1.1% at 5 s), below the first at `loss_per_100ms` (Kohavi & Longbotham: +100 ms cost
  Amazon about 1% of sales), beyond the last on its last slope; 0 at the timeout.

Cross-section checks (unknown dependencies, cycles, a site effect with no site) are in
`check_tech`, called by sim/scenario/references.py.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema, field_validator, model_validator

from sim.scenario.base import NAME_PATTERN, ArrivalsSpec, Spec
from sim.scenario.collab import register_handoff_pairs
from sim.scenario.errors import Problem
from sim.scenario.types import (
    Clock,
    Count,
    Delay,
    Duration,
    Number,
    NumberDist,
    PositiveDuration,
    Rate,
    Weekdays,
    WorkTime,
)
from sim.units import WEEK, parse_duration

SECOND = 1.0 / 60.0  # minutes
PORTENT_2019 = {"1s": 0.03, "2s": 0.017, "5s": 0.011}
_CITES = ("Portent 2019: about 3% at 1 s, 1.7% at 2 s, 1.1% at 5 s; Kohavi & Longbotham "
          "2007: +100 ms cost Amazon about 1% of sales")


class SiteSpec(Spec):
    """The shop's web site: visits come at `visits_per_order` x the intended order rate."""

    capacity: Rate = Field(gt=0, description="Visits per unit of time the site serves at full "
                           "load, e.g. 40000/h; incidents lower it, campaigns raise it.")
    visits_per_order: Number = Field(40.0, gt=0, description="Visits per intended order "
                                     "(1 / the conversion rate at the base latency).")
    servers: Count = Field(16, ge=1, description="Parallel workers of the site's queue "
                           "(M/M/c): latency stays near the base until load nears capacity; "
                           "1 gives the M/M/1 curve base / (1 - utilisation).")
    base_latency: PositiveDuration = Field(SECOND, description="Page latency of an idle "
                                           "site, e.g. 1s.")
    timeout: PositiveDuration = Field(30 * SECOND, description="Latency at which a visit "
                                      "gives up: a saturated site (utilisation >= 1) serves "
                                      "nothing that converts.")
    conversion: dict[str, Number] = Field(
        default_factory=lambda: dict(PORTENT_2019),
        description="Conversion at given latencies {latency: share}, joined log-linearly; "
        f"only ratios matter (default from {_CITES.split(';')[0]}).")
    loss_per_100ms: Number = Field(0.01, ge=0, lt=1, description="Share of conversion lost "
                                   "per +100 ms below the first conversion point (Kohavi & "
                                   "Longbotham 2007: about 1%).")
    load_threshold: Number = Field(0.8, ge=0, lt=1, description="Utilisation above which "
                                   "load incidents start (a severity's load_rate).")
    inquiries_per_lost_order: Number = Field(0.0, ge=0, description="site_issue inquiries "
                                             "raised per order the slow site loses.")

    @field_validator("conversion")
    @classmethod
    def _check_conversion(cls, value: dict[str, float]) -> dict[str, float]:
        if not value:
            raise ValueError("give at least one point {latency: conversion}")
        for key, share in value.items():
            if parse_duration(key) <= 0:
                raise ValueError(f"latency {key!r} must be above 0")
            if not 0 < share <= 1:
                raise ValueError(f"conversion at {key} must be in (0, 1], got {share}")
        return value

    @model_validator(mode="after")
    def _timeout_above_base(self) -> SiteSpec:
        if self.timeout <= self.base_latency:
            raise ValueError("timeout must be longer than base_latency")
        return self

    def conversion_points(self) -> list[tuple[float, float]]:
        """(latency in minutes, conversion), by latency."""
        return sorted((parse_duration(k), v) for k, v in self.conversion.items())

    def teams_used(self) -> set[str]:
        return set()


def _site_effect(value: Any) -> Any:
    if isinstance(value, str):
        if value.strip() == "down":
            return 0.0
        raise ValueError(f"expected 'down' or a factor from 0 to 1, got {value!r}")
    return value


SiteEffect = Annotated[Number | None, BeforeValidator(_site_effect), WithJsonSchema({
    "anyOf": [{"type": "number", "minimum": 0, "maximum": 1}, {"const": "down"},
              {"type": "null"}]})]


class SeveritySpec(Spec):
    """One severity of incident: where it comes from, how long it takes, what it does."""

    rate: Rate = Field(0.0, description="Background Poisson rate, e.g. 1/d.")
    load_rate: Rate = Field(0.0, description="Rate at full site load: above the site's "
                            "load_threshold the rate rises linearly from 0 to this at "
                            "utilisation 1 (and on beyond).")
    triage: WorkTime | None = Field(None, description="Engineer time before the fix "
                                    "(absent: none).")
    fix_time: WorkTime = Field(description="Engineer time to fix it, e.g. exp(2h).")
    second_engineer: bool = Field(False, description="The fix needs two engineers, both "
                                  "held from triage to fix.")
    site: SiteEffect = Field(None, description="Site capacity factor while open: 'down' (0) "
                             "or e.g. 0.5 (absent: no effect).")
    inquiries: Rate = Field(0.0, description="site_issue inquiries raised per open incident, "
                            "e.g. 10/h (needs a support section).")

    @field_validator("site")
    @classmethod
    def _a_factor(cls, value: float | None) -> float | None:
        if value is not None and not 0 <= value <= 1:
            raise ValueError(f"expected 'down' or a factor from 0 to 1, got {value:g}")
        return value


def _as_name(value: Any) -> Any:
    """A group label or member name as YAML may read it: 0 or 0.1 unquoted are numbers."""
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else value


MemberName = Annotated[str, BeforeValidator(_as_name)]


class OnCallSpec(Spec):
    """Who answers pages off shift, and how fast."""

    page: Delay | None = Field(None, description="Paging delay while members are on shift "
                               "(absent: none).")
    off_shift_page: Delay | None = Field(None, description="Paging delay when nobody is on "
                                         "shift: the on-call member is called in and works "
                                         "the incidents alone, one at a time (absent: as "
                                         "page).")
    rotation: tuple[MemberName, ...] = Field((), description="Who is on call, in turn: members of "
                                      "the team by name, or groups by label (a group's "
                                      "members in order) (absent: every member in turn).")
    every: PositiveDuration = Field(WEEK, description="How long each stays on call, e.g. 1w "
                                    "(the first from time 0).")


_REQUESTED_BY = ("The team that asks for this work (absent: nobody, it starts at tech): the "
                 "request travels to tech over the channel between them, and questions go "
                 "back to it.")
_QUESTIONS = ("Questions tech asks the requesting team while working an item, e.g. 2 or "
              "poisson(2) (rounded; needs requested_by): each is a round trip over the "
              "channels, at points spread over the effort, the item set aside meanwhile.")


_PRIORITY = ("Priority among feature items, 0 first (a work request's, e.g. a campaign page, "
             "is 0): orders the queue, never pre-empts; every feature item is below "
             "incidents.")


class FeaturesSpec(Spec):
    """A stream of feature requests."""

    arrivals: ArrivalsSpec = Field(description="Requests per unit of time, e.g. 6/w.")
    effort: WorkTime = Field(description="Engineer time per request (person-hours), "
                             "e.g. exp(16h).")
    deadline: PositiveDuration | None = Field(None, description="Due this long after the "
                                              "request (absent: never late).")
    priority: Count = Field(0, ge=0, le=9, description=_PRIORITY)
    requested_by: str | None = Field(None, pattern=NAME_PATTERN, description=_REQUESTED_BY)
    questions: NumberDist | None = Field(None, description=_QUESTIONS)


class WorkItemSpec(Spec):
    """A named, planned piece of work."""

    effort: WorkTime = Field(description="Engineer time, e.g. 40h.")
    at: Duration = Field(0.0, description="When it is requested (time since the start).")
    depends_on: tuple[str, ...] = Field((), description="Items deployed before it starts.")
    due: Duration | None = Field(None, description="When it is due (time since the start).")
    priority: Count = Field(0, ge=0, le=9, description=_PRIORITY)
    requested_by: str | None = Field(None, pattern=NAME_PATTERN, description=_REQUESTED_BY)
    questions: NumberDist | None = Field(None, description=_QUESTIONS)


class DeploysSpec(Spec):
    """When finished work is deployed, and how often a deploy fails."""

    days: Weekdays | None = Field(None, description="Deploy days, e.g. 'tue,thu' (absent: "
                                  "each item is deployed when finished).")
    at: Clock = Field(600.0, description="Time of day of the deploy on deploy days.")
    change_failure: Number = Field(0.0, ge=0, le=1, description="Probability that a deploy "
                                   "causes an incident (absent: deploys never fail).")
    severity: str | None = Field(None, pattern=NAME_PATTERN, description="The severity of "
                                 "the incident a failed deploy causes (default: the first).")


class TechSpec(Spec):
    """The tech team: incidents, on-call, feature work and deploys."""

    team: str = Field("tech", description="The team whose members do the work.")
    detect: Delay | None = Field(None, description="Monitoring delay from occurrence to "
                                 "detection (absent: none).")
    on_call: OnCallSpec = Field(default_factory=OnCallSpec, description="Paging.")
    incidents: dict[str, SeveritySpec] = Field(default_factory=dict,
                                               description="Severities by name (sev1, ...).")
    features: FeaturesSpec | None = Field(None, description="A stream of feature requests.")
    work: dict[str, WorkItemSpec] = Field(default_factory=dict,
                                          description="Planned work items by name.")
    deploys: DeploysSpec = Field(default_factory=DeploysSpec, description="Deploys.")

    @model_validator(mode="after")
    def _something(self) -> TechSpec:
        if not (self.incidents or self.features or self.work):
            raise ValueError("give incidents, features or work")
        return self

    def teams_used(self) -> set[str]:
        return {self.team}

    def teams_preempting(self) -> set[str]:
        """Incidents pre-empt feature work: the team is built as members."""
        return {self.team}

    @property
    def failure_severity(self) -> str | None:
        if self.deploys.severity is not None:
            return self.deploys.severity
        return next(iter(self.incidents), None)


def check_tech(spec: Any, unknown_name: Any) -> list[Problem]:
    """Cross-section problems of `site:` and `tech:` (spec is the ScenarioSpec)."""
    tech = getattr(spec, "tech", None)
    problems = _check_site_inquiries(spec)
    if tech is None:
        return problems
    if tech.team not in spec.teams:
        problems.append(Problem(unknown_name("team", tech.team, list(spec.teams)),
                                ("tech", "team")))
    team = spec.teams.get(tech.team)
    for name, severity in tech.incidents.items():
        if severity.second_engineer and team is not None and team.headcount < 2:
            problems.append(Problem(f"a second engineer needs a team of two or more (team "
                                    f"'{tech.team}' has {team.headcount})",
                                    ("tech", "incidents", name, "second_engineer")))
        if spec.site is None:
            for field, used in (("site", severity.site is not None),
                                ("load_rate", severity.load_rate > 0)):
                if used:
                    problems.append(Problem(
                        "a site effect needs a 'site' section (this scenario has none)",
                        ("tech", "incidents", name, field)))
        if severity.inquiries and spec.support is None:
            problems.append(Problem("site_issue inquiries need a 'support' section",
                                    ("tech", "incidents", name, "inquiries")))
    if team is not None and tech.incidents:
        problems += _check_rotation(tech.on_call.rotation, team, tech.team)
    failure = tech.failure_severity
    if tech.deploys.change_failure > 0:
        if failure is None:
            problems.append(Problem("a deploy failure needs a severity: add one under "
                                    "tech.incidents", ("tech", "deploys", "change_failure")))
        elif failure not in tech.incidents:
            problems.append(Problem(unknown_name("severity", failure, list(tech.incidents)),
                                    ("tech", "deploys", "severity")))
    for where, item in _requesting(tech):
        if item.requested_by is not None and item.requested_by not in spec.teams:
            problems.append(Problem(unknown_name("team", item.requested_by, list(spec.teams)),
                                    (*where, "requested_by")))
        if item.questions is not None and item.requested_by is None:
            problems.append(Problem("questions go to the team that requested the work: add "
                                    "requested_by", (*where, "questions")))
    for name, item in tech.work.items():
        for index, dependency in enumerate(item.depends_on):
            if dependency not in tech.work:
                problems.append(Problem(unknown_name("work item", dependency, list(tech.work)),
                                        ("tech", "work", name, "depends_on", index)))
    cycle = dependency_cycle({k: v.depends_on for k, v in tech.work.items()})
    if cycle:
        problems.append(Problem("dependencies run in a cycle: " + " -> ".join(cycle),
                                ("tech", "work", cycle[0], "depends_on")))
    return problems


def _requesting(tech: TechSpec) -> list[tuple[tuple[str, ...], Any]]:
    """(field path, spec) of the feature stream and every planned item."""
    items: list[tuple[tuple[str, ...], Any]] = []
    if tech.features is not None:
        items.append((("tech", "features"), tech.features))
    items += [(("tech", "work", name), item) for name, item in tech.work.items()]
    return items


def _request_pairs(spec: Any) -> set[tuple[str, str]]:
    """(requesting team, tech) and back, for feature work some team requests."""
    tech = getattr(spec, "tech", None)
    if tech is None:
        return set()
    return {pair for _where, item in _requesting(tech) if item.requested_by in spec.teams
            for pair in ((item.requested_by, tech.team), (tech.team, item.requested_by))}


register_handoff_pairs(_request_pairs)


def member_names(team: Any) -> list[str]:
    """The names of a team's members, as the model names them: a named member by name, the
    others `<group label>.<index>` (sim/model/org/team.py)."""
    return [name for label, group in zip(team.group_labels(), team.shifts, strict=True)
            for name in group_member_names(label, group)]


def group_member_names(label: str, group: Any) -> list[str]:
    return [group.name] if group.name else [f"{label}.{i}" for i in range(group.members)]


def rotation_names(tech: TechSpec, team: Any) -> list[str]:
    """The on-call rotation as member names, in turn (groups expanded; absent: everyone)."""
    if not tech.on_call.rotation:
        return member_names(team)
    groups = dict(zip(team.group_labels(), team.shifts, strict=True))
    names: list[str] = []
    for entry in tech.on_call.rotation:
        names += group_member_names(entry, groups[entry]) if entry in groups else [entry]
    return names


def _check_rotation(rotation: tuple[str, ...], team: Any, team_name: str) -> list[Problem]:
    known = member_names(team)
    labels = team.group_labels()
    problems = []
    for index, entry in enumerate(rotation):
        if entry not in known and entry not in labels:
            problems.append(Problem(f"'{entry}' is not a member or group of team "
                                    f"'{team_name}' (members: {', '.join(known[:8])}"
                                    f"{', ...' if len(known) > 8 else ''}; groups: "
                                    f"{', '.join(labels)})",
                                    ("tech", "on_call", "rotation", index)))
    if not rotation and not known:
        problems.append(Problem(f"team '{team_name}' has no member to be on call",
                                ("tech", "on_call", "rotation")))
    return problems


def _check_site_inquiries(spec: Any) -> list[Problem]:
    """site_issue inquiries need a handle time: their own type's or the desk's default."""
    support = spec.support
    raised = []
    if spec.site is not None and spec.site.inquiries_per_lost_order > 0:
        raised.append(("site", "inquiries_per_lost_order"))
    if spec.tech is not None:
        raised += [("tech", "incidents", name, "inquiries")
                   for name, sev in spec.tech.incidents.items() if sev.inquiries > 0]
    if not raised or support is None or support.handle_time is not None:
        return []
    kind = support.inquiry_types.get("site_issue")
    if kind is not None and kind.handle_time is not None:
        return []
    return [Problem("site_issue inquiries need a handle time: add support.inquiry_types."
                    "site_issue with a handle_time, or a support.handle_time", raised[0])]


def dependency_cycle(graph: dict[str, tuple[str, ...]]) -> list[str]:
    """A cycle among the items (first item repeated at the end), or [] when there is none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for node in graph:
        if node not in state:
            found = _find_cycle(graph, node, state, [])
            if found:
                return found
    return []


def _find_cycle(graph: dict[str, tuple[str, ...]], node: str, state: dict[str, int],
                path: list[str]) -> list[str]:
    """Depth first from `node` (a module function, not a closure: no reference cycle)."""
    state[node] = 1
    path.append(node)
    for nxt in graph.get(node, ()):
        if nxt not in graph:
            continue
        if state.get(nxt) == 1:
            return path[path.index(nxt):] + [nxt]
        if nxt not in state:
            found = _find_cycle(graph, nxt, state, path)
            if found:
                return found
    path.pop()
    state[node] = 2
    return []


def dependency_order(graph: dict[str, tuple[str, ...]]) -> list[str]:
    """The items, each after its dependencies (the graph has no cycle)."""
    order: list[str] = []
    seen: set[str] = set()
    for node in graph:
        _visit(graph, node, seen, order)
    return order


def _visit(graph: dict[str, tuple[str, ...]], node: str, seen: set[str],
           order: list[str]) -> None:
    if node in seen:
        return
    seen.add(node)
    for nxt in graph.get(node, ()):
        _visit(graph, nxt, seen, order)
    order.append(node)
