"""Precision targets: run replications until each target metric's 95% interval is narrow
enough, capped at a number of replications.

A target is `METRIC=5%` (half-width within 5% of the mean) or `METRIC=VALUE` in the
metric's unit (`support.wait.mean=10s`, `orders.placed_per_day=20/d`, a share in points:
`support.service_level=2pp`). Replications run in batches on the executor, but the run
stops at the FIRST replication count k (k >= MIN_REPS, in replication order) whose first k
replications meet every target; replications computed beyond k are discarded. The result
depends only on the seed and the targets, never on the executor or the batch size.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from sim.experiment.executors import Executor
from sim.metrics.catalog import format_value
from sim.metrics.declare import DURATION, RATE, SHARE, lookup, reported_names
from sim.metrics.estimate import denominator_of, estimate
from sim.progress import Progress
from sim.replication import ReplicationResult
from sim.scenario.schema import ScenarioSpec
from sim.units import UnitError, parse_duration, parse_rate

MIN_REPS = 3  # fewer replications give intervals too wide and too erratic to stop on
DEFAULT_MAX_REPS = 100
LEVEL = 0.95
MINUTES_PER_DAY = 1440.0  # rates are reported per day


class PrecisionError(ValueError):
    """A target written wrongly; the message is one line for the user."""


@dataclass(frozen=True)
class PrecisionTarget:
    metric: str
    relative: float | None = None  # a share of |mean|
    absolute: float | None = None  # in the metric's stored unit
    text: str = ""  # as the user wrote the limit ('5%', '10s')

    def limit(self, mean: float) -> float:
        return self.relative * abs(mean) if self.relative is not None else self.absolute

    def half_width(self, values, denominators=None) -> tuple[float, float]:
        """(half-width of the 95% interval, the estimate) over `values` (a ratio metric's
        with its `denominators`: the interval the summary gives); inf when undefined."""
        ci = estimate(values, denominators, LEVEL)
        if ci.low is None:
            return math.inf, ci.mean
        return (ci.high - ci.low) / 2.0, ci.mean

    def met(self, values, denominators=None) -> bool:
        half, mean = self.half_width(values, denominators)
        return math.isfinite(half) and half <= self.limit(mean)

    def columns(self, results: Sequence[ReplicationResult]) -> tuple[list[float], ...]:
        """The metric's values over `results`, and a ratio metric's denominators."""
        per = denominator_of(self.metric)
        names = (self.metric,) if per is None else (self.metric, per)
        return tuple([r.metrics.get(name, math.nan) for r in results] for name in names)


_RELATIVE = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*%\s*$")
_POINTS = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*pp\s*$")


def parse_target(metric: str, limit: str | float, spec: ScenarioSpec | None = None
                 ) -> PrecisionTarget:
    """A target for `metric` (checked against what `spec` reports) from `limit`: '5%', a
    value with the metric's unit, or a plain number in the metric's stored unit."""
    metric = metric.strip()
    where = f"precision {metric}"
    if spec is not None:
        _check_reported(metric, spec)
    text = str(limit).strip()
    if isinstance(limit, (int, float)) and not isinstance(limit, bool):
        value = float(limit)
    elif match := _RELATIVE.match(text):
        share = float(match.group(1)) / 100.0
        if not 0 < share:
            raise PrecisionError(f"{where}: expected a positive percentage, got {text!r}")
        return PrecisionTarget(metric, relative=share, text=text)
    else:
        value = _absolute(metric, text, where)
    if not (math.isfinite(value) and value > 0):
        raise PrecisionError(f"{where}: expected a positive limit, got {text!r}")
    return PrecisionTarget(metric, absolute=value, text=text)


def parse_targets(items: Iterable[str] | Mapping[str, str | float],
                  spec: ScenarioSpec | None = None) -> list[PrecisionTarget]:
    """Targets from ['m=5%', ...] (the command line) or {'m': '5%'} (Python)."""
    pairs = items.items() if isinstance(items, Mapping) else [_split(i) for i in items]
    return [parse_target(metric, limit, spec) for metric, limit in pairs]


def _split(item: str) -> tuple[str, str]:
    metric, sep, limit = item.partition("=")
    if not sep or not metric.strip() or not limit.strip():
        raise PrecisionError(f"--precision: expected METRIC=LIMIT (e.g. support.wait.mean=5% "
                             f"or support.wait.mean=10s), got {item!r}")
    return metric, limit


def _absolute(metric: str, text: str, where: str) -> float:
    declared = lookup(metric)
    kind = declared.kind if declared else None
    try:
        if kind == DURATION:
            return parse_duration(text)
        if kind == RATE:
            return parse_rate(text) * MINUTES_PER_DAY
        if kind == SHARE and (match := _POINTS.match(text)):
            return float(match.group(1)) / 100.0
        return float(text)
    except (UnitError, ValueError) as error:
        unit = {DURATION: "a duration like 10s or 2m", RATE: "a rate like 20/d",
                SHARE: "points like 2pp, or a share like 0.02"}.get(kind, "a number")
        raise PrecisionError(f"{where}: expected a percentage like 5% or {unit}, "
                             f"got {text!r}") from error


def _check_reported(metric: str, spec: ScenarioSpec) -> None:
    import sim.replication  # noqa: F401  (importing the flows declares their metrics)

    names = reported_names(spec) + ["cost.staff"]
    if metric not in names:
        close = difflib.get_close_matches(metric, names, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise PrecisionError(f"precision {metric}: this scenario reports no such metric{hint} "
                             f"(`orgsim metrics SCENARIO` lists them)")


# --- running to a target -----------------------------------------------------------------


@dataclass
class PrecisionRun:
    results: list[ReplicationResult]  # replications 0..k-1, in order
    met: bool  # every target met at k (else k is the cap)
    targets: list[PrecisionTarget]

    @property
    def replications(self) -> int:
        return len(self.results)

    def report(self) -> dict:
        """For provenance: each target's limit, the half-width reached and whether met."""
        out = {}
        for target in self.targets:
            columns = target.columns(self.results)
            half, mean = target.half_width(*columns)
            out[target.metric] = {"target": target.text, "limit": target.limit(mean),
                                  "half_width": half if math.isfinite(half) else None,
                                  "met": target.met(*columns)}
        return {"replications": self.replications, "met": self.met, "targets": out}

    def warnings(self) -> list[str]:
        """One line per target the cap left unmet."""
        lines = []
        for metric, entry in self.report()["targets"].items():
            if entry["met"]:
                continue
            kind = lookup(metric).kind if lookup(metric) else "number"
            reached = (format_value(entry["half_width"], kind)
                       if entry["half_width"] is not None else "undefined")
            lines.append(f"{metric}: the 95% interval's half-width is {reached} after "
                         f"{self.replications} replications (--max-reps), not yet within "
                         f"the target {entry['target']}")
        return lines


