"""Probability distributions for durations (in minutes) and counts, parsed from scenario text.

A distribution is a small frozen dataclass that knows the mean and variance of the values it
actually samples (so theory checks can use them) and builds a fast one-draw-per-call sampler.

Written forms (parameters of durations carry units, those of numbers are bare):

    exp(3m)  const(5m)  uniform(1m, 3m)  normal(3m, 1m)  lognormal(2h, 1h)  gamma(10m, 5m)
    triangular(1m, 2m, 6m)  empirical(data/times.csv)  poisson(3.5)  geometric(2.5)
    {dist: lognormal, mean: 2h, sd: 1h}   {dist: empirical, values: [90s, 2m]}   "5m" (constant)
"""

from __future__ import annotations

import csv
import difflib
import math
import pathlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from sim.units import UnitError, format_duration, is_duration_unit, parse_duration, to_minutes

__all__ = [
    "Constant",
    "Distribution",
    "DistributionError",
    "Empirical",
    "Exponential",
    "Gamma",
    "Geometric",
    "Lognormal",
    "Normal",
    "Poisson",
    "Triangular",
    "Uniform",
    "parse_distribution",
]

QUANTITIES = ("duration", "number")


class DistributionError(ValueError):
    """A distribution that cannot be built; the message is one line meant for the user."""


# --------------------------------------------------------------------------- value formatting


def _number_text(x: float) -> str:
    """Shortest text that reads back as exactly ``x``, never in exponent form."""
    return np.format_float_positional(float(x), trim="-")


def _duration_text(minutes: float) -> str:
    """Shortest "<number><unit>" that parse_duration reads back as exactly ``minutes``."""
    best = _number_text(minutes) + "m"  # always exact: minutes convert by multiplying by 1
    for unit, value in (
        ("s", minutes * 60.0),
        ("h", minutes / 60.0),
        ("d", minutes / 1440.0),
        ("w", minutes / 10080.0),
    ):
        text = _number_text(value)
        if to_minutes(float(text), unit) == minutes and len(text) + 1 < len(best):
            best = text + unit
    return best


def _config_text(x: float, quantity: str) -> str:
    return _duration_text(x) if quantity == "duration" else _number_text(x)


def _human(x: float, quantity: str) -> str:
    return format_duration(x) if quantity == "duration" else f"{x:.3g}"


# Field name -> the parameter name users write (fields avoid ``mean``, see below).
_LABELS = {
    ("exp", "avg"): "mean",
    ("lognormal", "avg"): "mean",
    ("gamma", "avg"): "mean",
    ("poisson", "avg"): "mean",
    ("geometric", "avg"): "mean",
    ("normal", "loc"): "mean",
    ("uniform", "low"): "min",
    ("uniform", "high"): "max",
    ("triangular", "low"): "min",
    ("triangular", "high"): "max",
}

# --------------------------------------------------------------------------- base class


