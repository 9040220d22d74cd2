"""Durations, rates and clock times written with units, converted to the simulation's unit.

The simulation clock counts MINUTES: every parsed duration is a float number of minutes and
every rate is a float per minute. Scenario files must always say which unit they mean, so a
bare number such as ``30`` is rejected rather than guessed.

Error messages are one line, meant to follow a "field path:" prefix shown to the user.
"""

from __future__ import annotations

import math
import re

__all__ = [
    "DAY",
    "HOUR",
    "MINUTE",
    "SECOND",
    "WEEK",
    "UnitError",
    "format_duration",
    "format_rate_per_day",
    "is_duration_unit",
    "parse_clock",
    "parse_duration",
    "parse_rate",
    "to_minutes",
]

# Sizes of the units, in minutes.
SECOND: float = 1.0 / 60.0
MINUTE: float = 1.0
HOUR: float = 60.0
DAY: float = 1440.0
WEEK: float = 10080.0

# Accepted spellings (matched case-insensitively). Seconds are kept apart because they
# convert by division, which is exact where multiplying by 1/60 may be off by one ulp.
_UNIT_WORDS: dict[str, str] = {}
for _canon, _words in {
    "s": ("s", "sec", "secs", "second", "seconds"),
    "m": ("m", "min", "mins", "minute", "minutes"),
    "h": ("h", "hr", "hrs", "hour", "hours"),
    "d": ("d", "day", "days"),
    "w": ("w", "wk", "wks", "week", "weeks"),
}.items():
    for _w in _words:
        _UNIT_WORDS[_w] = _canon
_MULTIPLIER = {"m": MINUTE, "h": HOUR, "d": DAY, "w": WEEK}

_DURATION_HINT = "expected a duration with a unit (45s, 15m, 4h, 2d, 1w)"
_RATE_HINT = "expected a rate with a unit (2/s, 3/m, 120/h, 2000/d, 50/w)"
_CLOCK_HINT = "expected a clock time HH:MM"

# No exponents, no underscores: scenario values are written by people, keep them plain.
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_DURATION_RE = re.compile(rf"\s*({_NUMBER})\s*([A-Za-z]+)\s*")
_RATE_RE = re.compile(rf"\s*({_NUMBER})\s*/\s*([A-Za-z]+)\s*")
_BARE_NUMBER_RE = re.compile(rf"\s*{_NUMBER}\s*")
_CLOCK_RE = re.compile(r"\s*(\d{1,2}):(\d{2})\s*")


class UnitError(ValueError):
    """A value that does not parse; the message says what was expected and what was given."""


