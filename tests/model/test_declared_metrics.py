"""Every metric a run reports is declared by its flow, and the names a scenario's declarations
give without running (what `orgsim metrics` lists) are the run's, in the table's order."""

from __future__ import annotations

import pytest

import sim
from sim.bundled import bundled_paths, validation_paths
from sim.metrics.declare import declared, lookup, reported_names

SCENARIOS = {path.stem: path for path in (*bundled_paths(), *validation_paths())}
SHORT = ["horizon=1d", "warmup=2h"]  # the names a run reports do not depend on its length


@pytest.fixture(scope="module")
def reported() -> dict[str, list[str]]:
    """Metric names per scenario, from one short replication."""
    return {stem: list(sim.run(sim.load_scenario(path, SHORT), reps=1, force=True).metrics)
            for stem, path in SCENARIOS.items()}


@pytest.mark.parametrize("stem", SCENARIOS)
def test_the_declarations_give_the_run_s_metrics_in_order(stem, reported):
    spec = sim.load_scenario(SCENARIOS[stem], SHORT).spec
    assert reported_names(spec) == reported[stem]


def test_every_reported_metric_is_declared(reported):
    names = {name for names in reported.values() for name in names}
    assert sorted(name for name in names if lookup(name) is None) == []


def test_every_declaration_is_reported_somewhere_or_says_when(reported):
    names = {name for names in reported.values() for name in names}
    silent = [m.name for m in declared()
              if not m.condition and not any(m.matches(name) for name in names)]
    assert silent == []


def test_a_pre_empting_desk_of_agent_groups_reports_what_it_declares():
    """Pre-emption's time set aside and per-group utilisation: declared only when they apply,
    and then reported, in the declared order."""
    scenario = sim.scenario_from_dict({
        "name": "preempt", "horizon": "1d", "seed": 1,
        "teams": {"support": {"shifts": [{"members": 2, "shift": "always"},
                                         {"members": 1, "shift": "always"}]}},
        "support": {"arrivals": "20/h", "handle_time": "exp(5m)", "preemption": "resume",
                    "inquiry_types": {"urgent": {"share": 0.3, "priority": 1},
                                      "later": {"share": 0.7, "priority": 2}}}})
    names = reported_names(scenario.spec)
    assert {"support.preempted_wait.mean", "support.utilisation.0",
            "support.utilisation.1"} <= set(names)
    assert names == list(sim.run(scenario, reps=1, force=True).metrics)
