"""The points of a sweep: `--vary KEY=SPEC` parsed, and a design (grid, Latin hypercube, one
at a time) that turns the specs into points.

A SPEC is a range `4:12:2` (both ends included), a list `a,b,c`, or a continuous interval
`lo..hi` (Latin hypercube only). Values keep their unit (`15m..45m`, `30/h..90/h`): the number
part is parsed, the unit written back after it, and the scenario validates each point's value
as it validates a `--set`. A point is {key: value text}, the text being what `--set KEY=`
would be given; `number` reads back the number a table and a plot show.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

DESIGNS = ("grid", "lhs", "oat")
# a number, then a unit (`m`, `/h`, `min`, `%`...) or nothing
_VALUE = re.compile(r"^\s*([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)\s*(\S*?)\s*$")
_RANGE_STEPS_CAP = 10_000  # a range with more values than this is a typo, not a sweep


class DesignError(ValueError):
    """A --vary or design the user wrote wrongly; the message is one line naming it."""


@dataclass(frozen=True)
class Vary:
    """One --vary: the key path, the spec as written, and its values (discrete) or its ends
    (continuous)."""

    key: str
    text: str  # the SPEC as written
    values: tuple[str, ...] = ()  # discrete: each as `--set KEY=` takes it
    low: float | None = None  # continuous
    high: float | None = None
    unit: str = ""
    integer: bool = False  # continuous between integers without a point or unit: integers

    @property
    def continuous(self) -> bool:
        return self.low is not None

    @property
    def flag(self) -> str:
        return f"--vary {self.key}={self.text}"


def parse_vary(text: str) -> Vary:
    """`KEY=SPEC` -> Vary; DesignError naming the --vary when it is written wrongly."""
    key, sep, spec = text.partition("=")
    key, spec = key.strip(), spec.strip()
    if not sep or not key or not spec:
        raise DesignError(f"--vary {text}: expected KEY=SPEC, e.g. teams.support.members=4:12:2,"
                          " a list a,b,c, or an interval 15m..45m")
    where = f"--vary {key}={spec}"
    if ".." in spec:
        low_text, _, high_text = spec.partition("..")
        (low, unit), (high, high_unit) = _number(low_text, where), _number(high_text, where)
        if unit != high_unit:
            raise DesignError(f"{where}: both ends need the same unit, got {unit or 'none'!r} "
                              f"and {high_unit or 'none'!r}")
        if not low < high:
            raise DesignError(f"{where}: the low end must be below the high end")
        # integers written without a point or unit (team sizes): integer points
        integer = not unit and _is_integer_text(low_text) and _is_integer_text(high_text)
        return Vary(key, spec, low=low, high=high, unit=unit, integer=integer)
    if ":" in spec and "," not in spec:
        return Vary(key, spec, values=_range(spec, where))
    values = tuple(v.strip() for v in spec.split(","))
    if any(not v for v in values):
        raise DesignError(f"{where}: a list needs a value between every two commas")
    if len(set(values)) != len(values):
        raise DesignError(f"{where}: a value appears twice in the list")
    return Vary(key, spec, values=values)


def _number(text: str, where: str) -> tuple[float, str]:
    match = _VALUE.match(text)
    if not match:
        raise DesignError(f"{where}: expected a number with its unit, e.g. 15m, got {text!r}")
    value = float(match.group(1))
    if not math.isfinite(value):
        raise DesignError(f"{where}: {text!r} is not a finite number")
    return value, match.group(2)


def _is_integer_text(text: str) -> bool:
    match = _VALUE.match(text)
    return bool(match) and re.fullmatch(r"[+-]?[0-9]+", match.group(1)) is not None


def _range(spec: str, where: str) -> tuple[str, ...]:
    parts = spec.split(":")
    if len(parts) != 3:
        raise DesignError(f"{where}: a range is START:STOP:STEP, e.g. 4:12:2")
    (start, unit), (stop, stop_unit), (step, step_unit) = (_number(p, where) for p in parts)
    if stop_unit != unit or step_unit not in (unit, ""):
        raise DesignError(f"{where}: START, STOP and STEP need the same unit")
    if step <= 0 or stop < start:
        raise DesignError(f"{where}: a range needs START <= STOP and a positive STEP")
    count = math.floor((stop - start) / step + 1e-9) + 1
    if count > _RANGE_STEPS_CAP:
        raise DesignError(f"{where}: {count:,} values; is the STEP right?")
    integers = all(_is_integer_text(p) for p in parts)
    # start + i*step (not repeated addition): 0.1 steps do not drift
    numbers = [start + i * step for i in range(count)]
    return tuple(f"{int(round(n)) if integers else _short(n)}{unit}" for n in numbers)


def _short(value: float) -> str:
    """12 significant digits: 0.1 steps read 0.3, not 0.30000000000000004."""
    return f"{value:.12g}"


def number(value: str) -> float:
    """The number part of a point's value (nan for a value that is not a number)."""
    match = _VALUE.match(str(value))
    return float(match.group(1)) if match else float("nan")


