"""Sweeps: a scenario run at many points of its parameters, every point on the same seed
(common random numbers), each point written as soon as it finishes so a rerun resumes.

`sweep(...)` plans the points (`design`), validates every point's scenario before running
any, checks the size of the whole sweep, runs the missing points' replications on one
executor (`tasks`), and keeps the folder (`sweep_store`). `Sweep` holds the tidy tables.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim import __version__ as VERSION
from sim.analysis.statistics import mean_ci
from sim.experiment.design import DesignError, Vary, design_points, number, parse_vary, unit
from sim.experiment.executors import Executor, choose_executor
from sim.experiment.size import Limits, RunTooLarge, estimate_run, size_problems
from sim.experiment.sweep_store import (
    RECORD,
    RECORD_FORMAT,
    SweepStore,
    parquet_writer,
    plain,
    point_file,
    scenario_hash,
)
from sim.experiment.tasks import Task, run_tasks
from sim.metrics.declare import lookup, reported_names
from sim.metrics.estimate import metric_estimate
from sim.progress import Progress
from sim.scenario import Scenario, ScenarioError, load_scenario
from sim.scenario.load import with_overrides

__all__ = ["DesignError", "Sweep", "SweepPlan", "default_metric", "plan_sweep", "sweep"]

PointCallback = Callable[[int], None]


@dataclass(frozen=True)
class SweepPlan:
    """Every point of a sweep, validated: its --set values and its scenario."""

    scenario: Scenario
    varies: tuple[Vary, ...]
    design: str
    requested_points: int | None  # --points (lhs)
    points: tuple[dict[str, str], ...]
    scenarios: tuple[Scenario, ...]
    reps: int
    seed: int

    def record(self) -> dict[str, Any]:
        """What sweep.json holds: a rerun resumes only when its record is the same."""
        resolved = plain(self.scenario.resolved)
        return {"format": RECORD_FORMAT, "tool": "orgsim", "version": VERSION,
                "scenario": {"name": self.scenario.name, "hash": scenario_hash(resolved),
                             "resolved": resolved},
                "varies": [{"key": v.key, "spec": v.text} for v in self.varies],
                "design": self.design, "points": self.requested_points,
                "reps": self.reps, "seed": self.seed,
                "parameters": [dict(p) for p in self.points]}


def plan_sweep(scenario: Scenario, vary: Mapping[str, str] | Iterable[str],
               design: str = "grid", points: int | None = None, reps: int | None = None,
               seed: int | None = None) -> SweepPlan:
    """Parse the varies, lay out the points, validate each point's scenario; DesignError
    (one line naming the --vary and the value) for the first bad one."""
    texts = ([f"{k}={v}" for k, v in vary.items()] if isinstance(vary, Mapping)
             else list(vary))
    varies = tuple(parse_vary(t) for t in texts)
    seed = scenario.spec.seed if seed is None else seed
    reps = scenario.spec.replications if reps is None else reps
    if reps < 1:
        raise DesignError(f"--reps must be at least 1, got {reps}")
    base = _base_values(scenario, varies) if design == "oat" else None
    # lhs draws its points from the sweep's seed: the same command gives the same points
    laid_out = design_points(varies, design, points, seed, base)
    for vary in varies:  # each value alone first, so an error names one --vary
        for value in dict.fromkeys(p[vary.key] for p in laid_out):
            _validated(scenario, {vary.key: value}, vary.flag)
    scenarios = tuple(_validated(scenario, p, "the point " + ", ".join(
        f"{k}={v}" for k, v in p.items())) for p in laid_out)
    return SweepPlan(scenario, varies, design, points, tuple(laid_out), scenarios, reps, seed)


def _validated(scenario: Scenario, point: Mapping[str, str], where: str) -> Scenario:
    try:
        return with_overrides(scenario, [f"{k}={v}" for k, v in point.items()])
    except ScenarioError as error:
        values = ", ".join(f"{k}={v}" for k, v in point.items())
        raise DesignError(f"{where}: the value {values} is not valid: "
                          f"{error.problems[0]}") from None


def _base_values(scenario: Scenario, varies: Sequence[Vary]) -> dict[str, str]:
    """Each key's value in the scenario, as `--set` would write it (for oat)."""
    base = {}
    for vary in varies:
        node: Any = scenario.resolved
        for part in vary.key.split("."):
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                raise DesignError(f"{vary.flag}: --design oat varies around the scenario's "
                                  f"own value, but the scenario does not set {vary.key}; "
                                  "write it in the scenario")
        if isinstance(node, (dict, list)):
            raise DesignError(f"{vary.flag}: {vary.key} is a section, not a value")
        base[vary.key] = str(node).lower() if isinstance(node, bool) else str(node)
    return base


