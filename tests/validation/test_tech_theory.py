"""Incidents and feature work against queueing theory, and the site against its curves.

Theory (sim/analysis/theory_tech.py): incidents pre-empt feature work, so with background
Poisson incidents, one exponential fix and no delays they see an M/M/c of their own: time to
restore = Erlang C wait + mean fix. With one engineer, features are the low class of a
pre-emptive-resume priority M/M/1 (Kleinrock 1976, vol. II, sec. 3.7). At a constant order
rate the site's state is constant, so its lost share is 1 - conversion(latency)/conversion
(base) at that load. A row passes when |mean - theory| <= t_(R-1)(1 - alpha/2m) standard
errors over R replications, Bonferroni at alpha = 1% over the m rows (sim.check.compare).
"""

from __future__ import annotations

import sim
from sim.analysis.theory import predict
from sim.check import compare


def assert_rows_pass(data: dict, reps: int, expected_rows: int) -> None:
    scenario = sim.scenario_from_dict(data)
    prediction = predict(scenario.spec)
    results = sim.run(scenario, reps=reps, jobs=1)
    rows = compare(data["name"], prediction.model, results, prediction.values)
    failed = [r for r in rows if not r.passed]
    assert not failed, "\n".join(
        f"{r.metric}: simulated {r.simulated:.5g} (s.e. {r.std_error:.3g}), theory "
        f"{r.theory:.5g}" for r in failed)
    assert len(rows) == expected_rows


def test_incidents_match_mmc():
    assert_rows_pass({
        "name": "incidents-3", "horizon": "150d", "warmup": "5d", "seed": 3,
        "teams": {"tech": {"members": 3}},
        "tech": {"incidents": {"sev1": {"rate": "4/d", "fix_time": "exp(5h)"},
                               "sev2": {"rate": "6/d", "fix_time": "exp(5h)"}}}}, 10, 2)


def test_the_site_matches_its_curves_at_constant_load():
    assert_rows_pass({
        "name": "site-busy", "horizon": "4d", "warmup": "1d", "seed": 4,
        "demand": {"orders": "1500/d"},
        "site": {"capacity": "2700/h", "visits_per_order": 40, "servers": 2}}, 5, 4)


def test_feature_lead_time_matches_preemptive_priority_mm1():
    assert_rows_pass({
        "name": "features-1", "horizon": "500d", "warmup": "10d", "seed": 5,
        "teams": {"tech": {"members": 1}},
        "tech": {"incidents": {"sev2": {"rate": "0.5/d", "fix_time": "exp(3h)"}},
                 "features": {"arrivals": "4/w", "effort": "exp(20h)"}}}, 20, 3)


def test_downtime_is_the_share_of_time_with_an_open_incident():
    assert_rows_pass({
        "name": "down", "horizon": "150d", "warmup": "5d", "seed": 6,
        "teams": {"tech": {"members": 2}}, "demand": {"orders": "100/d"},
        "site": {"capacity": "40000/h"},
        "tech": {"incidents": {"sev1": {"rate": "3/d", "fix_time": "exp(6h)", "site": "down"}}}},
        10, 3)
