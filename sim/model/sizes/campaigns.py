"""Size of the campaigns: a few events each (the brief, the hand-overs, the window's ends);
the orders they bring are sized by the orders flow (`expected_orders`)."""

from __future__ import annotations

from sim.model.sizes import FlowSize, RunShape, size_estimator
from sim.scenario.schema import ScenarioSpec

EVENTS_PER_ITEM = 4  # a hand-over, its process steps and its done event
EVENTS_PER_CAMPAIGN = 8  # the process's timeouts and the window's changes
EVENT_COST = 5e-6  # s: SimPy process steps cost more than the flows' callbacks


@size_estimator("campaigns")
def campaigns_size(spec: ScenarioSpec, shape: RunShape) -> FlowSize | None:
    if not spec.campaigns or spec.demand is None:
        return None
    count = len(spec.campaigns)
    items = sum(len(c.prerequisites.items()) for _, c in spec.campaigns)
    return FlowSize("campaigns", count, "campaigns",
                    count * EVENTS_PER_CAMPAIGN + items * EVENTS_PER_ITEM, EVENT_COST,
                    samplers=sum(1 for _, c in spec.campaigns
                                 if c.prerequisites.forecast is not None
                                 and c.prerequisites.forecast.error is not None))
