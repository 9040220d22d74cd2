"""Typed, frozen spec classes for scenario files: the reference of every key.

Shorthands (a bare rate for `arrivals`, `members` + `shift` for a team) are normalised by
before-validators, so model code always sees one shape. Cross-references between sections
(a team a flow names, an inquiry type another flow raises) are checked in `references.py`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sim.calendar import ALWAYS, RateProfile, Shift, daily_steps, weekly_weights
from sim.scenario.types import Duration, DurationDist, Rate, ShiftField

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


class Spec(BaseModel):
    """Base of every spec: unknown keys are errors, values are frozen after loading."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class MemberGroupSpec(Spec):
    """A group of members who share one shift."""

    members: int = Field(ge=0, description="How many members work this shift.")
    shift: ShiftField = Field(ALWAYS, description="When they work.")


class TeamSpec(Spec):
    """A team of members (agents). Give `members` and `shift`, or a list of `shifts`."""

    shifts: tuple[MemberGroupSpec, ...] = Field(
        description="Member groups, each with its own shift (or give `members` and `shift`)."
    )
    cost_per_hour: float = Field(0.0, ge=0, description="Staff cost per member-hour on shift.")

    @model_validator(mode="before")
    @classmethod
    def _one_group_shorthand(cls, data: Any) -> Any:
        if isinstance(data, dict) and ("members" in data or "shift" in data):
            if "shifts" in data:
                raise ValueError("give either 'members' and 'shift', or 'shifts', not both")
            data = dict(data)
            group = {"members": data.pop("members", None), "shift": data.pop("shift", "always")}
            if group["members"] is None:
                raise ValueError("a team needs 'members' (how many) or 'shifts'")
            data["shifts"] = [group]
        return data

    @property
    def headcount(self) -> int:
        return sum(g.members for g in self.shifts)

    def mean_on_shift(self) -> float:
        """Members on shift, averaged over a week."""
        return sum(g.members * _shift_share(g.shift) for g in self.shifts)


def _shift_share(shift: Shift) -> float:
    if shift.always:
        return 1.0
    return shift.hours_per_day / 24.0 * len(shift.days) / 7.0


class ArrivalsSpec(Spec):
    """A Poisson arrival stream: a mean rate, optionally shaped by day and week profiles."""

    rate: Rate = Field(description="Mean arrival rate, e.g. 120/h (the profiles average to it).")
    daily_profile: dict[str, float] | None = Field(
        None,
        description="Time-of-day weights as steps {'HH:MM': weight}; normalised to mean 1.",
    )
    weekly_profile: dict[str, float] | None = Field(
        None, description="Weekday weights {mon: 1.2, sun: 0.6}; unlisted days weigh 1."
    )

    @model_validator(mode="before")
    @classmethod
    def _rate_shorthand(cls, data: Any) -> Any:
        return {"rate": data} if isinstance(data, (str, int, float)) else data

    @field_validator("daily_profile")
    @classmethod
    def _check_daily(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        daily_steps(value)
        return value

    @field_validator("weekly_profile")
    @classmethod
    def _check_weekly(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        weekly_weights(value)
        return value

    def profile(self, multiplier: float = 1.0) -> RateProfile:
        return RateProfile(
            self.rate * multiplier,
            daily_steps(self.daily_profile),
            weekly_weights(self.weekly_profile),
        )


class InquiryTypeSpec(Spec):
    """One kind of customer inquiry; unset times fall back to the desk's defaults."""

    share: float = Field(
        0.0, ge=0, le=1, description="Share of the desk's own arrivals (0 for types only raised "
        "by other flows, such as late deliveries)."
    )
    handle_time: DurationDist | None = Field(None, description="Time an agent spends on it.")
    patience: DurationDist | None = Field(
        None, description="How long the customer waits before giving up (none: waits forever)."
    )
    priority: int = Field(1, ge=1, description="1 is answered first, then 2, and so on.")


class SupportSpec(Spec):
    """The customer support desk: inquiries answered by a team's members."""

    team: str = Field("support", description="The team whose members answer inquiries.")
    arrivals: ArrivalsSpec | None = Field(
        None, description="The desk's own inquiry stream (absent: only inquiries from other flows)."
    )
    handle_time: DurationDist | None = Field(None, description="Default handle time.")
    patience: DurationDist | None = Field(None, description="Default patience (none: no abandon).")
    service_level_target: Duration = Field(
        20 / 60, description="Answer within this time to count towards the service level."
    )
    inquiry_types: dict[str, InquiryTypeSpec] = Field(
        default_factory=dict, description="Kinds of inquiry with their shares and times."
    )


class OutputSpec(Spec):
    """How results are binned for plots."""

    bin: Duration | None = Field(
        None, description="Width of the time bins of plotted series (default: chosen from horizon)."
    )


class ScenarioSpec(Spec):
    """A scenario: the company's flows and teams, and how long and how often to run them."""

    name: str = Field(pattern=NAME_PATTERN, description="Short name; results go to runs/<name>/.")
    description: str = Field("", description="One line shown by `orgsim list`.")
    horizon: Duration = Field(description="Simulated time of one replication, warm-up included.")
    warmup: Duration = Field(0.0, description="Initial time left out of the statistics.")
    replications: int = Field(10, ge=1, description="Independent replications.")
    seed: int = Field(0, ge=0, description="Master seed; every random stream derives from it.")
    teams: dict[str, TeamSpec] = Field(default_factory=dict, description="Teams by name.")
    support: SupportSpec | None = Field(None, description="Customer support (absent: off).")
    output: OutputSpec = Field(default_factory=OutputSpec, description="Result options.")
