"""Finished entities leave no cyclic garbage: runs pause the cyclic collector
(sim/replication.py, cyclic_gc_paused), so an order, line, shipment, inquiry, wake-up or
replenishment still in a reference cycle when it finishes would stay in memory for the
whole run. Each flow's scenario runs with the collector paused; then, while the model is
still alive (so everything it still uses is reachable), `gc.collect()` must find no garbage,
and none more when the horizon doubles. benchmarks/soak.py measures the memory of a year.
"""

from __future__ import annotations

import copy
import gc
from collections import Counter
from pathlib import Path

import pytest

import sim
from sim.model.flows import orders as orders_module
from sim.replication import build_model, cyclic_gc_paused
from sim.scenario import load_scenario
from sim.units import DAY

# support: two shifts with a gap (a queue left overnight), patience, two priorities
SUPPORT = {
    "name": "desk", "horizon": "1d", "warmup": "2h", "seed": 5,
    "teams": {"support": {"shifts": [{"members": 3, "shift": "07:00-15:00"},
                                     {"members": 2, "shift": "12:00-22:00"}]}},
    "support": {"team": "support", "arrivals": "25/h", "service_level_target": "1m",
                "inquiry_types": {
                    "short": {"share": 0.7, "handle_time": "exp(6m)", "patience": "exp(5m)",
                              "priority": 2},
                    "long": {"share": 0.3, "handle_time": "exp(9m)", "patience": "exp(10m)",
                             "priority": 1}}},
}

# commerce: backorders from late and short suppliers, rework, a cut-off, pickups, failed
# deliveries, and contacts handed to a support desk whose customers give up
SHOP = {
    "name": "shop", "horizon": "3d", "warmup": "1d", "seed": 3,
    "teams": {"warehouse": {"members": 3}, "support": {"members": 1}},
    "demand": {"orders": "300/d", "lines_per_order": "geometric(1.6)",
               "units_per_line": "geometric(1.3)"},
    "catalog": [
        {"sku": "A", "demand_share": 3, "initial_stock": 100, "supplier": "slow", "price": 10,
         "policy": {"type": "rQ", "reorder_point": 150, "order_quantity": 300}},
        {"sku": "B", "demand_share": 1, "initial_stock": 20, "supplier": "slow", "price": 20,
         "policy": {"type": "base_stock", "order_up_to": 150, "review_period": "1d"}},
        {"sku": "C", "demand_share": 1, "initial_stock": 5, "supplier": "fast", "price": 5,
         "policy": {"type": "sS", "min": 40, "max": 120}},
        {"sku": "D", "demand_share": 1, "initial_stock": 30, "supplier": "fast", "price": 8,
         "policy": {"type": "forecast", "review_period": "1d", "window": 3}},
    ],
    "suppliers": {"slow": {"lead_time": "uniform(1d, 2d)", "on_time": 0.6,
                           "late_delay": "exp(1d)", "short_share": 0.3, "minimum_order": 20},
                  "fast": {"lead_time": "const(12h)"}},
    "stockout": "backorder",
    "fulfilment": {"team": "warehouse", "cutoff": "15:00", "stages": [
        {"name": "pick", "time_per_order": "exp(3m)", "time_per_line": "const(30s)"},
        {"name": "check", "time_per_order": "const(1m)",
         "rework": {"to": "pick", "probability": 0.1}}]},
    "delivery": {"promise": "1d", "carriers": {
        "parcel": {"share": 0.7, "transit_time": "lognormal(12h, 3h)", "pickups": ["17:00"],
                   "failed_share": 0.2, "redelivery_delay": "const(6h)"},
        "courier": {"share": 0.3, "transit_time": "exp(4h)", "failed_share": 0.1,
                    "redelivery_delay": "exp(2h)"}}},
    "contacts": {"stockout": 0.3, "late_delivery": 0.3, "failed_delivery": 0.5},
    "support": {"team": "support", "arrivals": "2/h", "handle_time": "exp(20m)",
                "patience": "exp(10m)"},
}