def run_to_precision(spec: ScenarioSpec, seed: int, targets: list[PrecisionTarget],
                     max_reps: int, executor: Executor, batch: int | None = None,
                     on_result: Callable[[ReplicationResult], None] | None = None,
                     progress: Progress | None = None, records: bool = False,
                     min_reps: int = MIN_REPS) -> PrecisionRun:
    """Replications until every target is met at some count k >= `min_reps` (the first such
    k, in replication order), or `max_reps`. `batch` replications are handed to the executor
    at a time (default: its workers); results are checked as they stream back, and the
    batch is abandoned as soon as a count meets the targets."""
    if max_reps < min_reps:
        raise PrecisionError(f"--max-reps must be at least {min_reps} for a precision "
                             f"target, got {max_reps}")
    batch = max(1, batch or executor.workers)
    done: dict[int, ReplicationResult] = {}
    prefix = 0  # replications 0..prefix-1 are all in
    stop: int | None = None
    submitted = 0
    if progress:
        progress.start(min(max(batch, min_reps), max_reps))
    try:
        while stop is None and submitted < max_reps:
            size = max(batch, min_reps - submitted)
            reps = range(submitted, min(submitted + size, max_reps))
            submitted = reps.stop
            if progress:
                progress.extend(submitted)
            for result in executor.run(spec, seed, reps, records, progress):
                done[result.replication] = result
                if progress:
                    progress.item_done(result.replication)
                while prefix in done and stop is None:
                    prefix += 1
                    if prefix >= min_reps and _all_met(targets, done, prefix):
                        stop = prefix
                if stop is not None:
                    break  # closes the executor's stream: what is queued is dropped
    finally:
        if progress:
            if stop is not None:
                progress.extend(stop)
            progress.close()
    met = stop is not None
    kept = [done[r] for r in range(stop if met else max_reps)]
    if on_result:
        for result in kept:
            on_result(result)
    return PrecisionRun(kept, met, targets)


def _all_met(targets: list[PrecisionTarget], done: dict[int, ReplicationResult],
             count: int) -> bool:
    first = [done[r] for r in range(count)]
    return all(target.met(*target.columns(first)) for target in targets)