# --- the result ----------------------------------------------------------------------------


@dataclass
class Sweep:
    """A finished sweep: `points` (one row per point and replication: point, parameters,
    replication, metrics) and `summary` (one row per point: parameters, replications, and
    per metric its mean and `<metric>.ci_low` / `<metric>.ci_high`), as pandas tables."""

    scenario_name: str
    design: str
    parameters: list[str]  # the --vary keys, in order
    units: dict[str, str]  # a parameter's unit ('m', '/h'), '' for none
    metrics: list[str]
    point_columns: dict[str, np.ndarray]
    summary_columns: dict[str, np.ndarray]
    headline: str  # the metric plots show unless told
    folder: Path | None = None
    computed: list[int] = field(default_factory=list)  # points run by this call (not resumed)
    cpu_seconds: float = 0.0  # of the replications this call ran, summed over processes

    @property
    def points(self):
        import pandas as pd

        return pd.DataFrame(self.point_columns)

    @property
    def summary(self):
        import pandas as pd

        return pd.DataFrame(self.summary_columns)

    def plot(self, metric: str | None = None, parameter: str | None = None):
        """The main figure: a tornado for oat; else the metric against one parameter with
        its 95% band, or a heatmap over the first two parameters."""
        from sim.plots.sweep import sweep_figure

        return sweep_figure(self, self._metric(metric), parameter)

    def plots(self, metric: str | None = None) -> dict[str, Any]:
        from sim.plots.sweep import sweep_figures

        return sweep_figures(self, self._metric(metric))

    def _metric(self, metric: str | None) -> str:
        metric = metric or self.headline
        if metric not in self.metrics:
            raise ValueError(f"unknown metric {metric!r}; the sweep has: "
                             + ", ".join(self.metrics))
        return metric


def default_metric(names: Sequence[str]) -> str:
    """The headline of the first flow: its mean wait if it has one, else its first metric."""
    flow = names[0].split(".")[0]
    own = [n for n in names if n.split(".")[0] == flow]
    return next((n for n in own if n.count(".") == 2 and n.endswith(".wait.mean")), own[0])


# --- running -------------------------------------------------------------------------------


