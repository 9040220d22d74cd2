"""The slow validation suite's family-wise rule (tests/validation/family.py): every slow
check belongs to it, and its per-assertion tolerance follows from alpha = 1% over M."""

from __future__ import annotations

import importlib

import pytest
from scipy.stats import t

from sim.check import FAMILY_ERROR_RATE
from tests.validation import family


def _slow_tests():
    """Every test function marked slow in tests/validation, by family key."""
    found = {}
    for path in sorted(family.HERE.glob("test_*.py")):
        module = importlib.import_module(f"tests.validation.{path.stem}")
        for name, test in vars(module).items():
            marks = getattr(test, "pytestmark", [])
            if name.startswith("test_") and any(mark.name == "slow" for mark in marks):
                found[family.key(test)] = test
    return found


def test_every_slow_validation_test_is_a_member_and_no_other():
    slow = _slow_tests()
    assert slow, "no slow validation test found"
    assert set(family.members()) == set(slow)
    assert all(count >= 1 for count in family.members().values())


def test_the_rule_is_bonferroni_at_one_percent_over_the_whole_suite():
    members = family.members()
    m = family.size()
    assert m == sum(members.values()) > len(members)  # theory cases count every row
    assert family.alpha_each() * m == pytest.approx(FAMILY_ERROR_RATE)
    assert family.tail_each_side() == pytest.approx(FAMILY_ERROR_RATE / (2 * m))
    rule = family.tolerance_rule()
    assert rule.multiplier(20) == pytest.approx(t.ppf(1 - FAMILY_ERROR_RATE / (2 * m), 19))
    # wider than a case judged alone (its own rows only), narrower than no correction at all
    one_case = family.theory_rows(_bundled("erlang_a"))
    assert t.ppf(1 - FAMILY_ERROR_RATE / (2 * one_case), 19) < rule.multiplier(20) < 6


def test_theory_rows_are_counted_as_check_measures_them():
    """The count the family uses equals the rows sim.check.measure makes for a real run."""
    import sim
    from sim.analysis.theory import predict
    from sim.check import measure

    for name in ("erlang_a", "inventory_rq"):
        scenario = _bundled(name, ["horizon=2d", "warmup=1d"] if name == "erlang_a"
                            else ["horizon=60d", "warmup=30d"])
        prediction = predict(scenario.spec)
        results = sim.run(scenario, reps=2, jobs=1)
        rows = measure(name, prediction.model, results, prediction.values)
        assert len(rows) == family.theory_rows(scenario)


def _bundled(name: str, overrides=()):
    import sim

    return sim.load_scenario(family.HERE.parents[1] / "scenarios" / "validation"
                             / f"{name}.yaml", list(overrides))
