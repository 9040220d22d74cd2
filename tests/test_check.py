"""`orgsim check`: rows pass against theory, a wrong theory makes it fail (exit 1), and the
tolerance rule (Bonferroni over the rows of a run) keeps its family-wise error rate."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy.stats import binom, norm, t

import sim.check
from sim.analysis import theory
from sim.cli import cli


def test_check_passes_on_a_bundled_case(runner):
    result = runner.invoke(cli, ["check", "--reps", "5", "mg1_deterministic"])
    assert result.exit_code == 0, result.output
    assert "M/G/1" in result.output
    assert "support.wait.mean" in result.output
    assert "FAIL" not in result.output
    assert " 0 failed" in result.output


def test_check_fails_when_theory_disagrees(runner, monkeypatch):
    real_predict = theory.predict

    def wrong(spec):
        prediction = real_predict(spec)
        values = dict(prediction.values)
        values["support.wait.mean"] *= 1.2  # 20% off: far outside any CI of this run
        return dataclasses.replace(prediction, values=values)

    monkeypatch.setattr(sim.check, "predict", wrong)
    result = runner.invoke(cli, ["check", "--reps", "5", "mg1_deterministic"])
    assert result.exit_code == 1, result.output
    assert "FAIL" in result.output
    assert " 1 failed" in result.output


def test_check_prints_the_rule_under_the_table(runner):
    result = runner.invoke(cli, ["check", "--reps", "3", "mg1_deterministic"])
    assert result.exit_code == 0, result.output
    rows = sum(1 for line in result.output.splitlines() if line.endswith((" pass", " FAIL")))
    assert f"Bonferroni over the m = {rows} rows of this run" in result.output
    assert "alpha = 0.01" in result.output
    k = t.ppf(1 - 0.01 / (2 * rows), 2)
    assert f"k = {k:.3g} (R = 3)" in result.output


def _row(simulated=1.0, std_error=0.1, replications=10, theory=1.0):
    return sim.check.CheckRow("case", "model", "support.wait.mean", simulated, std_error,
                              replications, theory)


@pytest.mark.parametrize("alpha, m, reps", [(0.01, 76, 10), (0.01, 76, 1000), (0.05, 1, 5),
                                            (0.01, 7, 20)])
def test_the_multiplier_is_the_bonferroni_t_quantile(alpha, m, reps):
    rule = sim.check.ToleranceRule(alpha, m)
    assert rule.multiplier(reps) == pytest.approx(t.ppf(1 - alpha / (2 * m), reps - 1), rel=1e-12)
    # the tolerance is that many standard errors
    assert rule.tolerance(_row(std_error=0.1, replications=reps)) == pytest.approx(
        0.1 * rule.multiplier(reps), rel=1e-12)


def test_the_multiplier_is_about_3_8_standard_errors_for_76_rows():
    # the example: Bonferroni at 1% over 76 rows with many replications, where t
    # nears the normal quantile (they differ by about (z^3 + z) / 4(R-1) = 1.5e-5 here)
    assert sim.check.ToleranceRule(0.01, 76).multiplier(1_000_000) == pytest.approx(
        norm.ppf(1 - 0.01 / 152), abs=1e-4)
    assert 3.8 < norm.ppf(1 - 0.01 / 152) < 3.9


def test_judge_makes_all_rows_one_family():
    rows = [_row(simulated=1.0 + 0.1 * i) for i in range(5)]
    judged, rule = sim.check.judge(rows, alpha=0.02)
    assert rule.rows == 5 and rule.alpha == 0.02
    assert all(r.tolerance == pytest.approx(0.1 * t.ppf(1 - 0.02 / 10, 9)) for r in judged)
    # |error| = 0.4 is 4 standard errors, beyond t_9(0.998) = 3.69: only that row fails
    assert [r.passed for r in judged] == [True, True, True, True, False]


def test_an_unjudged_row_fails_and_a_collapsed_error_gets_only_a_rounding_floor():
    assert not _row().passed  # no tolerance yet: never a silent pass
    rule = sim.check.ToleranceRule(0.01, 10)
    exact = _row(simulated=2.0 * (1 + 1e-9), std_error=0.0, theory=2.0)
    assert rule.tolerance(exact) == pytest.approx(2e-6)
    assert dataclasses.replace(exact, tolerance=rule.tolerance(exact)).passed
    off = dataclasses.replace(exact, simulated=2.0 * (1 + 1e-5))
    assert not dataclasses.replace(off, tolerance=rule.tolerance(off)).passed


def test_the_family_wise_false_failure_rate_is_at_most_alpha():
    """Simulate many `orgsim check` runs of a correct model: m rows, each the mean of R normal
    replications with the true mean as its theory. A run fails when any row fails; the rule
    promises P(run fails) <= alpha. With N runs the observed failure count is binomial; the
    test fails only if it exceeds the 99.9% upper quantile of Binomial(N, alpha)."""
    rng = np.random.default_rng(20261127)
    alpha, m, reps, runs = 0.05, 20, 5, 4000
    rule = sim.check.ToleranceRule(alpha, m)
    data = rng.normal(3.0, 2.0, size=(runs, m, reps))
    means = data.mean(axis=2)
    errors = data.std(axis=2, ddof=1) / np.sqrt(reps)
    failed_rows = np.abs(means - 3.0) > rule.multiplier(reps) * errors
    failed_runs = int(failed_rows.any(axis=1).sum())
    assert failed_runs <= binom.ppf(0.999, runs, alpha)
    # and the rule is not vacuous: each row alone fails at its Bonferroni level alpha / m
    row_rate = failed_rows.mean()
    n_rows = runs * m
    assert binom.ppf(0.0005, n_rows, alpha / m) <= row_rate * n_rows <= binom.ppf(
        0.9995, n_rows, alpha / m)
