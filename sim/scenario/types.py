"""Field types for scenario specs: parse strings with units once, at validation.

Each type is an `Annotated` float or object with a before-validator that does the parsing
and a JSON Schema fragment, so `orgsim schema` documents what the field accepts.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

from sim.calendar import Shift, parse_shift, parse_weekdays
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


# --------------------------------------------------------------------------- plain numbers
# pydantic's lax mode would read `members: yes` as 1 and `members: '7'` as 7; a scenario
# field never does: a count is a whole number (7 or 7.0), any other number is a number.


def _shown(value: object) -> str:
    """A value as the user wrote it in YAML: yes/no for booleans, quotes around text."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, str):
        return f"the text {value!r} (write a number without quotes)"
    return repr(value)


def whole_number(value: object) -> int:
    """A count: an integer, or a float with nothing after the point (numpy's too, for
    notebooks); never a bool or text."""
    if not isinstance(value, bool):
        if isinstance(value, numbers.Integral):
            return int(value)
        if isinstance(value, numbers.Real) and float(value).is_integer():
            if abs(float(value)) > EXACT_FLOAT_INTEGERS:  # 1e308 is no count anyone meant
                raise ValueError(f"expected a whole number, got {value!r}: a float this large "
                                 "is not a whole number exactly; write the digits")
            return int(value)
    raise ValueError(f"expected a whole number, got {_shown(value)}")


EXACT_FLOAT_INTEGERS = 2**53  # beyond it, floats skip whole numbers


def real_number(value: object) -> float:
    """A number: an integer or a float (numpy's too); never a bool or text."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"expected a number, got {_shown(value)}")
    return float(value)


Count = Annotated[int, BeforeValidator(whole_number)]
"""A whole number (members, replications, seeds, units...): 7 or 7.0, not yes or '7'."""
Number = Annotated[float, BeforeValidator(real_number)]
"""A number (shares, costs, weights): 0.5 or 2, not yes or '0.5'."""


# --------------------------------------------------------------------------- durations


def _positive_duration(value: object) -> float:
    minutes = parse_duration(value)
    if minutes <= 0:
        raise ValueError(f"must be longer than 0, got {value}")
    return minutes


Duration = Annotated[float, BeforeValidator(parse_duration), WithJsonSchema(_DURATION_SCHEMA)]
"""A duration that may be 0 (a warm-up, a target)."""
PositiveDuration = Annotated[
    float,
    BeforeValidator(_positive_duration),
    WithJsonSchema({**_DURATION_SCHEMA, "description": "A duration above 0: 15m, 4h, 2d."}),
]
"""A duration that must be above 0 (a horizon, a period, a promise)."""
Rate = Annotated[float, BeforeValidator(parse_rate), WithJsonSchema(_RATE_SCHEMA)]
Clock = Annotated[float, BeforeValidator(parse_clock), WithJsonSchema(_CLOCK_SCHEMA)]


# --------------------------------------------------------------------------- distributions
# A distribution field of durations is either a work time or a delay. Every distribution
# obeys sim/distributions' rule (only const may be always 0); on top of it a work time
# refuses a mean of 0 (nobody works for no time), while a delay may be 0 (no wait at all).


def _number_dist(value: object) -> Distribution:
    return parse_distribution(value, quantity="number")


def _delay(value: object) -> Distribution:
    return parse_distribution(value, quantity="duration")


def _work_time(value: object) -> Distribution:
    dist = parse_distribution(value, quantity="duration")
    if dist.mean <= 0:
        shown = value.strip() if isinstance(value, str) else dist.to_config()
        raise ValueError(f"is a work time and must take some time, got {shown}")
    return dist


def _dist_config(dist: Distribution) -> Any:
    return dist.to_config()


def _dist_schema(description: str) -> WithJsonSchema:
    return WithJsonSchema({**_DIST_SCHEMA, "description": f"{description} {_DIST_DESCRIPTION}"})


WorkTime = Annotated[
    Distribution,
    BeforeValidator(_work_time),
    PlainSerializer(_dist_config),
    _dist_schema("A work time (someone is busy for it): its mean must be above 0."),
]
"""Time someone spends working (a handle time, a time per order): mean above 0."""
Delay = Annotated[
    Distribution,
    BeforeValidator(_delay),
    PlainSerializer(_dist_config),
    _dist_schema("A delay (waiting, travelling): 0s is allowed."),
]
"""Time that passes without work (a lead time, a transit, patience): may be 0."""
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


def _weekdays(value: object) -> frozenset[int]:
    if not isinstance(value, str):
        raise ValueError(f"expected weekdays like 'mon-fri', 'mon,wed,fri' or 'all', got "
                         f"{_shown(value)}")
    return parse_weekdays(value)


Weekdays = Annotated[
    frozenset[int],
    BeforeValidator(_weekdays),
    WithJsonSchema({"type": "string", "examples": ["all", "mon-fri", "mon,wed,fri"]}),
]
"""Weekdays written 'mon-fri', 'mon,wed,fri' or 'all', parsed once to {0..6} (0 = Monday)."""


@dataclass(frozen=True)
class Cover:
    """A stock quantity given as time: that long of the product's expected demand."""

    minutes: float


def parse_quantity(value: object) -> int | Cover:
    """Units (a whole number >= 0, as for Count) or cover as a duration ('4d')."""
    expected = "expected units (a whole number) or days of cover like 4d"
    if isinstance(value, str) and not value.strip().lstrip("+-").isdigit():
        try:
            return Cover(parse_duration(value))
        except ValueError:
            raise ValueError(f"{expected}, got {value!r}") from None
    try:
        units = whole_number(value)
    except ValueError:
        raise ValueError(f"{expected}, got {_shown(value)}") from None
    if units < 0:
        raise ValueError(f"must not be negative, got {units}")
    return units


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
