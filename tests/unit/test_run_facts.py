"""The typed facts a run gives its plots (horizon, warm-up, promise, policy types): filled from
the typed spec, saved in summary.json, loaded back, and derived from scenario.yaml for folders
saved before summary.json held them."""

from __future__ import annotations

import json

import numpy as np

import sim
from sim.plots import figures_for
from sim.results import Results, RunFacts
from sim.scenario.catalog_plan import plan_catalog
from sim.units import DAY, HOUR

SHOP = {
    "name": "facts-shop", "horizon": "2d", "warmup": "6h", "seed": 3,
    "demand": {"orders": "50/d"},
    "catalog": {
        "products": [{"sku": "A", "initial_stock": 40, "supplier": "s",
                      "policy": {"type": "sS", "min": 10, "max": 40}},
                     {"sku": "B", "initial_stock": 40}],
        "generate": {"products": 12, "sku_prefix": "G", "initial_stock": 20,
                     "suppliers": {"s": 1.0},
                     "policy": {"type": "rQ", "reorder_point": 5, "order_quantity": 10}},
    },
    "suppliers": {"s": {"lead_time": "const(1d)"}},
    "teams": {"warehouse": {"members": 2}},
    "fulfilment": {"stages": [{"name": "pick", "time_per_order": "exp(5m)"}]},
    "delivery": {"carriers": {"post": {"transit_time": "const(1d)"}}, "promise": "36h"},
}

EXPECTED = RunFacts(horizon=2 * DAY, warmup=6 * HOUR, promise=36 * HOUR,
                    policy_types={"A": "sS", **{f"G{k:02d}": "rQ" for k in range(1, 13)}})


def test_facts_come_from_the_typed_spec():
    spec = sim.scenario_from_dict(SHOP).spec
    assert RunFacts.of(spec) == EXPECTED


def test_generated_policy_types_name_the_skus_the_model_stocks():
    catalog = sim.scenario_from_dict(SHOP).spec.catalog
    planned = {plan.sku: plan.policy.type for plan in plan_catalog(catalog, seed=1)
               if plan.policy is not None}
    assert dict(RunFacts.of(sim.scenario_from_dict(SHOP).spec).policy_types) == planned


def test_a_scenario_without_delivery_or_catalog_has_no_promise_and_no_policies():
    spec = sim.scenario_from_dict({
        "name": "desk", "horizon": "1d",
        "teams": {"support": {"members": 2}},
        "support": {"arrivals": "10/h", "handle_time": "exp(5m)"},
    }).spec
    assert RunFacts.of(spec) == RunFacts(horizon=DAY, warmup=0.0)


def test_run_saves_and_loads_the_facts(tmp_path):
    results = sim.run(sim.scenario_from_dict(SHOP), reps=1)
    assert results.facts == EXPECTED
    folder = results.save(tmp_path / "out", plots=False)
    saved = json.loads((folder / "summary.json").read_text())
    assert saved["facts"]["promise"] == 36 * HOUR
    assert saved["facts"]["policy_types"]["G07"] == "rQ"
    assert Results.load(folder).facts == EXPECTED


def _without_facts(folder) -> None:
    """Make a folder look as if an older version saved it: summary.json without facts."""
    path = folder / "summary.json"
    summary = json.loads(path.read_text())
    del summary["facts"]
    path.write_text(json.dumps(summary))


def test_an_older_folder_gets_its_facts_from_its_scenario_yaml(tmp_path):
    folder = sim.run(sim.scenario_from_dict(SHOP), reps=1).save(tmp_path / "out", plots=False)
    _without_facts(folder)
    assert Results.load(folder).facts == EXPECTED


def test_an_older_folder_whose_scenario_no_longer_validates_plots_without_facts(tmp_path):
    folder = sim.run(sim.scenario_from_dict(SHOP), reps=1).save(tmp_path / "out", plots=False)
    _without_facts(folder)
    scenario = folder / "scenario.yaml"
    scenario.write_text(scenario.read_text() + "renamed_since: true\n")
    loaded = Results.load(folder)
    assert loaded.facts is None
    figures = figures_for(loaded)  # no promise line, no policy names, span from the series
    lead = figures["orders_lead_time"].axes[0]
    assert not any(line.get_label().startswith("promise") for line in lead.get_lines())
    assert np.isfinite(loaded["orders.placed_per_day"])


def test_facts_load_by_field_name_missing_ones_by_default_unknown_ones_ignored():
    assert RunFacts.from_json({"horizon": 60.0, "warmup": 0.0, "added_later": 1}) == \
        RunFacts(horizon=60.0, warmup=0.0)
