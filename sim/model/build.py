"""Build a scenario spec into a running model: one context, the flows that are switched on."""

from __future__ import annotations

from typing import Protocol

from sim.metrics.output import FlowOutput
from sim.model.context import Context
from sim.model.flows.orders import Orders
from sim.model.flows.support import SupportDesk
from sim.scenario.schema import ScenarioSpec


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


def raised_inquiry_types(spec: ScenarioSpec) -> tuple[str, ...]:
    """The inquiry types the commerce flows can hand to support."""
    contacts = spec.contacts
    if spec.demand is None or contacts is None:
        return ()
    raised = [(contacts.stockout, contacts.stockout_type),
              (contacts.late_delivery, contacts.late_type),
              (contacts.failed_delivery, contacts.failed_type)]
    return tuple(dict.fromkeys(kind for share, kind in raised if share > 0))
