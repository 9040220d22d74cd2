"""Choosing by weights: an inquiry type by share, a product by demand, a carrier by share."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from itertools import accumulate


def weighted_choice(weights: Sequence[float], draw: Callable[[], float]) -> Callable[[], int]:
    """A function giving index i with probability weights[i] / sum(weights), from one U(0, 1)
    draw; with a single positive weight it draws nothing (so adding a stream of choices
    where there is no choice moves no numbers)."""
    options = [i for i, w in enumerate(weights) if w > 0]
    if not options:
        raise ValueError("weighted_choice needs at least one positive weight")
    if len(options) == 1:
        only = options[0]
        return lambda: only
    total = sum(weights[i] for i in options)
    cumulative = list(accumulate(weights[i] / total for i in options))
    cumulative[-1] = 1.0  # no rounding gap at the top

    def choose() -> int:
        return options[bisect.bisect_right(cumulative, draw())]

    return choose
