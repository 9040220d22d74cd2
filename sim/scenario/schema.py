"""Typed, frozen spec classes for scenario files: the reference of every key.

Shorthands (a bare rate for `arrivals`, `members` + `shift` for a team) are normalised by
before-validators, so model code always sees one shape. Cross-references between sections
(a team a flow names, an inquiry type another flow raises) are checked in `references.py`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator

from sim.calendar import ALWAYS, Shift
from sim.scenario.base import NAME_PATTERN, ArrivalsSpec, Spec
from sim.scenario.campaigns import CampaignsSpec
from sim.scenario.collab import ChannelsSpec, EscalationSpec, TrustSpec, meeting_teams
from sim.scenario.commerce import (
    CatalogSpec,
    ContactsSpec,
    CostsSpec,
    DeliverySpec,
    DemandSpec,
    FulfilmentSpec,
    SupplierSpec,
)
from sim.scenario.tech import SiteSpec, TechSpec
from sim.scenario.timeline import ChangeSpec, register_scaled_flow
from sim.scenario.types import (
    Clock,
    Count,
    Delay,
    Duration,
    Number,
    PositiveDuration,
    ShiftField,
    WorkTime,
)

TIMEZONE_PATTERN = r"^[+-](0\d|1[0-4]):[0-5]\d$"
GROUP_KEYS = ("members", "shift", "skills", "speed", "timezone", "name")


def _timezone_offset(value: object) -> float:
    """'+08:00' -> 480 minutes: the member's local clock runs that far ahead of time 0."""
    if not isinstance(value, str) or not re.match(TIMEZONE_PATTERN, value.strip()):
        raise ValueError(f"expected a time-zone offset like '+08:00' or '-05:30' (at most "
                         f"14 hours), got {value!r}")
    text = value.strip()
    minutes = int(text[1:3]) * 60 + int(text[4:6])
    return -minutes if text[0] == "-" else float(minutes)


TimezoneOffset = Annotated[float, BeforeValidator(_timezone_offset), WithJsonSchema(
    {"type": "string", "pattern": TIMEZONE_PATTERN, "examples": ["+08:00", "-05:00"],
     "description": "UTC offset of the members' local clock; shifts are read in it."})]


class MemberGroupSpec(Spec):
    """A group of members who share one shift, skills, speed and time zone."""

    members: Count = Field(ge=0, description="How many members work this shift.")
    shift: ShiftField = Field(ALWAYS, description="When they work (in their local time).")
    skills: tuple[Annotated[str, Field(pattern=NAME_PATTERN)], ...] = Field(
        (), description="Kinds of work they can do (work that asks for no skill: anyone).")
    speed: Number = Field(1.0, gt=0, description="Work rate: a task takes its work time "
                          "divided by speed (1 = as drawn).")
    timezone: TimezoneOffset = Field(0.0, description="Their UTC offset, e.g. '+08:00'; time "
                                     "0 is Monday 00:00 at +00:00.")
    name: str | None = Field(None, pattern=NAME_PATTERN,
                             description="A single member's name (only with members: 1).")

    @model_validator(mode="after")
    def _name_for_one(self) -> MemberGroupSpec:
        if self.name is not None and self.members != 1:
            raise ValueError(f"a name is for a single member: give members: 1 (got "
                             f"{self.members}) or drop 'name'")
        return self

    @property
    def plain(self) -> bool:
        """Interchangeable with any other plain member: no skills, speed 1."""
        return not self.skills and self.speed == 1.0


def _team_json_schema(schema: dict[str, Any]) -> None:
    """Document the `members` + `shift` shorthand that the before-validator accepts."""
    group = MemberGroupSpec.model_json_schema()["properties"]
    schema["properties"] = {**group, **schema["properties"]}
    schema.pop("required", None)
    schema["oneOf"] = [{"required": ["members"]}, {"required": ["shifts"]}]