def unit(value: str) -> str:
    match = _VALUE.match(str(value))
    return match.group(2) if match else ""


# --- designs ---------------------------------------------------------------------------


def design_points(varies: Sequence[Vary], design: str, points: int | None = None,
                  seed: int = 0, base: Mapping[str, str] | None = None
                  ) -> list[dict[str, str]]:
    """The points of `design`, in a fixed order: {key: value text} each.

    grid: every combination (the first --vary varies slowest); lhs: `points` points of a
    Latin hypercube drawn from `seed` (the same points every time); oat: the base point
    first (`base`: each key's value in the scenario), then each key over its values with
    the others at the base.
    """
    if design not in DESIGNS:
        raise DesignError(f"--design {design}: expected one of {', '.join(DESIGNS)}")
    if not varies:
        raise DesignError("a sweep needs at least one --vary KEY=SPEC")
    keys = [v.key for v in varies]
    if len(set(keys)) != len(keys):
        raise DesignError(f"--vary {next(k for k in keys if keys.count(k) > 1)} given twice")
    if design == "lhs":
        return _latin_hypercube(varies, points, seed)
    for vary in varies:
        if vary.continuous:
            raise DesignError(f"{vary.flag}: an interval lo..hi needs --design lhs; "
                              f"for {design}, give a range START:STOP:STEP or a list")
    if points is not None:
        raise DesignError(f"--points is for --design lhs; {design} takes the points its "
                          "--vary specs give")
    if design == "grid":
        return [dict(zip(keys, combo, strict=True))
                for combo in itertools.product(*(v.values for v in varies))]
    base = dict(base or {})
    rows = [dict(base)]
    for vary in varies:
        for value in vary.values:
            if value != base.get(vary.key):
                rows.append({**base, vary.key: value})
    return rows


def _latin_hypercube(varies: Sequence[Vary], points: int | None, seed: int
                     ) -> list[dict[str, str]]:
    from scipy.stats import qmc  # only for lhs

    if points is None or points < 1:
        raise DesignError("--design lhs needs --points N (how many points to draw)")
    for vary in varies:
        if not vary.continuous:
            raise DesignError(f"{vary.flag}: --design lhs needs an interval lo..hi")
    sample = qmc.LatinHypercube(d=len(varies), seed=np.random.default_rng(seed)).random(points)
    rows = []
    for row in sample:
        point = {}
        for vary, share in zip(varies, row, strict=True):
            assert vary.low is not None and vary.high is not None
            if vary.integer:  # stratified over the integers low..high, each equally likely
                value = str(int(vary.low + math.floor(share * (vary.high - vary.low + 1))))
            else:
                value = _short(vary.low + share * (vary.high - vary.low))
            point[vary.key] = value + vary.unit
        rows.append(point)
    return rows
