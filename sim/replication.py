"""One replication: the only place that makes a `simpy.Environment`."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from simpy import Environment

from sim.metrics.declare import reported_names
from sim.metrics.load import Finding
from sim.metrics.output import Balance
from sim.metrics.record_table import RecordTable
from sim.metrics.split import collaboration_shares, drop_unreported
from sim.model.build import Flow, build_flows
from sim.model.context import Context
from sim.model.org.team import member_hours
from sim.model.wakeup import run_until
from sim.random import RandomStreams
from sim.scenario.schema import ScenarioSpec
from sim.scenario.timeline import staff_steps


@dataclass
class ReplicationResult:
    """Everything one replication produced; small and picklable (for process pools, Dask)."""

    replication: int
    metrics: dict[str, float]
    series: dict[str, np.ndarray]
    samples: dict[str, np.ndarray]
    balances: list[Balance]
    bin_width: float
    wall_time: float
    events: int = 0
    notes: list[Finding] = field(default_factory=list)  # overload, abandonment (metrics.load)
    # entity records by kind ('support', 'orders'), when the run keeps them; numpy columns
    records: dict[str, RecordTable] = field(default_factory=dict)


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the model runs, and restore it after.

    Entities (orders, inquiries, shipments) are freed by reference counting: flows break
    their reference cycles when an entity finishes. The cyclic collector would only rescan
    the long-lived objects (modules, specs, the model) again and again: about a quarter of
    the run time of ecommerce_week (benchmarks/README.md).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def staff_cost(spec: ScenarioSpec, added: Iterable[tuple[str, float, float, int]] = ()
               ) -> float:
    """Cost of the members' hours on shift in the observed window, over all teams; `added`:
    (team, start, end, members) put on shift while the run was under way."""
    cost = sum(member_hours(team, spec.warmup, spec.horizon,
                            staff_steps(spec.timeline, name, spec.horizon)) * team.cost_per_hour
               for name, team in spec.teams.items())
    for name, start, end, members in added:
        hours = max(0.0, min(end, spec.horizon) - max(start, spec.warmup)) / 60.0
        cost += members * hours * spec.teams[name].cost_per_hour
    return cost


PROGRESS_SLICES = 200  # checkpoints of a replication reported to a progress callback


def simulate(env: Environment, horizon: float,
             on_progress: Callable[[float], None] | None = None) -> None:
    """Run `env` to `horizon`; with `on_progress`, in slices, reporting the simulated share.

    `env.run(until=t)` (here `run_until`, the same without a call per event) stops before the
    events at t (its stop event is urgent) and the next slice resumes with them in their own
    order, so slicing changes no result; a few hundred slices cost a few hundred extra
    events, nothing on the hot path.
    """
    if on_progress is None:
        run_until(env, horizon)
        return
    for k in range(1, PROGRESS_SLICES + 1):
        run_until(env, horizon * k / PROGRESS_SLICES)
        on_progress(k / PROGRESS_SLICES)


class ConservationError(AssertionError):
    """A flow lost or double-counted entities: a bug in the model, never the user's fault."""


def build_model(spec: ScenarioSpec, seed: int, replication: int, records: bool = False
                ) -> tuple[Environment, Context, list[Flow]]:
    """A replication's model, built and started but not yet run: the clock, the context and
    the flows (also for tests and benchmarks that drive the clock themselves). With
    `records`, the flows keep entity records (sim/metrics/records.py)."""
    env = Environment()
    # building allocates per-product state in bulk: the collector would rescan it many times
    with cyclic_gc_paused():
        ctx = Context(env, RandomStreams(seed, replication), spec, records)
        flows = build_flows(ctx)
        ctx.schedule_window_start()
        for flow in flows:
            flow.start()
    return env, ctx, flows


def run_replication(spec: ScenarioSpec, seed: int, replication: int,
                    on_progress: Callable[[float], None] | None = None,
                    records: bool = False) -> ReplicationResult:
    """Build, simulate to the horizon, collect; the streams depend on (seed, replication).

    `on_progress(fraction)` hears the share of the horizon simulated, a few hundred times.
    With `records`, the result holds every entity's record (finished or open at the horizon,
    warm-up included); the metrics are the same either way.
    """
    started = time.perf_counter()
    with cyclic_gc_paused():
        env, ctx, flows = build_model(spec, seed, replication, records)
        simulate(env, spec.horizon, on_progress)
    now = env.now
    result = ReplicationResult(replication, {}, {}, {}, [], ctx.bin_width, 0.0)
    result.events = next(env._eid)  # events scheduled (for the run-size estimate's checks)
    for flow in flows:
        output = flow.collect(now)
        result.metrics.update(output.metrics)
        result.series.update(output.series)
        result.samples.update(output.samples)
        result.balances.extend(output.balances)
    result.metrics.update(collaboration_shares(spec, result.metrics))
    drop_unreported(spec, result.metrics)
    # in the declared order (flow by flow, money last), whichever flow collects a metric
    order = {name: i for i, name in enumerate(reported_names(spec))}
    result.metrics = dict(sorted(result.metrics.items(),
                                 key=lambda item: order.get(item[0], len(order))))
    if spec.teams:
        result.metrics["cost.staff"] = staff_cost(spec, ctx.added_staff)
    result.balances.extend(ctx.org.balances())  # hand-offs: delivered or in transit
    result.notes.extend(ctx.load_watch.findings(now))
    if ctx.records is not None:  # after collect: the flows have added their open entities
        result.records = ctx.records.tables(replication)
    broken = [str(b) for b in result.balances if not b.holds]
    if broken:
        raise ConservationError("conservation does not hold: " + "; ".join(broken))
    result.wall_time = time.perf_counter() - started
    return result


# --- declared metrics (sim/metrics/declare.py); one block, kept apart from the run code ---

from sim.metrics.declare import MONEY, Metric, declare  # noqa: E402

STAFF_METRICS = declare("staff", [
    Metric("cost.staff", MONEY, "cost of the members' hours on shift over the observed window, "
           "all teams, in the scenario's currency"),
], active=lambda spec: bool(spec.teams), order=90)
