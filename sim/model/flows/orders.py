"""Demand and orders: customers place orders; the order's lines go to inventory for stock,
its shipments through fulfilment and delivery, and unhappy customers contact support, all
through the hand-off seam (this flow imports no other flow; sim/model/build.py wires it).

Orders arrive as a non-homogeneous Poisson process (base rate x day and week profiles x
named factors: `arrivals.set_factor`, the seam the timeline, campaigns and site health
drive). Everything an order is made of (its lines, their units and products) is drawn when
it is placed, each from its own named stream, so a change of staffing or policy does not
change what later customers order. An order is complete when its last shipment is
delivered; with no fulfilment or
delivery section, when its stock is allocated.
"""

from __future__ import annotations

import bisect
from array import array
from collections import deque
from collections.abc import Sequence

import numpy as np

from sim.metrics.output import Balance, FlowOutput, describe_durations, safe_ratio, sketch
from sim.metrics.records import OPEN, OPERATIONS, entity_kind
from sim.model.arrivals import ArrivalStream
from sim.model.choice import weighted_choice
from sim.model.context import Context
from sim.model.flows.shipments import (
    AWAITING_PICKUP,
    CONTACT,
    HELD_FOR_CUTOFF,
    IN_FULFILMENT,
    IN_TRANSIT,
    SHIPMENT_RELEASED,
    SPLIT_COMPONENTS,
    STOCK_REQUEST,
    Line,
    Order,
    Shipment,
)
from sim.model.flows.signals import DemandFactor
from sim.model.wakeup import Wakeup, call_later
from sim.scenario.schema import ScenarioSpec
from sim.units import DAY

SOURCE = "orders"

# the entity records of orders (`orgsim run --records`): placed to delivered (its last
# shipment) or lost; `type` is the carrier of the shipment that completes the order
ORDER_RECORDS = entity_kind(
    "orders", "orders", dict.fromkeys(SPLIT_COMPONENTS, OPERATIONS), ("delivered", "lost", OPEN),
    active=lambda spec: spec.demand is not None)
NO_CARRIER = "order"  # the type of an order no carrier takes (yet)
OUTCOME_OPEN, OUTCOME_DELIVERED, OUTCOME_LOST = 0, 1, 2


