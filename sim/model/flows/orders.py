"""Demand and orders: customers place orders, stock is allocated, shipments go through
fulfilment and delivery, and unhappy customers contact support through the hand-off seam.

Orders arrive as a non-homogeneous Poisson process (base rate x day and week profiles x
`arrivals.multiplier`, the seam campaigns and site health will drive). An order is complete
when its last shipment is delivered; with no fulfilment or delivery section, when its stock
is allocated.
"""

from __future__ import annotations

from array import array
from collections import deque

import numpy as np

from sim.metrics.output import Balance, FlowOutput, describe_durations, safe_ratio, sketch
from sim.model.arrivals import ArrivalStream
from sim.model.choice import weighted_choice
from sim.model.context import Context
from sim.model.flows.delivery import Delivery
from sim.model.flows.fulfilment import Fulfilment
from sim.model.flows.inventory import Inventory, Line
from sim.model.flows.shipments import (
    AWAITING_PICKUP,
    IN_FULFILMENT,
    IN_TRANSIT,
    SPLIT_COMPONENTS,
    Order,
    Shipment,
)
from sim.model.flows.support import INQUIRY_TARGET
from sim.model.org.pool import utilisation
from sim.model.wakeup import Wakeup, call_later
from sim.scenario.schema import ScenarioSpec
from sim.units import DAY

SOURCE = "orders"


