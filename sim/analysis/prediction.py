"""What a theory answers: a Prediction of metric values, or NotApplicable with the reason.

Its own module so that `theory` (which merges the flows' predictions) and each flow's theory
module (`theory_commerce`) import it from below, and not from each other.
"""

from __future__ import annotations

from dataclasses import dataclass


class NotApplicable(ValueError):
    """No closed form covers this scenario (the reason says why)."""


@dataclass(frozen=True)
class Prediction:
    model: str  # e.g. "Erlang A (M/M/6+M)"
    values: dict[str, float]  # metric -> theoretical value
