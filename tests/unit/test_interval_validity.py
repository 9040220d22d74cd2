"""When the 95% intervals hold: the relaxation time of a queue, and the warning a run gets
when its replications observe too little of it (in the API's warnings and on the CLI)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from click.testing import CliRunner

import sim
from sim.analysis.interval_validity import (
    WINDOW_RELAXATION_TIMES,
    on_shift_members,
    relaxation_time,
    short_window_warnings,
    time_scales,
)
from sim.cli import cli
from sim.units import HOUR

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = sorted((ROOT / "scenarios").glob("*.yaml")) + sorted(
    (ROOT / "scenarios" / "validation").glob("*.yaml"))


def busy_desk(horizon: str = "750m", warmup: str = "30m", **support) -> dict:
    """8 agents at load 0.94 (2.5/min, exp(3m)): relaxation time 1/(c mu (1 - sqrt rho)^2),
    about 6.1 h."""
    return {"name": "busy", "horizon": horizon, "warmup": warmup, "replications": 2,
            "teams": {"support": {"members": 8}},
            "support": {"arrivals": "2.5/m", "handle_time": "exp(3m)", **support}}


def test_relaxation_time_is_that_of_the_queue() -> None:
    assert relaxation_time(0.8, 1.0, 1) == pytest.approx(1 / (1 - math.sqrt(0.8)) ** 2)
    assert relaxation_time(2.5, 1 / 3, 8) == pytest.approx(
        1 / (8 / 3 * (1 - math.sqrt(2.5 * 3 / 8)) ** 2))
    # constant service halves it ((1 + cs^2) / 2), patience caps it, overload without
    # patience has none
    assert relaxation_time(0.8, 1.0, 1, variability=0.5) == pytest.approx(
        relaxation_time(0.8, 1.0, 1) / 2)
    assert relaxation_time(0.8, 1.0, 1, patience=5.0) == 5.0
    assert relaxation_time(3.0, 1 / 3, 6, patience=2.0) == 2.0  # overloaded, Erlang A
    assert relaxation_time(3.0, 1 / 3, 6) == math.inf
    assert relaxation_time(0.5, 1.0, 1) < relaxation_time(0.9, 1.0, 1)


def test_a_twelve_hour_window_at_high_load_is_too_short() -> None:
    spec = sim.scenario_from_dict(busy_desk()).spec
    (scale,) = time_scales(spec)
    assert scale.flow == "support"
    assert scale.minutes == pytest.approx(relaxation_time(2.5, 1 / 3, 8))
    (warning,) = short_window_warnings(spec)
    assert warning.startswith("support: each replication observes 12 h, under the ~")
    assert f"({WINDOW_RELAXATION_TIMES} x the queue's relaxation time" in warning
    assert "intervals may cover less than 95%" in warning


def test_a_window_of_enough_relaxation_times_is_silent() -> None:
    needed = WINDOW_RELAXATION_TIMES * relaxation_time(2.5, 1 / 3, 8)
    long = sim.scenario_from_dict(busy_desk(horizon=f"{needed + 30.5:.0f}m")).spec
    assert short_window_warnings(long) == []
    just_short = sim.scenario_from_dict(busy_desk(horizon=f"{needed + 29:.0f}m")).spec
    assert len(short_window_warnings(just_short)) == 1


def test_patient_less_customers_shorten_the_time_scale() -> None:
    spec = sim.scenario_from_dict(busy_desk(patience="exp(2m)")).spec
    assert time_scales(spec)[0].minutes == pytest.approx(2.0)
    assert short_window_warnings(spec) == []


def test_shifts_count_the_members_on_shift_over_the_window() -> None:
    data = busy_desk(horizon="2d", warmup="0s")
    data["teams"]["support"] = {"shifts": [{"members": 12, "shift": "00:00-12:00"},
                                           {"members": 6, "shift": "06:00-18:00"}]}
    spec = sim.scenario_from_dict(data).spec
    assert on_shift_members(spec.teams["support"], 0.0, 48 * HOUR) == pytest.approx(9.0)
    assert time_scales(spec)[0].minutes == pytest.approx(relaxation_time(2.5, 1 / 3, 9.0))


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_bundled_and_validation_scenarios_are_long_enough(path: Path) -> None:
    assert short_window_warnings(sim.load_scenario(path).spec) == []


def test_a_run_records_the_warning_and_the_cli_prints_it(tmp_path) -> None:
    results = sim.run(sim.scenario_from_dict(busy_desk(horizon="3h")), reps=2)
    assert any(w.startswith("support: each replication observes 2.5 h")
               for w in results.warnings)
    path = tmp_path / "busy.yaml"
    path.write_text("name: busy\nhorizon: 3h\nwarmup: 30m\nreplications: 2\n"
                    "teams: {support: {members: 8}}\n"
                    "support: {arrivals: 2.5/m, handle_time: exp(3m)}\n")
    done = CliRunner().invoke(cli, ["run", str(path), "--no-plots", "--out",
                                    str(tmp_path / "out")])
    assert done.exit_code == 0, done.output
    lines = [line for line in done.output.splitlines() if line.startswith("warning: ")]
    assert len(lines) == 1 and lines[0].startswith("warning: support: each replication")


def test_a_long_enough_run_has_no_such_warning() -> None:
    results = sim.run(sim.scenario_from_dict({
        "name": "calm", "horizon": "1d", "warmup": "1h",
        "teams": {"support": {"members": 2}},
        "support": {"arrivals": "10/h", "handle_time": "exp(3m)"}}), reps=2)
    assert results.warnings == []


def test_the_readme_example_is_what_the_rule_prints() -> None:
    (warning,) = short_window_warnings(sim.scenario_from_dict(busy_desk()).spec)
    assert f"warning: {warning}\n" in (ROOT / "README.md").read_text()
