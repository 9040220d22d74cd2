"""Shared pieces of scenario specs: the strict frozen base class and arrival streams."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sim.calendar import RateProfile, daily_steps, weekly_weights
from sim.scenario.types import Number, Rate

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


class Spec(BaseModel):
    """Base of every spec: unknown keys are errors, values are frozen after loading."""

    # defer_build: the schemas are built once, at the first validation, instead of once per
    # class at import (and again inside each parent): a quarter of orgsim's start-up.
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True,
                              defer_build=True, allow_inf_nan=False)



def _arrivals_json_schema(schema: dict[str, Any]) -> None:
    """Document the shorthand: a bare rate (`arrivals: 120/h`) or the full section."""
    section = dict(schema)
    schema.clear()
    schema.update(anyOf=[section["properties"]["rate"], section],
                  title=section.get("title"), description=section.get("description"))


class ArrivalsSpec(Spec):
    """A Poisson arrival stream: a mean rate, optionally shaped by day and week profiles."""

    model_config = ConfigDict(json_schema_extra=_arrivals_json_schema)

    rate: Rate = Field(description="Mean arrival rate, e.g. 120/h (the profiles average to it).")
    daily_profile: dict[str, Number] | None = Field(
        None,
        description="Time-of-day weights as steps {'HH:MM': weight}; normalised to mean 1.",
    )
    weekly_profile: dict[str, Number] | None = Field(
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
