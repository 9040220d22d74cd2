"""Fulfilment: shipments pass through stages (pick, pack, check, ...), each worked by a
team's members; a stage may send a shipment back to an earlier stage (rework); a daily
cut-off holds shipments that become ready late until the next day. Shipments come in
through the seam (`shipment_released`) and leave through it (`shipment_ready`).

Stages are `Pool` handlers. Where stages share a team, later stages are served first, so
work in progress leaves the warehouse before new work starts.
"""

from __future__ import annotations

from array import array
from itertools import pairwise

import numpy as np

from sim.metrics.load import Demand
from sim.metrics.output import FlowOutput, safe_ratio
from sim.model.context import Context
from sim.model.flows.shipments import HELD_FOR_CUTOFF, IN_FULFILMENT, SHIPMENT_READY, Shipment
from sim.model.org.pool import utilisation, utilisation_series
from sim.model.wakeup import Wakeup, call_later
from sim.scenario.commerce import FulfilmentSpec, StageSpec
from sim.units import DAY


class Stage:
    """One fulfilment stage as a pool handler."""

    def __init__(self, fulfilment: Fulfilment, index: int, spec: StageSpec, team: str,
                 count: int) -> None:
        ctx = fulfilment.ctx
        self.fulfilment = fulfilment
        self.index = index
        self.name = spec.name
        self.team = team
        self.pool = ctx.pool(team)
        self.priority = count - 1 - index
        self.pool.ensure_priorities(count)
        streams = ctx.streams
        self._per_order = (spec.time_per_order.sampler(streams.stream(
            f"fulfilment.{spec.name}.time_per_order")) if spec.time_per_order else None)
        self._per_line = (spec.time_per_line.sampler(streams.stream(
            f"fulfilment.{spec.name}.time_per_line")) if spec.time_per_line else None)
        self.rework_to: int | None = None
        self.next_stage: Stage | None = None  # set by Fulfilment: None for the last stage
        self.rework_probability = spec.rework.probability if spec.rework else 0.0
        self._rework_draw = ctx.uniform(f"fulfilment.{spec.name}.rework")
        self.warmup = ctx.warmup
        self.visits = 0
        self.wait_sum = 0.0
        # for the overload check: every visit offered, the work of every visit started
        self.accepted = 0
        self.work_sum = 0.0
        self._accepted_at_window = 0
        ctx.at_window_start(self._start_window)
        self.pool.add_demand(self.demand)

    def _start_window(self, _now: float) -> None:
        self._accepted_at_window = self.accepted

    def demand(self) -> Demand:
        """Visits offered in the window times the mean work of a visit."""
        items = self.accepted - self._accepted_at_window
        started = self.accepted - self.pool.queued_for(self)
        mean = self.work_sum / started if started else 0.0
        return Demand("fulfilment", self.name, "shipments", items, items * mean)

    def accept(self, shipment: Shipment, now: float) -> None:
        self.accepted += 1
        shipment.stage = self.index
        shipment.priority = self.priority
        shipment.mark = now
        self.pool.submit(self, shipment)

    def begin(self, shipment: Shipment, now: float) -> float:
        wait = now - shipment.mark
        shipment.queue += wait
        duration = self._per_order() if self._per_order else 0.0
        if self._per_line:
            per_line = self._per_line
            for _ in shipment.lines:
                duration += per_line()
        shipment.work += duration
        self.work_sum += duration
        if shipment.order.counted:
            self.visits += 1
            self.wait_sum += wait
        return duration

    def end(self, shipment: Shipment, now: float) -> None:
        shipment.mark = now
        if self.rework_to is not None and self._rework_draw() < self.rework_probability:
            self.fulfilment.stages[self.rework_to].accept(shipment, now)
        elif self.next_stage is not None:  # on to the next stage (stage_done, one call less)
            self.next_stage.accept(shipment, now)
        else:
            self.fulfilment.stage_done(self.index, shipment, now)


