"""Size of delivery: a transit event per attempt, and the carriers' pickups."""

from __future__ import annotations

from sim.model.sizes import FlowSize, RunShape, batched, size_estimator
from sim.model.sizes.orders import ORDER_EVENT_COST, expected_orders
from sim.scenario.schema import ScenarioSpec
from sim.units import DAY


@size_estimator("delivery")
def delivery_size(spec: ScenarioSpec, shape: RunShape) -> FlowSize | None:
    if spec.delivery is None or spec.demand is None:
        return None
    carriers = spec.delivery.carriers.values()
    shipments = expected_orders(spec, shape)
    attempts = sum(c.share / (1 - c.failed_share) for c in carriers)
    days = shape.horizon / DAY
    pickups = sum(len(c.pickups) * days * len(c.pickup_days) / 7
                  for c in carriers)
    samplers = sum(batched(c.transit_time) + bool(c.failed_share)
                   + bool(c.failed_share) * batched(c.redelivery_delay)
                   for c in carriers) + (len(carriers) > 1)
    return FlowSize("delivery", shipments, "shipments", shipments * attempts + pickups,
                    ORDER_EVENT_COST, samplers=samplers)
