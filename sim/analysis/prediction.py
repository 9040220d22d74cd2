"""What a theory answers: a Prediction of metric values, or NotApplicable with the reason.

Its own module so that `theory` (which merges the flows' predictions) and each flow's theory
module (`theory_commerce`) import it from below, and not from each other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


class NotApplicable(ValueError):
    """No closed form covers this scenario (the reason says why)."""


@dataclass(frozen=True)
class Prediction:
    model: str  # e.g. "Erlang A (M/M/6+M)"
    values: dict[str, float]  # metric -> theoretical value


Part = Callable[[Any], tuple[str, dict[str, float]]]


def combine_parts(spec: Any, parts: Iterable[Part]) -> Prediction:
    """The predictions of a flow's parts that apply to `spec`, as one (their models joined
    with +); NotApplicable with every part's reason when none applies."""
    models: list[str] = []
    values: dict[str, float] = {}
    reasons: list[str] = []
    for part in parts:
        try:
            model, rows = part(spec)
        except NotApplicable as reason:
            reasons.append(str(reason))
            continue
        models.append(model)
        values.update(rows)
    if not values:
        raise NotApplicable("; ".join(reasons))
    return Prediction(" + ".join(models), values)
