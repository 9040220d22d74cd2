"""Where replications run: in this process, on a local process pool, or on Dask.

An `Executor` takes work and hands back each result as it finishes: `run` the replications
of one spec, `stream` any picklable module-level function over a stream of arguments (a
sweep's replications of every point, as one stream). It can be opened once and used for
many runs (a sweep's points, a comparison's two sides), so a pool or a Dask client starts
once. Replication r of seed s always draws from the streams of (s, r), so the numbers are
the same whichever executor runs them, in whatever order.

Pools fork from this process on Linux while it runs no other thread (the command line: the
workers start with the model already imported, no server to start first); else they use
'forkserver' where there is one (Jupyter's kernel and Dask run threads, which a fork would
copy mid-flight), else 'spawn'. Each through its own context (the global start method is
left alone); the work (`sim.replication.run_replication`) is a module-level, picklable
function.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Any, TypeVar

from sim.progress import Progress
from sim.replication import ReplicationResult, run_replication
from sim.scenario.schema import ScenarioSpec

Result = TypeVar("Result")

# Below this much estimated computing a pool costs more (starting workers, sending the spec
# and the results) than it saves; run serially.
POOL_WORTH_SECONDS = 2.0


_BROKEN_POOL = (
    "a worker process of the local pool stopped. If a script runs this, put its work under "
    "`if __name__ == '__main__':` (workers start afresh and import the script), or run "
    "serially with jobs=1 (--jobs 1)")


class Executor:
    """Runs work and yields the results as they finish."""

    workers = 1

    def run(self, spec: ScenarioSpec, seed: int, replications: Iterable[int],
            records: bool = False, progress: Progress | None = None
            ) -> Iterator[ReplicationResult]:
        """Replications of one spec, each result as it finishes."""
        return self.stream(run_replication, [(spec, seed, rep, None, records)
                                             for rep in replications])

    def stream(self, function: Callable[..., Result], arguments: Iterable[tuple[Any, ...]]
               ) -> Iterator[Result]:
        """`function(*args)` for each args, in the order given to the workers, each result as
        it finishes (so the workers stay busy until the last). Closing the iterator early
        (a target met, an interruption, an error) cancels what has not started."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the workers (a no-op for serial runs)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class SerialExecutor(Executor):
    """In this process, one after the other; progress sees inside each replication."""

    def run(self, spec, seed, replications, records=False, progress=None):
        for rep in replications:
            advance = partial(progress.advance, rep) if progress else None
            yield run_replication(spec, seed, rep, advance, records)

    def stream(self, function, arguments):
        for args in arguments:
            yield function(*args)


class PoolExecutor(Executor):
    """A local process pool of `workers` processes, started on first use, kept until
    `close()`."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or local_cores())
        self._pool = None

    def _started(self):
        if self._pool is None:
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(max_workers=self.workers,
                                             mp_context=_pool_context())
        return self._pool

    def stream(self, function, arguments):
        from concurrent.futures import as_completed
        from concurrent.futures.process import BrokenProcessPool

        pool = self._started()
        futures = [pool.submit(function, *args) for args in arguments]
        try:
            for future in as_completed(futures):
                try:
                    yield future.result()
                except BrokenProcessPool as error:
                    raise RuntimeError(_BROKEN_POOL) from error
        finally:  # abandoned early (a precision target met, an error): drop what is queued
            for future in futures:
                future.cancel()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


class DaskExecutor(Executor):
    """A Dask client to `scheduler` (an address, or 'local' for a LocalCluster on this
    machine), opened on first use and kept until `close()`; results stream back as they
    finish."""

    def __init__(self, scheduler: str) -> None:
        self.scheduler = scheduler
        self._client = None
        self._cluster = None

    @property
    def workers(self) -> int:  # type: ignore[override]
        if self._client is None:
            return local_cores() if self.scheduler == "local" else 1
        return max(1, sum(w.get("nthreads", 1) for w in
                          self._client.scheduler_info().get("workers", {}).values()))

    def _connected(self):
        if self._client is None:
            try:
                from dask.distributed import Client, LocalCluster
            except ImportError as error:  # pragma: no cover - depends on the optional extra
                raise RuntimeError("Dask is not installed: pip install 'orgsim[dask]'") from error
            # no dashboard: nothing to look at for a batch of replications, no port to clash
            if self.scheduler == "local":
                self._cluster = LocalCluster(processes=True, dashboard_address=None)
            self._client = Client(self._cluster or self.scheduler)
        return self._client

    def stream(self, function, arguments):
        from dask.distributed import as_completed

        client = self._connected()
        # one task per item, submitted in order: the scheduler starts them first to last
        futures = [client.submit(function, *args, pure=False) for args in arguments]
        try:
            for future in as_completed(futures):
                yield future.result()
        finally:
            client.cancel(futures)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


def local_cores() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _pool_context():
    import multiprocessing  # only pools need it: a serial run does not pay for it
    import sys
    import threading

    methods = multiprocessing.get_all_start_methods()
    if sys.platform == "linux" and "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        # the server imports the model once; every worker forks from it ready to run
        context.set_forkserver_preload(["sim.replication"])
    return context


def pool_is_worth_it(reps: int, serial_seconds: float, cores: int | None = None) -> bool:
    """Whether a local pool would beat a serial run of `reps` replications estimated at
    `serial_seconds` of computing in all."""
    cores = local_cores() if cores is None else cores
    return cores > 1 and reps > 1 and serial_seconds >= POOL_WORTH_SECONDS


def choose_executor(reps: int, serial_seconds: float, jobs: int | None = None,
                    dask_scheduler: str | None = None) -> Executor:
    """The executor for a run: Dask when asked; `jobs` processes when given (1: serial);
    else every local core when the run is big enough for a pool to pay, serial otherwise."""
    if dask_scheduler is not None:
        return DaskExecutor(dask_scheduler)
    if jobs is None:
        jobs = local_cores() if pool_is_worth_it(reps, serial_seconds) else 1
    jobs = min(jobs, reps)
    return PoolExecutor(jobs) if jobs > 1 else SerialExecutor()

