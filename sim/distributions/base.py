"""The base of every distribution: parameters checked at construction, batched samplers."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from sim.units import format_duration, to_minutes

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
    """Base of all distributions. ``quantity`` is "duration" (values in minutes) or "number".

    One rule holds for every kind: parameters are finite and never negative, and only
    ``const`` may be always 0. Every other kind must have a mean above 0, because with a
    mean of 0 it could only draw 0 (``exp(0m)``, ``uniform(0m, 0m)``, ``lognormal(0m, 1m)``
    ...): write ``const(0s)`` for that. Whether 0 itself is allowed is the field's business
    (a work time refuses it, a delay accepts it; see sim/scenario/types.py).
    """

    kind: ClassVar[str] = ""
    may_be_zero: ClassVar[bool] = False  # True only for const: the one way to write "always 0"
    quantity: str = field(default="duration", kw_only=True)

    def __post_init__(self) -> None:
        if self.quantity not in QUANTITIES:
            raise ValueError(f"quantity must be 'duration' or 'number', got {self.quantity!r}")
        self._validate()
        if not self.may_be_zero and self.mean == 0:
            zero = "const(0s)" if self.quantity == "duration" else "const(0)"
            raise DistributionError(
                f"{self.kind} with a mean of 0 can only draw 0; every kind but const needs a "
                f"mean above 0 (write {zero} for a value that is always 0)")

    def _validate(self) -> None:
        """Check and normalise this kind's parameters (raise DistributionError)."""

    def caveats(self) -> list[str]:
        """What a user may not expect of this distribution as written (one line each), for
        warnings: e.g. a truncation that moves the mean. Empty for most kinds."""
        return []

    # Parameters are checked (and stored as floats) here so direct construction is as safe
    # as parsing; messages show parameters the way to_config would write them.
    def _check(self, name: str) -> float:
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
