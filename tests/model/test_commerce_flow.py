"""The commerce flows on small scenarios: conservation, the time split, stock policies, lost
sales, cut-off, pickups, redeliveries, contacts to support, reproducibility, order sizes."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from simpy import Environment
from simpy.events import Timeout

import sim
from sim.model.flows.delivery import Carrier
from sim.model.flows.inventory import Inventory
from sim.model.flows.orders import Orders
from sim.replication import build_model, run_replication
from sim.units import DAY, HOUR

SHOP = {
    "name": "small-shop", "horizon": "12d", "warmup": "1d", "seed": 3,
    "teams": {"warehouse": {"members": 2}, "checkers": {"members": 1}},
    "demand": {"orders": "50/d", "lines_per_order": "geometric(1.5)",
               "units_per_line": "geometric(1.3)"},
    "catalog": [
        {"sku": "A", "demand_share": 3, "initial_stock": 150, "supplier": "slow", "price": 10,
         "policy": {"type": "rQ", "reorder_point": 150, "order_quantity": 120}},
        {"sku": "B", "demand_share": 1, "initial_stock": 20, "supplier": "slow", "price": 20,
         "policy": {"type": "base_stock", "order_up_to": 80, "review_period": "1d"}},
        {"sku": "C", "demand_share": 1, "initial_stock": 5, "supplier": "fast", "price": 5,
         "policy": {"type": "sS", "min": 20, "max": 50}},
    ],
    "suppliers": {"slow": {"lead_time": "uniform(2d, 4d)", "on_time": 0.8,
                           "late_delay": "exp(1d)", "short_share": 0.2, "minimum_order": 20},
                  "fast": {"lead_time": "const(1d)"}},
    "fulfilment": {"team": "warehouse", "stages": [
        {"name": "pick", "time_per_order": "exp(6m)", "time_per_line": "const(1m)"},
        {"name": "pack", "time_per_order": "exp(4m)"},
        {"name": "check", "team": "checkers", "time_per_order": "const(3m)",
         "rework": {"to": "pick", "probability": 0.1}}]},
    "delivery": {"carriers": {
        "parcel": {"share": 0.7, "transit_time": "lognormal(1d, 6h)", "pickups": ["17:00"]},
        "express": {"share": 0.3, "transit_time": "exp(6h)", "failed_share": 0.2,
                    "redelivery_delay": "const(1d)"}}},
}


def variant(name: str) -> dict:
    data = copy.deepcopy(SHOP)
    if name == "lost":
        data["stockout"] = "lost"
    elif name == "partial":
        data["fulfilment"]["partial_shipment"] = True
    elif name == "lost-partial":
        data["stockout"] = "lost"
        data["fulfilment"]["partial_shipment"] = True
    elif name in ("backlog", "backlog-partial"):  # slow supplies: orders wait at the end
        data["suppliers"]["slow"]["lead_time"] = "uniform(6d, 9d)"
        data["fulfilment"]["partial_shipment"] = name == "backlog-partial"
    elif name == "cutoff":
        data["fulfilment"]["cutoff"] = "14:00"
    elif name == "no-fulfilment":
        del data["fulfilment"]
    elif name == "no-delivery":
        del data["delivery"]
    elif name == "stock-only":
        del data["fulfilment"], data["delivery"]
    elif name == "stock-only-lost":
        del data["fulfilment"], data["delivery"]
        data["stockout"] = "lost"
    elif name == "no-catalog":
        del data["catalog"], data["suppliers"]
    elif name == "generated-catalog":
        data["catalog"] = {"products": data["catalog"], "generate": {
            "products": 30, "zipf": 1.1, "initial_stock": "2d", "price": "uniform(5, 50)",
            "policy": {"type": "sS", "min": "1d", "max": "4d"},
            "suppliers": {"slow": 0.5, "fast": 0.5}}}
    return data


VARIANTS = ["backorder", "lost", "partial", "lost-partial", "backlog", "backlog-partial",
            "cutoff", "no-fulfilment",
            "no-delivery", "stock-only", "stock-only-lost", "no-catalog", "generated-catalog"]


@pytest.fixture
def watch(monkeypatch):
    """Check, as the model runs, that stock never goes negative and that each completed
    order's time split adds up to its lead time; collect what was seen."""
    seen = {"orders": 0, "stock_changes": 0, "leads": []}
    real_changed = Inventory._stock_changed
    real_delivered = Orders.delivered

    def stock_changed(self, product, *args):
        real_changed(self, product, *args)
        assert product.on_hand >= 0 and product.backorders >= 0, product.sku
        seen["stock_changes"] += 1

    def delivered(self, shipment, now):
        real_delivered(self, shipment, now)
        order = shipment.order
        if order.done:
            lead = now - order.placed_at
            parts = shipment.split()
            assert min(parts) >= -1e-9
            assert math.isclose(sum(parts), lead, rel_tol=1e-9, abs_tol=1e-9), (parts, lead)
            seen["orders"] += 1
            seen["leads"].append((order, shipment, now))

    monkeypatch.setattr(Inventory, "_stock_changed", stock_changed)
    monkeypatch.setattr(Orders, "delivered", delivered)
    return seen


