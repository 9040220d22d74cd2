"""`orgsim warmup`: suggest a warm-up from MSER-5 on the flows' binned series.

A few replications run from an empty start; each series is averaged across them (which
smooths the noise and keeps the transient) and cut by MSER-5 (`sim.analysis.mser`). The
suggestion is the latest cut among the headline series (the levels that carry a flow's
state: its queues, its stock), rounded up to a readable duration. A cut at the end of the
searched first half means that series had not settled: the flow settles slowly.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np

from sim.analysis.mser import mser
from sim.experiment.executors import Executor
from sim.experiment.runner import run_replications
from sim.progress import Progress
from sim.scenario.schema import ScenarioSpec
from sim.units import DAY, HOUR, format_duration

DEFAULT_REPS = 5
# The series that carry a flow's state, by the end of their name: a queue fills from empty,
# stock drains from its starting level. Counts per bin (arrivals) show no start-up transient.
HEADLINE_ENDINGS = (".queue_length", ".on_hand.total")


@dataclass(frozen=True)
class SeriesCut:
    series: str  # 'support.queue_length'
    minutes: float  # the MSER-5 cut
    limit: float  # the latest cut the search allowed (half the run), minutes
    settled: bool
    headline: bool

    @property
    def flow(self) -> str:
        return self.series.split(".", 1)[0]


@dataclass
class WarmupSuggestion:
    scenario: str
    minutes: float  # the suggestion, rounded up
    cuts: list[SeriesCut]
    means: dict[str, np.ndarray] = field(repr=False)  # each series averaged across reps
    bin_width: float = 60.0
    horizon: float = 0.0
    current: float = 0.0  # the scenario's warm-up
    replications: int = 0

    @property
    def headline(self) -> list[SeriesCut]:
        return [c for c in self.cuts if c.headline]

    @property
    def slow(self) -> list[SeriesCut]:
        """Headline series that had not settled within half the run."""
        return [c for c in self.headline if not c.settled]

    def lines(self) -> list[str]:
        """What `orgsim warmup` prints (the warnings about slow flows apart)."""
        out = [f"{self.scenario}: suggested warm-up {format_duration(self.minutes)} "
               f"(MSER-5 over {self.replications} replications; the scenario has "
               f"{format_duration(self.current)})"]
        width = max((len(c.series) for c in self.headline), default=0)
        for cut in self.headline:
            state = "settled" if cut.settled else "not settled within half the run"
            out.append(f"  {cut.series:<{width}}  {format_duration(cut.minutes):>8}  {state}")
        return out

    def slow_lines(self) -> list[str]:
        return [f"{cut.flow}: {cut.series} has not settled within half the run (MSER-5 cut "
                f"{format_duration(cut.minutes)} of at most {format_duration(cut.limit)}); "
                f"the {cut.flow} flow settles slowly (or follows a calendar pattern that no "
                f"warm-up removes); a longer horizon shows which"
                for cut in self.slow]


def suggest_warmup(spec: ScenarioSpec, seed: int, reps: int, executor: Executor,
                   progress: Progress | None = None) -> WarmupSuggestion:
    """Run `reps` replications and cut each series by MSER-5 (see the module's text)."""
    results = run_replications(spec, seed, reps, progress=progress, executor=executor)
    bin_width = results[0].bin_width
    means = {name: _mean_series([r.series[name] for r in results])
             for name in results[0].series}
    cuts = []
    for name, values in means.items():
        cut = mser(values)
        cuts.append(SeriesCut(name, cut.points * bin_width, cut.limit * bin_width,
                              cut.settled, name.endswith(HEADLINE_ENDINGS)))
    headline = [c.minutes for c in cuts if c.headline]
    return WarmupSuggestion(spec.name, readable_ceiling(max(headline, default=0.0)), cuts,
                            means, bin_width, spec.horizon, spec.warmup, reps)


def _mean_series(rows: list[np.ndarray]) -> np.ndarray:
    width = max(len(r) for r in rows)
    stacked = np.full((len(rows), width), np.nan)
    for i, row in enumerate(rows):
        stacked[i, : len(row)] = row
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-nan bin stays nan, as meant
        return np.nanmean(stacked, axis=0)


def readable_ceiling(minutes: float) -> float:
    """`minutes` rounded up to a duration people write: 5-minute steps under an hour, hours
    under a day, half days under three days, then days."""
    if minutes <= 0:
        return 0.0
    step = 5.0 if minutes < HOUR else HOUR if minutes < DAY else (
        DAY / 2 if minutes < 3 * DAY else DAY)
    return math.ceil(minutes / step - 1e-9) * step
