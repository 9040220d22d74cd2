"""Stock per product, replenished from suppliers under each product's policy.

Demand takes units from stock on hand; what is missing waits as a backorder (filled first
come first served when stock arrives) or is lost. The inventory position (on hand + on
order - backorders) drives the policies. Supplier deliveries are one timeout each; periodic
reviews run after everything else that happens at the same instant, so what arrives at a
review time is counted in it.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable

import numpy as np

from sim.distributions import Constant, Distribution, Empirical, Geometric, Poisson
from sim.metrics.level import Level
from sim.metrics.output import Balance, FlowOutput
from sim.model.context import Context
from sim.model.flows.policies import make_policy
from sim.model.flows.shipments import BACKORDER_FILLED, STOCK_ALLOCATED, Line, Order
from sim.model.flows.signals import ForecastPurchase
from sim.model.wakeup import LATE, Wakeup, call_later
from sim.scenario.catalog_plan import ProductPlan, plan_catalog, to_units
from sim.scenario.commerce import CatalogSpec, CostsSpec, DemandSpec, SupplierSpec
from sim.scenario.timeline import delivery_at, outages
from sim.units import DAY

PLOTTED = 4  # the busiest products keep stock series for plots; the rest only averages


def expected_count(dist: Distribution) -> float:
    """Mean of the counts orders draw from `dist`: max(1, round(x)), so a draw of 0 is 1 (a
    poisson(2) count averages 2 + e^-2, not 2). Exact for the count distributions, from a
    fixed-seed sample of the drawn values otherwise (a private generator: no stream moves)."""
    if isinstance(dist, Constant):
        return float(max(1, int(round(dist.value))))
    if isinstance(dist, Poisson):
        return dist.avg + math.exp(-dist.avg)
    if isinstance(dist, Geometric):
        return dist.avg
    values = (dist.values if isinstance(dist, Empirical)
              else dist.sample_array(np.random.default_rng(0), 200_000))
    return float(np.maximum(1.0, np.rint(np.asarray(values, dtype=float))).mean())


class Product:
    __slots__ = ("index", "sku", "share", "on_hand", "on_order", "backorders", "waiting",
                 "policy", "supplier", "price", "unit_cost", "demand_rate", "on_hand_level",
                 "backorder_level", "on_order_level", "empty_level", "period_demand", "initial",
                 "received", "allocated", "demanded", "from_stock", "lost", "replenishments")

    def __init__(self, index: int, plan: ProductPlan, demand_rate: float, bins: tuple) -> None:
        self.index = index
        self.sku = plan.sku
        self.share = plan.share
        self.demand_rate = demand_rate  # expected units per minute
        self.initial = to_units(plan.initial_stock, demand_rate)
        self.on_hand = self.initial
        self.on_order = 0
        self.backorders = 0
        self.waiting: deque[Line] = deque()
        self.price = plan.price
        self.unit_cost = plan.unit_cost
        self.on_hand_level = Level(*bins, value=self.on_hand)
        self.backorder_level = Level(*bins)
        # set only when replenishment is ordered or received (rare): with on hand and
        # backorders it gives the inventory position per bin, for the plotted products
        self.on_order_level = Level(*bins)
        self.empty_level = Level(*bins, value=1.0 if self.on_hand == 0 else 0.0)
        self.period_demand = 0
        self.received = 0  # units delivered by suppliers (all time)
        self.allocated = 0  # units taken from stock for orders (all time)
        self.demanded = 0  # units demanded by counted orders
        self.from_stock = 0  # of those, served from stock on hand at once
        self.lost = 0  # of those, lost (stock-out policy 'lost')
        self.replenishments = 0  # orders to the supplier in the observed window
        self.policy = None
        self.supplier: Supplier | None = None

    @property
    def position(self) -> int:
        return self.on_hand + self.on_order - self.backorders


class Supplier:
    """Delivers replenishment orders after a lead time; some late, some short."""

    def __init__(self, ctx: Context, name: str, spec: SupplierSpec,
                 receive: Callable[[Product, int, int, float], None]) -> None:
        self.env = ctx.env
        self.spec = spec
        streams = ctx.streams
        self._lead = spec.lead_time.sampler(streams.stream(f"supplier.{name}.lead_time"))
        self._late_draw = ctx.uniform(f"supplier.{name}.late")
        self._late = (spec.late_delay.sampler(streams.stream(f"supplier.{name}.late_delay"))
                      if spec.late_delay else None)
        self._short_draw = ctx.uniform(f"supplier.{name}.short")
        self._short_fill = spec.short_fill.sampler(streams.stream(f"supplier.{name}.short_fill"))
        self._receive = receive
        self._outages = outages(ctx.spec.timeline, name)  # the timeline's windows
        self._horizon = ctx.horizon

    @property
    def mean_lead_time(self) -> float:
        late = self.spec.late_delay.mean if self.spec.late_delay else 0.0
        return self.spec.lead_time.mean + (1 - self.spec.on_time) * late

    def place(self, product: Product, quantity: int,
              receive: Callable[[Product, int, int, float], None] | None = None) -> int:
        """Order `quantity` (at least the minimum order); `receive` (default: the inventory's
        replenishment) takes the delivery."""
        quantity = max(quantity, self.spec.minimum_order)
        lead = self._lead()
        if self.spec.on_time < 1 and self._late_draw() >= self.spec.on_time and self._late:
            lead += self._late()
        delivered = quantity
        if self.spec.short_share > 0 and self._short_draw() < self.spec.short_share:
            fill = min(1.0, max(0.0, float(self._short_fill())))
            delivered = int(math.floor(quantity * fill))
        if self._outages:  # what falls due in an outage arrives when it ends
            lead = delivery_at(self.env._now + lead, self._outages) - self.env._now
            if self.env._now + lead >= self._horizon:
                return quantity  # after the run (an outage open to its end): never arrives
        call_later(self.env, lead, self._arrive,
                   (product, quantity, delivered, receive or self._receive))
        return quantity

    def _arrive(self, event: Wakeup) -> None:
        product, ordered, delivered, receive = event._value
        receive(product, ordered, delivered, self.env._now)


class Inventory:
    """Products, their stock and replenishment: a flow of its own. Orders hand it a new
    order's lines (`request`, a `stock_request` hand-off); it answers through the seam with
    `stock_allocated`, and with `backorder_filled` for each backordered line it fills later."""

    SOURCE = "inventory"

    def __init__(self, ctx: Context, catalog: CatalogSpec, demand: DemandSpec,
                 suppliers: dict[str, SupplierSpec], backorder: bool,
                 costs: CostsSpec) -> None:
        self.ctx = ctx
        self.env = ctx.env
        self.org = ctx.org
        self.backorder = backorder
        self.costs = costs
        lines = expected_count(demand.lines_per_order)
        units = expected_count(demand.units_per_line)
        order_rate = demand.orders.rate
        self.order_rate = order_rate
        self.units_demanded = self.units_from_stock = 0  # all time, for the "inventory" view
        self.forecast_units = 0  # units bought for campaigns' forecasts (all time)
        self.forecast_held = 0  # of those, delivered and held for a campaign not yet started
        self.suppliers = {name: Supplier(ctx, name, spec, self.receive)
                          for name, spec in suppliers.items()}
        plans = plan_catalog(catalog, ctx.streams.seed)
        self.catalog = plans  # what orders choose products from (shares, prices), by index
        plotted = {plan.sku for plan in sorted(plans, key=lambda p: -p.share)[:PLOTTED]}
        self.products: list[Product] = []
        for i, plan in enumerate(plans):
            rate = order_rate * lines * units * plan.share
            bins = (ctx.bin_width, ctx.bins if plan.sku in plotted else 0)
            product = Product(i, plan, rate, bins)
            product.supplier = self.suppliers.get(plan.supplier) if plan.supplier else None
            lead = product.supplier.mean_lead_time if product.supplier else 0.0
            product.policy = make_policy(plan.policy, rate, lead)
            self.products.append(product)
        self.total_on_hand = Level(ctx.bin_width, ctx.bins,
                                   value=sum(p.on_hand for p in self.products))
        ctx.at_window_start(self.total_on_hand.start_window)
        for product in self.products:
            ctx.at_window_start(self._window_starter(product))
        ctx.services["inventory"] = self

    @staticmethod
    def _window_starter(product: Product):
        def start(now: float) -> None:
            for level in (product.on_hand_level, product.backorder_level, product.empty_level):
                level.start_window(now)
        return start

    def start(self) -> None:
        for product in self.products:
            policy = product.policy
            if policy is None or product.supplier is None:
                continue
            if policy.periodic:
                self._schedule_review(product, 0.0)
            else:
                self._continuous(product)

    # --- demand ----------------------------------------------------------------------------

    def request(self, order: Order, now: float) -> None:
        """A new order's lines want stock (the `stock_request` hand-off): allocate each line
        and hand the order back (`stock_allocated`)."""
        counted = order.counted
        for line in order.lines:
            if self.demand(line, counted, now):
                order.short = True
        self.org.send(STOCK_ALLOCATED, order, self.SOURCE)

    def demand(self, line: Line, counted: bool, now: float) -> int:
        """Take the line's units from stock; return how many are short (backordered or lost)."""
        product = self.products[line.product]
        want = line.units
        served = min(product.on_hand, want)
        short = want - served
        product.period_demand += want
        self.units_demanded += want
        self.units_from_stock += served
        if counted:
            product.demanded += want
            product.from_stock += served
        if served:
            product.on_hand -= served
            product.allocated += served
            self._stock_changed(product, now, -served)
        if short:
            if self.backorder:
                line.missing = short
                product.backorders += short
                product.waiting.append(line)
                product.backorder_level.set(now, product.backorders)
            else:
                line.units = served
                if counted:
                    product.lost += short
        if product.policy is not None and not product.policy.periodic:
            self._continuous(product)
        return short

    def _stock_changed(self, product: Product, now: float, change: int) -> None:
        product.on_hand_level.set(now, product.on_hand)
        total = self.total_on_hand
        total.set(now, total.value + change)
        empty = 1.0 if product.on_hand == 0 else 0.0
        if empty != product.empty_level.value:
            product.empty_level.set(now, empty)

    # --- replenishment -----------------------------------------------------------------------

    def receive(self, product: Product, ordered: int, delivered: int, now: float) -> None:
        product.on_order -= ordered
        product.on_order_level.set(now, product.on_order)
        before = product.on_hand
        product.on_hand += delivered
        product.received += delivered
        while product.waiting and product.on_hand:
            line = product.waiting[0]
            give = min(product.on_hand, line.missing)
            line.missing -= give
            product.on_hand -= give
            product.allocated += give
            product.backorders -= give
            if line.missing == 0:
                product.waiting.popleft()
                self.org.send(BACKORDER_FILLED, line, self.SOURCE)
        product.backorder_level.set(now, product.backorders)
        self._stock_changed(product, now, product.on_hand - before)
        if delivered < ordered and product.policy is not None and not product.policy.periodic:
            self._continuous(product)  # a short delivery leaves the position lower

    def forecast_purchase(self, forecast: ForecastPurchase, now: float) -> None:
        """A campaign's forecast reached supply (the `forecast_purchase` hand-off): buy each
        product's expected extra units once, from its supplier, off by the forecast's error.

        The purchase is kept apart from the policies (reserved for the campaign): it is not
        in the inventory position while on order, and what arrives before `release_at` is
        held and put on hand then, so the usual ordering neither stops for it nor sells it
        before the sale."""
        uplifts = dict(forecast.by_product)
        receive = self._forecast_receiver(forecast.release_at)
        for product in self.products:
            if product.supplier is None:
                continue
            units_per_order = product.demand_rate / self.order_rate if self.order_rate else 0.0
            extra = (forecast.expected_orders * units_per_order
                     * (uplifts.get(product.sku, forecast.uplift) - 1.0))
            if forecast.error is not None:
                extra *= max(0.0, float(forecast.error()))
            quantity = int(round(extra))
            if quantity > 0:
                self.forecast_units += product.supplier.place(product, quantity, receive)

    def _forecast_receiver(self, release_at: float):
        held: list[tuple[Product, int]] = []

        def receive(product: Product, _ordered: int, delivered: int, now: float) -> None:
            if now >= release_at:
                self.receive(product, 0, delivered, now)
                return
            if not held:
                call_later(self.env, release_at - now, release)
            held.append((product, delivered))
            self.forecast_held += delivered

        def release(_event: Wakeup) -> None:
            for product, units in held:
                self.forecast_held -= units
                self.receive(product, 0, units, self.env._now)
            held.clear()

        return receive

    def units_so_far(self) -> tuple[int, int]:
        """Units demanded since time 0 and of those served from stock at once (StockView)."""
        return self.units_demanded, self.units_from_stock

    def _continuous(self, product: Product) -> None:
        quantity = product.policy.order(product.position)
        if quantity > 0 and product.supplier is not None:
            product.on_order += product.supplier.place(product, quantity)
            product.on_order_level.set(self.env._now, product.on_order)
            product.replenishments += self.env._now >= self.ctx.warmup

    def _schedule_review(self, product: Product, delay: float) -> None:
        call_later(self.env, delay, self._review, product, priority=LATE)

    def _review(self, event: Wakeup) -> None:
        product = event._value
        # the review at time 0 closes no period: nothing to learn demand from yet
        period_demand = product.period_demand if self.env._now > 0 else None
        quantity = product.policy.review(product.position, period_demand)
        product.period_demand = 0
        if quantity > 0:
            product.on_order += product.supplier.place(product, quantity)
            product.on_order_level.set(self.env._now, product.on_order)
            product.replenishments += self.env._now >= self.ctx.warmup
        next_at = self.env._now + product.policy.review_period
        if next_at < self.ctx.horizon:
            self._schedule_review(product, product.policy.review_period)

    # --- results -----------------------------------------------------------------------------

    def collect(self, now: float) -> FlowOutput:
        products = self.products
        demanded = sum(p.demanded for p in products)
        out = FlowOutput()
        out.metrics = {
            "inventory.fill_rate": (sum(p.from_stock for p in products) / demanded
                                    if demanded else float("nan")),
            "inventory.on_hand.mean": sum(p.on_hand_level.mean(now) for p in products),
            "inventory.backorders.mean": sum(p.backorder_level.mean(now) for p in products),
            "inventory.stockout_share": float(np.mean([p.empty_level.mean(now)
                                                       for p in products])),
            "inventory.lost_sales": float(sum(p.lost for p in products)),
            "inventory.replenishments_per_day": sum(p.replenishments for p in products)
            / ((self.ctx.horizon - self.ctx.warmup) / DAY),
        }
        for product in sorted(products, key=lambda p: -p.share)[:PLOTTED]:
            series = product.on_hand_level.series(now)
            out.series[f"inventory.on_hand.{product.sku}"] = series
            # bin averages add up: position = on hand + on order - backorders, per bin
            out.series[f"inventory.position.{product.sku}"] = (
                series + product.on_order_level.series(now)
                - product.backorder_level.series(now))
            mark = product.policy.mark if product.policy else np.nan
            out.series[f"inventory.reorder_mark.{product.sku}"] = np.full(len(series), mark)
        out.series["inventory.on_hand.total"] = self.total_on_hand.series(now)
        if self.total_on_hand.value != sum(p.on_hand for p in products):
            raise AssertionError("total stock on hand drifted from the products' stock")
        for product in products:
            if product.on_hand < 0 or product.backorders < 0:
                raise AssertionError(f"{product.sku}: negative stock {product.on_hand}")
        out.metrics.update(self._costs(now))
        out.balances.append(Balance(
            "stock units (initial + received)",
            sum(p.initial + p.received for p in products),
            {"allocated": sum(p.allocated for p in products),
             "on hand": sum(p.on_hand for p in products)}))
        return out

    def _costs(self, now: float) -> dict[str, float]:
        costs = self.costs
        holding = backorder_days = lost_value = 0.0
        for p in self.products:
            holding += p.on_hand_level.integral(now) / DAY * p.unit_cost
            backorder_days += p.backorder_level.integral(now) / DAY
            penalty = (costs.lost_sale_penalty if costs.lost_sale_penalty is not None
                       else max(p.price - p.unit_cost, 0.0))
            lost_value += p.lost * penalty
        return {"cost.holding": holding * costs.holding_rate / 365.0,
                "cost.shortage": backorder_days * costs.backorder_per_unit_day + lost_value}