class Orders:
    """`catalog`: the products orders choose from, by index (each with `share` and `price`;
    inventory's plan of the catalog), or None when stock is never the constraint."""

    def __init__(self, ctx: Context, spec: ScenarioSpec, catalog: Sequence | None = None
                 ) -> None:
        self.ctx = ctx
        self.env = ctx.env
        self.org = ctx.org
        self.spec = spec
        demand = spec.demand
        # arrivals.set_factor is the seam the timeline, campaigns and site health drive
        self.arrivals = ArrivalStream(ctx, demand.orders.profile(), "orders.arrivals", self.place,
                                      scaled_as="demand")
        streams = ctx.streams
        self._lines = demand.lines_per_order.sampler(streams.stream("orders.lines"))
        self._units = demand.units_per_line.sampler(streams.stream("orders.units"))
        self.prices = [p.price for p in catalog] if catalog else None
        self.skus = [p.sku for p in catalog] if catalog else []
        self._shares = [p.share for p in catalog] if catalog else []
        self._product_draw = ctx.uniform("orders.product") if catalog else None
        self._choose_product = (weighted_choice(self._shares, self._product_draw)
                                if catalog else None)
        self._mixes: dict[str, list[float]] = {}  # per-product demand factors, by name
        # where stock and shipments go: decided once, at start, from what the model wired
        self._stocked = self._shipped = False
        self.partial = bool(spec.fulfilment and spec.fulfilment.partial_shipment)
        self.promise = spec.delivery.promise if spec.delivery else None
        contacts = spec.contacts if spec.support is not None else None
        self.contacts = contacts
        # one stream per kind of contact, so changing one share moves no other draws
        self._contact_draws = {kind: ctx.uniform(f"orders.contacts.{kind}")
                               for kind in ("stockout", "late", "failed")}
        self.open: set[Order] = set()
        # counters: *_all include warm-up (conservation); placed_counted and lost count orders
        # placed after it; lead times, their split, on-time and revenue count orders
        # delivered after it
        self.placed_all = self.delivered_all = self.lost_all = 0
        self.placed_counted = self.lost = self.completed_in_window = 0
        self.on_time = self.contacts_made = 0
        self.lead_times = array("d")
        self.split_sums = [0.0] * len(SPLIT_COMPONENTS)
        self.units_sold = 0.0
        self.revenue = 0.0
        bins = ctx.bins + 1
        self.placed_per_bin = [0] * bins
        self.delivered_per_bin = [0] * bins
        self._late_cb = self._late_check
        self._due: deque[Order] = deque()  # orders whose promise may still run out, by due time
        self.records = ctx.record_log(ORDER_RECORDS)  # None unless the run keeps records
        # when campaigns watch windows: each order's placing time and outcome, by order id
        # (ids count orders placed), for `placed` and `outcomes` (the "orders" view)
        self._placed_at = array("d") if spec.campaigns else None
        self._outcome = bytearray() if spec.campaigns else None
        ctx.services["orders"] = self

    # --- arrivals ----------------------------------------------------------------------------

    def start(self) -> None:
        org = self.org
        self._stocked = org.receives(STOCK_REQUEST)
        self._shipped = org.receives(SHIPMENT_RELEASED)
        self.arrivals.start()

    def new_order(self, now: float) -> Order:
        """An order with everything the customer asks for drawn now: lines, units, products
        (each from its own stream, in this order)."""
        order = Order(self.placed_all, now, now >= self.ctx.warmup)
        lines = order.lines
        choose = self._choose_product
        units = self._units
        for _ in range(max(1, round(self._lines()))):  # round() of a float is an int
            count = max(1, round(units()))
            lines.append(Line(choose() if choose is not None else None, count, order))
        return order

    def place(self, now: float) -> Order:
        order = self.new_order(now)
        self.placed_all += 1
        if order.counted:
            self.placed_counted += 1
            self.placed_per_bin[int(now / self.ctx.bin_width)] += 1
        self.open.add(order)
        if self._placed_at is not None:
            self._placed_at.append(now)
            self._outcome.append(OUTCOME_OPEN)
        if self._stocked:  # inventory answers with `stock_allocated`
            self.org.send(STOCK_REQUEST, order, SOURCE)
        else:  # no catalog: stock is never the constraint
            self.allocated(order, now)
        if (self.promise is not None and self.contacts and self.contacts.late_delivery
                and not order.done):
            self._due.append(order)
            if len(self._due) == 1:  # nobody else is waiting for a check
                call_later(self.env, self.promise, self._late_cb)
        return order

    def allocated(self, order: Order, now: float) -> None:
        """The order's lines got what stock there was (the `stock_allocated` hand-off)."""
        ready: list[Line] = []
        for line in order.lines:
            if line.missing:
                order.waiting_lines += 1
            elif line.units:
                ready.append(line)
        if order.short:
            self._maybe_contact("stockout", self.contacts and self.contacts.stockout,
                                self.contacts and self.contacts.stockout_type, now)
        if not ready and not order.waiting_lines:  # every unit was lost
            self._close(order, now, lost=True)
            _release(order)
            return
        if self.partial:
            if ready:
                self._ship(order, ready, now)
        elif not order.waiting_lines:
            self._ship(order, ready, now)

    def line_filled(self, line: Line, now: float) -> None:
        """A backordered line got its stock (the `backorder_filled` hand-off)."""
        order = line.order
        order.waiting_lines -= 1
        if self.partial:
            self._ship(order, [line], now)
        elif order.waiting_lines == 0:
            self._ship(order, [x for x in order.lines if x.units], now)

    # --- shipments ---------------------------------------------------------------------------

    def _ship(self, order: Order, lines: list[Line], now: float) -> None:
        shipment = Shipment(order, lines, now)
        order.open_shipments += 1
        order.shipments.append(shipment)
        if self._shipped:  # to fulfilment, or straight to a carrier
            self.org.send(SHIPMENT_RELEASED, shipment, SOURCE)
        else:
            self.delivered(shipment, now)

    def delivered(self, shipment: Shipment, now: float) -> None:
        """A shipment reached the customer (`shipment_delivered`, or `shipment_ready` with no
        carriers)."""
        order = shipment.order
        order.open_shipments -= 1
        shipment.state = None
        if order.open_shipments or order.waiting_lines:
            return
        self._close(order, now, lost=False, shipment=shipment)
        if now < self.ctx.warmup:
            _release(order)
            return
        self.completed_in_window += 1
        self.delivered_per_bin[int(now / self.ctx.bin_width)] += 1
        # Lead times are sampled by delivery in the window, a stationary sample. Sampling the
        # orders placed after warm-up would keep only those delivered by the horizon: it drops
        # the long ones still under way and biases the mean down by about var / window.
        lead = now - order.placed_at
        self.lead_times.append(lead)
        for i, part in enumerate(shipment.split()):
            self.split_sums[i] += part
        if self.promise is not None and lead <= self.promise:
            self.on_time += 1
        prices = self.prices
        if prices is not None:
            self.revenue += sum(line.units * prices[line.product] for line in order.lines)
        _release(order)

    def _close(self, order: Order, now: float, lost: bool, shipment: Shipment | None = None
               ) -> None:
        """`shipment`: the one whose delivery completed the order."""
        order.done = True
        self.open.discard(order)
        if self._outcome is not None:
            self._outcome[order.id] = OUTCOME_LOST if lost else OUTCOME_DELIVERED
        if self.records is not None:
            self._record(order, now, "lost" if lost else "delivered", shipment)
        if lost:
            self.lost_all += 1
            if order.counted:
                self.lost += 1
        else:
            self.delivered_all += 1

    # --- contacts to support -----------------------------------------------------------------

    def _maybe_contact(self, kind: str, share: float | None, inquiry_type: str | None,
                       now: float) -> None:
        if share and self._contact_draws[kind]() < share:
            self.contacts_made += 1
            self.org.send(CONTACT, inquiry_type, SOURCE)

    def _late_check(self, _event: Wakeup) -> None:
        """The promise of the oldest unchecked order runs out now.

        The promise is the same for every order, so due times come in the order orders were
        placed: one wake-up at a time, for the oldest order not yet delivered, and orders
        delivered in time leave the queue without an event of their own.
        """
        now = self.env._now
        due = self._due
        order = due.popleft()
        if not order.done:
            self._maybe_contact("late", self.contacts.late_delivery, self.contacts.late_type,
                                now)
        while due and due[0].done:
            due.popleft()
        if due:
            call_later(self.env, due[0].placed_at + self.promise - now, self._late_cb)

    def delivery_failed(self, shipment: Shipment, now: float) -> None:
        """A delivery attempt failed (`delivery_failed`); the carrier tries again."""
        if self.contacts:
            self._maybe_contact("failed", self.contacts.failed_delivery,
                                self.contacts.failed_type, now)

    # --- demand factors (the `demand_factor` hand-off) and the "orders" view ------------------

    def demand_factor(self, change: DemandFactor, now: float) -> None:
        """Set a named factor on the arrivals; with factors by product, the product mix
        shifts too and the rate rises by the demand-weighted mean factor."""
        if not change.by_product or self._product_draw is None:
            self.arrivals.set_factor(change.name, change.value)
            return
        if change.value is None:
            self._mixes.pop(change.name, None)
        else:
            own = dict(change.by_product)
            self._mixes[change.name] = [own.get(sku, change.value) for sku in self.skus]
        weights = list(self._shares)
        for factors in self._mixes.values():
            weights = [w * f for w, f in zip(weights, factors, strict=True)]
        self._choose_product = weighted_choice(weights, self._product_draw)
        mean = sum(weights) / sum(self._shares)
        self.arrivals.set_factor(change.name, mean if change.value is not None else None)

    def placed(self, start: float, end: float) -> int:
        """Orders placed in [start, end) (only kept when the scenario has campaigns)."""
        times = self._placed_at
        if times is None:
            raise RuntimeError("orders keep their placing times only for campaigns")
        return bisect.bisect_left(times, end) - bisect.bisect_left(times, start)

    def outcomes(self, start: float, end: float) -> dict[str, int]:
        """What became of the orders placed in [start, end): delivered, lost or open."""
        times = self._placed_at
        if times is None:
            raise RuntimeError("orders keep their outcomes only for campaigns")
        window = self._outcome[bisect.bisect_left(times, start):bisect.bisect_left(times, end)]
        return {"delivered": window.count(OUTCOME_DELIVERED), "open": window.count(OUTCOME_OPEN),
                "lost": window.count(OUTCOME_LOST)}

    # --- records (opt-in) -------------------------------------------------------------------

    def _record(self, order: Order, now: float | None, outcome: str,
                shipment: Shipment | None) -> None:
        """`now` None: open at the horizon; the split then runs to `self.env.now`."""
        if shipment is not None:
            split = shipment.split() if now is not None else shipment.split_so_far(self.env.now)
        else:  # lost, or still waiting for stock: all of it stock
            split = [(now if now is not None else self.env.now) - order.placed_at]
            split += [0.0] * (len(SPLIT_COMPONENTS) - 1)
        carrier = shipment.carrier if shipment is not None else None
        self.records.add(order.id, carrier.name if carrier is not None else NO_CARRIER,
                         order.placed_at, now, outcome, split)

    def _record_open(self) -> None:
        """Orders under way at the horizon, with their split so far: all of it stock while a
        line waits for stock; else that of the newest shipment still under way."""
        for order in sorted(self.open, key=lambda o: o.id):
            under_way = [s for s in order.shipments if s.state is not None]
            shipment = (None if order.waiting_lines or not under_way
                        else max(under_way, key=lambda s: s.created_at))
            self._record(order, None, OPEN, shipment)

    # --- results -----------------------------------------------------------------------------

    def collect(self, now: float) -> FlowOutput:
        if self.records is not None:
            self._record_open()
        ctx = self.ctx
        days = (ctx.horizon - ctx.warmup) / DAY
        done = len(self.lead_times)
        out = FlowOutput()
        m = out.metrics
        m["orders.placed_per_day"] = self.placed_counted / days
        m["orders.delivered_per_day"] = self.completed_in_window / days
        m.update(describe_durations("orders.lead_time", self.lead_times))
        if self.promise is not None:
            m["orders.on_time_share"] = safe_ratio(self.on_time, done)
        m["orders.lost_share"] = safe_ratio(self.lost, self.placed_counted)
        for name, total in zip(SPLIT_COMPONENTS, self.split_sums, strict=True):
            m[f"orders.time_split.{name}"] = safe_ratio(total, done)
        m["revenue"] = self.revenue
        out.series["orders.placed"] = np.asarray(self.placed_per_bin[: ctx.bins], dtype=float)
        out.series["orders.delivered"] = np.asarray(self.delivered_per_bin[: ctx.bins],
                                                    dtype=float)
        out.samples["orders.lead_time"] = sketch(self.lead_times)
        out.balances.append(self._order_balance())
        return out

    def _order_balance(self) -> Balance:
        states = {"backordered": 0, IN_FULFILMENT: 0, AWAITING_PICKUP: 0, IN_TRANSIT: 0}
        between = 0  # on the seam: stock requested, not yet allocated (a hand-off in transit)
        for order in self.open:
            if order.waiting_lines:
                states["backordered"] += 1
                continue
            open_states = [IN_FULFILMENT if s.state == HELD_FOR_CUTOFF else s.state
                           for s in order.shipments if s.state is not None]
            for state in (IN_FULFILMENT, AWAITING_PICKUP, IN_TRANSIT):
                if state in open_states:
                    states[state] += 1
                    break
            else:
                between += 1
        if between:
            states["awaiting stock"] = between
        return Balance("orders", self.placed_all,
                       {"delivered": self.delivered_all, **states, "lost": self.lost_all})