class TeamSpec(Spec):
    """A team of members (agents). Give `members` and `shift`, or a list of `shifts`."""

    model_config = ConfigDict(json_schema_extra=_team_json_schema)

    shifts: tuple[MemberGroupSpec, ...] = Field(
        description="Member groups, each with its own shift (or give `members` and `shift`)."
    )
    cost_per_hour: Number = Field(0.0, ge=0, description="Staff cost per member-hour on shift.")
    routing: Literal["preference", "least_busy"] = Field(
        "preference", description="Which free member takes work: the first listed "
        "(preference) or the one busy least so far (least_busy).")
    clarity: Number = Field(1.0, ge=0, le=1, description="Role clarity: work handed to the "
                            "team has a clear owner (1) or may be duplicated or orphaned.")
    duplicate: Number = Field(0.5, ge=0, le=1, description="Work without a clear owner is "
                              "started twice with probability (1 - clarity) x duplicate.")
    orphan: Number = Field(0.5, ge=0, le=1, description="Work without a clear owner waits "
                           "for the team's next meeting or stand-up with probability "
                           "(1 - clarity) x orphan.")
    standup: Clock | None = Field(None, description="Daily stand-up in the members' local "
                                  "time (default: the first group's shift start, or 09:00).")

    @model_validator(mode="before")
    @classmethod
    def _one_group_shorthand(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        given = [key for key in GROUP_KEYS if key in data]
        if "shifts" in data:
            if given:
                raise ValueError(f"give either {', '.join(repr(k) for k in given)} for one "
                                 "group, or 'shifts', not both")
            return data
        data = dict(data)
        group = {"shift": data.pop("shift", "always")}
        for key in GROUP_KEYS[2:]:
            if key in data:
                group[key] = data.pop(key)
        if "members" in data:
            group["members"] = data.pop("members")
        elif not set(data) - set(cls.model_fields):
            raise ValueError("a team needs 'members' (how many) or 'shifts'")
        # else: leave 'members' missing, so a misspelt key is reported as unknown
        data["shifts"] = [group]
        return data

    @property
    def skills(self) -> frozenset[str]:
        """Every skill some member of the team has."""
        return frozenset(skill for group in self.shifts if group.members
                         for skill in group.skills)

    @property
    def plain(self) -> bool:
        """Members are interchangeable (no skills, speed 1): a counter can stand for them."""
        return all(group.plain for group in self.shifts)

    def group_labels(self) -> list[str]:
        """A label per group: the member's name, else its index in `shifts` (as --set)."""
        return [group.name or str(i) for i, group in enumerate(self.shifts)]

    @property
    def headcount(self) -> int:
        return sum(g.members for g in self.shifts)

    def mean_on_shift(self) -> float:
        """Members on shift, averaged over a week."""
        return sum(g.members * _shift_share(g.shift) for g in self.shifts)

    def mean_capacity(self) -> float:
        """Work the members on shift do per minute (at speed 1: one each), over a week."""
        return sum(g.members * g.speed * _shift_share(g.shift) for g in self.shifts)


def _shift_share(shift: Shift) -> float:
    if shift.always:
        return 1.0
    return shift.hours_per_day / 24.0 * len(shift.days) / 7.0


class InquiryTypeSpec(Spec):
    """One kind of customer inquiry; unset times fall back to the desk's defaults."""

    share: Number = Field(
        0.0, ge=0, le=1, description="Share of the desk's own arrivals (0 for types only raised "
        "by other flows, such as late deliveries)."
    )
    handle_time: WorkTime | None = Field(None, description="Time an agent spends on it.")
    patience: Delay | None = Field(
        None, description="How long the customer waits before giving up (none: waits forever)."
    )
    priority: Count = Field(1, ge=1, description="1 is answered first, then 2, and so on.")
    skill: str | None = Field(None, pattern=NAME_PATTERN, description="The skill a member "
                              "needs to answer it (none: any member of the team).")
    escalate: EscalationSpec | None = Field(None, description="Pass part of these inquiries "
                                            "to another team; its answer comes back over "
                                            "the channels as a follow-up.")
    unaware_factor: Number = Field(
        1.0, ge=1, description="Handle time multiplied by it for an inquiry an incident raised "
        "before support had tech's status update on it (the agent finds out what is wrong).")


class SupportSpec(Spec):
    """The customer support desk: inquiries answered by a team's members."""

    team: str = Field("support", description="The team whose members answer inquiries.")
    arrivals: ArrivalsSpec | None = Field(
        None, description="The desk's own inquiry stream (absent: only inquiries from other flows)."
    )
    handle_time: WorkTime | None = Field(None, description="Default handle time.")
    patience: Delay | None = Field(None, description="Default patience (none: no abandon).")
    service_level_target: Duration = Field(
        20 / 60, description="Answer within this time to count towards the service level."
    )
    inquiry_types: dict[str, InquiryTypeSpec] = Field(
        default_factory=dict, description="Kinds of inquiry with their shares and times."
    )
    preemption: Literal["none", "resume"] = Field(
        "none", description="resume: an inquiry of a strictly higher priority (lower number) "
        "interrupts one in hand when no member is free; the interrupted one is resumed later "
        "with its work done kept. none: work in hand is never interrupted.")

    def teams_used(self) -> set[str]:
        """The teams this flow puts to work (for the unused-team warning)."""
        return {self.team} | {t.escalate.to for t in self.inquiry_types.values()
                              if t.escalate is not None}

    def teams_preempting(self) -> set[str]:
        """The teams whose work in hand this flow may pre-empt (built as members)."""
        return {self.team} if self.preemption == "resume" else set()


register_scaled_flow("support", "inquiry arrivals (support.arrivals)",
                     lambda spec: spec.support is not None and spec.support.arrivals is not None)


class OutputSpec(Spec):
    """How results are binned for plots."""

    bin: PositiveDuration | None = Field(
        None, description="Width of the time bins of plotted series (default: chosen from horizon)."
    )


def _scenario_json_schema(schema: dict[str, Any]) -> None:
    """Document `extends`, which the loader resolves before validation."""
    extends = {"type": "string", "description": "A scenario file this one builds on (relative "
               "to this file): sections merge key by key, this file's values win."}
    schema["properties"] = {"extends": extends, **schema["properties"]}


class ScenarioSpec(Spec):
    """A scenario: the company's flows and teams, and how long and how often to run them."""

    model_config = ConfigDict(json_schema_extra=_scenario_json_schema)

    name: str = Field(pattern=NAME_PATTERN, description="Short name; results go to runs/<name>/.")
    description: str = Field("", description="One line shown by `orgsim list`.")
    horizon: PositiveDuration = Field(description="Simulated time of one replication, "
                                      "warm-up included.")
    warmup: Duration = Field(0.0, description="Initial time left out of the statistics.")
    replications: Count = Field(10, ge=1, description="Independent replications.")
    seed: Count = Field(0, ge=0, description="Master seed; every random stream derives from it.")
    teams: dict[str, TeamSpec] = Field(default_factory=dict, description="Teams by name.")
    support: SupportSpec | None = Field(None, description="Customer support (absent: off).")
    demand: DemandSpec | None = Field(None, description="Customers placing orders (absent: "
                                      "the commerce flows are off).")
    catalog: CatalogSpec | None = Field(None, description="Products: a list, or {generate: "
                                        "...} (absent: stock never limits orders).")
    suppliers: dict[str, SupplierSpec] = Field(default_factory=dict,
                                               description="Suppliers by name.")
    stockout: Literal["backorder", "lost"] = Field(
        "backorder", description="What happens to demand that finds no stock: it waits "
        "(backorder, filled first come first served) or the sale is lost.")
    fulfilment: FulfilmentSpec | None = Field(None, description="Warehouse stages (absent: "
                                              "orders skip fulfilment).")
    delivery: DeliverySpec | None = Field(None, description="Carriers (absent: orders are "
                                          "complete when fulfilled).")
    contacts: ContactsSpec | None = Field(None, description="Customers who contact support "
                                          "about stock-outs and late or failed deliveries.")
    site: SiteSpec | None = Field(None, description="The shop's web site: latency and "
                                  "conversion under load (absent: never limits orders).")
    tech: TechSpec | None = Field(None, description="The tech team: incidents, on-call, "
                                  "feature work and deploys (absent: off).")
    timeline: tuple[ChangeSpec, ...] = Field((), description="Changes over windows of time: "
                                             "rate factors, extra staff, supplier outages.")
    campaigns: CampaignsSpec = Field(default_factory=CampaignsSpec, description="Marketing's "
                                     "campaigns and the work they need from other teams.")
    costs: CostsSpec = Field(default_factory=CostsSpec, description="Cost rates.")
    currency: str = Field("", description="Label of money amounts, e.g. EUR.")
    output: OutputSpec = Field(default_factory=OutputSpec, description="Result options.")
    channels: ChannelsSpec | None = Field(None, description="How hand-offs travel between "
                                          "teams, per FROM->TO pair with a default (absent: "
                                          "passed directly).")
    trust: TrustSpec | None = Field(None, description="Trust between teams: verification, "
                                    "asking back, and how it moves (absent: full trust).")


def preempting_teams(spec: ScenarioSpec) -> set[str]:
    """Teams whose work pre-empts (built as members, not the counter). A section registers
    by having a method `teams_preempting()`, as `teams_used()` for the unused-team warning."""
    teams: set[str] = set()
    for name in type(spec).model_fields:
        if name == "channels":
            continue  # a default meeting channel names no team: resolved below
        report = getattr(getattr(spec, name), "teams_preempting", None)
        if report is not None:
            teams |= report()
    return teams | meeting_teams(spec)