# --- declared metrics (sim/metrics/declare.py); one block, kept apart from the model code ---

from sim.metrics.declare import (  # noqa: E402
    COUNT,
    LEVEL,
    MONEY,
    RATE,
    SHARE,
    Metric,
    declare,
)

INVENTORY_METRICS = declare("inventory", [
    Metric("inventory.fill_rate", SHARE, "units demanded that were served from stock on hand"),
    Metric("inventory.on_hand.mean", LEVEL, "time-average stock on hand, all products",
           unit="units"),
    Metric("inventory.backorders.mean", LEVEL, "time-average units backordered, all products",
           unit="units"),
    Metric("inventory.stockout_share", SHARE, "time with nothing on hand, averaged over "
           "products"),
    Metric("inventory.lost_sales", COUNT, "units demanded and lost to a stock-out",
           unit="units"),
    Metric("inventory.replenishments_per_day", RATE, "supplier orders placed per day"),
], active=lambda spec: spec.demand is not None and spec.catalog is not None,
    order=30)
_WINDOW = "over the observed window (after warm-up), in the scenario's currency"
# with the money in tables: after the warehouse's metrics, before revenue (order 81)
INVENTORY_COSTS = declare("inventory costs", [
    Metric("cost.holding", MONEY, f"cost of holding stock {_WINDOW}"),
    Metric("cost.shortage", MONEY, f"cost of backorders and lost sales {_WINDOW}"),
], active=lambda spec: spec.demand is not None and spec.catalog is not None, order=80)
