"""Build a scenario spec into a running model: one context, the flows that are switched on,
and the hand-offs between them.

Flows never import each other: each takes kinds of hand-off through the seam (`ctx.org`)
and this module registers who takes what. Where a stage is absent, the next one takes its
hand-off (no fulfilment: carriers take released shipments; no carriers: a ready shipment is
delivered).
"""

from __future__ import annotations

from typing import Protocol

from sim.metrics.output import FlowOutput
from sim.model.context import Context
from sim.model.flows.campaigns import Campaigns
from sim.model.flows.delivery import Delivery
from sim.model.flows.fulfilment import Fulfilment
from sim.model.flows.inventory import Inventory
from sim.model.flows.orders import Orders
from sim.model.flows.shipments import (
    BACKORDER_FILLED,
    CONTACT,
    DELIVERY_FAILED,
    SHIPMENT_DELIVERED,
    SHIPMENT_READY,
    SHIPMENT_RELEASED,
    STOCK_ALLOCATED,
    STOCK_REQUEST,
)
from sim.model.flows.signals import (
    DEMAND_FACTOR,
    FORECAST_PURCHASE,
    INCIDENT_STATUS,
    LOAD_INCIDENT,
    SITE_CAPACITY,
    SITE_HEALTH,
)
from sim.model.flows.site import Site
from sim.model.flows.support import (
    ESCALATION_ANSWER,
    SupportDesk,
    raised_inquiry_types,
    site_causes,
)
from sim.model.flows.tech import Tech
from sim.model.org.channels import build_collaboration
from sim.model.org.requests import TeamDesk, work_kind


class Flow(Protocol):
    def start(self) -> None: ...
    def collect(self, now: float) -> FlowOutput: ...


def build_flows(ctx: Context) -> list[Flow]:
    """The flows whose sections the scenario has, wired through the seam; a flow whose
    section is absent is off. They start in list order (which fixes the order of events at
    equal times) and report in it. Then each team asked for work that no flow serves gets a
    desk (`sim/model/org/requests.py`), which reports after the flows. Last, with
    collaboration settings, the channels between teams (`sim/model/org/channels.py`)."""
    flows = _operations_flows(ctx)
    if ctx.spec.site is not None and not ctx.org.receives(SITE_HEALTH):  # no orders
        flows.insert(0, _site(ctx, None))
    if ctx.spec.tech is not None:
        tech = Tech(ctx, ctx.spec.tech)
        ctx.org.on(work_kind(ctx.spec.tech.team), tech.receive, target=ctx.spec.tech.team)
        ctx.org.on(LOAD_INCIDENT, tech.incidents.from_load, target="tech")
        flows.append(tech)
    flows += serve_work_requests(ctx)
    collaboration = build_collaboration(ctx)
    if collaboration is not None:  # the channels between teams, over the finished wiring
        collaboration.install()
        flows.append(collaboration)
    return flows


def _site(ctx: Context, arrivals) -> Site:
    """The site follows the order arrivals' intended rate and sets their `site` factor."""
    site = Site(ctx, ctx.spec.site, arrivals)
    ctx.org.on(SITE_HEALTH, site.health, target="site")
    ctx.org.on(SITE_CAPACITY, site.scale, target="site")
    return site


def _operations_flows(ctx: Context) -> list[Flow]:
    spec = ctx.spec
    org = ctx.org
    flows: list[Flow] = []
    if spec.support is not None:
        support = SupportDesk(ctx, spec.support, raised_inquiry_types(spec))
        org.on(CONTACT, support.receive, target="support")
        if any(t.escalate for t in spec.support.inquiry_types.values()):
            org.on(ESCALATION_ANSWER, support.answer_back, target=spec.support.team)
        if "incident" in site_causes(spec):  # tech's status updates on open incidents
            org.on(INCIDENT_STATUS, support.incident_status, target=spec.support.team)
        flows.append(support)
    if spec.demand is None:
        return flows
    inventory = (Inventory(ctx, spec.catalog, spec.demand, spec.suppliers,
                           spec.stockout == "backorder", spec.costs)
                 if spec.catalog else None)
    orders = Orders(ctx, spec, inventory.catalog if inventory else None)
    fulfilment = Fulfilment(ctx, spec.fulfilment) if spec.fulfilment else None
    delivery = Delivery(ctx, spec.delivery) if spec.delivery else None
    if spec.campaigns:  # the campaigns' uplift and their forecasts' purchases
        org.on(DEMAND_FACTOR, orders.demand_factor, target="orders")
        if inventory:
            org.on(FORECAST_PURCHASE, inventory.forecast_purchase, target="inventory")
    if inventory:
        org.on(STOCK_REQUEST, inventory.request, target="inventory")
        org.on(STOCK_ALLOCATED, orders.allocated, target="orders")
        org.on(BACKORDER_FILLED, orders.line_filled, target="orders")
    carrier_kind = SHIPMENT_READY if fulfilment else SHIPMENT_RELEASED
    if fulfilment:
        org.on(SHIPMENT_RELEASED, fulfilment.accept, target="fulfilment")
        if not delivery:
            org.on(SHIPMENT_READY, orders.delivered, target="orders")
    if delivery:
        org.on(carrier_kind, delivery.accept, target="delivery")
        org.on(SHIPMENT_DELIVERED, orders.delivered, target="orders")
        org.on(DELIVERY_FAILED, orders.delivery_failed, target="orders")
    # the site starts before the orders, so it hears the arrivals' start (site.py)
    site = _site(ctx, orders.arrivals) if spec.site is not None else None
    flows += [flow for flow in (site, orders, inventory, fulfilment, delivery)
              if flow is not None]
    if spec.campaigns:
        flows.append(Campaigns(ctx))
    return flows


def serve_work_requests(ctx: Context) -> list[TeamDesk]:
    """A desk for every team some flow sends work to and no flow takes work for (each desk
    reports its balance like a flow)."""
    desks = []
    for team in sorted(ctx.work_targets):
        if not ctx.org.receives(work_kind(team)):
            desk = TeamDesk(team, ctx.pool(team))
            ctx.org.on(work_kind(team), desk.receive, target=team)
            desks.append(desk)
    return desks
