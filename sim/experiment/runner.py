"""Run replications on an executor (sim/experiment/executors.py): serially, on a local
process pool, or on Dask.

Replication r of seed s always uses the streams of (s, r), so the numbers are the same
whichever executor runs them and in whatever order they finish.
"""

from __future__ import annotations

from collections.abc import Callable

from sim.experiment.executors import Executor, choose_executor
from sim.experiment.size import estimate_run
from sim.progress import Progress
from sim.replication import ReplicationResult
from sim.scenario.schema import ScenarioSpec

OnResult = Callable[[ReplicationResult], None]


def run_replications(
    spec: ScenarioSpec,
    seed: int,
    reps: int,
    jobs: int | None = 1,
    dask_scheduler: str | None = None,
    on_result: OnResult | None = None,
    progress: Progress | None = None,
    records: bool = False,
    executor: Executor | None = None,
) -> list[ReplicationResult]:
    """Replications 0..reps-1, returned in replication order.

    `executor` runs them (it stays open for the caller); without one, `jobs` processes
    (None: every local core when the run is big enough to gain from a pool) or Dask at
    `dask_scheduler`, opened for this call. `on_result` hears each finished replication;
    `progress` hears replications finish and, when they run in this process, how far the
    current one has got. With `records`, each result carries its entity records.
    """
    owned = executor is None
    if executor is None:
        executor = executor_for(spec, reps, jobs, dask_scheduler)
    if progress:
        progress.start(reps)
    results = []
    try:
        for result in executor.run(spec, seed, range(reps), records, progress):
            results.append(result)
            report_done(result, on_result, progress)
    finally:
        if progress:
            progress.close()
        if owned:
            executor.close()
    return sorted(results, key=lambda r: r.replication)


def executor_for(spec: ScenarioSpec, reps: int, jobs: int | None = None,
                 dask_scheduler: str | None = None, judged_on: int | None = None
                 ) -> Executor:
    """The executor `jobs`/`dask_scheduler` ask for; with neither, a pool of every local core
    (at most `reps` processes) if the estimated computing of `judged_on` replications (default
    `reps`) makes one worth it, else serial."""
    judged_on = reps if judged_on is None else judged_on
    serial_seconds = estimate_run(spec, judged_on).seconds if jobs is None else 0.0
    return choose_executor(reps, serial_seconds, jobs, dask_scheduler)


def report_done(result: ReplicationResult, on_result: OnResult | None,
                progress: Progress | None) -> None:
    """Tell the caller's callback and the progress reporter that a replication finished."""
    if on_result:
        on_result(result)
    if progress:
        progress.item_done(result.replication)