class Fulfilment:
    SOURCE = "fulfilment"

    def __init__(self, ctx: Context, spec: FulfilmentSpec) -> None:
        self.ctx = ctx
        self.env = ctx.env
        self.org = ctx.org
        self.spec = spec
        count = len(spec.stages)
        self.stages = [Stage(self, i, s, s.team or spec.team, count)
                       for i, s in enumerate(spec.stages)]
        names = [s.name for s in spec.stages]
        for stage, following in pairwise(self.stages):
            stage.next_stage = following
        for stage, stage_spec in zip(self.stages, spec.stages, strict=True):
            if stage_spec.rework:
                stage.rework_to = names.index(stage_spec.rework.to)
        self.cutoff = spec.cutoff
        self._held: list[Shipment] = []  # ready after the cut-off, waiting for midnight
        self.waits = array("d")  # per shipment, total time waiting for members (counted)

    @property
    def teams(self) -> list[str]:
        return sorted({s.team for s in self.stages})

    def start(self) -> None:
        pass  # work arrives as hand-offs; the cut-off's wake-ups are made as needed

    def collect(self, now: float) -> FlowOutput:
        waits = np.frombuffer(self.waits, dtype=float)
        m = {"fulfilment.wait.mean": float(waits.mean()) if len(waits) else float("nan"),
             "fulfilment.utilisation": utilisation([self.ctx.pools[t] for t in self.teams],
                                                   now)}
        for stage in self.stages:
            m[f"fulfilment.{stage.name}.wait.mean"] = safe_ratio(stage.wait_sum, stage.visits)
        return FlowOutput(m, self.series(now))

    def series(self, now: float) -> dict[str, np.ndarray]:
        """Per bin over the warehouse teams: number waiting, members busy, on shift, in
        overtime, and utilisation = busy / (on shift + overtime)."""
        pools = [self.ctx.pools[t] for t in self.teams]
        staff = utilisation_series(pools, now)
        out = {f"fulfilment.{key}": value for key, value in staff.items()}
        out["fulfilment.queue_length"] = sum(p.queue.series(now) for p in pools)
        return out

    def accept(self, shipment: Shipment, now: float) -> None:
        """A shipment to pick and pack (the `shipment_released` hand-off)."""
        if self.cutoff is not None and now % DAY > self.cutoff:
            # held until midnight: everything held today is released by one wake-up
            if not self._held:
                call_later(self.env, DAY - now % DAY, self._release)
            shipment.state = HELD_FOR_CUTOFF
            self._held.append(shipment)
            return
        self.stages[0].accept(shipment, now)

    def _release(self, _event: Wakeup) -> None:
        now = self.env._now
        held, self._held = self._held, []
        first = self.stages[0]
        for shipment in held:
            shipment.cutoff += now - shipment.mark
            shipment.state = IN_FULFILMENT
            first.accept(shipment, now)

    def stage_done(self, index: int, shipment: Shipment, now: float) -> None:
        if index + 1 < len(self.stages):
            self.stages[index + 1].accept(shipment, now)
            return
        if shipment.order.counted:
            self.waits.append(shipment.queue)
        self.org.send(SHIPMENT_READY, shipment, self.SOURCE)


# --- declared metrics (sim/metrics/declare.py); one block, kept apart from the model code ---

from sim.metrics.declare import DURATION, SHARE, Metric, declare  # noqa: E402

FULFILMENT_METRICS = declare("fulfilment", [
    Metric("fulfilment.wait.mean", DURATION, "mean time a shipment waits for a member, "
           "summed over its stages"),
    Metric("fulfilment.utilisation", SHARE, "busy member time of the stages' teams over "
           "on-shift time plus overtime"),
    Metric("fulfilment.<stage>.wait.mean", DURATION, "mean wait of a visit to the stage",
           values=lambda spec: [stage.name for stage in spec.fulfilment.stages]),
], active=lambda spec: spec.demand is not None and spec.fulfilment is not None,
    order=40)
