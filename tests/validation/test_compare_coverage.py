"""Paired intervals of a difference cover the exact difference: M/M/c desks with c and c+1
agents at the same arrival rate, compared on common random numbers, against the difference
of their Erlang C mean waits.

Each experiment is one `sim.compare` on its own seed, so the experiments are independent and
the number whose 95% interval covers the exact difference is binomial. The issue asks for
coverage between 90% and 98% (a finite run's start-up bias may lower it a little); a count
passes unless it is below the 0.1% quantile of a 90% coverage, or above the 99.9% quantile of
a 98% coverage. The slow checks are judged with the whole slow suite
(tests/validation/family.py): their tails are alpha / 2M each side, alpha = 1% over the M
assertions of the slow suite.
"""

from __future__ import annotations

import pytest
from scipy.stats import binom

import sim
from sim.analysis.queueing import erlang_c
from tests.validation.family import slow_member, tail_each_side

METRIC = "support.wait_all.mean"  # no abandonment: every arrival waits its Erlang C wait


def covered_count(members: int, arrivals_per_min: float, handle_min: float, experiments: int,
                  reps: int, horizon: str, first_seed: int) -> int:
    mu = 1.0 / handle_min
    exact = (erlang_c(arrivals_per_min, mu, members + 1).wait_all
             - erlang_c(arrivals_per_min, mu, members).wait_all)
    base = sim.scenario_from_dict({
        "name": "mmc-pair", "horizon": horizon, "warmup": "3h", "replications": reps,
        "seed": first_seed, "teams": {"support": {"members": members, "shift": "always"}},
        "support": {"arrivals": f"{arrivals_per_min}/m", "handle_time": f"exp({handle_min}m)",
                    "service_level_target": "20s"},
    })
    covered = 0
    for experiment in range(experiments):
        comparison = sim.compare(base, changes={"teams.support.members": members + 1},
                                 reps=reps, seed=first_seed + experiment, metrics=[METRIC])
        diff = comparison.rows[0].diff
        assert diff.n == reps  # every replication defines the mean wait
        covered += diff.low <= exact <= diff.high
    return covered


def assert_coverage(covered: int, experiments: int, tail: float = 0.001) -> None:
    low = binom.ppf(tail, experiments, 0.90)
    high = binom.isf(tail, experiments, 0.98)
    assert low <= covered <= high, (
        f"{covered} of {experiments} paired intervals covered the exact difference; "
        f"expected {low:.0f}..{high:.0f} (coverage 90-98%)")


def test_paired_intervals_cover_the_erlang_c_difference_quick():
    experiments = 40
    covered = covered_count(2, 1.0, 1.5, experiments, reps=5, horizon="2d", first_seed=1000)
    assert_coverage(covered, experiments)


PAIRS = {"c2-rho75": (2, 1.0, 1.5), "c4-rho80": (4, 2.0, 1.6)}


@slow_member(lambda: len(PAIRS))  # one count per pair of desks
@pytest.mark.slow
@pytest.mark.parametrize("members, arrivals, handle", PAIRS.values(), ids=PAIRS.keys())
def test_paired_intervals_cover_the_erlang_c_difference(members, arrivals, handle):
    experiments = 300
    covered = covered_count(members, arrivals, handle, experiments, reps=5, horizon="3d",
                            first_seed=5000)
    assert_coverage(covered, experiments, tail_each_side())