@pytest.mark.parametrize("name", VARIANTS)
def test_conservation_and_time_split_hold_exactly(name, watch):
    spec = sim.scenario_from_dict(variant(name)).spec
    result = run_replication(spec, seed=7, replication=0)
    balances = {b.name.split(" ")[0]: b for b in result.balances}
    orders = balances["orders"]
    assert orders.holds, str(orders)
    assert orders.total > 500
    assert {"delivered", "backordered", "in fulfilment", "in transit", "lost"} <= set(
        orders.parts)
    assert orders.parts["delivered"] > 0.3 * orders.total
    if spec.catalog is not None:
        stock = balances["stock"]
        assert stock.holds, str(stock)
        assert set(stock.parts) == {"allocated", "on hand"}
        assert watch["stock_changes"] > 0
        key = "lost" if spec.stockout == "lost" else "backordered"
        assert orders.parts[key] > 0 or result.metrics["inventory.fill_rate"] < 1
    else:
        assert "stock units (initial + received)" not in [b.name for b in result.balances]
    if spec.stockout == "lost":
        assert orders.parts["backordered"] == 0
        assert result.metrics["inventory.lost_sales"] > 0
    assert watch["orders"] > 0
    m = result.metrics
    split = sum(m[f"orders.time_split.{c}"] for c in
                ("stock", "queue", "work", "cutoff", "pickup", "transit"))
    assert split == pytest.approx(m["orders.lead_time.mean"], rel=1e-9)
    if name.startswith("backlog"):
        assert orders.parts["backordered"] > 0
    if name == "cutoff":
        assert m["orders.time_split.cutoff"] > 0
    if spec.delivery is not None:
        assert m["orders.time_split.pickup"] > 0 and m["orders.time_split.transit"] > 0


def build(data: dict, seed: int = 1) -> tuple[Environment, Orders]:
    """The commerce flows outside a replication, to place orders at chosen times."""
    spec = sim.scenario_from_dict(data).spec
    env, _ctx, flows = build_model(spec, seed, 0)
    return env, next(flow for flow in flows if isinstance(flow, Orders))


def place_at(env: Environment, orders: Orders, times: list[float]) -> None:
    for at in times:
        Timeout(env, at).callbacks.append(lambda _event: orders.place(env.now))


def record_deliveries(monkeypatch) -> list[tuple[float, float, tuple]]:
    done: list[tuple[float, float, tuple]] = []
    real = Orders.delivered

    def delivered(self, shipment, now):
        real(self, shipment, now)
        if shipment.order.done:
            done.append((shipment.order.placed_at, now, shipment.split()))

    monkeypatch.setattr(Orders, "delivered", delivered)
    return done