def sweep(
    scenario: Scenario | str | Path,
    vary: Mapping[str, str] | Iterable[str],
    design: str = "grid",
    points: int | None = None,
    reps: int | None = None,
    seed: int | None = None,
    out: str | Path | None = None,
    jobs: int | None = None,
    dask_scheduler: str | None = None,
    restart: bool = False,
    progress: Progress | PointCallback | None = None,
    force: bool = False,
    limits: Limits | None = None,
    plots: bool = True,
    metric: str | None = None,
    overrides: Iterable[str] | Mapping[str, Any] = (),
    on_message: Callable[[str], None] | None = None,
    executor: Executor | None = None,
) -> Sweep:
    """Run `scenario` at every point of a design over `vary` ({key: SPEC} or ['key=SPEC']).

    SPEC: `4:12:2` (both ends included), `a,b,c`, or `lo..hi` for design 'lhs' with `points`
    points; values keep their units (`15m..45m`). 'grid' takes every combination, 'oat' each
    key in turn around the scenario's own values. Every point runs `reps` replications on
    the same `seed` (common random numbers). With `out`, each point is written as it
    finishes and a rerun computes only the missing points (`on_message` hears 'resuming:
    ...'); a folder holding another sweep is refused (SweepChanged) unless `restart`.
    `progress`: a Progress reporter (unit: points) or a function called with each finished
    point's id. Every replication of every missing point goes to one executor as one stream
    of tasks: `executor` (left open, e.g. shared with other sweeps), else one opened for the
    sweep from `jobs` / `dask_scheduler` as in `sim.run`. Raises DesignError for a bad
    --vary or point, RunTooLarge beyond `limits`.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, overrides)
    else:
        scenario = with_overrides(scenario, overrides)
    plan = plan_sweep(scenario, vary, design, points, reps, seed)
    count = len(plan.points)
    _check_size(plan, jobs, dask_scheduler, limits, force)
    metric_names = reported_names(plan.scenarios[0].spec)
    if metric is not None and metric not in metric_names:
        raise DesignError(f"--metric {metric}: the scenario does not report it (see "
                          "`orgsim metrics SCENARIO`)")
    store = SweepStore(out) if out is not None else None
    done: list[int] = []
    if store is not None:
        store.plan([RECORD, "points.parquet", "summary.parquet",
                    *(point_file(p, count) for p in range(count))])
        done = store.begin(plan.record(), restart)
        if done and on_message:
            on_message(f"resuming: {len(done)} of {count} points done")
    tables: dict[int, dict[str, np.ndarray]] = {
        p: store.read_point(p, count) for p in done} if store is not None else {}
    computed, cpu = _run_points(plan, [p for p in range(count) if p not in tables], tables,
                                store, executor, jobs, dask_scheduler, progress)
    result = _gather(plan, tables, metric, store, computed, cpu)
    if store is not None:
        outputs = {"points.parquet": parquet_writer(result.point_columns),
                   "summary.parquet": parquet_writer(result.summary_columns)}
        if plots:
            for stem, figure in result.plots().items():
                outputs[f"{stem}.png"] = _saver(figure)
        store.finish(outputs)
    return result


def _saver(figure):
    return lambda path: figure.savefig(path, dpi=110)


def _check_size(plan: SweepPlan, jobs: int | None, dask_scheduler: str | None,
                limits: Limits | None, force: bool) -> None:
    """The whole sweep against the limits: its events and time add up over the points; its
    memory is that of the largest point (points are written and let go as they finish)."""
    if force:
        return
    estimates = [estimate_run(s.spec, plan.reps, jobs, dask_scheduler) for s in plan.scenarios]
    largest = max(estimates, key=lambda e: e.memory)
    whole = dataclasses.replace(largest, reps=plan.reps * len(estimates),
                                events=sum(e.events for e in estimates),
                                seconds=sum(e.seconds for e in estimates))
    problems = size_problems(whole, limits or Limits.resolve(), plan.scenario.name)
    if problems:
        raise RunTooLarge(problems, whole)


def _run_points(plan: SweepPlan, missing: list[int], tables: dict[int, dict[str, np.ndarray]],
                store: SweepStore | None, executor: Executor | None, jobs: int | None,
                dask_scheduler: str | None, progress: Progress | PointCallback | None
                ) -> tuple[list[int], float]:
    """Run the missing points' replications as one stream of tasks on one executor; write
    each point as soon as its last replication is in. Returns the points run and their
    replications' CPU time."""
    reporter = progress if isinstance(progress, Progress) else None
    callback = None if isinstance(progress, Progress) else progress
    # one replication's estimated seconds, per point: the order of the stream and, with no
    # executor given, whether a pool pays
    weights = {p: estimate_run(plan.scenarios[p].spec, 1).seconds for p in missing}
    tasks = [Task(p, plan.scenarios[p].spec, plan.seed, rep, weights[p])
             for p in missing for rep in range(plan.reps)]
    pending: dict[int, dict[int, dict[str, float]]] = {p: {} for p in missing}
    computed: list[int] = []
    cpu = 0.0
    if not tasks:
        return computed, cpu
    owned = executor is None
    if executor is None:
        executor = choose_executor(len(tasks), plan.reps * sum(weights.values()), jobs,
                                   dask_scheduler)
    if reporter:
        reporter.start(len(missing))
    try:
        finished = run_tasks(tasks, executor)
        try:
            for done in finished:
                cpu += done.cpu_seconds
                replications = pending[done.key]
                replications[done.replication] = done.metrics
                if len(replications) < plan.reps:
                    continue
                point = done.key
                tables[point] = _point_table(plan, point, replications)
                del pending[point]
                if store is not None:
                    store.write_point(point, len(plan.points), tables[point])
                computed.append(point)
                if reporter:
                    reporter.item_done(point)
                if callback:
                    callback(point)
        finally:
            finished.close()  # an interruption cancels the replications not yet started
    finally:
        if reporter:
            reporter.close()
        if owned:
            executor.close()
    return computed, cpu


