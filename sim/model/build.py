"""Build a scenario spec into a running model: one context, the flows that are switched on."""

from __future__ import annotations

from typing import Protocol

from sim.metrics.output import FlowOutput
from sim.model.context import Context
from sim.model.flows.orders import Orders
from sim.model.flows.support import SupportDesk, raised_inquiry_types


class Flow(Protocol):
    def start(self) -> None: ...
    def collect(self, now: float) -> FlowOutput: ...


def build_flows(ctx: Context) -> list[Flow]:
    """The flows whose sections the scenario has; a flow whose section is absent is off."""
    spec = ctx.spec
    flows: list[Flow] = []
    if spec.support is not None:
        flows.append(SupportDesk(ctx, spec.support, raised_inquiry_types(spec)))
    if spec.demand is not None:
        flows.append(Orders(ctx, spec))
    return flows

