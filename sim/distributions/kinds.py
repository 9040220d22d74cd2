"""The kinds of distribution, each knowing its own mean and variance."""

from __future__ import annotations

import math
import pathlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from sim.distributions.base import Distribution, DistributionError

# --------------------------------------------------------------------------- kinds
# Parameter fields are not called ``mean`` because ``mean`` is the property every
# distribution has; where the parameter is the mean it is called ``avg``.


# A normal's truncation at 0 is worth a warning when it raises the mean by more than this
# share of the mean written (sd above about 0.43 x mean).
TRUNCATION_TOLERANCE = 0.01


@dataclass(frozen=True)
class Exponential(Distribution):
    """Exponential with mean ``avg``."""

    kind: ClassVar[str] = "exp"
    avg: float

    def _validate(self) -> None:
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
    may_be_zero: ClassVar[bool] = True
    value: float

    def _validate(self) -> None:
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

    def _validate(self) -> None:
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
    of the truncated distribution actually sampled. When the truncation raises the mean by
    more than TRUNCATION_TOLERANCE of ``loc``, ``caveats`` says so (a scenario warning).
    """

    kind: ClassVar[str] = "normal"
    loc: float
    sd: float

    def _validate(self) -> None:
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

    def caveats(self) -> list[str]:
        # Users read normal(MEAN, SD) as "mean MEAN"; redrawing the negatives raises it.
        mean = self.mean
        if mean - self.loc <= TRUNCATION_TOLERANCE * self.loc:
            return []
        text = (f"{self.to_config()} redraws its negative values, so its mean is "
                f"{self._human(mean)}, not {self._human(self.loc)}")
        if self.loc > 0:
            alternative = f"lognormal({self._text(self.loc)}, {self._text(self.sd)})"
            text += f"; {alternative} has mean {self._human(self.loc)} and no negative values"
        return [text]

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

    def _validate(self) -> None:
        self._check("avg")
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

    def _validate(self) -> None:
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

    def _validate(self) -> None:
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

    def _validate(self) -> None:
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

    def _validate(self) -> None:
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