QUIET = {"name": "quiet", "horizon": "4d", "seed": 1, "teams": {"wh": {"members": 5}},
         "demand": {"orders": "0/d"}}  # orders only where a test places them


def test_cutoff_holds_a_late_shipment_until_midnight(monkeypatch):
    done = record_deliveries(monkeypatch)
    data = {**QUIET, "fulfilment": {"team": "wh", "cutoff": "14:00", "stages": [
        {"name": "pick", "time_per_order": "const(30m)"}]}}
    env, orders = build(data)
    place_at(env, orders, [10 * HOUR, 14 * HOUR, 16 * HOUR, DAY + 23 * HOUR])
    env.run(until=4 * DAY)
    got = sorted((placed, delivered) for placed, delivered, _ in done)
    assert got == [(10 * HOUR, 10.5 * HOUR), (14 * HOUR, 14.5 * HOUR),
                   (16 * HOUR, DAY + 0.5 * HOUR), (DAY + 23 * HOUR, 2 * DAY + 0.5 * HOUR)]
    split = {placed: parts for placed, _, parts in done}
    assert split[16 * HOUR][3] == pytest.approx(8 * HOUR)  # the cut-off component
    assert split[10 * HOUR][3] == 0


def test_pickups_at_17_collect_only_then(monkeypatch):
    done = record_deliveries(monkeypatch)
    data = {**QUIET, "delivery": {"carriers": {"p": {"transit_time": "const(1d)",
                                                     "pickups": ["17:00"]}}}}
    env, orders = build(data)
    place_at(env, orders, [9 * HOUR, 17 * HOUR + 1, 20 * HOUR, DAY + 16 * HOUR])
    env.run(until=4 * DAY)
    got = sorted((placed, delivered) for placed, delivered, _ in done)
    assert got == [(9 * HOUR, DAY + 17 * HOUR), (17 * HOUR + 1, 2 * DAY + 17 * HOUR),
                   (20 * HOUR, 2 * DAY + 17 * HOUR), (DAY + 16 * HOUR, 2 * DAY + 17 * HOUR)]