def shop(name: str) -> dict:
    data = copy.deepcopy(SHOP)
    if name == "partial":
        data["fulfilment"]["partial_shipment"] = True
    elif name == "lost":
        data["stockout"] = "lost"
    elif name == "stock-only":  # orders complete when their stock is allocated
        del data["fulfilment"], data["delivery"], data["contacts"]["late_delivery"]
        del data["contacts"]["failed_delivery"]
    elif name == "no-catalog":  # stock is never the constraint
        del data["catalog"], data["suppliers"], data["contacts"]["stockout"]
    return data


CASES = {"support": SUPPORT, "shop": shop("backorder"), "shop-partial": shop("partial"),
         "shop-lost": shop("lost"), "shop-stock-only": shop("stock-only"),
         "shop-no-catalog": shop("no-catalog")}


def finished(flows: list) -> int:
    """Orders and inquiries that have finished (delivered, lost, answered, abandoned)."""
    total = 0
    for flow in flows:
        total += getattr(flow, "delivered_all", 0) + getattr(flow, "lost_all", 0)
        total += getattr(flow, "completed_all", 0) + getattr(flow, "abandoned_all", 0)
    return total


def exercised(flows: list) -> dict[str, int]:
    """What the run went through, so a case cannot pass by doing nothing."""
    seen = Counter()
    for flow in flows:
        seen["abandoned"] += getattr(flow, "abandoned_all", 0)
        seen["contacts"] += getattr(flow, "contacts_made", 0)
        products = getattr(flow, "products", None)  # the inventory flow
        if products is not None:
            seen["replenished"] += sum(p.received for p in products)
            seen["short"] += sum(p.demanded - p.from_stock for p in products)
    return seen


def run_and_collect(data: dict, horizon_days: float) -> tuple[Counter, int, dict[str, int]]:
    """Run one replication as sim/replication.py does, with the cyclic collector paused;
    then, with the model still alive, the cyclic garbage the run left, by type."""
    data = {**data, "horizon": f"{horizon_days:g}d"}
    spec = sim.scenario_from_dict(data).spec
    gc.collect()
    env, ctx, flows = build_model(spec, spec.seed, 0)
    with cyclic_gc_paused():
        env.run(until=spec.horizon)
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            gc.collect()
            garbage = Counter(type(o).__qualname__ for o in gc.garbage)
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
    return garbage, finished(flows), exercised(flows)


@pytest.mark.parametrize("name", list(CASES))
def test_finished_entities_leave_no_cyclic_garbage(name):
    data = CASES[name]
    base_days = int(data["horizon"].rstrip("d"))
    short, done_short, _ = run_and_collect(data, base_days)
    long, done_long, seen = run_and_collect(data, 2 * base_days)
    assert seen["abandoned"] > 0, seen
    if "demand" in data:
        assert seen["contacts"] > 0, seen
    if "catalog" in data:
        assert seen["replenished"] > 0 and seen["short"] > 0, seen
    # enough entities finish in the extra time for one cycle each to stand out
    assert done_long - done_short > 300, (done_short, done_long)
    assert sum(short.values()) == 0, short
    assert sum(long.values()) == 0, long


def test_the_check_finds_a_cycle_left_by_finished_orders(monkeypatch):
    """The detector itself: if orders kept their line and shipment cycles, it would see
    garbage growing with the horizon."""
    monkeypatch.setattr(orders_module, "_release", lambda order: None)
    short, done_short, _ = run_and_collect(CASES["shop"], 3)
    long, done_long, _ = run_and_collect(CASES["shop"], 6)
    assert done_long > done_short
    for kind in ("Order", "Line", "Shipment"):
        assert long[kind] > short[kind] > 0, (kind, short, long)


SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
BUNDLED = sorted(SCENARIOS.rglob("*.yaml"))


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_bundled_scenarios_leave_no_cyclic_garbage(path):
    """Every bundled and validation scenario, over a few days: whatever flows a scenario
    switches on (later flows come with their scenarios), nothing they finish is cyclic."""
    data = load_scenario(path).resolved
    days = min(3.0, sim.scenario_from_dict(data).spec.horizon / DAY)
    garbage, done, _ = run_and_collect({**data, "warmup": "0s"}, days)
    assert done > 0
    assert sum(garbage.values()) == 0, garbage