class Orders:
    def __init__(self, ctx: Context, spec: ScenarioSpec) -> None:
        self.ctx = ctx
        self.env = ctx.env
        self.spec = spec
        demand = spec.demand
        # arrivals.multiplier is the seam campaigns and site health will drive
        self.arrivals = ArrivalStream(ctx, demand.orders.profile(), "orders.arrivals", self.place)
        streams = ctx.streams
        self._lines = demand.lines_per_order.sampler(streams.stream("orders.lines"))
        self._units = demand.units_per_line.sampler(streams.stream("orders.units"))
        self.inventory = (Inventory(ctx, spec.catalog, demand, spec.suppliers,
                                    spec.stockout == "backorder") if spec.catalog else None)
        if self.inventory:
            self.inventory.on_filled = self._line_filled
            self._choose_product = weighted_choice(
                [p.share for p in self.inventory.products], ctx.uniform("orders.product"))
        self.fulfilment = Fulfilment(ctx, spec.fulfilment) if spec.fulfilment else None
        self.delivery = Delivery(ctx, spec.delivery) if spec.delivery else None
        if self.fulfilment:
            self.fulfilment.next = self.delivery.accept if self.delivery else self._delivered
        if self.delivery:
            self.delivery.next = self._delivered
            self.delivery.on_failed = self._delivery_failed
        self.partial = bool(spec.fulfilment and spec.fulfilment.partial_shipment)
        self.promise = spec.delivery.promise if spec.delivery else None
        contacts = spec.contacts if spec.support is not None else None
        self.contacts = contacts
        # one stream per kind of contact, so changing one share moves no other draws
        self._contact_draws = {kind: ctx.uniform(f"orders.contacts.{kind}")
                               for kind in ("stockout", "late", "failed")}
        self.open: set[Order] = set()
        # counters: *_all include warm-up (conservation); placed and lost count orders placed
        # after it; lead times, their split, on-time and revenue count orders delivered after it
        self.placed_all = self.delivered_all = self.lost_all = 0
        self.placed = self.lost = self.completed_in_window = self.on_time = self.contacts_made = 0
        self.lead_times = array("d")
        self.split_sums = [0.0] * len(SPLIT_COMPONENTS)
        self.units_sold = 0.0
        self.revenue = 0.0
        bins = ctx.bins + 1
        self.placed_per_bin = [0] * bins
        self.delivered_per_bin = [0] * bins
        self._late_cb = self._late_check
        self._due: deque[Order] = deque()  # orders whose promise may still run out, by due time

    # --- arrivals ----------------------------------------------------------------------------

    def start(self) -> None:
        if self.inventory:
            self.inventory.start()
        if self.delivery:
            self.delivery.start()
        self.arrivals.start()

    def place(self, now: float) -> Order:
        counted = now >= self.ctx.warmup
        order = Order(now, counted)
        self.placed_all += 1
        if counted:
            self.placed += 1
            self.placed_per_bin[int(now / self.ctx.bin_width)] += 1
        self.open.add(order)
        count = max(1, int(round(self._lines())))
        inventory = self.inventory
        ready: list[Line] = []
        for _ in range(count):
            units = max(1, int(round(self._units())))
            if inventory is None:  # no catalog: stock is never the constraint
                line = Line(None, units, order)
                ready.append(line)
                order.lines.append(line)
                continue
            product = inventory.products[self._choose_product()]
            line = Line(product, units, order)
            short = inventory.demand(line, counted, now)
            if short:
                order.short = True
            if line.missing:
                order.waiting_lines += 1
            elif line.units:
                ready.append(line)
            order.lines.append(line)
        if order.short:
            self._maybe_contact("stockout", self.contacts and self.contacts.stockout,
                                self.contacts and self.contacts.stockout_type, now)
        if not ready and not order.waiting_lines:  # every unit was lost
            self._close(order, lost=True)
            _release(order)
            return order
        if self.partial:
            if ready:
                self._ship(order, ready, now)
        elif not order.waiting_lines:
            self._ship(order, ready, now)
        if self.promise is not None and self.contacts and self.contacts.late_delivery:
            self._due.append(order)
            if len(self._due) == 1:  # nobody else is waiting for a check
                call_later(self.env, self.promise, self._late_cb)
        return order

    def _line_filled(self, line: Line, now: float) -> None:
        """A backordered line got its stock."""
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
        if self.fulfilment:
            self.fulfilment.accept(shipment, now)
        elif self.delivery:
            self.delivery.accept(shipment, now)
        else:
            self._delivered(shipment, now)

    def _delivered(self, shipment: Shipment, now: float) -> None:
        order = shipment.order
        order.open_shipments -= 1
        shipment.state = None
        if order.open_shipments or order.waiting_lines:
            return
        self._close(order, lost=False)
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
        self.revenue += sum(line.units * line.product.price for line in order.lines
                            if line.product is not None)
        _release(order)

    def _close(self, order: Order, lost: bool) -> None:
        order.done = True
        self.open.discard(order)
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
            self.ctx.org.hand_off(SOURCE, INQUIRY_TARGET, inquiry_type)

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

    def _delivery_failed(self, shipment: Shipment, now: float) -> None:
        if self.contacts:
            self._maybe_contact("failed", self.contacts.failed_delivery,
                                self.contacts.failed_type, now)

    # --- results -----------------------------------------------------------------------------

    def collect(self, now: float) -> FlowOutput:
        ctx = self.ctx
        days = (ctx.horizon - ctx.warmup) / DAY
        done = len(self.lead_times)
        out = FlowOutput()
        m = out.metrics
        m["orders.placed_per_day"] = self.placed / days
        m["orders.delivered_per_day"] = self.completed_in_window / days
        m.update(describe_durations("orders.lead_time", self.lead_times))
        if self.promise is not None:
            m["orders.on_time_share"] = safe_ratio(self.on_time, done)
        m["orders.lost_share"] = safe_ratio(self.lost, self.placed)
        for name, total in zip(SPLIT_COMPONENTS, self.split_sums, strict=True):
            m[f"orders.time_split.{name}"] = safe_ratio(total, done)
        if self.inventory:
            inventory_out = self.inventory.collect(now)
            m.update(inventory_out.metrics)
            out.series.update(inventory_out.series)
            out.balances.extend(inventory_out.balances)
        if self.fulfilment:
            m.update(self._fulfilment_metrics(now))
            out.series.update(self.fulfilment.series(now))
        m.update(self._money(now))
        out.series["orders.placed"] = np.asarray(self.placed_per_bin[: ctx.bins], dtype=float)
        out.series["orders.delivered"] = np.asarray(self.delivered_per_bin[: ctx.bins],
                                                    dtype=float)
        out.samples["orders.lead_time"] = sketch(self.lead_times)
        out.balances.append(self._order_balance())
        return out

    def _fulfilment_metrics(self, now: float) -> dict[str, float]:
        f = self.fulfilment
        waits = np.frombuffer(f.waits, dtype=float)
        m = {"fulfilment.wait.mean": float(waits.mean()) if len(waits) else float("nan"),
             "fulfilment.utilisation": utilisation([self.ctx.pools[t] for t in f.teams], now)}
        for stage in f.stages:
            m[f"fulfilment.{stage.name}.wait.mean"] = safe_ratio(stage.wait_sum, stage.visits)
        return m

    def _money(self, now: float) -> dict[str, float]:
        costs = self.spec.costs
        holding = backorder_days = lost_value = 0.0
        if self.inventory:
            for p in self.inventory.products:
                holding += p.on_hand_level.integral(now) / DAY * p.unit_cost
                backorder_days += p.backorder_level.integral(now) / DAY
                penalty = (costs.lost_sale_penalty if costs.lost_sale_penalty is not None
                           else max(p.price - p.unit_cost, 0.0))
                lost_value += p.lost * penalty
        return {
            "cost.holding": holding * costs.holding_rate / 365.0,
            "cost.shortage": backorder_days * costs.backorder_per_unit_day + lost_value,
            "revenue": self.revenue,
        }

    def _order_balance(self) -> Balance:
        states = {"backordered": 0, IN_FULFILMENT: 0, AWAITING_PICKUP: 0, IN_TRANSIT: 0}
        for order in self.open:
            if order.waiting_lines:
                states["backordered"] += 1
                continue
            open_states = [s.state for s in order.shipments if s.state is not None]
            for state in (IN_FULFILMENT, AWAITING_PICKUP, IN_TRANSIT):
                if state in open_states:
                    states[state] += 1
                    break
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
    Metric("orders.lost_share", SHARE, "orders placed and lost to a stock-out"),
    Metric("orders.time_split.<component>", DURATION, "mean time of a delivered order in the "
           f"component ({', '.join(SPLIT_COMPONENTS)}); per order they add up to its lead time",
           values=lambda spec: SPLIT_COMPONENTS),
], active=lambda spec: spec.demand is not None, order=20)
# after the stock and warehouse metrics in tables: the money of the whole order flow
MONEY_METRICS = declare("money", [
    Metric("cost.holding", MONEY, f"cost of holding stock {_WINDOW}"),
    Metric("cost.shortage", MONEY, f"cost of backorders and lost sales {_WINDOW}"),
    Metric("revenue", MONEY, f"value of the units sold {_WINDOW}"),
], active=lambda spec: spec.demand is not None, order=80)
