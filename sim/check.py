"""`orgsim check`: run validation scenarios and compare them with theory, row by row.

The tolerance comes from a stated family-wise error rate: over all m rows judged together
(the rows of one `orgsim check` run), a correct model fails at least one row with probability
at most alpha (FAMILY_ERROR_RATE, 1%). By Bonferroni, each row is a two-sided Student t test
at level alpha / m: it passes when

    |simulated mean - theory| <= t_{R-1}(1 - alpha / (2m)) x standard error of the mean,

with R the replications that defined the metric. That is about 3.8 standard errors for 76 rows
and many replications. Bonferroni holds whatever the dependence between rows (rows of one
case share replications). Little's law is checked per replication between the time-average
queue length and arrival rate x mean wait; its theory is 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from sim.analysis.statistics import mean_ci, t_quantile
from sim.analysis.theory import NotApplicable, predict
from sim.api import run
from sim.metrics.declare import DURATION
from sim.results import Results, metric_declaration
from sim.scenario import load_scenario
from sim.units import DAY

FAMILY_ERROR_RATE = 0.01

# Where every replication gives the same value (the standard error collapses to 0), the
# simulated mean and theory still differ by the rounding of their different float sums: this
# floor, a millionth of the value (of 1 below 1), covers that and nothing a model error could
# hide behind.
ROUNDING_FLOOR = 1e-6


@dataclass(frozen=True)
class CheckRow:
    case: str
    model: str
    metric: str
    simulated: float  # mean over the replications that defined the metric
    std_error: float  # of that mean: sd / sqrt(R); inf with fewer than two replications
    replications: int  # R
    theory: float
    tolerance: float = math.nan  # set by ToleranceRule.judge once the family is known

    @property
    def passed(self) -> bool:
        return abs(self.simulated - self.theory) <= self.tolerance  # nan (unjudged): fails


@dataclass(frozen=True)
class ToleranceRule:
    """Bonferroni over `rows` rows at family-wise error rate `alpha` (see the module doc)."""

    alpha: float
    rows: int

    @property
    def row_level(self) -> float:
        """The confidence level each row is tested at: 1 - alpha / m."""
        return 1.0 - self.alpha / self.rows

    def multiplier(self, replications: int) -> float:
        """t_{R-1}(1 - alpha / (2m)): standard errors a row may be off by (inf for R < 2)."""
        if replications < 2:
            return math.inf
        return t_quantile(self.row_level, replications - 1)

    def tolerance(self, row: CheckRow) -> float:
        return max(self.multiplier(row.replications) * row.std_error,
                   ROUNDING_FLOOR * max(1.0, abs(row.theory)))

    def judge(self, rows: Sequence[CheckRow]) -> list[CheckRow]:
        return [replace(row, tolerance=self.tolerance(row)) for row in rows]

    def describe(self, rows: Sequence[CheckRow]) -> str:
        """The rule in words, with the numbers of this run, for under the table."""
        counts = sorted({r.replications for r in rows if r.replications >= 2})
        multipliers = ", ".join(f"{self.multiplier(n):.3g} (R = {n})" for n in counts)
        return "\n".join([
            "rule: a row passes when |simulated - theory| <= k x s.e. (standard error of the "
            "mean over R replications),",
            f"  k = t_(R-1)(1 - alpha/2m): Bonferroni over the m = {self.rows} rows of this run "
            f"at family-wise error rate alpha = {self.alpha:g}",
            f"  (each row a two-sided t test at level {self.row_level:.6g}); "
            f"k = {multipliers or 'n/a'};",
            f"  floor where the s.e. collapses (float rounding): "
            f"{ROUNDING_FLOOR:g} x max(1, |theory|).",
        ])


def judge(rows: Sequence[CheckRow], alpha: float = FAMILY_ERROR_RATE
          ) -> tuple[list[CheckRow], ToleranceRule]:
    """The rows with their tolerances, all rows forming one family."""
    rule = ToleranceRule(alpha, max(len(rows), 1))
    return rule.judge(rows), rule


def compare(case: str, model: str, results: Results, theory: dict[str, float],
            alpha: float = FAMILY_ERROR_RATE) -> list[CheckRow]:
    """The rows of one run, judged as a family of their own."""
    return judge(measure(case, model, results, theory), alpha)[0]


def measure(case: str, model: str, results: Results,
            theory: dict[str, float]) -> list[CheckRow]:
    """The rows of one run, not yet judged (their tolerance depends on the whole family)."""
    rows = [_row(case, model, metric, results.metrics[metric], expected)
            for metric, expected in theory.items()]
    return rows + little_rows(case, results)


def little_rows(case: str, results: Results) -> list[CheckRow]:
    """Little's law: L (time-average queue) = lambda x W, W the waiting (queued or set aside
    by pre-emption) that fell in the observed window per arrival: exact in every replication,
    so the row checks the queue's level against each inquiry's own waits. (The mean waits
    of arrivals in the window leave out the window's edges: off by O(1/horizon).)"""
    m = results.metrics
    if "support.queue_length.mean" not in m:
        return []
    rate = m["support.arrivals_per_day"] / DAY
    gap = m["support.queue_length.mean"] - rate * m["support.wait_window.mean"]
    return [_row(case, "Little's law", "L - lambda*W (queue)", gap, 0.0)]


def _row(case: str, model: str, metric: str, values, theory: float) -> CheckRow:
    """R is the replications that defined the metric (the summary's `n`)."""
    estimate = mean_ci(values)
    return CheckRow(case, model, metric, estimate.mean, estimate.std_error, estimate.n, theory)


@dataclass(frozen=True)
class CheckReport:
    rows: list[CheckRow]  # judged
    rule: ToleranceRule
    skipped: list[str]  # 'case: reason' of the cases no closed form covers

    @property
    def failed(self) -> list[CheckRow]:
        return [row for row in self.rows if not row.passed]


def run_checks(
    folder: Path,
    reps: int | None = None,
    seed: int | None = None,
    only: Iterable[str] = (),
    progress: Callable[[str], None] | None = None,
    alpha: float = FAMILY_ERROR_RATE,
) -> CheckReport:
    """Run every scenario in `folder` (or those named in `only`) against its theory; the rows
    of all cases form one family for the tolerance rule."""
    wanted = set(only)
    rows: list[CheckRow] = []
    skipped: list[str] = []
    for path in sorted(folder.glob("*.yaml")):
        if wanted and path.stem not in wanted:
            continue
        scenario = load_scenario(path)
        try:
            prediction = predict(scenario.spec)
        except NotApplicable as reason:
            skipped.append(f"{path.stem}: {reason}")
            if progress:
                progress(f"{path.stem}: skipped ({reason})")
            continue
        if progress:
            progress(f"{path.stem}: {prediction.model} ...")
        results = run(scenario, reps=reps, seed=seed)
        rows += measure(path.stem, prediction.model, results, prediction.values)
    judged, rule = judge(rows, alpha)
    return CheckReport(judged, rule, skipped)


def render_rows(rows: list[CheckRow]) -> str:
    header = ("case", "metric", "simulated", "s.e.", "theory", "tolerance", "result")
    table = [header]
    for r in rows:
        kind = metric_declaration(r.metric).kind
        table.append((r.case, r.metric, _precise(r.simulated, kind),
                      _precise(r.std_error, kind), _precise(r.theory, kind),
                      _precise(r.tolerance, kind), "pass" if r.passed else "FAIL"))
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


def _precise(value: float, kind: str) -> str:
    """Four significant digits in the metric's own unit: a check is read digit by digit."""
    if not math.isfinite(value):
        return "n/a"
    return f"{value:.4g} min" if kind == DURATION else f"{value:.4g}"
