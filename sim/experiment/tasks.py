"""Replications of many scenarios (a sweep's points) as one stream of tasks on one executor.

Every task is (key, spec, seed, replication, weight); each yields its metrics as it
finishes, in whatever order the executor finishes them. Replication r of seed s draws from
the streams of (s, r), so the numbers do not depend on the executor or the order. Only the
metrics come back from a worker (not the series), so little crosses between processes.

The tasks go to the workers longest first (by `weight`, the estimated seconds of one
replication), a point's replications together: the short ones fill the end, so the workers
stay busy to the last task, and each point is complete as soon as its replications are.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from typing import NamedTuple

from sim.experiment.executors import Executor
from sim.replication import run_replication
from sim.scenario.schema import ScenarioSpec


class Task(NamedTuple):
    key: Hashable  # the caller's name for the scenario (a sweep's point id)
    spec: ScenarioSpec
    seed: int
    replication: int
    weight: float = 0.0  # estimated seconds: the heavier go to the workers first


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


def longest_first(tasks: Sequence[Task]) -> list[Task]:
    """The tasks by decreasing weight; equal weights keep their order (a point's
    replications stay together, points in the caller's order)."""
    return sorted(tasks, key=lambda task: -task.weight)


def run_tasks(tasks: Sequence[Task], executor: Executor) -> Iterator[Done]:
    """Each task's metrics as it finishes, on `executor` (left open for the caller). Closing
    the iterator early (an interruption) cancels what has not started."""
    # looked up when called, so a test's stand-in for replication_metrics is the one run
    return executor.stream(replication_metrics, [(task,) for task in longest_first(tasks)])
