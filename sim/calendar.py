"""Simulated calendar: shifts, weekdays, time of day, rate profiles (pure; time in minutes).

Simulated time 0 is Monday 00:00. A shift is a daily block of hours on some weekdays;
an overnight shift (22:00-06:00) belongs to the day it starts on.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass

from sim.units import DAY, WEEK, UnitError, parse_clock

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_RANGE = re.compile(r"^\s*([a-z]{3})\s*-\s*([a-z]{3})\s*$")


def parse_weekdays(value: object) -> frozenset[int]:
    """'mon-fri', 'mon,wed,fri', 'sat-mon' (wraps), 'all', or a list of day names -> {0..6}."""
    if isinstance(value, (list, tuple)):
        parts = [str(v) for v in value]
    elif isinstance(value, str):
        text = value.strip().lower()
        if text in ("all", "every day", "daily"):
            return frozenset(range(7))
        parts = [p for p in text.split(",") if p.strip()]
    else:
        raise UnitError(f"expected weekdays like 'mon-fri' or [mon, wed], got {value!r}")
    days: set[int] = set()
    for part in parts:
        part = part.strip().lower()
        span = _DAY_RANGE.match(part)
        if span:
            first, last = (_day_index(d) for d in span.groups())
            day = first
            while True:
                days.add(day)
                if day == last:
                    break
                day = (day + 1) % 7
        else:
            days.add(_day_index(part))
    if not days:
        raise UnitError(f"expected at least one weekday, got {value!r}")
    return frozenset(days)


def _day_index(name: str) -> int:
    key = name.strip().lower()[:3]
    if key not in WEEKDAYS:
        raise UnitError(f"expected a weekday (mon, tue, wed, thu, fri, sat, sun), got {name!r}")
    return WEEKDAYS.index(key)


@dataclass(frozen=True)
class Shift:
    """Working hours: `start`/`end` in minutes since midnight, on `days` (0 = Monday).

    `start is None` means always on. `end <= start` is an overnight shift.
    """

    start: float | None = None
    end: float | None = None
    days: frozenset[int] = frozenset(range(7))

    @property
    def always(self) -> bool:
        return self.start is None

    @property
    def hours_per_day(self) -> float:
        if self.always:
            return 24.0
        length = (self.end - self.start) % DAY
        return (length or DAY) / 60.0

    def intervals(self, until: float) -> list[tuple[float, float]]:
        """On-shift intervals within [0, until], merged where they touch."""
        if self.always:
            return [(0.0, until)] if until > 0 else []
        length = (self.end - self.start) % DAY or DAY
        spans: list[tuple[float, float]] = []
        # Start one day early so an overnight shift that began on Sunday before time 0 counts.
        day = -1
        while day * DAY < until:
            if day % 7 in self.days:
                begin = day * DAY + self.start
                finish = begin + length
                lo, hi = max(begin, 0.0), min(finish, until)
                if hi > lo:
                    if spans and spans[-1][1] >= lo:
                        spans[-1] = (spans[-1][0], max(spans[-1][1], hi))
                    else:
                        spans.append((lo, hi))
            day += 1
        return spans

    def is_on(self, at: float) -> bool:
        if self.always:
            return True
        for lo, hi in self.intervals(at + DAY)[-3:]:
            if lo <= at < hi:
                return True
        return False


ALWAYS = Shift()
_HOURS = re.compile(r"^\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*(.*)$")


def parse_shift(value: object) -> Shift:
    """'always', '08:00-20:00', '08:00-20:00 mon-fri', or {hours: ..., days: 'mon-fri'}."""
    days: object = "all"
    if isinstance(value, dict):
        unknown = set(value) - {"hours", "days"}
        if unknown:
            raise UnitError(f"a shift has keys 'hours' and 'days', got {sorted(unknown)}")
        days = value.get("days", "all")
        value = value.get("hours", "always")
    if not isinstance(value, str):
        raise UnitError(f"expected a shift like 'always' or '08:00-20:00 mon-fri', got {value!r}")
    text = value.strip().lower()
    if text == "always":
        if days != "all":
            return Shift(0.0, 0.0, parse_weekdays(days))
        return ALWAYS
    match = _HOURS.match(text)
    if not match:
        raise UnitError(f"expected a shift like 'always' or '08:00-20:00 mon-fri', got {value!r}")
    start, end = parse_clock(match.group(1)), parse_clock(match.group(2))
    if match.group(3).strip():
        days = match.group(3).strip()
    if start == end:
        raise UnitError(f"a shift must not start and end at the same time, got {value!r}")
    return Shift(start % DAY, end % DAY, parse_weekdays(days))


@dataclass(frozen=True)
class RateProfile:
    """A piecewise-constant arrival rate over the week, normalised so its mean is `rate`.

    `daily` is a tuple of (start minute, weight) steps over one day; `weekly` seven day weights.
    Arrival times are generated by inverting the cumulative intensity: exact, and one
    exponential draw per arrival (no thinning).
    """

    rate: float  # mean rate per minute
    daily: tuple[tuple[float, float], ...] = ((0.0, 1.0),)
    weekly: tuple[float, ...] = (1.0,) * 7

    def __post_init__(self) -> None:
        starts: list[float] = []
        rates: list[float] = []
        day_mean = _mean_daily_weight(self.daily)
        week_mean = sum(self.weekly) / 7.0
        for day in range(7):
            for start, weight in self.daily:
                starts.append(day * DAY + start)
                rates.append(self.rate * weight / day_mean * self.weekly[day] / week_mean)
        cumulative = [0.0]
        for i, start in enumerate(starts):
            end = starts[i + 1] if i + 1 < len(starts) else WEEK
            cumulative.append(cumulative[-1] + rates[i] * (end - start))
        object.__setattr__(self, "_starts", starts)
        object.__setattr__(self, "_rates", rates)
        object.__setattr__(self, "_cumulative", cumulative)

    @property
    def constant(self) -> bool:
        return len(set(self._rates)) <= 1

    def rate_at(self, at: float) -> float:
        """Instantaneous rate per minute at time `at`."""
        return self._rates[bisect.bisect_right(self._starts, at % WEEK) - 1]

    def cumulative(self, at: float) -> float:
        """Expected number of arrivals in [0, at]."""
        weeks, offset = divmod(at, WEEK)
        i = bisect.bisect_right(self._starts, offset) - 1
        return (
            weeks * self._cumulative[-1]
            + self._cumulative[i]
            + self._rates[i] * (offset - self._starts[i])
        )

    def time_of(self, target: float) -> float:
        """Inverse of `cumulative`: the time at which `target` arrivals are expected."""
        per_week = self._cumulative[-1]
        weeks, rest = divmod(target, per_week)
        i = bisect.bisect_right(self._cumulative, rest) - 1
        i = min(i, len(self._rates) - 1)
        while self._rates[i] == 0.0:  # rest sits exactly on the start of a zero-rate step
            i += 1
        return weeks * WEEK + self._starts[i] + (rest - self._cumulative[i]) / self._rates[i]


def _mean_daily_weight(daily: tuple[tuple[float, float], ...]) -> float:
    total = 0.0
    for i, (start, weight) in enumerate(daily):
        end = daily[i + 1][0] if i + 1 < len(daily) else DAY
        total += weight * (end - start)
    return total / DAY


def daily_steps(profile: dict[str, float] | None) -> tuple[tuple[float, float], ...]:
    """{'00:00': 0.3, '08:00': 1.2, ...} -> sorted steps starting at midnight.

    Before the first listed time, the weight of the last step carries over from the night.
    """
    if not profile:
        return ((0.0, 1.0),)
    steps = sorted((parse_clock(k) % DAY, float(v)) for k, v in profile.items())
    for _, weight in steps:
        if not 0 <= weight < math.inf:
            raise UnitError(f"profile weights must be finite and >= 0, got {weight}")
    if steps[0][0] > 0:
        steps.insert(0, (0.0, steps[-1][1]))
    if all(w == 0 for _, w in steps):
        raise UnitError("a profile needs at least one positive weight")
    return tuple(steps)


def weekly_weights(profile: dict[str, float] | None) -> tuple[float, ...]:
    """{'mon': 1.2, 'sun': 0.6} -> seven weights (unlisted days weigh 1)."""
    if not profile:
        return (1.0,) * 7
    weights = [1.0] * 7
    for name, weight in profile.items():
        weight = float(weight)
        if not 0 <= weight < math.inf:
            raise UnitError(f"weekday weights must be finite and >= 0, got {weight}")
        weights[_day_index(str(name))] = weight
    if sum(weights) == 0:
        raise UnitError("a weekly profile needs at least one positive weight")
    return tuple(weights)
