"""Spec classes of the commerce flows: demand and orders, catalog and suppliers, fulfilment,
delivery, customer contacts and costs."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from sim.scenario.base import ArrivalsSpec, Spec
from sim.scenario.timeline import register_scaled_flow
from sim.scenario.types import (
    Clock,
    Count,
    Delay,
    Number,
    NumberDist,
    PositiveDuration,
    Quantity,
    Weekdays,
    WorkTime,
)


class DemandSpec(Spec):
    """Customers placing orders: a Poisson stream shaped by day and week profiles."""

    orders: ArrivalsSpec = Field(description="Order rate, e.g. 2000/d, or {rate, daily_profile, "
                                 "weekly_profile}.")
    lines_per_order: NumberDist = Field(1, validate_default=True,
                                        description="Lines in an order (a count >= 1).")
    units_per_line: NumberDist = Field(1, validate_default=True,
                                       description="Units on a line (a count >= 1).")


register_scaled_flow("demand", "order arrivals (demand.orders)",
                     lambda spec: spec.demand is not None)


class PolicySpec(Spec):
    """A replenishment policy. Quantities are units, or a duration meaning that many days of
    the product's expected demand (useful for generated catalogs)."""

    type: Literal["rQ", "sS", "base_stock", "forecast"] = Field(
        description="rQ: continuous review, order Q when the position falls to R; sS: order up "
        "to S when the position falls to s; base_stock: every review period order up to S; "
        "forecast: every review period order up to forecast demand over lead time + period, "
        "plus safety stock.")
    reorder_point: Quantity | None = Field(None, description="rQ: R.")
    order_quantity: Quantity | None = Field(None, description="rQ: Q (> 0).")
    min: Quantity | None = Field(None, description="sS: s, reorder when position <= s.")
    max: Quantity | None = Field(None, description="sS: S, order up to it.")
    order_up_to: Quantity | None = Field(None, description="base_stock: S.")
    review_period: PositiveDuration | None = Field(None, description="base_stock, forecast: T.")
    method: Literal["moving_average", "exp_smoothing"] = Field(
        "moving_average", description="forecast: how demand per period is forecast.")
    window: Count = Field(7, ge=1, description="forecast: periods in the moving average.")
    alpha: Number = Field(0.3, gt=0, le=1, description="forecast: smoothing constant.")
    safety_factor: Number = Field(1.65, ge=0, description="forecast: z, safety stock = z x "
                                  "forecast error sd over lead time + period.")

    @model_validator(mode="after")
    def _needs(self) -> PolicySpec:
        required = {"rQ": ("reorder_point", "order_quantity"), "sS": ("min", "max"),
                    "base_stock": ("order_up_to", "review_period"),
                    "forecast": ("review_period",)}[self.type]
        missing = [name for name in required if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a {self.type} policy needs {' and '.join(missing)}")
        return self


class ProductSpec(Spec):
    """One product (SKU) with its stock, replenishment policy and supplier."""

    sku: str = Field(description="Product code.")
    demand_share: Number = Field(1.0, gt=0, description="Relative weight in order lines "
                                 "(normalised over the catalog).")
    initial_stock: Quantity = Field(0, description="Units on hand at time 0 (or days of cover).")
    policy: PolicySpec | None = Field(None, description="Replenishment (none: never reordered).")
    supplier: str | None = Field(None, description="The supplier it is ordered from.")
    price: Number = Field(0.0, ge=0, description="Selling price per unit.")
    unit_cost: Number = Field(0.0, ge=0, description="Purchase cost per unit.")


class GeneratedCatalogSpec(Spec):
    """N products with Zipf-like demand shares: share of rank k is proportional to 1/k^zipf."""

    products: Count = Field(ge=1, description="How many products.")
    zipf: Number = Field(1.0, ge=0, description="Skew of demand (0: all equal).")
    sku_prefix: str = Field("P", description="SKUs are prefix + rank, e.g. P001.")
    price: NumberDist = Field(0, validate_default=True,
                              description="Price per unit, drawn once per product.")
    margin: Number = Field(0.5, ge=0, lt=1, description="unit_cost = price x (1 - margin).")
    initial_stock: Quantity = Field(0, description="Per product (days of cover scale with "
                                    "each product's demand).")
    policy: PolicySpec | None = Field(None, description="The same policy for every product.")
    suppliers: dict[str, Number] = Field(
        default_factory=dict, description="Supplier name -> share of products (by rank, "
        "alternating), e.g. {fast: 0.3, cheap: 0.7}.")


class CatalogSpec(Spec):
    """Products listed one by one (`catalog: [...]`), generated (`catalog: {generate: ...}`),
    or both (`catalog: {products: [...], generate: ...}`): then a listed product's
    demand_share weighs against 1/k^zipf for the generated product of rank k."""

    products: tuple[ProductSpec, ...] = Field((), description="Products listed one by one.")
    generate: GeneratedCatalogSpec | None = Field(None, description="Generated products.")

    @model_validator(mode="before")
    @classmethod
    def _list_shorthand(cls, data: Any) -> Any:
        return {"products": data} if isinstance(data, (list, tuple)) else data

    def suppliers_used(self) -> set[str]:
        """The suppliers products are ordered from (for the unused-supplier warning)."""
        named = {p.supplier for p in self.products if p.supplier is not None}
        return named | set(self.generate.suppliers if self.generate else ())


class SupplierSpec(Spec):
    """A supplier: lead time, minimum order and reliability."""

    lead_time: Delay = Field(description="Time from order to delivery.")
    minimum_order: Count = Field(0, ge=0, description="Orders are raised to at least this.")
    on_time: Number = Field(1.0, ge=0, le=1, description="Share of deliveries on time.")
    late_delay: Delay | None = Field(None, description="Extra delay of a late delivery.")
    short_share: Number = Field(0.0, ge=0, le=1, description="Share of deliveries that are short.")
    short_fill: NumberDist = Field(0.5, validate_default=True, description="Share of the "
                                   "quantity a short delivery brings (the rest never comes).")


class ReworkSpec(Spec):
    to: str = Field(description="The earlier stage the order goes back to.")
    probability: Number = Field(gt=0, lt=1, description="Chance an order is sent back.")


class StageSpec(Spec):
    """A fulfilment stage: a team's members work each order for a time per order + per line."""

    name: str = Field(description="Stage name, e.g. pick.")
    team: str | None = Field(None, description="Team that works it (default: fulfilment.team).")
    time_per_order: WorkTime | None = Field(None, description="Work per order.")
    time_per_line: WorkTime | None = Field(None, description="Work per order line.")
    rework: ReworkSpec | None = Field(None, description="Send orders back to an earlier stage.")


class FulfilmentSpec(Spec):
    """Picking, packing and checking: stages in order, worked by warehouse members."""

    team: str = Field("warehouse", description="Default team of the stages.")
    stages: tuple[StageSpec, ...] = Field(min_length=1, description="Stages in order.")
    cutoff: Clock | None = Field(None, description="Orders ready after this time wait until "
                                 "the next day before fulfilment starts.")
    partial_shipment: bool = Field(False, description="Ship what is in stock at once and the "
                                   "rest as it arrives (default: ship complete).")

    def teams_used(self) -> set[str]:
        """The teams that work the stages (for the unused-team warning)."""
        return {stage.team or self.team for stage in self.stages}


class CarrierSpec(Spec):
    share: Number = Field(1.0, ge=0, le=1, description="Share of orders given to this carrier.")
    transit_time: Delay = Field(description="Pickup to delivery.")
    pickups: tuple[Clock, ...] = Field((), description="Daily pickup times (absent: collected "
                                       "at once when packed).")
    pickup_days: Weekdays = Field("all", validate_default=True,
                                  description="Weekdays with pickups, e.g. mon-fri.")
    failed_share: Number = Field(0.0, ge=0, lt=1, description="Share of delivery attempts that "
                                 "fail.")
    redelivery_delay: Delay | None = Field(None, description="Wait before a new attempt "
                                           "(the transit time is then spent again).")

    @field_validator("pickups")
    @classmethod
    def _some_pickups(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        # Absent means "collected at once"; an empty list reads as "never collected".
        if not value:
            raise ValueError("an empty list of pickups would mean nothing is ever collected; "
                             "leave 'pickups' out to have orders collected as soon as they "
                             "are packed")
        return value


class DeliverySpec(Spec):
    carriers: dict[str, CarrierSpec] = Field(min_length=1, description="Carriers by name.")
    promise: PositiveDuration | None = Field(None, description="Delivery promise, placed to "
                                             "delivered (absent: no promise).")


class ContactsSpec(Spec):
    """Customers who contact support, and the inquiry types they raise (needs `support`)."""

    stockout: Number = Field(0.0, ge=0, le=1, description="Share of orders hit by a stock-out "
                             "whose customer contacts support.")
    late_delivery: Number = Field(0.0, ge=0, le=1, description="Share of orders not delivered "
                                  "by the promise whose customer contacts support (then).")
    failed_delivery: Number = Field(0.0, ge=0, le=1, description="Share of failed attempts "
                                    "that bring a contact.")
    stockout_type: str = Field("out_of_stock", description="Inquiry type for stock-outs.")
    late_type: str = Field("where_is_my_order", description="Inquiry type for late orders.")
    failed_type: str = Field("where_is_my_order", description="Inquiry type for failed "
                             "deliveries.")


class CostsSpec(Spec):
    holding_rate: Number = Field(0.25, ge=0, description="Holding cost per year as a share of "
                                 "unit cost.")
    backorder_per_unit_day: Number = Field(0.0, ge=0, description="Penalty per unit-day "
                                           "backordered.")
    lost_sale_penalty: Number | None = Field(None, ge=0, description="Cost per unit lost "
                                             "(default: the lost margin, price - unit cost).")
