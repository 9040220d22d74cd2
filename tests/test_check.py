"""`orgsim check`: rows pass against theory, and a wrong theory makes it fail (exit 1)."""

from __future__ import annotations

import dataclasses

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


def test_tolerance_follows_the_confidence_interval():
    row = sim.check.CheckRow("case", "model", "support.wait.mean", simulated=1.0,
                             ci_half_width=0.1, theory=1.2, tolerance=0.25)
    assert row.passed
    tight = dataclasses.replace(row, tolerance=0.15)
    assert not tight.passed
