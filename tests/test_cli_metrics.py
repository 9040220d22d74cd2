"""`orgsim metrics [SCENARIO]`: what a scenario reports, without running it."""

from __future__ import annotations

import sim
from sim.cli import cli
from sim.metrics.declare import declared


def listed(output: str) -> list[str]:
    return [line.split()[0] for line in output.splitlines()]


def test_without_a_scenario_every_declared_metric_is_listed(runner):
    result = runner.invoke(cli, ["metrics"])
    assert result.exit_code == 0, result.output
    assert listed(result.output) == [m.name for m in declared()]
    line = next(x for x in result.output.splitlines() if x.startswith("support.wait.mean "))
    assert "duration" in line and "answered inquiries" in line


def test_a_scenario_lists_what_its_run_reports(runner, write_scenario, tiny_text, tmp_path):
    path = write_scenario(tmp_path, tiny_text)
    result = runner.invoke(cli, ["metrics", str(path), "--set", "horizon=2d"])
    assert result.exit_code == 0, result.output
    run = sim.run(sim.load_scenario(path), reps=1)
    assert listed(result.output) == list(run.metrics)
    assert not list(tmp_path.glob("runs"))  # nothing run, nothing written


def test_a_bundled_scenario_by_name_lists_its_types(runner):
    result = runner.invoke(cli, ["metrics", "support_desk"])
    assert result.exit_code == 0, result.output
    assert "support.type.order_status.wait.mean" in listed(result.output)
    assert "<type>" not in result.output
    assert "two or more inquiry types" not in result.output  # this scenario has them


def test_a_bad_scenario_or_a_lone_set_is_refused(runner, tmp_path):
    result = runner.invoke(cli, ["metrics", "no_such_scenario"])
    assert result.exit_code == 2 and result.output.startswith("error: no_such_scenario")
    result = runner.invoke(cli, ["metrics", "--set", "horizon=2d"])
    assert result.exit_code == 2 and "needs a SCENARIO" in result.output
