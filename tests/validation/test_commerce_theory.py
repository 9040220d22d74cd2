"""The commerce flows against inventory and queueing theory.

Theory: (R, Q) and (s, S) with Poisson unit demand and a constant lead time, periodic-review
base-stock (fill rate, mean on hand, mean backorders, share of time out of stock, and the
mean wait for stock by Little's law); fulfilment stages with teams of their own and
exponential work as M/M/c stations of an open Jackson network (rework included), plus the
carriers' mean transit (redeliveries included) and the mean wait for a pickup. Each case runs
R replications after a warm-up; a metric passes when |mean - theory| <= t_(R-1)(1 - alpha/2m)
standard errors, Bonferroni at alpha = 1% over the m rows of the case (sim.check.compare), so
the tolerance follows the replication count; the slow checks over the M assertions of the
whole slow suite instead (tests/validation/family.py). The parameter sets here are our own;
cases.md's are the bundled scenarios.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim.analysis.theory import NotApplicable, predict
from sim.check import ToleranceRule, compare, measure
from sim.model.flows.policies import BaseStock
from sim.replication import run_replication
from tests.validation.family import slow_member, theory_rows, tolerance_rule

VALIDATION = Path(__file__).resolve().parents[2] / "scenarios" / "validation"
COMMERCE_CASES = [p for p in sorted(VALIDATION.glob("*.yaml"))
                  if sim.load_scenario(p).spec.demand is not None
                  and sim.load_scenario(p).spec.site is None]  # the site's: test_tech_theory


def stock(rate: str, policy: dict, lead: str, horizon: str, warmup: str = "30d",
          initial: int = 0, supplier: dict | None = None, **extra) -> sim.Scenario:
    """One product, unit demand, one supplier."""
    return sim.scenario_from_dict({
        "name": "stock-case", "horizon": horizon, "warmup": warmup, "replications": 20,
        "seed": 17,
        "demand": {"orders": rate},
        "catalog": [{"sku": "A", "initial_stock": initial, "supplier": "s", "policy": policy}],
        "suppliers": {"s": {"lead_time": f"const({lead})", **(supplier or {})}},
        **extra,
    })


def flow(rate: str, stages: list[dict], teams: dict[str, int], carriers: dict | None = None,
         horizon: str = "4d", warmup: str = "6h") -> sim.Scenario:
    """No catalog: orders go straight to fulfilment (and delivery)."""
    data = {"name": "flow-case", "horizon": horizon, "warmup": warmup, "replications": 10,
            "seed": 19, "teams": {name: {"members": c} for name, c in teams.items()},
            "demand": {"orders": rate}}
    if stages:
        data["fulfilment"] = {"stages": stages}
    if carriers:
        data["delivery"] = {"carriers": carriers}
    return sim.scenario_from_dict(data)


def assert_matches_theory(scenario: sim.Scenario, reps: int | None = None,
                          at_least: int = 5, rule: ToleranceRule | None = None) -> list:
    """The case's rows pass `rule` (a slow family's); without one, the case is a family of
    its own."""
    prediction = predict(scenario.spec)
    results = sim.run(scenario, reps=reps)
    if rule is None:
        rows = compare(scenario.name, prediction.model, results, prediction.values)
    else:
        rows = rule.judge(measure(scenario.name, prediction.model, results, prediction.values))
        assert len(rows) == theory_rows(scenario)  # as many as the family counts
    failed = [r for r in rows if not r.passed]
    assert not failed, prediction.model + "\n" + "\n".join(
        f"{r.metric}: simulated {r.simulated:.5g} (s.e. {r.std_error:.3g}), "
        f"theory {r.theory:.5g}" for r in failed)
    assert len(rows) >= at_least
    return rows


RQ = {"type": "rQ", "reorder_point": 3, "order_quantity": 5}
FAST_CASES = {
    "rq-R3-Q5-lead-3d": lambda: stock("1/d", RQ, "3d", "1200d", initial=8),
    "ss-s4-S12-lead-2d": lambda: stock("2/d", {"type": "sS", "min": 4, "max": 12}, "2d",
                                       "800d", initial=12, supplier={"minimum_order": 5}),
    "rq-as-cover-days": lambda: stock("3/d", {"type": "rQ", "reorder_point": "3d",
                                              "order_quantity": "2d"}, "2.5d", "500d"),
    "base-stock-T3d-L2.5d": lambda: stock("5/d", {"type": "base_stock", "order_up_to": 30,
                                                  "review_period": "3d"}, "2.5d", "600d"),
    "base-stock-T12h-L1d": lambda: stock("0.5/d", {"type": "base_stock", "order_up_to": 3,
                                                   "review_period": "12h"}, "1d", "1500d"),
    "mm3-pick-lognormal-transit": lambda: flow(
        "20/h", [{"name": "pick", "team": "pickers", "time_per_order": "exp(7m)"}],
        {"pickers": 3}, {"parcel": {"transit_time": "lognormal(2h, 1h)"}}, horizon="5d"),
    "jackson-2-stages-rework-to-1": lambda: flow(
        "1/m", [{"name": "pick", "team": "pickers", "time_per_order": "exp(1m)"},
                {"name": "pack", "team": "packers", "time_per_order": "exp(2m)",
                 "rework": {"to": "pick", "probability": 0.25}}],
        {"pickers": 2, "packers": 3}, horizon="2d"),
    "two-carriers-pickups-failures": lambda: flow(
        "3/h", [{"name": "pick", "team": "pickers", "time_per_order": "exp(12m)"}],
        {"pickers": 1},
        {"parcel": {"share": 0.7, "transit_time": "lognormal(6h, 3h)",
                    "pickups": ["11:00", "17:00"], "pickup_days": "mon-sat",
                    "failed_share": 0.15, "redelivery_delay": "const(12h)"},
         "courier": {"share": 0.3, "transit_time": "const(2h)"}},
        horizon="35d", warmup="7d"),  # whole weeks observed: weekday pickups average out
}


@pytest.mark.parametrize("case", FAST_CASES)
def test_commerce_matches_theory(case):
    assert_matches_theory(FAST_CASES[case]())


def test_several_independent_products():
    """Each product sees its own thinned Poisson stream; the catalog rows are sums and
    demand-weighted means of the per-product values. A listed product beside generated ones
    whose levels are days of cover."""
    scenario = sim.scenario_from_dict({
        "name": "several-products", "horizon": "250d", "warmup": "20d", "replications": 20,
        "seed": 5, "demand": {"orders": "12/d"},
        "catalog": {
            "products": [{"sku": "X", "demand_share": 0.5, "initial_stock": 5, "supplier": "a",
                          "policy": {"type": "sS", "min": 3, "max": 9}}],
            "generate": {"products": 3, "zipf": 1, "initial_stock": "3d",
                         "policy": {"type": "rQ", "reorder_point": "2d",
                                    "order_quantity": "3d"},
                         "suppliers": {"a": 0.5, "b": 0.5}}},
        "suppliers": {"a": {"lead_time": "const(1d)", "minimum_order": 2},
                      "b": {"lead_time": "const(36h)"}},
    })
    assert "4 independent products" in predict(scenario.spec).model
    assert_matches_theory(scenario)


def test_support_and_fulfilment_side_by_side():
    """Two flows with closed forms, on teams of their own: both sets of rows apply."""
    scenario = sim.scenario_from_dict({
        "name": "side-by-side", "horizon": "3d", "warmup": "6h", "replications": 10, "seed": 2,
        "teams": {"support": {"members": 4}, "pickers": {"members": 2}},
        "support": {"arrivals": "1/m", "handle_time": "exp(3m)"},
        "demand": {"orders": "10/h"},
        "fulfilment": {"stages": [{"name": "pick", "team": "pickers",
                                   "time_per_order": "exp(9m)"}]},
    })
    prediction = predict(scenario.spec)
    assert "Erlang C" in prediction.model and "M/M/2" in prediction.model
    assert {"support.wait.mean", "fulfilment.wait.mean"} <= set(prediction.values)
    assert_matches_theory(scenario)


@pytest.mark.parametrize("path", COMMERCE_CASES, ids=lambda p: p.stem)
def test_bundled_commerce_scenario_quick(path):
    """Each bundled case with a fifth of its observed time: a wider CI, the same rule."""
    spec = sim.load_scenario(path).spec
    horizon_days = (spec.warmup + (spec.horizon - spec.warmup) / 5) / 1440
    assert_matches_theory(sim.load_scenario(path, [f"horizon={horizon_days:g}d"]))


@slow_member(lambda: sum(theory_rows(sim.load_scenario(p)) for p in COMMERCE_CASES))
@pytest.mark.slow
@pytest.mark.parametrize("path", COMMERCE_CASES, ids=lambda p: p.stem)
def test_bundled_commerce_scenario_full(path):
    assert_matches_theory(sim.load_scenario(path), rule=tolerance_rule())


def test_bundled_cases_use_cases_md_values():
    expected = {
        "inventory_rq": {"inventory.fill_rate": 0.97345, "inventory.on_hand.mean": 12.536,
                         "inventory.backorders.mean": 0.03599,
                         "inventory.stockout_share": 0.02655},
        "inventory_base_stock": {"inventory.on_hand.mean": 20.059,
                                 "inventory.backorders.mean": 0.05925,
                                 "inventory.stockout_share": 0.01971,
                                 "inventory.fill_rate": 0.98029},
        "fulfilment_jackson": {"orders.lead_time.mean": 12.4545},
    }
    for stem, values in expected.items():
        prediction = predict(sim.load_scenario(VALIDATION / f"{stem}.yaml").spec)
        for metric, value in values.items():
            assert prediction.values[metric] == pytest.approx(value, abs=6e-4), (stem, metric)


def test_base_stock_orders_the_demand_of_the_period(monkeypatch):
    """No bullwhip under base-stock: each review orders exactly what was demanded since the
    previous one (after the first, which fills up to S)."""
    reviews = []
    real = BaseStock.review

    def spy(self, position, period_demand):
        quantity = real(self, position, period_demand)
        reviews.append((position, period_demand, quantity))
        return quantity

    monkeypatch.setattr(BaseStock, "review", spy)
    scenario = stock("20/d", {"type": "base_stock", "order_up_to": 70, "review_period": "1d"},
                     "2d", "60d", warmup="0d", initial=50)
    run_replication(scenario.spec, seed=3, replication=0)
    assert len(reviews) == 60
    assert reviews[0][1] is None  # the review at time 0 closes no period
    assert reviews[0][2] == 70 - 50
    for position, demanded, quantity in reviews[1:]:
        assert quantity == demanded
        assert position == 70 - demanded
    assert sum(d for _, d, _ in reviews[1:]) > 1000


@pytest.mark.parametrize("change", [
    {"stockout": "lost"},
    {"demand": {"orders": {"rate": "2/d", "daily_profile": {"00:00": 0.5, "12:00": 1.5}}}},
    {"demand": {"orders": "2/d", "units_per_line": "poisson(2)"}},
    {"suppliers": {"s": {"lead_time": "exp(5d)"}}},
    {"suppliers": {"s": {"lead_time": "const(5d)", "on_time": 0.9, "late_delay": "exp(1d)"}}},
    {"suppliers": {"s": {"lead_time": "const(5d)", "short_share": 0.1}}},
    {"suppliers": {"s": {"lead_time": "const(5d)", "minimum_order": 30}}},
    {"catalog": [{"sku": "A", "supplier": "s", "policy": {"type": "forecast",
                                                          "review_period": "1d"}}]},
], ids=["lost-sales", "profile", "lumpy-units", "random-lead", "late", "short", "min-order",
        "forecast"])
def test_inventory_theory_refuses_what_it_does_not_cover(change):
    data = {"name": "refuse", "horizon": "10d", "demand": {"orders": "2/d"},
            "catalog": [{"sku": "A", "supplier": "s", "policy": RQ}],
            "suppliers": {"s": {"lead_time": "const(5d)"}}}
    data.update(change)
    with pytest.raises(NotApplicable):
        predict(sim.scenario_from_dict(data).spec)


def stage(name, team, time="exp(2m)", **more):
    return {"name": name, "team": team, "time_per_order": time, **more}


@pytest.mark.parametrize("fulfilment,teams", [
    ({"stages": [stage("pick", "w"), stage("pack", "w")]}, {"w": 3}),  # shared team
    ({"stages": [stage("pick", "w", "const(2m)")]}, {"w": 3}),
    ({"stages": [stage("pick", "w", time_per_line="exp(1m)")]}, {"w": 3}),
    ({"stages": [stage("pick", "w")], "cutoff": "15:00"}, {"w": 3}),
    ({"stages": [stage("pick", "w")]}, {"w": {"members": 3, "shift": "08:00-16:00"}}),
    ({"stages": [stage("pick", "w", "exp(10m)")]}, {"w": 3}),  # load 3.33 on 3 members
], ids=["shared-team", "const-work", "per-order-and-line", "cutoff", "shifts", "unstable"])
def test_flow_theory_refuses_what_it_does_not_cover(fulfilment, teams):
    data = {"name": "refuse", "horizon": "10d", "demand": {"orders": "20/h"},
            "teams": {k: v if isinstance(v, dict) else {"members": v} for k, v in teams.items()},
            "fulfilment": fulfilment}
    with pytest.raises(NotApplicable):
        predict(sim.scenario_from_dict(data).spec)


def test_a_catalog_keeps_the_flow_rows_out_and_contacts_keep_support_rows_out():
    data = {"name": "mixed", "horizon": "10d",
            "teams": {"w": {"members": 3}, "support": {"members": 3}},
            "support": {"arrivals": "10/h", "handle_time": "exp(3m)"},
            "demand": {"orders": "2/d"},
            "catalog": [{"sku": "A", "supplier": "s", "policy": RQ}],
            "suppliers": {"s": {"lead_time": "const(5d)"}},
            "fulfilment": {"stages": [stage("pick", "w")]}}
    values = predict(sim.scenario_from_dict(data).spec).values
    assert "inventory.fill_rate" in values and "support.wait.mean" in values
    assert "fulfilment.wait.mean" not in values and "orders.lead_time.mean" not in values
    data["contacts"] = {"stockout": 0.5}
    values = predict(sim.scenario_from_dict(data).spec).values
    assert "inventory.fill_rate" in values and "support.wait.mean" not in values