def test_pickups_on_poisson_orders_happen_only_at_pickup_times(monkeypatch):
    dispatched: list[float] = []
    real = Carrier._dispatch

    def dispatch(self, shipment, now):
        dispatched.append(now)
        real(self, shipment, now)

    monkeypatch.setattr(Carrier, "_dispatch", dispatch)
    data = {"name": "pickups", "horizon": "9d", "warmup": "1d", "seed": 2,
            "teams": {"wh": {"members": 3}}, "demand": {"orders": "60/d"},
            "fulfilment": {"team": "wh", "stages": [{"name": "pick",
                                                     "time_per_order": "exp(10m)"}]},
            "delivery": {"carriers": {"p": {"transit_time": "const(3h)", "pickups": ["17:00"],
                                            "pickup_days": "mon-fri"}}}}
    result = run_replication(sim.scenario_from_dict(data).spec, seed=2, replication=0)
    assert len(dispatched) > 300
    assert {t % DAY for t in dispatched} == {17 * HOUR}
    assert {int(t // DAY) % 7 for t in dispatched} <= {0, 1, 2, 3, 4}
    assert result.metrics["orders.time_split.transit"] == pytest.approx(3 * HOUR)


def test_failed_deliveries_add_redelivery_delay_and_transit(monkeypatch):
    done = record_deliveries(monkeypatch)
    transit, redelivery = 5 * HOUR, DAY
    data = {"name": "failures", "horizon": "20d", "seed": 4, "demand": {"orders": "100/d"},
            "delivery": {"carriers": {"p": {"transit_time": "const(5h)", "failed_share": 0.3,
                                            "redelivery_delay": "const(1d)"}}}}
    run_replication(sim.scenario_from_dict(data).spec, seed=4, replication=0)
    attempts = []
    for placed, delivered, parts in done:
        failures = (delivered - placed - transit) / (redelivery + transit)
        assert failures == pytest.approx(round(failures), abs=1e-9)
        assert parts[-1] == pytest.approx(delivered - placed)  # all of it is transit
        attempts.append(round(failures))
    failures = np.array(attempts)
    assert failures.max() >= 2
    # geometric number of failures: mean p / (1 - p)
    assert abs(failures.mean() - 0.3 / 0.7) < 4 * failures.std() / math.sqrt(len(failures))


def test_rq_orders_on_the_inventory_position(monkeypatch):
    """Nothing arrives within the run (lead time 100 d): only the position, which counts
    what is on order, keeps the policy from ordering again at every demand."""
    checks = []
    real = Inventory._continuous

    def continuous(self, product):
        real(self, product)
        checks.append((product.position, product.on_order, product.replenishments))

    monkeypatch.setattr(Inventory, "_continuous", continuous)
    data = {"name": "position", "horizon": "40d", "seed": 1, "demand": {"orders": "3/d"},
            "catalog": [{"sku": "A", "initial_stock": 10, "supplier": "s",
                         "policy": {"type": "rQ", "reorder_point": 5, "order_quantity": 8}}],
            "suppliers": {"s": {"lead_time": "const(100d)"}}}
    result = run_replication(sim.scenario_from_dict(data).spec, seed=1, replication=0)
    assert len(checks) > 100
    for position, on_order, replenishments in checks:
        assert 5 < position <= 5 + 8
        assert on_order == 8 * replenishments
    demanded = checks[-1][1] + 10 - checks[-1][0]  # position = 10 + on order - demand
    assert checks[-1][2] == math.ceil((demanded - 10 + 5 + 1) / 8)
    assert result.metrics["inventory.backorders.mean"] > 10  # the net stock went far below R


def test_lost_sales_are_counted_and_an_order_is_lost_only_when_all_of_it_is(monkeypatch):
    lines = []  # (line, units wanted); a line keeps what it got, its order whether it is done
    real_demand = Inventory.demand

    def demand(self, line, counted, now):
        lines.append((line, line.units))
        return real_demand(self, line, counted, now)

    monkeypatch.setattr(Inventory, "demand", demand)
    data = {"name": "lost", "horizon": "30d", "seed": 6, "stockout": "lost",
            "demand": {"orders": "10/d", "lines_per_order": 2},
            "catalog": [{"sku": "A", "initial_stock": 5, "supplier": "s",
                         "policy": {"type": "rQ", "reorder_point": 2, "order_quantity": 10}},
                        {"sku": "B", "initial_stock": 5, "supplier": "s",
                         "policy": {"type": "rQ", "reorder_point": 2, "order_quantity": 10}}],
            "suppliers": {"s": {"lead_time": "const(2d)"}}}
    result = run_replication(sim.scenario_from_dict(data).spec, seed=6, replication=0)
    lost_units = sum(wanted - line.units for line, wanted in lines)
    assert lost_units > 50
    assert result.metrics["inventory.lost_sales"] == lost_units
    by_order: dict[int, list] = {}
    for line, _ in lines:
        by_order.setdefault(id(line.order), []).append(line)
    all_lost = [ls for ls in by_order.values() if all(line.units == 0 for line in ls)]
    partly = [ls for ls in by_order.values() if any(line.units == 0 for line in ls)
              and any(line.units for line in ls)]
    assert all_lost and partly
    balance = next(b for b in result.balances if b.name == "orders")
    assert balance.total == len(by_order)
    assert balance.parts["lost"] == len(all_lost)
    assert all(ls[0].order.done for ls in partly)  # delivered with what there was
    assert result.metrics["orders.lost_share"] == pytest.approx(len(all_lost) / len(by_order))


def test_contacts_reach_support_as_inquiry_types(monkeypatch):
    placed = []
    real_place = Orders.place
    completed = {}
    real_delivered = Orders.delivered

    def place(self, now):
        order = real_place(self, now)
        placed.append(order)
        return order

    def delivered(self, shipment, now):
        real_delivered(self, shipment, now)
        if shipment.order.done:
            completed[id(shipment.order)] = now

    monkeypatch.setattr(Orders, "place", place)
    monkeypatch.setattr(Orders, "delivered", delivered)
    data = {"name": "contacts", "horizon": "10d", "seed": 8,
            "teams": {"support": {"members": 3}},
            "support": {"handle_time": "exp(3m)"},
            "demand": {"orders": "40/d"},
            "catalog": [{"sku": "A", "initial_stock": 10, "supplier": "s",
                         "policy": {"type": "rQ", "reorder_point": 5, "order_quantity": 30}}],
            "suppliers": {"s": {"lead_time": "const(2d)"}},
            "delivery": {"carriers": {"p": {"transit_time": "lognormal(1d, 12h)"}},
                         "promise": "2d"},
            "contacts": {"stockout": 1.0, "late_delivery": 1.0}}
    spec = sim.scenario_from_dict(data).spec
    result = run_replication(spec, seed=8, replication=0)
    m = result.metrics
    days = spec.horizon / DAY
    short = sum(1 for o in placed if o.short)
    late = sum(1 for o in placed if o.placed_at + spec.delivery.promise < spec.horizon
               and completed.get(id(o), math.inf) > o.placed_at + spec.delivery.promise)
    assert short > 10 and late > 10
    assert m["support.type.out_of_stock.arrivals_per_day"] * days == pytest.approx(short)
    assert m["support.type.where_is_my_order.arrivals_per_day"] * days == pytest.approx(late)


def test_same_seed_same_numbers_and_lead_time_leaves_demand_alone():
    spec = sim.scenario_from_dict(SHOP).spec
    a = run_replication(spec, seed=1, replication=0).metrics
    b = run_replication(spec, seed=1, replication=0).metrics
    np.testing.assert_equal(a, b)  # bit for bit (nan equals nan here)
    slower = copy.deepcopy(SHOP)
    slower["suppliers"]["fast"]["lead_time"] = "const(3d)"
    c = run_replication(sim.scenario_from_dict(slower).spec, seed=1, replication=0).metrics
    assert c["orders.placed_per_day"] == a["orders.placed_per_day"]
    assert c["inventory.fill_rate"] != a["inventory.fill_rate"]
    d = run_replication(spec, seed=2, replication=0).metrics
    assert d["orders.placed_per_day"] != a["orders.placed_per_day"]


def clamped_poisson(mean: float) -> tuple[float, float]:
    """Mean and variance of max(1, N), N ~ Poisson(mean): the counts orders draw."""
    zero = math.exp(-mean)
    first = mean + zero
    return first, mean + mean * mean + zero - first * first


@pytest.mark.parametrize("units_per_line", ["1", "poisson(2)"])
def test_poisson_lines_and_units_give_the_expected_units_per_order(units_per_line):
    """Counts are drawn as max(1, round(x)): poisson(2) averages 2 + e^-2 per draw. Every unit
    sells at price 1 from ample stock, so revenue / orders is the mean units per order."""
    data = {"name": "sizes", "horizon": "20d", "seed": 9, "demand": {
        "orders": "200/d", "lines_per_order": "poisson(2)", "units_per_line": units_per_line},
        "catalog": [{"sku": "A", "initial_stock": 10**9, "price": 1}]}
    result = run_replication(sim.scenario_from_dict(data).spec, seed=9, replication=0)
    orders = next(b for b in result.balances if b.name == "orders")
    assert orders.parts["delivered"] == orders.total > 3000
    lines_mean, lines_var = clamped_poisson(2)
    units_mean, units_var = (1.0, 0.0) if units_per_line == "1" else clamped_poisson(2)
    expected = lines_mean * units_mean
    variance = lines_mean * units_var + lines_var * units_mean ** 2  # a random sum
    per_order = result.metrics["revenue"] / orders.total
    assert abs(per_order - expected) < 4 * math.sqrt(variance / orders.total)


def test_days_of_cover_use_the_units_orders_really_draw():
    """10 days of cover at 100 orders a day of poisson(2) lines of 1 unit is 10 x 100 x
    (2 + e^-2) units."""
    data = {"name": "cover", "horizon": "1d", "seed": 1,
            "demand": {"orders": "100/d", "lines_per_order": "poisson(2)"},
            "catalog": [{"sku": "A", "initial_stock": "10d"}]}
    result = run_replication(sim.scenario_from_dict(data).spec, seed=1, replication=0)
    stock = next(b for b in result.balances if b.name.startswith("stock"))
    assert stock.total == round(10 * 100 * (2 + math.exp(-2)))


def test_each_kind_of_contact_has_its_own_stream():
    """Common random numbers: changing how many failed deliveries bring a contact must not
    move which stock-outs bring one."""
    def shop(failed_share: float) -> dict:
        return sim.scenario_from_dict({
            "name": "contacts", "horizon": "6d", "warmup": "1d", "seed": 9,
            "teams": {"support": {"members": 3}},
            "demand": {"orders": "300/d"},
            "catalog": [{"sku": "A", "initial_stock": 100, "supplier": "s",
                         "policy": {"type": "rQ", "reorder_point": 50, "order_quantity": 300}}],
            "suppliers": {"s": {"lead_time": "const(2d)"}},
            "delivery": {"carriers": {"post": {"transit_time": "const(1d)", "failed_share": 0.3,
                                               "redelivery_delay": "const(1d)"}}},
            "contacts": {"stockout": 0.5, "failed_delivery": failed_share},
            "support": {"handle_time": "exp(3m)"},
        })

    with_failed = sim.run(shop(0.5), reps=2)
    without = sim.run(shop(0.0), reps=2)
    stockouts = "support.type.out_of_stock.arrivals_per_day"
    assert with_failed[stockouts] > 0
    assert with_failed[stockouts] == without[stockouts]
    assert with_failed["support.type.where_is_my_order.arrivals_per_day"] > 0
    assert "support.type.where_is_my_order.arrivals_per_day" not in without.metrics


def test_customers_order_the_same_whatever_the_warehouse_staffing(monkeypatch):
    """Common random numbers: an order's lines, units and products are drawn when it is
    placed, from the orders flow's own streams, so two runs that differ only in warehouse
    members see the same orders (arrival times, lines, SKUs, units) while the warehouse
    works differently."""
    placed: list = []
    real_new_order = Orders.new_order

    def new_order(self, now):
        order = real_new_order(self, now)
        placed[-1].append((order.placed_at, tuple((line.product, line.units)
                                                  for line in order.lines)))
        return order

    monkeypatch.setattr(Orders, "new_order", new_order)
    skus = [entry["sku"] for entry in SHOP["catalog"]]
    runs = []
    for members in (2, 4):
        data = copy.deepcopy(SHOP)
        data["teams"]["warehouse"]["members"] = members
        placed.append([])
        runs.append(run_replication(sim.scenario_from_dict(data).spec, seed=3, replication=0))
    few, many = ([(at, tuple((skus[product], units) for product, units in lines))
                  for at, lines in orders] for orders in placed)
    assert len(few) > 500
    assert few == many
    assert len({len(lines) for _, lines in few}) > 2  # lines, SKUs and units really vary
    assert len({sku for _, lines in few for sku, _ in lines}) == len(skus)
    assert len({units for _, lines in few for _, units in lines}) > 2
    wait = "fulfilment.wait.mean"
    assert runs[0].metrics[wait] > 2 * runs[1].metrics[wait]  # the staffing change bites