def _show(value: object) -> str:
    """How a rejected value is quoted back to the user (the YAML text, not Python's repr)."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, str):
        # Quote only when plain text would hide something (empty, surrounding blanks).
        return value if value and value.strip() == value else repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"  # YAML spelling: yes/true both arrive as True
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def is_duration_unit(word: str) -> bool:
    """True if ``word`` names a duration unit (s, sec, seconds, m, min, h, hours, d, w, ...)."""
    return isinstance(word, str) and word.strip().lower() in _UNIT_WORDS


def to_minutes(number: float, unit: str) -> float:
    """Convert ``number`` expressed in ``unit`` (any accepted spelling) to minutes."""
    canon = _UNIT_WORDS.get(unit.strip().lower()) if isinstance(unit, str) else None
    if canon is None:
        raise UnitError(f"expected a unit (s, m, h, d, w), got {_show(unit)}")
    if canon == "s":
        return float(number) / 60.0
    return float(number) * _MULTIPLIER[canon]


def _require_text(value: object, hint: str) -> str:
    # Numbers are refused on purpose (a bare 30 has no unit); bool is checked by the same test.
    if not isinstance(value, str):
        raise UnitError(f"{hint}, got {_show(value)}")
    return value


def _finite_non_negative(result: float, number: float, value: str, hint: str) -> float:
    if number < 0:
        raise UnitError(f"must not be negative, got {_show(value)}")
    if not math.isfinite(result):
        raise UnitError(f"{hint}, got a number too large: {_show(value)}")
    return result + 0.0  # turns "-0m" into +0.0


def parse_duration(value: object) -> float:
    """Parse a duration with a unit ("45s", "15m", "1.5h", "2d", "1w", "90 s") into minutes."""
    value = _require_text(value, _DURATION_HINT)
    match = _DURATION_RE.fullmatch(value)
    if match is None or not is_duration_unit(match.group(2)):
        raise UnitError(f"{_DURATION_HINT}, got {_show(value)}")
    number = float(match.group(1))
    return _finite_non_negative(to_minutes(number, match.group(2)), number, value, _DURATION_HINT)


def parse_rate(value: object) -> float:
    """Parse a rate with a unit ("2/s", "3/m", "120/h", "2000/d", "50/w") into events per minute."""
    value = _require_text(value, _RATE_HINT)
    match = _RATE_RE.fullmatch(value)
    if match is None or not is_duration_unit(match.group(2)):
        raise UnitError(f"{_RATE_HINT}, got {_show(value)}")
    number = float(match.group(1))
    canon = _UNIT_WORDS[match.group(2).lower()]
    # Per second is multiplied (x60), the others divided: each is the exact operation.
    per_minute = number * 60.0 if canon == "s" else number / _MULTIPLIER[canon]
    return _finite_non_negative(per_minute, number, value, _RATE_HINT)


def parse_clock(value: object) -> float:
    """Parse a clock time "HH:MM" (00:00 to 24:00) into minutes since midnight."""
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads an unquoted 9:30 as the sexagesimal integer 570: ask for quotes.
        raise UnitError(f'{_CLOCK_HINT} in quotes ("09:30"), got the number {value}')
    value = _require_text(value, _CLOCK_HINT)
    match = _CLOCK_RE.fullmatch(value)
    if match is None:
        raise UnitError(f"{_CLOCK_HINT}, got {_show(value)}")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes != 0):
        raise UnitError(f"{_CLOCK_HINT} between 00:00 and 24:00, got {_show(value)}")
    return float(hours * 60 + minutes)


def _significant(x: float) -> str:
    """2-3 significant digits for a non-negative number, never in exponent form above 1."""
    if x >= 100:
        return f"{x:,.0f}"
    if x >= 10:
        return f"{x:.0f}"
    if x >= 1:
        text = f"{x:.1f}"
        return text[:-2] if text.endswith(".0") else text
    return f"{x:.2g}"


# (name, size in minutes, value at which the next unit takes over)
_DISPLAY_UNITS = (("s", SECOND, 60.0), ("min", MINUTE, 60.0), ("h", HOUR, 24.0), ("d", DAY, None))


def format_duration(minutes: float) -> str:
    """Readable duration: "0.35 s", "42 s", "3.1 min", "45 min", "3.1 h", "2.4 d"."""
    try:
        x = float(minutes)
    except (TypeError, ValueError):
        return str(minutes)
    if math.isnan(x):
        return "nan"
    if x < 0:
        return "-" + format_duration(-x)
    if math.isinf(x):
        return "inf"
    if x == 0:
        return "0 s"
    bumped = False
    for name, size, limit in _DISPLAY_UNITS:
        value = x / size
        if limit is not None and value >= limit:
            continue
        # 59.97 s rounds to "60 s": say "1 min" instead, not "0.99 min".
        text = _significant(max(value, 1.0) if bumped else value)
        if limit is not None and float(text.replace(",", "")) >= limit:
            bumped = True
            continue
        return f"{text} {name}"
    raise AssertionError("unreachable: days have no upper limit")


def format_rate_per_day(per_minute: float) -> str:
    """Readable daily rate from a per-minute rate: 2.0 -> "2,880 /d"."""
    try:
        x = float(per_minute) * DAY
    except (TypeError, ValueError):
        return f"{per_minute} /d"
    if math.isnan(x):
        return "nan /d"
    sign = "-" if x < 0 else ""
    x = abs(x)
    if math.isinf(x):
        return f"{sign}inf /d"
    return f"{sign}{_significant(x) if x else '0'} /d"
