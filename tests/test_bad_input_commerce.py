"""Bad commerce scenarios: each problem gets one message naming the file, the line, the
dotted path and what was expected; exit code 2; no traceback; nothing written."""

from __future__ import annotations

import pytest

from sim.cli import cli

# The base the cases below change one thing in (line numbers are those of this text).
BASE = """\
name: shop
horizon: 10d
teams:
  warehouse: {members: 2}
  support: {members: 2}
demand:
  orders: 10/d
catalog:
  - sku: A
    initial_stock: 10
    supplier: main
    policy: {type: sS, min: 5, max: 20}
suppliers:
  main: {lead_time: 2d}
fulfilment:
  stages:
    - {name: pick, time_per_order: exp(2m)}
    - {name: pack, time_per_order: exp(1m)}
delivery:
  carriers:
    post: {share: 1.0, transit_time: 1d}
  promise: 3d
support:
  handle_time: exp(3m)
contacts: {late_delivery: 0.2}
"""

CASES = {
    "unknown supplier": (
        ("supplier: main\n    policy", "supplier: mian\n    policy"),
        "line 11", "catalog.0.supplier", "did you mean 'main'"),
    "reorder level above order-up-to": (
        ("min: 5, max: 20", "min: 30, max: 20"),
        "line 12", "catalog.0.policy.min", "must be below the order-up-to level"),
    "policy missing its quantity": (
        ("{type: sS, min: 5, max: 20}", "{type: rQ, reorder_point: 5}"),
        "line 12", "catalog.0.policy", "needs order_quantity"),
    "unknown policy type": (
        ("{type: sS, min: 5, max: 20}", "{type: Rq, reorder_point: 5, order_quantity: 3}"),
        "line 12", "catalog.0.policy.type", "'rQ'"),
    "negative initial stock": (
        ("initial_stock: 10", "initial_stock: -3"),
        "line 10", "catalog.0.initial_stock", "must not be negative"),
    "unknown fulfilment team": (
        ("  stages:\n", "  team: wharehouse\n  stages:\n"),
        "line 16", "fulfilment.team", "did you mean 'warehouse'"),
    "rework to a later stage": (
        ("{name: pick, time_per_order: exp(2m)}",
         "{name: pick, time_per_order: exp(2m), rework: {to: pack, probability: 0.1}}"),
        "line 17", "fulfilment.stages.0.rework.to", "earlier stage"),
    "carrier shares that do not sum": (
        ("post: {share: 1.0, transit_time: 1d}",
         "post: {share: 0.5, transit_time: 1d}\n    fast: {share: 0.3, transit_time: 12h}"),
        "line 20", "delivery.carriers", "must sum to 1"),
    "pickup at a bad clock time": (
        ("transit_time: 1d}", "transit_time: 1d, pickups: ['25:00']}"),
        "line 21", "delivery.carriers.post.pickups.0", "24:00"),
    "transit time without a unit": (
        ("transit_time: 1d}", "transit_time: exp(2)}"),
        "line 21", "delivery.carriers.post.transit_time", "unit"),
    "contacts without a desk": (
        ("support:\n  handle_time: exp(3m)\n", ""),
        "line 23", "contacts", "no 'support' section"),
    "catalog without demand": (
        ("demand:\n  orders: 10/d\n", ""),
        "line 6", "catalog", "needs a 'demand' section"),
    "stockout policy misspelt": (
        ("suppliers:", "stockout: backorders\nsuppliers:"),
        "line 13", "stockout", "'backorder'"),
    "support and warehouse share a team": (
        ("support:\n  handle_time", "support:\n  team: warehouse\n  handle_time"),
        "line 24", "support.team", "a team works one flow"),
    "pickup at 24:00": (
        ("transit_time: 1d}", "transit_time: 1d, pickups: ['24:00']}"),
        "line 21", "delivery.carriers.post.pickups", "write 00:00"),
    "infinite price": (
        ("initial_stock: 10", "initial_stock: 10\n    price: .inf"),
        "line 11", "catalog.0.price", "finite"),
    "unknown key in a product": (
        ("initial_stock: 10", "initial_stok: 10"),
        "line 10", "catalog.0.initial_stok", "did you mean 'initial_stock'"),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_commerce_scenario(case, runner, write_scenario, tmp_path):
    (old, new), line, path, expected = CASES[case]
    assert old in BASE, "the case must change the base"
    scenario = write_scenario(tmp_path, BASE.replace(old, new, 1))
    out = tmp_path / "out"
    result = runner.invoke(cli, ["run", str(scenario), "--out", str(out), "--no-plots"])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = [x for x in result.output.splitlines() if x.startswith("error:")]
    assert len(lines) == 1, result.output  # one problem, one message
    assert f"{scenario}, {line}: {path}:" in lines[0], lines[0]
    assert expected in lines[0], lines[0]
    assert not out.exists()


def test_the_base_is_valid(runner, write_scenario, tmp_path):
    scenario = write_scenario(tmp_path, BASE)
    result = runner.invoke(cli, ["validate", str(scenario)])
    assert result.exit_code == 0, result.output
