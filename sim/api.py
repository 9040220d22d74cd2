"""The Python API that notebooks use and the command line wraps one to one."""

from __future__ import annotations

import platform
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim import __version__ as VERSION
from sim.analysis.interval_validity import short_window_warnings
from sim.experiment.executors import (  # noqa: F401 (re-exported)
    DaskExecutor,
    Executor,
    PoolExecutor,
    SerialExecutor,
)
from sim.experiment.runner import executor_for, run_replications
from sim.experiment.size import Limits, RunTooLarge, check_run_size  # noqa: F401 (re-exported)
from sim.experiment.warmup import DEFAULT_REPS as WARMUP_REPS
from sim.experiment.warmup import WarmupSuggestion, suggest_warmup
from sim.metrics.load import aggregate
from sim.metrics.record_table import concat
from sim.progress import Progress
from sim.replication import ReplicationResult
from sim.results import Results, RunFacts
from sim.scenario import Scenario, load_scenario
from sim.scenario.load import with_overrides

if TYPE_CHECKING:
    from sim.experiment.compare import Comparison

# compare and precision are imported by the calls that need them: a plain run does not
# pay for them at start-up (benchmarks/README.md)


def run(
    scenario: Scenario | str | Path,
    reps: int | None = None,
    seed: int | None = None,
    overrides: Iterable[str] | Mapping[str, Any] = (),
    jobs: int | None = None,
    dask_scheduler: str | None = None,
    progress: Progress | Callable[[ReplicationResult], None] | None = None,
    force: bool = False,
    limits: Limits | None = None,
    records: bool = False,
    precision: Mapping[str, str | float] | Iterable[str] | None = None,
    max_reps: int | None = None,
    executor: Executor | None = None,
) -> Results:
    """Run a scenario's replications and gather the results.

    `overrides` ({'teams.support.members': 7} or ['teams.support.members=7']) apply to a
    loaded Scenario too. `reps` and `seed` default to the scenario's own.

    Where replications run: `executor` (an `Executor` opened once and reused across calls,
    e.g. `with sim.DaskExecutor('local') as ex: ...`), else `jobs` local processes (1:
    serial; None: every core when the run is big enough for a pool to pay), else Dask at
    `dask_scheduler` ('local' or an address). The numbers are the same whichever runs them.

    `precision` ({'support.wait.mean': '5%'} or ['support.wait.mean=10s']) runs replications
    until each metric's 95% interval half-width is within its target, stopping at the first
    count (at least 3, at most `max_reps`, default 100) that meets them all; `reps` is then not
    given.

    `progress` is a `sim.progress.Progress` reporter, or a function called with each
    finished replication.

    A run whose estimated events or memory exceed `limits` (default: ORGSIM_MAX_EVENTS,
    ORGSIM_MAX_MEMORY, else 1e9 events and a tenth of physical memory) raises `RunTooLarge`,
    whose message holds the estimate and what to change, unless `force`.

    With `records`, every entity (order, inquiry) is kept with its time split:
    `Results.records('support')`, saved as Parquet under records/ (this needs pyarrow only
    to save or load them). Without, memory stays flat in the length of the run.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, overrides)
    else:  # re-validated with them; relative data files from the scenario file's folder
        scenario = with_overrides(scenario, overrides)
    spec = scenario.spec
    if precision and reps is not None:
        raise ValueError("give reps or precision, not both (max_reps caps a precision run)")
    reps = spec.replications if reps is None else reps
    seed = spec.seed if seed is None else seed
    targets = []
    if precision:
        from sim.experiment.precision import DEFAULT_MAX_REPS, MIN_REPS, parse_targets

        targets = parse_targets(precision, spec)
        max_reps = DEFAULT_MAX_REPS if max_reps is None else max_reps
    if targets:
        reps = max_reps  # the most it can take: what the size check must allow
    if reps < 1:
        raise ValueError(f"reps must be at least 1, got {reps}")
    if not force:  # forced: nothing to refuse, so no estimate to make (the CLI made one)
        check_run_size(spec, reps, jobs, dask_scheduler, limits, records=records)
    reporter = progress if isinstance(progress, Progress) else None
    on_result = None if isinstance(progress, Progress) else progress
    owned = executor is None
    if executor is None:  # a precision run: is a pool worth it for its first replications?
        executor = executor_for(spec, reps, jobs, dask_scheduler,
                                judged_on=min(reps, MIN_REPS) if targets else None)
    started = time.perf_counter()
    precision_warnings: list[str] = []
    try:
        if targets:
            from sim.experiment.precision import run_to_precision

            reached = run_to_precision(spec, seed, targets, max_reps, executor,
                                       on_result=on_result, progress=reporter,
                                       records=records)
            outputs, reps = reached.results, reached.replications
            precision_warnings = reached.warnings()
        else:
            outputs = run_replications(spec, seed, reps, on_result=on_result,
                                       progress=reporter, records=records, executor=executor)
    finally:
        if owned:
            executor.close()
    wall = time.perf_counter() - started
    resolved = dict(scenario.resolved)
    resolved["seed"] = seed
    resolved["replications"] = reps
    names = list(dict.fromkeys(n for o in outputs for n in o.metrics))  # union, in order
    metrics = {n: np.array([o.metrics.get(n, np.nan) for o in outputs]) for n in names}
    series = {n: _stack([o.series[n] for o in outputs]) for n in outputs[0].series}
    samples = {n: np.concatenate([o.samples[n] for o in outputs]) for n in outputs[0].samples}
    provenance = {
        "tool": "orgsim", "version": VERSION, "python": platform.python_version(),
        "source": str(scenario.source) if scenario.source else None,
        "wall_time_s": round(wall, 3),
        "replication_wall_time_s": [round(o.wall_time, 3) for o in outputs],
    }
    if targets:
        provenance["precision"] = reached.report()
    # the scenario's own warnings, then whether its replications are long enough for the
    # intervals, then what the run found (overload, abandonment)
    warnings = (list(scenario.warnings) + short_window_warnings(spec)
                + aggregate([o.notes for o in outputs]) + precision_warnings)
    record_tables = {kind: concat([o.records[kind] for o in outputs])
                     for kind in outputs[0].records}
    return Results(spec.name, seed, resolved, metrics, series, samples,
                   outputs[0].bin_width, spec.warmup, provenance, warnings,
                   record_tables=record_tables, facts=RunFacts.of(spec))


def compare(
    base: Scenario | str | Path,
    alt: Scenario | str | Path | None = None,
    changes: Iterable[str] | Mapping[str, Any] = (),
    reps: int | None = None,
    seed: int | None = None,
    metrics: Iterable[str] | None = None,
    jobs: int | None = None,
    dask_scheduler: str | None = None,
    progress: Callable[[str], Progress | None] | None = None,
    force: bool = False,
    limits: Limits | None = None,
    executor: Executor | None = None,
) -> Comparison:
    """Run `base` and an alternative on the same seed and replications (common random
    numbers) and compare them metric by metric.

    The alternative is `alt` (another scenario) with `changes` applied, or, without `alt`,
    `base` with `changes` (the --set syntax: {'teams.support.members': 7} or
    ['teams.support.members=7']). `reps` and `seed` default to the base scenario's and hold
    for both runs. `metrics` (names or shell patterns like 'support.*') narrows the table
    and the family of Holm's correction. `progress('base')` / `progress('alt')` gives each
    run's reporter. Both runs' sizes are checked before either runs (see `run`). Both run
    on one executor: `executor` (left open), else one opened for the comparison from `jobs`
    / `dask_scheduler` (a Dask client connects once for base and alternative).
    """
    from sim.experiment.compare import Comparison, apply_changes, reported_metrics, select_metrics

    base_scenario = base if isinstance(base, Scenario) else load_scenario(base)
    if alt is None:
        if not changes:
            raise ValueError("nothing to compare: give an alternative scenario or changes")
        alt_scenario = apply_changes(base_scenario, changes)
    else:
        alt_scenario = alt if isinstance(alt, Scenario) else load_scenario(alt)
        alt_scenario = apply_changes(alt_scenario, changes)
    reps = base_scenario.spec.replications if reps is None else reps
    seed = base_scenario.spec.seed if seed is None else seed
    patterns = None if metrics is None else tuple(metrics)
    if patterns is not None:  # an unknown name fails before anything runs
        select_metrics(patterns, reported_metrics(base_scenario.spec, alt_scenario.spec))
    for scenario in (base_scenario, alt_scenario):
        check_run_size(scenario.spec, reps, jobs, dask_scheduler, limits, force)
    owned = executor is None
    if executor is None:  # one pool or Dask client for both runs, judged on both
        executor = executor_for(base_scenario.spec, reps, jobs, dask_scheduler,
                                judged_on=2 * reps)
    try:
        runs = [run(scenario, reps, seed, progress=progress(role) if progress else None,
                    force=True, executor=executor)
                for role, scenario in (("base", base_scenario), ("alt", alt_scenario))]
    finally:
        if owned:
            executor.close()
    return Comparison(runs[0], runs[1], tuple(_change_texts(changes)), patterns,
                      _source(base_scenario), _source(alt_scenario))


def _change_texts(changes: Iterable[str] | Mapping[str, Any]) -> list[str]:
    if isinstance(changes, Mapping):
        return [f"{key}={value}" for key, value in changes.items()]
    return [str(change) for change in changes]


def _source(scenario: Scenario) -> str | None:
    return str(scenario.source) if scenario.source else None


class Warmup(WarmupSuggestion):
    """A warm-up suggestion (`sim.warmup`): `.minutes`, `.cuts` per series, `.slow` (the
    headline series that had not settled), `.lines()` as printed, `.plot()` a Figure."""

    def plot(self):
        from sim.plots.warmup import warmup_figure

        return warmup_figure(self)

    def to_dict(self) -> dict[str, Any]:
        return {"scenario": self.scenario, "suggested_warmup_min": self.minutes,
                "current_warmup_min": self.current, "replications": self.replications,
                "series": {c.series: {"cut_min": c.minutes, "limit_min": c.limit,
                                      "settled": c.settled, "headline": c.headline}
                           for c in self.cuts}}

    def save(self, directory: str | Path, plot: bool = True) -> Path:
        """warmup.json (every series' cut) and warmup.png into `directory` (an orgsim output
        folder: a user's files are never overwritten, `sim.output_folder`)."""
        import json
        from functools import partial

        from sim.output_folder import OutputFolder

        outputs: dict[str, Any] = {"warmup.json": json.dumps(self.to_dict(), indent=2) + "\n"}
        if plot:
            outputs["warmup.png"] = partial(self.plot().savefig, dpi=110)
        return OutputFolder(directory).write(outputs)


def warmup(
    scenario: Scenario | str | Path,
    reps: int = WARMUP_REPS,
    seed: int | None = None,
    overrides: Iterable[str] | Mapping[str, Any] = (),
    jobs: int | None = None,
    dask_scheduler: str | None = None,
    progress: Progress | None = None,
    executor: Executor | None = None,
    force: bool = False,
    limits: Limits | None = None,
) -> Warmup:
    """Suggest a warm-up for `scenario` by MSER-5 on its flows' binned series, from `reps`
    replications (run as in `sim.run`, same `jobs`/`dask_scheduler`/`executor`)."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, overrides)
    else:
        scenario = with_overrides(scenario, overrides)
    spec = scenario.spec
    if reps < 1:
        raise ValueError(f"reps must be at least 1, got {reps}")
    check_run_size(spec, reps, jobs, dask_scheduler, limits, force)
    owned = executor is None
    if executor is None:
        executor = executor_for(spec, reps, jobs, dask_scheduler)
    try:
        found = suggest_warmup(spec, spec.seed if seed is None else seed, reps, executor,
                               progress)
    finally:
        if owned:
            executor.close()
    return Warmup(**vars(found))


def _stack(rows: list[np.ndarray]) -> np.ndarray:
    width = max(len(r) for r in rows)
    out = np.full((len(rows), width), np.nan)
    for i, row in enumerate(rows):
        out[i, : len(row)] = row
    return out
