"""`orgsim check`: run validation scenarios and compare them with theory, row by row.

A row passes when |simulated mean - theory| <= max(2.5 x the 95% CI half-width, a small
absolute floor) (the tolerance rule of the validation cases). Little's law is checked per
replication between the time-average queue length and arrival rate x mean wait.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.analysis.statistics import half_width, mean_ci
from sim.analysis.theory import NotApplicable, predict
from sim.api import run
from sim.metrics.catalog import metric_unit
from sim.results import Results
from sim.scenario import load_scenario
from sim.units import DAY

CI_FACTOR = 2.5


@dataclass(frozen=True)
class CheckRow:
    case: str
    model: str
    metric: str
    simulated: float
    ci_half_width: float
    theory: float
    tolerance: float

    @property
    def passed(self) -> bool:
        return abs(self.simulated - self.theory) <= self.tolerance


def absolute_floor(metric: str, theory: float) -> float:
    """A small floor so a metric whose CI collapses (e.g. a share near 0) is judged fairly."""
    return max(5e-3 * abs(theory), 1e-3 if metric_unit(metric) == "share" else 1e-4)


def compare(case: str, model: str, results: Results, theory: dict[str, float]) -> list[CheckRow]:
    rows = []
    for metric, expected in theory.items():
        values = results.metrics[metric]
        mean, half = mean_ci(values)[0], _half_width(values)
        rows.append(CheckRow(case, model, metric, mean, half, expected,
                             max(CI_FACTOR * half, absolute_floor(metric, expected))))
    return rows + little_rows(case, results)


def little_rows(case: str, results: Results) -> list[CheckRow]:
    """Little's law: L (time-average queue) = lambda x W (mean wait of all arrivals)."""
    m = results.metrics
    if "support.queue_length.mean" not in m:
        return []
    rate = m["support.arrivals_per_day"] / DAY
    gap = m["support.queue_length.mean"] - rate * m["support.wait_all.mean"]
    mean, half = mean_ci(gap)[0], _half_width(gap)
    scale = float(np.nanmean(m["support.queue_length.mean"]))
    return [CheckRow(case, "Little's law", "L - lambda*W (queue)", mean, half, 0.0,
                     max(CI_FACTOR * half, 5e-3 * scale, 1e-4))]


def _half_width(values) -> float:
    """The 95% half-width; infinite with one replication (no interval: nothing can fail)."""
    half = half_width(values)
    return half if math.isfinite(half) else math.inf


def run_checks(
    folder: Path,
    reps: int | None = None,
    seed: int | None = None,
    only: Iterable[str] = (),
    progress: Callable[[str], None] | None = None,
) -> list[CheckRow]:
    """Run every scenario in `folder` (or those named in `only`) against its theory."""
    wanted = set(only)
    rows: list[CheckRow] = []
    for path in sorted(folder.glob("*.yaml")):
        if wanted and path.stem not in wanted:
            continue
        scenario = load_scenario(path)
        try:
            prediction = predict(scenario.spec)
        except NotApplicable as reason:
            if progress:
                progress(f"{path.stem}: skipped ({reason})")
            continue
        if progress:
            progress(f"{path.stem}: {prediction.model} ...")
        results = run(scenario, reps=reps, seed=seed)
        rows += compare(path.stem, prediction.model, results, prediction.values)
    return rows


def render_rows(rows: list[CheckRow]) -> str:
    header = ("case", "metric", "simulated", "+/- (95%)", "theory", "result")
    table = [header]
    for r in rows:
        unit = metric_unit(r.metric)
        table.append((r.case, r.metric, _precise(r.simulated, unit),
                      _precise(r.ci_half_width, unit), _precise(r.theory, unit),
                      "pass" if r.passed else "FAIL"))
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines = []
    last_case = None
    for i, row in enumerate(table):
        if i and row[0] != last_case:
            model = next(r.model for r in rows if r.case == row[0])
            lines.append(f"\n{row[0]}: {model}")
        last_case = row[0] if i else None
        cells = ["" if i and j == 0 else c for j, c in enumerate(row)]
        lines.append("  ".join(f"{c:<{widths[j]}}" if j < 2 else f"{c:>{widths[j]}}"
                               for j, c in enumerate(cells)).rstrip())
    return "\n".join(lines)


def _precise(value: float, unit: str) -> str:
    """Four significant digits in the metric's own unit: a check is read digit by digit."""
    if not math.isfinite(value):
        return "n/a"
    return f"{value:.4g} min" if unit == "min" else f"{value:.4g}"
