"""Size of the orders flow (demand, order records) and helpers other estimators share."""

from __future__ import annotations

from sim.metrics.records import BASE_COLUMNS as RECORD_BASE_COLUMNS
from sim.model.sizes import KEPT_VALUE_BYTES, FlowSize, RunShape, batched, size_estimator
from sim.scenario.campaigns import extra_orders
from sim.scenario.schema import ScenarioSpec
from sim.scenario.timeline import scaled_span
from sim.units import DAY

ORDER_EVENT_COST = 3.8e-6  # s per event of the commerce flows, CPU (size_calibration.py)
OPEN_ORDER_BYTES = 1200  # an order in the system: Order, its lines and shipment
CAMPAIGN_LOG_BYTES = 9  # with campaigns: each order's placing time and outcome code
# Shares of orders assumed to bring a stock-out or late-delivery contact; the real shares
# depend on the run, and these only size the support flow's extra inquiries.
ASSUMED_STOCKOUT_SHARE = 0.1
ASSUMED_LATE_SHARE = 0.1


def expected_orders(spec: ScenarioSpec, shape: RunShape) -> float:
    """Orders placed in one replication (the profiles average to the rate; the timeline's
    factors scale it: their integral over the run is its length as the rate sees it; the
    campaigns add their extra orders at full uplift)."""
    if spec.demand is None:
        return 0.0
    return (spec.demand.orders.rate * scaled_span(spec.timeline, "demand", shape.horizon)
            + extra_orders(spec))


def mean_count(dist) -> float:
    """Mean of a count drawn as max(1, round(x))."""
    return max(1.0, float(dist.mean))


def raised_contacts(spec: ScenarioSpec, shape: RunShape) -> float:
    """Inquiries the commerce flows hand to support in one replication."""
    contacts = spec.contacts
    if spec.demand is None or contacts is None or spec.support is None:
        return 0.0
    orders = expected_orders(spec, shape)
    failed = 0.0
    if spec.delivery:
        failed = sum(c.share * c.failed_share for c in spec.delivery.carriers.values())
    return orders * (contacts.stockout * ASSUMED_STOCKOUT_SHARE
                     + contacts.late_delivery * ASSUMED_LATE_SHARE
                     + contacts.failed_delivery * failed)


def time_in_system(spec: ScenarioSpec) -> float:
    """Rough minutes from placed to delivered: transit, waiting for a pickup or the cut-off."""
    minutes = 0.0
    if spec.delivery:
        carriers = spec.delivery.carriers.values()
        minutes += sum(c.share * c.transit_time.mean for c in carriers)
        if any(c.pickups for c in carriers):
            minutes += DAY / 2
    if spec.fulfilment and spec.fulfilment.cutoff is not None:
        minutes += DAY / 2
    return minutes


@size_estimator("orders")
def orders_size(spec: ScenarioSpec, shape: RunShape) -> FlowSize | None:
    if spec.demand is None:
        return None
    orders = expected_orders(spec, shape)
    late_checks = 1.0 if (spec.delivery and spec.delivery.promise is not None
                          and spec.contacts and spec.contacts.late_delivery) else 0.0
    open_orders = spec.demand.orders.rate * min(time_in_system(spec), shape.horizon)
    return FlowSize(
        "orders", orders, "orders", orders * (1 + late_checks), ORDER_EVENT_COST,
        kept_bytes=orders * shape.observed_share * KEPT_VALUE_BYTES
        + open_orders * OPEN_ORDER_BYTES
        + orders * CAMPAIGN_LOG_BYTES * bool(spec.campaigns),
        series=2, bin_arrays=2, samples=1,
        record_columns=len(RECORD_BASE_COLUMNS) + 6,  # split: stock .. transit
        samplers=1 + batched(spec.demand.lines_per_order, spec.demand.units_per_line)
        + _product_choice(spec) + sum(1 for share in _contact_shares(spec) if share))


def _product_choice(spec: ScenarioSpec) -> int:
    catalog = spec.catalog
    return int(bool(catalog) and len(catalog.products) + bool(catalog.generate) > 1)


def _contact_shares(spec: ScenarioSpec) -> tuple[float, ...]:
    contacts = spec.contacts if spec.support is not None else None
    return (contacts.stockout, contacts.late_delivery, contacts.failed_delivery) if contacts \
        else ()