@dataclass(frozen=True)
class Distribution:
    """Base of all distributions. ``quantity`` is "duration" (values in minutes) or "number"."""

    kind: ClassVar[str] = ""
    quantity: str = field(default="duration", kw_only=True)

    def __post_init__(self) -> None:
        if self.quantity not in QUANTITIES:
            raise ValueError(f"quantity must be 'duration' or 'number', got {self.quantity!r}")

    # Parameters are checked (and stored as floats) here so direct construction is as safe
    # as parsing; messages show parameters the way to_config would write them.
    def _check(self, name: str, *, positive: bool = False) -> float:
        raw = getattr(self, name)
        label = _LABELS.get((self.kind, name), name)  # the name the user writes
        if isinstance(raw, bool) or not isinstance(raw, int | float | np.integer | np.floating):
            raise DistributionError(f"{self.kind} {label}: expected a number, got {raw!r}")
        x = float(raw)
        if not math.isfinite(x):
            raise DistributionError(f"{self.kind} {label}: must be finite, got {x}")
        if x < 0:
            shown = _config_text(-x, self.quantity)
            raise DistributionError(f"{self.kind} {label}: must not be negative, got -{shown}")
        if positive and x == 0:
            raise DistributionError(f"{self.kind} {label}: must be positive, got {self._text(x)}")
        object.__setattr__(self, name, x + 0.0)
        return x

    def _text(self, x: float) -> str:
        return _config_text(x, self.quantity)

    def _human(self, x: float) -> str:
        return _human(x, self.quantity)

    @property
    def mean(self) -> float:
        """Mean of the sampled values (minutes for durations)."""
        raise NotImplementedError

    @property
    def variance(self) -> float:
        """Variance of the sampled values (minutes squared for durations)."""
        raise NotImplementedError

    def sample_array(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` independent draws as a numpy array."""
        raise NotImplementedError

    def sampler(self, rng: np.random.Generator, batch: int = 4096) -> Callable[[], float]:
        """A no-argument function giving one draw per call.

        Draws come from numpy in batches of ``batch`` and are handed out from a Python list
        (a call costs about as much as list.pop), in the same order as
        ``sample_array(rng, batch)`` called repeatedly on the same generator.
        """
        if batch < 1:
            raise ValueError(f"batch must be at least 1, got {batch}")
        buffer: list[float] = []
        pop = buffer.pop
        sample_array = self.sample_array

        def draw() -> float:
            try:
                return pop()
            except IndexError:
                # Reversed so that pop() from the end yields numpy's order.
                buffer.extend(sample_array(rng, batch)[::-1].tolist())
                return pop()

        return draw

    def describe(self) -> str:
        """Short human description, e.g. "exp(mean 3 min)"."""
        raise NotImplementedError

    def to_config(self) -> str | dict[str, Any]:
        """A form parse_distribution accepts that rebuilds exactly this distribution."""
        raise NotImplementedError

    def __str__(self) -> str:
        return self.describe()


# --------------------------------------------------------------------------- kinds
# Parameter fields are not called ``mean`` because ``mean`` is the property every
# distribution has; where the parameter is the mean it is called ``avg``.


@dataclass(frozen=True)
class Exponential(Distribution):
    """Exponential with mean ``avg``."""

    kind: ClassVar[str] = "exp"
    avg: float

    def __post_init__(self) -> None:
        super().__post_init__()
        self._check("avg")

    @property
    def mean(self) -> float:
        return self.avg

    @property
    def variance(self) -> float:
        return self.avg * self.avg

    def sample_array(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.exponential(self.avg, n)

    def describe(self) -> str:
        return f"exp(mean {self._human(self.avg)})"

    def to_config(self) -> str:
        return f"exp({self._text(self.avg)})"


@dataclass(frozen=True)
class Constant(Distribution):
    """Always ``value``."""

    kind: ClassVar[str] = "const"
    value: float

    def __post_init__(self) -> None:
        super().__post_init__()
        self._check("value")

    @property
    def mean(self) -> float:
        return self.value

    @property
    def variance(self) -> float:
        return 0.0

    def sample_array(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(n, self.value)

    def sampler(self, rng: np.random.Generator, batch: int = 4096) -> Callable[[], float]:
        # No randomness: never touch rng, so adding a constant shifts no other draws.
        value = self.value

        def draw() -> float:
            return value

        return draw

    def describe(self) -> str:
        return f"const({self._human(self.value)})"

    def to_config(self) -> str:
        return f"const({self._text(self.value)})"


@dataclass(frozen=True)
class Uniform(Distribution):
    """Uniform between ``low`` and ``high``."""

    kind: ClassVar[str] = "uniform"
    low: float
    high: float

    def __post_init__(self) -> None:
        super().__post_init__()
        low, high = self._check("low"), self._check("high")
        if low > high:
            raise DistributionError(
                f"uniform needs min <= max, got min {self._text(low)}, max {self._text(high)}"
            )

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2.0

    @property
    def variance(self) -> float:
        return (self.high - self.low) ** 2 / 12.0

    def sample_array(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, n)

    def describe(self) -> str:
        return f"uniform({self._human(self.low)} to {self._human(self.high)})"

    def to_config(self) -> str:
        return f"uniform({self._text(self.low)}, {self._text(self.high)})"


@dataclass(frozen=True)
class Normal(Distribution):
    """Normal with parameters ``loc`` and ``sd``, truncated at zero (negative draws redrawn).

    ``loc`` is the mean before truncation; the ``mean`` and ``variance`` properties are those
    of the truncated distribution actually sampled.
    """

    kind: ClassVar[str] = "normal"
    loc: float
    sd: float

    def __post_init__(self) -> None:
        super().__post_init__()
        self._check("loc")
        self._check("sd")

    def _moments(self) -> tuple[float, float]:
        if self.sd == 0:
            return self.loc, 0.0
        # Standard results for a normal truncated below at a = 0:
        # alpha = (a - loc)/sd, lam = phi(alpha)/(1 - Phi(alpha)),
        # mean = loc + sd*lam, var = sd^2 (1 + alpha*lam - lam^2).
        alpha = -self.loc / self.sd
        tail = 0.5 * math.erfc(alpha / math.sqrt(2.0))  # 1 - Phi(alpha) >= 0.5 as loc >= 0
        lam = math.exp(-0.5 * alpha * alpha) / math.sqrt(2.0 * math.pi) / tail
        mean = self.loc + self.sd * lam
        var = self.sd * self.sd * (1.0 + alpha * lam - lam * lam)
        return mean, var

    @property
    def mean(self) -> float:
        return self._moments()[0]

    @property
    def variance(self) -> float:
        return self._moments()[1]

    def sample_array(self, rng: np.random.Generator, n: int) -> np.ndarray:
        x = rng.normal(self.loc, self.sd, n)
        # loc >= 0 so at least half the draws are kept: this loop ends quickly.
        bad = np.flatnonzero(x < 0)
        while bad.size:
            x[bad] = rng.normal(self.loc, self.sd, bad.size)
            bad = bad[x[bad] < 0]
        return x

    def describe(self) -> str:
        return f"normal(mean {self._human(self.loc)}, sd {self._human(self.sd)}, truncated at 0)"

    def to_config(self) -> str:
        return f"normal({self._text(self.loc)}, {self._text(self.sd)})"


@dataclass(frozen=True)
class _MeanSd(Distribution):
    """A distribution given by the mean ``avg`` and standard deviation ``sd`` of its values."""

    avg: float
    sd: float

    def __post_init__(self) -> None:
        super().__post_init__()
        self._check("avg", positive=True)
        self._check("sd")

    @property
    def mean(self) -> float:
        return self.avg

    @property
    def variance(self) -> float:
        return self.sd * self.sd

    def describe(self) -> str:
        return f"{self.kind}(mean {self._human(self.avg)}, sd {self._human(self.sd)})"

    def to_config(self) -> str:
        return f"{self.kind}({self._text(self.avg)}, {self._text(self.sd)})"


@dataclass(frozen=True)
class Lognormal(_MeanSd):
    """Lognormal whose values (not their logs) have mean ``avg`` and standard deviation ``sd``."""

    kind: ClassVar[str] = "lognormal"

    @property
    def log_params(self) -> tuple[float, float]:
        """(mu, sigma) of the underlying normal: sigma^2 = ln(1 + sd^2/mean^2)."""
        sigma2 = math.log1p((self.sd / self.avg) ** 2)
        return math.log(self.avg) - sigma2 / 2.0, math.sqrt(sigma2)

    def sample_array(self, rng: np.random.Generator, n: int) -> np.ndarray:
        mu, sigma = self.log_params
        return rng.lognormal(mu, sigma, n)


@dataclass(frozen=True)
class Gamma(_MeanSd):
    """Gamma with mean ``avg`` and standard deviation ``sd`` (shape = mean^2/sd^2)."""

    kind: ClassVar[str] = "gamma"

    def sample_array(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if self.sd == 0:  # shape would be infinite: the limit is the constant
            return np.full(n, self.avg)
        shape = (self.avg / self.sd) ** 2
        scale = self.sd * self.sd / self.avg
        return rng.gamma(shape, scale, n)


@dataclass(frozen=True)
class Triangular(Distribution):
    """Triangular on [low, high] with its peak at ``mode``."""

    kind: ClassVar[str] = "triangular"
    low: float
    mode: float
    high: float

    def __post_init__(self) -> None:
        super().__post_init__()
        low, mode, high = self._check("low"), self._check("mode"), self._check("high")
        if not low <= mode <= high:
            raise DistributionError(
                "triangular needs min <= mode <= max, got "
                f"min {self._text(low)}, mode {self._text(mode)}, max {self._text(high)}"
            )

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3.0

    @property
    def variance(self) -> float:
        a, c, b = self.low, self.mode, self.high
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0

    def sample_array(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if self.low == self.high:  # numpy refuses a zero-width triangle
            return np.full(n, self.low)
        return rng.triangular(self.low, self.mode, self.high, n)

    def describe(self) -> str:
        return (
            f"triangular(min {self._human(self.low)}, mode {self._human(self.mode)}, "
            f"max {self._human(self.high)})"
        )

    def to_config(self) -> str:
        args = ", ".join(self._text(x) for x in (self.low, self.mode, self.high))
        return f"triangular({args})"


@dataclass(frozen=True)
class Empirical(Distribution):
    """Each draw is one of ``values``, chosen uniformly (repeats weigh more)."""

    kind: ClassVar[str] = "empirical"
    values: tuple[float, ...]
    source: str | None = field(default=None, kw_only=True, compare=False)
    _array: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        if isinstance(self.values, str | bytes) or not isinstance(self.values, Sequence):
            raise DistributionError(f"empirical values: expected a list, got {self.values!r}")
        if len(self.values) == 0:
            raise DistributionError("empirical needs at least one value")
        values = []
        for x in self.values:
            if isinstance(x, bool) or not isinstance(x, int | float | np.integer | np.floating):
                raise DistributionError(f"empirical values: expected numbers, got {x!r}")
            if not math.isfinite(x) or x < 0:
                raise DistributionError(f"empirical values must be finite and >= 0, got {x}")
            values.append(float(x) + 0.0)
        object.__setattr__(self, "values", tuple(values))
        # Kept outside the dataclass fields: a cache, not part of equality.
        object.__setattr__(self, "_array", np.array(values, dtype=float))

    @property
    def mean(self) -> float:
        return float(np.mean(self._array))

    @property
    def variance(self) -> float:
        return float(np.var(self._array))  # population variance: the values are the population

    def sample_array(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self._array[rng.integers(0, self._array.size, n)]

    def describe(self) -> str:
        origin = f" from {pathlib.Path(self.source).name}" if self.source else ""
        count = len(self.values)
        plural = "value" if count == 1 else "values"
        return f"empirical({count} {plural}{origin}, mean {self._human(self.mean)})"

    def to_config(self) -> dict[str, Any]:
        # Inline values so the resolved scenario is self-contained (no file to carry along).
        config: dict[str, Any] = {"dist": "empirical", "values": list(self.values)}
        if self.quantity == "duration":
            config["unit"] = "m"
        return config


@dataclass(frozen=True)
class Poisson(Distribution):
    """Poisson count with mean ``avg`` (numbers only). Draws are integers."""

    kind: ClassVar[str] = "poisson"
    avg: float
    quantity: str = field(default="number", kw_only=True)

    def __post_init__(self) -> None:
        super().__post_init__()
        _counts_only(self)
        self._check("avg")

    @property
    def mean(self) -> float:
        return self.avg

    @property
    def variance(self) -> float:
        return self.avg

    def sample_array(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.poisson(self.avg, n)

    def describe(self) -> str:
        return f"poisson(mean {self._human(self.avg)})"

    def to_config(self) -> str:
        return f"poisson({self._text(self.avg)})"


@dataclass(frozen=True)
class Geometric(Distribution):
    """Geometric count on 1, 2, 3, ... with mean ``avg`` >= 1 (numbers only). Integer draws."""

    kind: ClassVar[str] = "geometric"
    avg: float
    quantity: str = field(default="number", kw_only=True)

    def __post_init__(self) -> None:
        super().__post_init__()
        _counts_only(self)
        avg = self._check("avg")
        if avg < 1:
            raise DistributionError(
                f"geometric mean must be at least 1 (it counts 1, 2, 3, ...), got {self._text(avg)}"
            )

    @property
    def mean(self) -> float:
        return self.avg

    @property
    def variance(self) -> float:
        return self.avg * self.avg - self.avg  # (1 - p)/p^2 with p = 1/mean

    def sample_array(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.geometric(1.0 / self.avg, n)

    def describe(self) -> str:
        return f"geometric(mean {self._human(self.avg)})"

    def to_config(self) -> str:
        return f"geometric({self._text(self.avg)})"


def _counts_only(dist: Distribution) -> None:
    if dist.quantity != "number":
        raise DistributionError(f"{dist.kind} draws counts and cannot be used for a duration")


# --------------------------------------------------------------------------- parsing

# Parameter names in the order of the short form; the long form uses them as keys.
_PARAMS: dict[str, tuple[str, ...]] = {
    "exp": ("mean",),
    "const": ("value",),
    "uniform": ("min", "max"),
    "normal": ("mean", "sd"),
    "lognormal": ("mean", "sd"),
    "gamma": ("mean", "sd"),
    "triangular": ("min", "mode", "max"),
    "empirical": ("file",),
    "poisson": ("mean",),
    "geometric": ("mean",),
}
_DURATION_KINDS = (
    "exp",
    "const",
    "uniform",
    "normal",
    "lognormal",
    "gamma",
    "triangular",
    "empirical",
)
_NUMBER_KINDS = (*_DURATION_KINDS, "poisson", "geometric")
_ALIASES = {"exponential": "exp", "constant": "const"}

_SHORT_RE = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*\((.*)\)\s*", re.DOTALL)
_NAME_RE = re.compile(r"\s*[A-Za-z_][A-Za-z0-9_]*\s*")
_NUMBER_RE = re.compile(r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*")


def _kinds(quantity: str) -> tuple[str, ...]:
    return _DURATION_KINDS if quantity == "duration" else _NUMBER_KINDS


def _resolve_kind(name: object, quantity: str) -> str:
    if not isinstance(name, str):
        raise DistributionError(f"distribution name must be text, got {name!r}")
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    kinds = _kinds(quantity)
    if key in kinds:
        return key
    listed = ", ".join(kinds)
    if key in _NUMBER_KINDS:  # poisson/geometric where a duration is wanted
        raise DistributionError(
            f"{key} draws counts and cannot be used for a duration; expected one of {listed}"
        )
    message = f"unknown distribution '{name.strip()}'; expected one of {listed}"
    close = difflib.get_close_matches(key, [*kinds, *_ALIASES], n=1, cutoff=0.6)
    if close:
        message += f"; did you mean '{_ALIASES.get(close[0], close[0])}'?"
    raise DistributionError(message)


def _parse_number(raw: object) -> float:
    """A bare non-negative number: int, float or numeric text (exponents allowed here)."""
    if isinstance(raw, bool):
        raise DistributionError(f"expected a number, got {str(raw).lower()}")
    if isinstance(raw, int | float):
        x = float(raw)
    elif isinstance(raw, str) and _NUMBER_RE.fullmatch(raw):
        x = float(raw)
    else:
        shown = raw if isinstance(raw, str) and raw.strip() else repr(raw)
        raise DistributionError(f"expected a number, got {shown}")
    if not math.isfinite(x):
        raise DistributionError(f"expected a finite number, got {raw}")
    if x < 0:
        raise DistributionError(f"must not be negative, got {raw}")
    return x + 0.0


def _parse_value(raw: object, quantity: str) -> float:
    if quantity == "duration":
        return parse_duration(raw)
    return _parse_number(raw)


def _param(kind: str, name: str, raw: object, quantity: str) -> float:
    try:
        return _parse_value(raw, quantity)
    except (UnitError, DistributionError) as exc:
        raise DistributionError(f"{kind} {name}: {exc}") from None


def _build(
    kind: str,
    raw: Mapping[str, object],
    quantity: str,
    base_dir: pathlib.Path | None,
    unit: object = None,
) -> Distribution:
    """Make a distribution from its parameters, still as written (text or YAML scalars)."""
    if kind == "empirical":
        if "file" in raw:
            path, values = _read_csv(raw["file"], quantity, base_dir)
            return Empirical(values, quantity=quantity, source=str(path))
        return Empirical(_inline_values(raw["values"], unit, quantity), quantity=quantity)
    p = {name: _param(kind, name, value, quantity) for name, value in raw.items()}
    q = quantity
    if kind == "exp":
        return Exponential(p["mean"], quantity=q)
    if kind == "const":
        return Constant(p["value"], quantity=q)
    if kind == "uniform":
        return Uniform(p["min"], p["max"], quantity=q)
    if kind == "normal":
        return Normal(p["mean"], p["sd"], quantity=q)
    if kind == "lognormal":
        return Lognormal(p["mean"], p["sd"], quantity=q)
    if kind == "gamma":
        return Gamma(p["mean"], p["sd"], quantity=q)
    if kind == "triangular":
        return Triangular(p["min"], p["mode"], p["max"], quantity=q)
    if kind == "poisson":
        return Poisson(p["mean"], quantity=q)
    return Geometric(p["mean"], quantity=q)


def _arguments_message(kind: str, count: int) -> str:
    names = _PARAMS[kind]
    plural = "argument" if len(names) == 1 else "arguments"
    upper = ", ".join(n.upper() for n in names)
    return f"{kind} takes {len(names)} {plural} ({upper}), got {count}"


def _parse_short(
    name: str, inner: str, quantity: str, base_dir: pathlib.Path | None
) -> Distribution:
    kind = _resolve_kind(name, quantity)
    names = _PARAMS[kind]
    if kind == "empirical":
        # A file name may contain commas: take everything, drop optional quotes.
        path = inner.strip().strip("'\"").strip()
        if not path:
            raise DistributionError(_arguments_message(kind, 0))
        return _build(kind, {"file": path}, quantity, base_dir)
    args = [a.strip() for a in inner.split(",")] if inner.strip() else []
    if len(args) != len(names):
        raise DistributionError(_arguments_message(kind, len(args)))
    return _build(kind, dict(zip(names, args, strict=True)), quantity, base_dir)


def _parse_long(
    value: Mapping[object, object], quantity: str, base_dir: pathlib.Path | None
) -> Distribution:
    if "dist" not in value:
        raise DistributionError(
            "a distribution written as a mapping needs a 'dist' key, e.g. {dist: exp, mean: 3m}"
        )
    kind = _resolve_kind(value["dist"], quantity)
    params = {k: v for k, v in value.items() if k != "dist"}
    if kind == "empirical":
        allowed: tuple[str, ...] = ("file", "values", "unit")
    else:
        allowed = _PARAMS[kind]
    for key in params:
        if key not in allowed:
            message = f"{kind}: unknown key '{key}'; expected {', '.join(allowed)}"
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            if close:
                message += f"; did you mean '{close[0]}'?"
            raise DistributionError(message)
    if kind == "empirical":
        if ("file" in params) == ("values" in params):
            raise DistributionError("empirical needs either 'file' or 'values' (one of them)")
        if "file" in params and "unit" in params:
            raise DistributionError(
                "empirical: 'unit' goes with 'values'; in a file, put the unit in the first row"
            )
        if "unit" in params and quantity != "duration":
            raise DistributionError("empirical: 'unit' applies only to durations")
        return _build(kind, params, quantity, base_dir, unit=params.get("unit"))  # type: ignore[arg-type]
    missing = [name for name in allowed if name not in params]
    if missing:
        needs = ", ".join(f"'{m}'" for m in missing)
        raise DistributionError(f"{kind} needs {needs}, e.g. {_example(kind, quantity)}")
    return _build(kind, params, quantity, base_dir)  # type: ignore[arg-type]


def _example(kind: str, quantity: str) -> str:
    samples = {"mean": "3m", "sd": "1m", "value": "5m", "min": "1m", "mode": "2m", "max": "4m"}
    if quantity == "number":
        samples = {"mean": "3", "sd": "1", "value": "5", "min": "1", "mode": "2", "max": "4"}
    body = ", ".join(f"{n}: {samples[n]}" for n in _PARAMS[kind])
    return f"{{dist: {kind}, {body}}}"


def _inline_values(values: object, unit: object, quantity: str) -> tuple[float, ...]:
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise DistributionError(f"empirical values: expected a list, got {values!r}")
    if not values:
        raise DistributionError("empirical values: the list is empty")
    if unit is not None and not is_duration_unit(unit):  # type: ignore[arg-type]
        raise DistributionError(f"empirical unit: expected a unit (s, m, h, d, w), got {unit!r}")
    result = []
    for index, item in enumerate(values, start=1):
        try:
            result.append(_cell_value(item, unit, quantity))
        except (UnitError, DistributionError) as exc:
            raise DistributionError(f"empirical values, item {index}: {exc}") from None
    return tuple(result)


def _cell_value(item: object, unit: object, quantity: str) -> float:
    """One empirical value: with a declared unit bare numbers take it; units in cells win."""
    if quantity == "duration" and unit is not None:
        is_bare = isinstance(item, int | float) and not isinstance(item, bool)
        if is_bare or (isinstance(item, str) and _NUMBER_RE.fullmatch(item)):
            number = _parse_number(item)
            return to_minutes(number, unit)  # type: ignore[arg-type]
    return _parse_value(item, quantity)


def _read_csv(
    raw_path: object, quantity: str, base_dir: pathlib.Path | None
) -> tuple[pathlib.Path, tuple[float, ...]]:
    """Values from the first column of a CSV file, one per row, with an optional header row."""
    if not isinstance(raw_path, str | pathlib.PurePath) or not str(raw_path).strip():
        raise DistributionError(f"empirical file: expected a file name, got {raw_path!r}")
    path = pathlib.Path(str(raw_path).strip()).expanduser()
    if not path.is_absolute():
        path = (base_dir if base_dir is not None else pathlib.Path.cwd()) / path
    path = path.resolve()
    if not path.is_file():
        raise DistributionError(f"empirical data file not found: {path}")
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:  # -sig: Excel's BOM
            reader = csv.reader(handle)
            rows = [(reader.line_num, row[0].strip()) for row in reader if row and row[0].strip()]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DistributionError(f"empirical data file {path} could not be read: {exc}") from None

    unit: str | None = None
    if rows and not _looks_like_value(rows[0][1], quantity):
        header = rows.pop(0)[1]
        if quantity == "duration" and is_duration_unit(header):
            unit = header  # a header naming a unit applies to the bare numbers below
    if not rows:
        raise DistributionError(f"empirical data file {path} has no values")
    values = []
    for line, cell in rows:
        try:
            values.append(_cell_value(cell, unit, quantity))
        except (UnitError, DistributionError) as exc:
            hint = ""
            if quantity == "duration" and unit is None and _NUMBER_RE.fullmatch(cell):
                hint = "; write the unit in each cell (90s) or alone in the first row (s, m, h, d)"
            where = f"empirical data file {path}, line {line}"
            raise DistributionError(f"{where}: {exc}{hint}") from None
    return path, tuple(values)


def _looks_like_value(cell: str, quantity: str) -> bool:
    """False for a header row (a column name or a unit word), True for anything data-like."""
    if _NUMBER_RE.fullmatch(cell):
        return True
    if quantity == "duration":
        # "90s" or "-5m" are data (possibly bad data); a lone word like "minutes" is a header.
        return bool(re.search(r"\d", cell))
    return False


def parse_distribution(
    value: object, *, quantity: str = "duration", base_dir: pathlib.Path | None = None
) -> Distribution:
    """Build a distribution from its written form (short text, mapping, or a plain constant).

    quantity="duration": parameters need units and values are minutes; a plain duration such
    as "5m" means const(5m). quantity="number": parameters are bare numbers and a plain number
    means a constant; poisson and geometric are available. Relative empirical file paths are
    resolved against ``base_dir`` (default: the current directory).
    """
    if quantity not in QUANTITIES:
        raise ValueError(f"quantity must be 'duration' or 'number', got {quantity!r}")
    if isinstance(value, Distribution):
        if value.quantity != quantity:
            raise DistributionError(f"expected a {quantity} distribution, got {value.describe()}")
        return value
    if isinstance(value, Mapping):
        return _parse_long(value, quantity, base_dir)
    if isinstance(value, str):
        match = _SHORT_RE.fullmatch(value)
        if match:
            return _parse_short(match.group(1), match.group(2), quantity, base_dir)
        if _NAME_RE.fullmatch(value):
            kind = _resolve_kind(value, quantity)  # raises for unknown names
            raise DistributionError(
                f"{kind} needs its parameters in brackets, e.g. {_short_example(kind, quantity)}"
            )
    return _parse_constant(value, quantity)


def _parse_constant(value: object, quantity: str) -> Constant:
    """A plain duration ("5m") or, for numbers, a plain number: a constant distribution."""
    if quantity == "duration":
        example = "exp(3m) or a duration such as 5m"
    else:
        example = "poisson(3) or a number"
    if value is None or isinstance(value, bool) or not isinstance(value, str | int | float):
        shown = "nothing (an empty value)" if value is None else repr(value)
        if isinstance(value, bool):
            shown = str(value).lower()
        raise DistributionError(f"expected a distribution such as {example}, got {shown}")
    try:
        return Constant(_parse_value(value, quantity), quantity=quantity)
    except (UnitError, DistributionError) as exc:
        numeric = not isinstance(value, str) or _NUMBER_RE.fullmatch(value)
        if numeric or str(exc).startswith("must not be negative"):
            raise DistributionError(str(exc)) from None  # the specific complaint is clearer
        raise DistributionError(f"expected a distribution such as {example}, got {value}") from None


def _short_example(kind: str, quantity: str) -> str:
    samples = {
        "mean": "3m",
        "sd": "1m",
        "value": "5m",
        "min": "1m",
        "mode": "2m",
        "max": "4m",
        "file": "data.csv",
    }
    if quantity == "number":
        samples.update(mean="3", sd="1", value="5", min="1", mode="2", max="4")
    return f"{kind}({', '.join(samples[n] for n in _PARAMS[kind])})"
