"""Run replications on an executor: serially (default), on a local process pool, or on Dask.

Replication r of seed s always uses the streams of (s, r), so the numbers are the same
whichever executor runs them and in whatever order they finish.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from sim.progress import Progress
from sim.replication import ReplicationResult, run_replication
from sim.scenario.schema import ScenarioSpec

OnResult = Callable[[ReplicationResult], None]


def run_replications(
    spec: ScenarioSpec,
    seed: int,
    reps: int,
    jobs: int = 1,
    dask_scheduler: str | None = None,
    on_result: OnResult | None = None,
    progress: Progress | None = None,
    records: bool = False,
) -> list[ReplicationResult]:
    """Replications 0..reps-1, returned in replication order.

    `on_result` hears each finished replication; `progress` hears replications finish and,
    when they run in this process, how far the current one has got. With `records`, each
    result carries its entity records.
    """
    done = _Done(on_result, progress)
    if progress:
        progress.start(reps)
    try:
        if dask_scheduler is not None:
            results = _on_dask(spec, seed, reps, dask_scheduler, done, records)
        elif jobs > 1 and reps > 1:
            results = _on_processes(spec, seed, reps, jobs, done, records)
        else:
            results = []
            for rep in range(reps):
                advance = partial(progress.advance, rep) if progress else None
                result = run_replication(spec, seed, rep, advance, records)
                results.append(result)
                done(result)
    finally:
        if progress:
            progress.close()
    return sorted(results, key=lambda r: r.replication)


class _Done:
    """Tells the caller's callback and the progress reporter that a replication finished."""

    def __init__(self, on_result: OnResult | None, progress: Progress | None) -> None:
        self.on_result = on_result
        self.progress = progress

    def __call__(self, result: ReplicationResult) -> None:
        if self.on_result:
            self.on_result(result)
        if self.progress:
            self.progress.item_done(result.replication)


def _on_processes(spec, seed, reps, jobs, done: _Done, records: bool
                  ) -> list[ReplicationResult]:
    from concurrent.futures import ProcessPoolExecutor, as_completed  # only when asked for

    with ProcessPoolExecutor(max_workers=min(jobs, reps)) as pool:
        futures = [pool.submit(run_replication, spec, seed, rep, None, records)
                   for rep in range(reps)]
        return _gather(as_completed(futures), done)


def _on_dask(spec, seed, reps, scheduler, done: _Done, records: bool
             ) -> list[ReplicationResult]:
    """Replications as Dask tasks; `scheduler` is an address, or 'local' for a LocalCluster."""
    try:
        from dask.distributed import Client, LocalCluster
        from dask.distributed import as_completed as dask_completed
    except ImportError as error:  # pragma: no cover - depends on the optional extra
        raise RuntimeError("Dask is not installed: pip install 'orgsim[dask]'") from error
    # no dashboard: nothing to look at for a batch of replications, and no port to clash
    cluster = (LocalCluster(processes=True, dashboard_address=None)
               if scheduler == "local" else None)
    client = Client(cluster or scheduler)
    try:
        futures = client.map(run_replication, [spec] * reps, [seed] * reps, range(reps),
                             [None] * reps, [records] * reps, pure=False)
        return _gather(dask_completed(futures), done)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _gather(finished, done: _Done) -> list[ReplicationResult]:
    """Results of futures in the order they finish, reporting each to `done`."""
    results = []
    for future in finished:
        result = future.result()
        results.append(result)
        done(result)
    return results
