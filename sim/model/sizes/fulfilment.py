"""Size of fulfilment: one event per stage visit of each shipment, rework loops included."""

from __future__ import annotations

from sim.model.sizes import FLOAT_BYTES, FlowSize, RunShape, batched, size_estimator
from sim.model.sizes.orders import ORDER_EVENT_COST, expected_orders
from sim.scenario.schema import ScenarioSpec
from sim.units import DAY


@size_estimator("fulfilment")
def fulfilment_size(spec: ScenarioSpec, shape: RunShape) -> FlowSize | None:
    if spec.fulfilment is None or spec.demand is None:
        return None
    stages = spec.fulfilment.stages
    names = [s.name for s in stages]
    visits = float(len(stages))
    for index, stage in enumerate(stages):
        if stage.rework:  # the loop back to `to` repeats p / (1 - p) times on average
            loop = index - names.index(stage.rework.to) + 1
            p = stage.rework.probability
            visits += loop * p / (1 - p)
    shipments = expected_orders(spec, shape)
    releases = shape.horizon / DAY if spec.fulfilment.cutoff is not None else 0.0
    return FlowSize(
        "fulfilment", shipments, "shipments", shipments * visits + releases, ORDER_EVENT_COST,
        kept_bytes=shipments * shape.observed_share * FLOAT_BYTES,
        samplers=sum(batched(s.time_per_order, s.time_per_line) + bool(s.rework)
                     for s in stages))
