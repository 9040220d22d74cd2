"""Field types for scenario specs: parse strings with units once, at validation.

Each type is an `Annotated` float or object with a before-validator that does the parsing
and a JSON Schema fragment, so `orgsim schema` documents what the field accepts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

from sim.calendar import Shift, parse_shift
from sim.distributions import Distribution, parse_distribution
from sim.units import parse_clock, parse_duration, parse_rate

# What parse_duration and parse_rate accept (every unit spelling), so editors flag nothing
# that loads.
_NUMBER = r"(\d+(\.\d*)?|\.\d+)"
_UNIT = r"(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?)"
_DURATION_SCHEMA = {
    "type": "string",
    "pattern": rf"^\s*{_NUMBER}\s*{_UNIT}\s*$",
    "description": "A duration with a unit: 45s, 15m, 4h, 2d, 1w.",
    "examples": ["45s", "15m", "4h", "2d"],
}
_RATE_SCHEMA = {
    "type": "string",
    "pattern": rf"^\s*{_NUMBER}\s*/\s*{_UNIT}\s*$",
    "description": "A rate with a unit: 2/s, 3/m, 120/h, 2000/d, 50/w.",
    "examples": ["120/h", "2000/d"],
}
_CLOCK_SCHEMA = {
    "type": "string",
    "pattern": r"^\d{1,2}:\d{2}$",
    "description": "A clock time HH:MM.",
}
_DIST_DESCRIPTION = (
    "A distribution: exp(MEAN), const(X), uniform(A, B), normal(MEAN, SD), "
    "lognormal(MEAN, SD), gamma(MEAN, SD), triangular(MIN, MODE, MAX), empirical(FILE.csv), "
    "or the long form {dist: lognormal, mean: 2h, sd: 1h}."
)
_DIST_SCHEMA = {
    "anyOf": [
        {"type": "string", "examples": ["exp(3m)", "lognormal(2h, 1h)", "const(90s)"]},
        {
            "type": "object",
            "properties": {"dist": {"type": "string"}},
            "required": ["dist"],
        },
    ],
    "description": _DIST_DESCRIPTION,
}
_SHIFT_SCHEMA = {
    "anyOf": [
        {"type": "string", "examples": ["always", "08:00-20:00", "22:00-06:00 mon-fri"]},
        {
            "type": "object",
            "properties": {"hours": {"type": "string"}, "days": {"type": "string"}},
            "additionalProperties": False,
        },
    ],
    "description": "Working hours: 'always', '08:00-20:00', optionally with weekdays "
    "('08:00-16:00 mon-fri'); an overnight shift (22:00-06:00) belongs to its start day.",
}


def _number_dist(value: object) -> Distribution:
    return parse_distribution(value, quantity="number")


def _duration_dist(value: object) -> Distribution:
    return parse_distribution(value, quantity="duration")


def _dist_config(dist: Distribution) -> Any:
    return dist.to_config()


Duration = Annotated[float, BeforeValidator(parse_duration), WithJsonSchema(_DURATION_SCHEMA)]
Rate = Annotated[float, BeforeValidator(parse_rate), WithJsonSchema(_RATE_SCHEMA)]
Clock = Annotated[float, BeforeValidator(parse_clock), WithJsonSchema(_CLOCK_SCHEMA)]
DurationDist = Annotated[
    Distribution,
    BeforeValidator(_duration_dist),
    PlainSerializer(_dist_config),
    WithJsonSchema(_DIST_SCHEMA),
]
NumberDist = Annotated[
    Distribution,
    BeforeValidator(_number_dist),
    PlainSerializer(_dist_config),
    WithJsonSchema(
        {
            "anyOf": [{"type": "number"}, {"type": "string"}, {"type": "object"}],
            "description": "A count: a number, or a distribution such as poisson(1.5), "
            "geometric(2), uniform(1, 4), empirical(FILE.csv).",
        }
    ),
]
ShiftField = Annotated[Shift, BeforeValidator(parse_shift), WithJsonSchema(_SHIFT_SCHEMA)]


@dataclass(frozen=True)
class Cover:
    """A stock quantity given as time: that long of the product's expected demand."""

    minutes: float


def parse_quantity(value: object) -> int | Cover:
    """Units (a whole number >= 0) or cover as a duration ('4d')."""
    if isinstance(value, bool):
        raise ValueError(f"expected units (a whole number) or days of cover like 4d, got {value}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"must not be negative, got {value}")
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit():
            return parse_quantity(int(text))
        try:
            return Cover(parse_duration(text))
        except ValueError:
            pass
    raise ValueError(f"expected units (a whole number) or days of cover like 4d, got {value!r}")


def _quantity_config(value: int | Cover) -> Any:
    return value if isinstance(value, int) else f"{value.minutes / 1440:g}d"


Quantity = Annotated[
    Any,
    BeforeValidator(parse_quantity),
    PlainSerializer(_quantity_config),
    WithJsonSchema({
        "anyOf": [{"type": "integer", "minimum": 0}, {"type": "string"}],
        "description": "Units, or a duration meaning that long of the product's expected "
        "demand (days of cover), e.g. 4d.",
    }),
]