def _point_table(plan: SweepPlan, point: int, replications: dict[int, dict[str, float]]
                 ) -> dict[str, np.ndarray]:
    """One point: a row per replication, with the point id and its parameters."""
    reps = plan.reps
    names = list(dict.fromkeys(n for r in range(reps) for n in replications[r]))
    columns: dict[str, np.ndarray] = {"point": np.full(reps, point, dtype=np.int64)}
    for key, column in _parameter_columns(plan).items():
        columns[key] = np.repeat(column[point: point + 1], reps)
    columns["replication"] = np.arange(reps, dtype=np.int64)
    for name in names:
        columns[name] = np.array([replications[r].get(name, np.nan) for r in range(reps)],
                                 dtype=np.float64)
    return columns


def _parameter_columns(plan: SweepPlan) -> dict[str, np.ndarray]:
    """A parameter as numbers (integers when all are) when every value is a number; as
    text otherwise (a list of policy names)."""
    columns = {}
    for vary in plan.varies:
        values = [p[vary.key] for p in plan.points]
        numbers = np.array([number(v) for v in values])
        if np.isnan(numbers).any():
            columns[vary.key] = np.array(values, dtype=object)
        elif all(float(n).is_integer() and "." not in v for n, v in zip(numbers, values,
                                                                          strict=True)):
            columns[vary.key] = numbers.astype(np.int64)
        else:
            columns[vary.key] = numbers
    return columns


def _gather(plan: SweepPlan, tables: dict[int, dict[str, np.ndarray]], metric: str | None,
            store: SweepStore | None, computed: list[int], cpu: float) -> Sweep:
    """The combined table and the summary, from the point tables in point order (the same
    whether a point was run now or read back: Parquet keeps float64 exactly)."""
    order = sorted(tables)
    keys = [v.key for v in plan.varies]
    fixed = ["point", *keys, "replication"]
    names = list(dict.fromkeys(c for p in order for c in tables[p] if c not in fixed))
    point_columns = {}
    for column in fixed + names:
        parts = [tables[p][column] if column in tables[p]
                 else np.full(len(tables[p]["point"]), np.nan) for p in order]
        point_columns[column] = np.concatenate(parts)
    parameters = _parameter_columns(plan)
    summary: dict[str, np.ndarray] = {"point": np.array(order, dtype=np.int64)}
    for key in keys:
        summary[key] = parameters[key][order]
    summary["replications"] = np.full(len(order), plan.reps, dtype=np.int64)
    for name in names:
        declared = lookup(name)
        means, lows, highs = [], [], []
        for p in order:
            table = tables[p]
            estimate = (metric_estimate(name, table) if name in table
                        else mean_ci(np.full(plan.reps, np.nan)))
            low, high = (np.nan, np.nan) if estimate.low is None else (
                declared.truncate(estimate.low, estimate.high) if declared
                else (estimate.low, estimate.high))
            means.append(estimate.mean)
            lows.append(low)
            highs.append(high)
        summary[name] = np.array(means, dtype=np.float64)
        summary[f"{name}.ci_low"] = np.array(lows, dtype=np.float64)
        summary[f"{name}.ci_high"] = np.array(highs, dtype=np.float64)
    units = {v.key: (v.unit if v.continuous else unit(v.values[0])) for v in plan.varies}
    return Sweep(plan.scenario.name, plan.design, keys, units, names, point_columns, summary,
                 metric or default_metric(names), store.path if store else None,
                 computed, cpu)

