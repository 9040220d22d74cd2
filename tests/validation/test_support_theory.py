"""The support desk against queueing theory.

Theory: Erlang C (M/M/c), Erlang A (M/M/c+M, exponential patience, also overloaded) and
Pollaczek-Khinchine (M/G/1) give the mean waits, the share who wait, the share who abandon,
the service level, utilisation and the time-average queue. Each case runs R replications
after a warm-up; a metric passes when |mean - theory| <= t_(R-1)(1 - alpha/2m) standard
errors, Bonferroni at alpha = 1% over the m rows of the case (sim.check.compare), so the
tolerance follows the replication count. The slow checks (`pytest -m slow`) are judged
together instead: Bonferroni at alpha = 1% over the M assertions of the whole slow suite
(tests/validation/family.py), m = M.
Little's law (L = lambda x W over all arrivals) is checked in every case.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim.analysis.theory import NotApplicable, predict
from sim.check import ToleranceRule, compare, measure
from tests.validation.family import slow_member, theory_rows, tolerance_rule

VALIDATION = Path(__file__).resolve().parents[2] / "scenarios" / "validation"
# the bundled cases of the support desk alone (commerce cases are checked in their own file)
SUPPORT_CASES = sorted(p for p in VALIDATION.glob("*.yaml")
                       if "demand:" not in p.read_text() and "support:" in p.read_text())


def desk(members: int, arrivals: str, handle: str, patience: str | None = None,
         horizon: str = "6d", target: str = "20s") -> sim.Scenario:
    support = {"arrivals": arrivals, "handle_time": handle, "service_level_target": target}
    if patience:
        support["patience"] = patience
    return sim.scenario_from_dict({
        "name": "theory-case", "horizon": horizon, "warmup": "6h", "replications": 20,
        "seed": 7, "teams": {"support": {"members": members}}, "support": support,
    })


def assert_matches_theory(scenario: sim.Scenario, reps: int = 20,
                          rule: ToleranceRule | None = None) -> None:
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
    assert not failed, "\n".join(
        f"{r.metric}: simulated {r.simulated:.5g} (s.e. {r.std_error:.3g}), "
        f"theory {r.theory:.5g}" for r in failed)
    assert len(rows) >= 6


# Parameter sets of our own (cases.md's are in the bundled validation scenarios).
FAST_CASES = {
    "erlang-c-5-agents": dict(members=5, arrivals="1/m", handle="exp(4m)"),
    "erlang-c-staffing-q2b-c14": dict(members=14, arrivals="200/h", handle="exp(180s)"),
    "mm1-q1": dict(members=1, arrivals="0.8/m", handle="exp(1m)", horizon="12d",
                   target="5m"),
    "erlang-a-overloaded": dict(members=4, arrivals="5/m", handle="exp(1m)",
                                patience="exp(30s)"),
    "erlang-a-patient": dict(members=10, arrivals="3/m", handle="exp(3m)",
                             patience="exp(10m)"),
    "mg1-gamma": dict(members=1, arrivals="0.6/m", handle="gamma(1m, 0.5m)", horizon="10d"),
    "md1-long-service": dict(members=1, arrivals="1/h", handle="const(40m)", horizon="120d",
                             target="30m"),
}


@pytest.mark.parametrize("case", FAST_CASES)
def test_desk_matches_theory(case):
    assert_matches_theory(desk(**FAST_CASES[case]))


@pytest.mark.parametrize("path", SUPPORT_CASES, ids=lambda p: p.stem)
def test_bundled_validation_scenario_quick(path):
    """Each bundled case, shortened: a wider CI, the same rule."""
    scenario = sim.load_scenario(path, ["horizon=8d", "warmup=1d"])
    assert_matches_theory(scenario, reps=10)


@slow_member(lambda: sum(theory_rows(sim.load_scenario(p)) for p in SUPPORT_CASES))
@pytest.mark.slow
@pytest.mark.parametrize("path", SUPPORT_CASES, ids=lambda p: p.stem)
def test_bundled_validation_scenario_full(path):
    assert_matches_theory(sim.load_scenario(path), reps=20, rule=tolerance_rule())


def lognormal_desk() -> sim.Scenario:
    return desk(members=1, arrivals="0.8/m", handle="lognormal(1m, 1.5m)", horizon="60d")


@slow_member(lambda: theory_rows(lognormal_desk()))
@pytest.mark.slow
def test_mg1_lognormal_high_variance():
    """cases.md Q4: lognormal sd 1.5 needs about a million customers for Wq = 6.5."""
    scenario = lognormal_desk()
    assert predict(scenario.spec).values["support.wait.mean"] == pytest.approx(6.5)
    assert_matches_theory(scenario, reps=20, rule=tolerance_rule())


def test_theory_refuses_what_it_does_not_cover():
    with pytest.raises(NotApplicable):
        predict(desk(members=3, arrivals="1/m", handle="const(2m)").spec)
    with pytest.raises(NotApplicable):
        predict(desk(members=2, arrivals="3/m", handle="exp(1m)").spec)  # unstable
