"""Replications of many scenarios (a sweep's points) on one executor, opened once.

Every task is (key, spec, seed, replication); each yields its metrics as it finishes, in
whatever order the executor finishes them. Replication r of seed s draws from the streams of
(s, r), so the numbers do not depend on the executor. Only the metrics come back from a
worker (not the series), so little crosses between processes.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from typing import NamedTuple

from sim.replication import run_replication
from sim.scenario.schema import ScenarioSpec


class Task(NamedTuple):
    key: Hashable  # the caller's name for the scenario (a sweep's point id)
    spec: ScenarioSpec
    seed: int
    replication: int


class Done(NamedTuple):
    key: Hashable
    replication: int
    metrics: dict[str, float]
    cpu_seconds: float  # the replication's own CPU time, in whichever process ran it


def replication_metrics(task: Task) -> Done:
    import time

    started = time.process_time()
    result = run_replication(task.spec, task.seed, task.replication)
    return Done(task.key, task.replication, result.metrics, time.process_time() - started)


def run_tasks(tasks: Sequence[Task], jobs: int = 1, dask_scheduler: str | None = None
              ) -> Iterator[Done]:
    """Each task's metrics as it finishes: serially, on `jobs` local processes, or on Dask
    ('local' or an address; one client for all the tasks). Closing the iterator early (an
    interruption) cancels what has not started."""
    if dask_scheduler is not None:
        yield from _on_dask(tasks, dask_scheduler)
    elif jobs > 1 and len(tasks) > 1:
        yield from _on_processes(tasks, jobs)
    else:
        for task in tasks:
            yield replication_metrics(task)


def _on_processes(tasks: Sequence[Task], jobs: int) -> Iterator[Done]:
    from concurrent.futures import ProcessPoolExecutor, as_completed

    pool = ProcessPoolExecutor(max_workers=min(jobs, len(tasks)))
    try:
        futures = [pool.submit(replication_metrics, task) for task in tasks]
        for future in as_completed(futures):
            yield future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _on_dask(tasks: Sequence[Task], scheduler: str) -> Iterator[Done]:
    try:
        from dask.distributed import Client, LocalCluster
        from dask.distributed import as_completed as dask_completed
    except ImportError as error:  # pragma: no cover - depends on the optional extra
        raise RuntimeError("Dask is not installed: pip install 'orgsim[dask]'") from error
    cluster = (LocalCluster(processes=True, dashboard_address=None)
               if scheduler == "local" else None)
    client = Client(cluster or scheduler)
    try:
        futures = client.map(replication_metrics, list(tasks), pure=False)
        for future in dask_completed(futures):
            yield future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
