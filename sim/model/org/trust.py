"""Trust between teams: `value(a, b)` is how much team a trusts what team b sends, in [0, 1].

It starts where the scenario's `trust:` section says (absent: 1, full trust) and, with
`dynamics`, moves with each hand-off's outcome: success `t += gain (1 - t)`, failure
`t -= loss t`. Each pair's trajectory is a `Level` (time average over the observed window,
per-bin series for the trust-over-time plot), made when the pair is first read or moved.

Other flows read trust through `ctx.services["trust"]` (a campaign forecast blends
`trust x F_marketing + (1 - trust) x F_own`; help across teams asks for trust above a
threshold): `value` is the whole read-only interface.
"""

from __future__ import annotations

from collections.abc import Iterable

from sim.metrics.level import Level
from sim.scenario.collab import TrustSpec


class TrustBook:
    __slots__ = ("_spec", "_gain", "_loss", "_levels", "_bin_width", "_bins", "_window",
                 "outcomes", "failures", "_met")

    def __init__(self, spec: TrustSpec | None, bin_width: float, bins: int,
                 pairs: Iterable[tuple[str, str]] = ()) -> None:
        self._spec = spec
        dynamics = spec.dynamics if spec is not None else None
        self._gain = dynamics.gain if dynamics is not None else 0.0
        self._loss = dynamics.loss if dynamics is not None else 0.0
        self._bin_width = bin_width
        self._bins = bins
        self._window: float | None = None
        self._levels: dict[tuple[str, str], Level] = {}
        self.outcomes = 0
        self.failures = 0
        self._met: dict[tuple[str, str], list[float]] = {}  # trust outcomes met, in window
        for pair in pairs:
            self._level(*pair)

    def _level(self, truster: str, trusted: str) -> Level:
        level = self._levels.get((truster, trusted))
        if level is None:
            start = self._spec.start(truster, trusted) if self._spec is not None else 1.0
            level = self._levels[(truster, trusted)] = Level(self._bin_width, self._bins, start)
            if self._window is not None:
                level.start_window(self._window)
        return level

    def value(self, truster: str, trusted: str) -> float:
        """How much `truster` trusts what `trusted` sends, now."""
        level = self._levels.get((truster, trusted))
        return level.value if level is not None else self._level(truster, trusted).value

    def outcome(self, truster: str, trusted: str, success: bool, now: float) -> None:
        """One hand-off from `trusted` to `truster` turned out right (or wrong)."""
        level = self._level(truster, trusted)
        self.outcomes += 1
        t = level.value
        if self._window is not None:
            met = self._met.setdefault((truster, trusted), [0.0, 0])
            met[0] += t
            met[1] += 1
        if success:
            t += self._gain * (1.0 - t)
        else:
            self.failures += 1
            t -= self._loss * t
        if t != level.value:
            level.set(now, t)

    def start_window(self, now: float) -> None:
        self._window = now
        for level in self._levels.values():
            level.start_window(now)

    def pairs(self) -> list[tuple[str, str]]:
        return sorted(self._levels)

    def mean(self, truster: str, trusted: str, now: float) -> float:
        """Time average over the observed window."""
        return self._level(truster, trusted).mean(now)

    def outcome_mean(self, truster: str, trusted: str) -> float:
        """Mean trust met by the outcomes in the window (the chain's own average: with success
        probability p it tends to p gain / (p gain + (1 - p) loss) whenever outcomes come;
        the time average weighs each value by how long it held)."""
        total, count = self._met.get((truster, trusted), (0.0, 0))
        return total / count if count else float("nan")

    def series(self, truster: str, trusted: str, now: float):
        return self._level(truster, trusted).series(now)