def _release(order: Order) -> None:
    """Break the order <-> line and order <-> shipment cycles of a finished order, so that
    reference counting frees it at once (the run pauses the cyclic collector)."""
    order.lines = None
    order.shipments = None


# --- declared metrics (sim/metrics/declare.py); one block, kept apart from the model code ---

from sim.metrics.declare import (  # noqa: E402
    DURATION,
    MONEY,
    RATE,
    SHARE,
    Metric,
    declare,
    durations,
)

_WINDOW = "over the observed window (after warm-up), in the scenario's currency"
ORDERS_METRICS = declare("orders", [
    Metric("orders.placed_per_day", RATE, "orders placed per day"),
    Metric("orders.delivered_per_day", RATE, "orders completed (last shipment delivered) "
           "per day"),
    *durations("orders.lead_time", "placed to delivered, orders delivered after warm-up"),
    Metric("orders.on_time_share", SHARE, "delivered orders that arrived within the promise",
           when=lambda spec: spec.delivery is not None and spec.delivery.promise is not None,
           condition="with a delivery.promise"),
    Metric("orders.lost_share", SHARE, "orders placed and lost to a stock-out",
           per="orders.placed_per_day"),  # a ratio of means across replications
    Metric("orders.time_split.<component>", DURATION, "mean time of a delivered order in the "
           f"component ({', '.join(SPLIT_COMPONENTS)}); per order they add up to its lead time",
           values=lambda spec: SPLIT_COMPONENTS),
], active=lambda spec: spec.demand is not None, order=20)
# after the stock and warehouse metrics in tables, and after inventory's costs (order 80)
REVENUE_METRICS = declare("revenue", [
    Metric("revenue", MONEY, f"value of the units sold {_WINDOW}"),
], active=lambda spec: spec.demand is not None, order=81)
