"""Pre-emptive-resume priorities at the support desk against M/M/c.

Theory: with one exponential handle time for every type, the number in the system is that of
M/M/c at the total rate, whatever the order of service; the top priority sees an M/M/c of
its own (lower types do not exist for it); by Little on the numbers in the system, each
lower level k follows lambda_k W_k = Lambda_k W(Lambda_k) - Lambda_(k-1) W(Lambda_(k-1)),
Lambda_k the rate of levels 1..k, W the M/M/c time in system (arrival to end of handling).
A row passes when |mean - theory| <= t_(R-1)(1 - alpha/2m) standard errors over R
replications, Bonferroni at alpha = 1% over the m rows (sim.check.compare), as in
test_support_theory.py; the slow check over the M assertions of the whole slow suite
(tests/validation/family.py).
"""

from __future__ import annotations

import pytest

import sim
from sim.analysis import queueing
from sim.analysis.theory import NotApplicable, predict
from tests.validation.family import slow_member, theory_rows, tolerance_rule
from tests.validation.test_support_theory import assert_matches_theory


def preemptive_desk(members: int, rates: dict[str, tuple[float, int]], handle: str,
                    horizon: str, preemption: str = "resume") -> sim.Scenario:
    """`rates`: type -> (arrivals per minute, priority)."""
    total = sum(rate for rate, _ in rates.values())
    types = {name: {"share": rate / total, "priority": priority}
             for name, (rate, priority) in rates.items()}
    return sim.scenario_from_dict({
        "name": "preemption-case", "horizon": horizon, "warmup": "6h", "replications": 20,
        "seed": 23, "teams": {"support": {"members": members}},
        "support": {"arrivals": f"{total}/m", "handle_time": handle, "inquiry_types": types,
                    "preemption": preemption},
    })


def test_the_prediction_is_mmc_for_the_top_and_the_difference_for_the_rest():
    scenario = preemptive_desk(3, {"urgent": (0.4, 1), "routine": (0.5, 2)}, "exp(2m)", "1d")
    values = predict(scenario.spec).values
    w_all = queueing.mmc_sojourn(0.9, 0.5, 3)
    w_top = queueing.mmc_sojourn(0.4, 0.5, 3)
    assert values["support.type.urgent.time_to_resolve.mean"] == pytest.approx(w_top)
    assert 0.5 * values["support.type.routine.time_to_resolve.mean"] == pytest.approx(
        0.9 * w_all - 0.4 * w_top)
    assert values["support.time_to_resolve.mean"] == pytest.approx(w_all)
    with pytest.raises(NotApplicable):  # two handle times: no closed form here
        predict(sim.scenario_from_dict({
            "name": "two-handle-times", "horizon": "1d", "teams": {"support": {"members": 3}},
            "support": {"arrivals": "0.9/m", "preemption": "resume", "inquiry_types": {
                "urgent": {"share": 0.5, "handle_time": "exp(1m)", "priority": 1},
                "routine": {"share": 0.5, "handle_time": "exp(2m)", "priority": 2}}}}).spec)


def test_two_priorities_match_theory():
    assert_matches_theory(preemptive_desk(
        3, {"urgent": (0.4, 1), "routine": (0.5, 2)}, "exp(2m)", "6d"))


def three_priorities() -> sim.Scenario:
    return preemptive_desk(4, {"outage": (0.3, 1), "payments": (0.6, 2), "general": (0.8, 3),
                               "also-general": (0.3, 3)}, "exp(1.7m)", "40d")


@slow_member(lambda: theory_rows(three_priorities()))
@pytest.mark.slow
def test_three_priorities_at_high_load_match_theory():
    assert_matches_theory(three_priorities(), rule=tolerance_rule())
