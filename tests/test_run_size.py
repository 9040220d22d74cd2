"""The run-size estimate, the limits that refuse runaway runs, and progress reporting.

Nothing huge is ever run here: refusals happen before a run starts, and the decisions are
tested with tiny limits on the tiny scenario.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.cli import cli
from sim.experiment.size import (
    DEFAULT_MAX_EVENTS,
    LimitError,
    Limits,
    RunTooLarge,
    estimate_run,
    parse_bytes,
    parse_count,
)
from sim.model import sizes
from sim.model.flows import inventory as inventory_flow
from sim.model.sizes import FlowSize, flow_sizes
from sim.model.sizes.inventory import PLOTTED, zipf_weight_sum
from sim.progress import ProgressReporter, format_span
from sim.replication import run_replication
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SUPPORT_DESK = ROOT / "scenarios" / "support_desk.yaml"
ECOMMERCE = ROOT / "scenarios" / "ecommerce_week.yaml"
FULFILMENT = ROOT / "scenarios" / "validation" / "fulfilment_mmc_transit.yaml"

RUNAWAYS = {
    "a long horizon": (SUPPORT_DESK, ["horizon=100000d"], "a shorter horizon"),
    "one-second bins over a year": (SUPPORT_DESK, ["horizon=365d", "output.bin=1s"],
                                    "a coarser output bin"),
    "a million products": (ECOMMERCE, ["catalog.generate.products=1000000"],
                           "fewer products"),
}


@pytest.fixture
def fixed_limits(monkeypatch):
    """The same limits on every machine: 1e9 events, 2 GiB."""
    monkeypatch.setenv("ORGSIM_MAX_EVENTS", "1e9")
    monkeypatch.setenv("ORGSIM_MAX_MEMORY", "2GiB")


def _set(overrides: list[str]) -> list[str]:
    return [word for o in overrides for word in ("--set", o)]


# --- refusals --------------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(RUNAWAYS))
@pytest.mark.parametrize("command", ["run", "validate"])
def test_runaway_runs_are_refused_with_the_estimate_and_a_hint(
        case, command, runner, fixed_limits, tmp_path, monkeypatch):
    path, overrides, hint = RUNAWAYS[case]
    monkeypatch.chdir(tmp_path)  # `run` would write runs/<name>/ here
    result = runner.invoke(cli, [command, str(path), *_set(overrides)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert lines and all(line.startswith("error: ") for line in lines), result.output
    assert "too large" in lines[0] and "events" in lines[0] and "of memory" in lines[0]
    assert "of computing" in lines[0]  # the time estimate
    assert hint in result.output and "--force" in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_force_and_the_limits_change_the_decision(runner, write_scenario, tiny_text,
                                                  tmp_path, monkeypatch):
    path = write_scenario(tmp_path, tiny_text)
    out = tmp_path / "out"
    monkeypatch.setenv("ORGSIM_MAX_EVENTS", "100")  # the tiny run takes thousands
    refused = runner.invoke(cli, ["run", str(path), "--out", str(out), "--no-plots"])
    assert refused.exit_code == 2 and "events (limit 100)" in refused.output
    assert not out.exists()
    # a flag beats the environment variable
    allowed = runner.invoke(cli, ["validate", str(path), "--max-events", "1e6"])
    assert allowed.exit_code == 0, allowed.output
    forced = runner.invoke(cli, ["run", str(path), "--out", str(out), "--no-plots", "--force"])
    assert forced.exit_code == 0, forced.output
    assert (out / "summary.json").exists()


def test_the_memory_limit_from_the_environment_and_the_flag(runner, write_scenario, tiny_text,
                                                            tmp_path, monkeypatch):
    path = write_scenario(tmp_path, tiny_text)
    monkeypatch.setenv("ORGSIM_MAX_MEMORY", "1KiB")
    refused = runner.invoke(cli, ["validate", str(path)])
    assert refused.exit_code == 2 and "(limit 1.0 KiB)" in refused.output
    assert runner.invoke(cli, ["validate", str(path), "--max-memory", "1GiB"]).exit_code == 0
    assert runner.invoke(cli, ["validate", str(path), "--force"]).exit_code == 0


@pytest.mark.parametrize("args, env, named", [
    (["--max-memory", "lots"], {}, "--max-memory"),
    (["--max-events", "-5"], {}, "--max-events"),
    ([], {"ORGSIM_MAX_MEMORY": "2 parsecs"}, "ORGSIM_MAX_MEMORY"),
])
def test_a_badly_written_limit_is_one_error_line(runner, write_scenario, tiny_text, tmp_path,
                                                 monkeypatch, args, env, named):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    path = write_scenario(tmp_path, tiny_text)
    result = runner.invoke(cli, ["validate", str(path), *args])
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {named}: expected ") and "Traceback" not in \
        result.output


def test_the_api_refuses_with_run_too_large_unless_forced(tiny_text, tmp_path, write_scenario):
    scenario = sim.load_scenario(write_scenario(tmp_path, tiny_text))
    tiny_limits = Limits(max_events=100, max_memory=2**40)
    assert sim.RunTooLarge is RunTooLarge  # part of the public API
    with pytest.raises(sim.RunTooLarge) as refused:
        sim.run(scenario, reps=1, limits=tiny_limits)
    assert "too large" in str(refused.value) and "--force" in str(refused.value)
    assert refused.value.estimate.events > 100
    results = sim.run(scenario, reps=1, limits=tiny_limits, force=True)
    assert results.metrics["support.arrivals_per_day"].shape == (1,)


# --- limits ------------------------------------------------------------------------------


def test_limits_come_from_flags_then_environment_then_defaults():
    environ = {"ORGSIM_MAX_EVENTS": "5M", "ORGSIM_MAX_MEMORY": "512MiB"}
    assert Limits.resolve(environ=environ) == Limits(5e6, 512 * 2**20)
    assert Limits.resolve("7e3", "1GB", environ=environ) == Limits(7e3, 1e9)
    defaults = Limits.resolve(environ={})
    assert defaults.max_events == DEFAULT_MAX_EVENTS and defaults.max_memory > 0


def test_sizes_and_counts_parse():
    assert parse_bytes("2GiB") == 2 * 2**30 and parse_bytes("1.5 kb") == 1500
    assert parse_bytes(4096) == 4096 and parse_count("1e8") == 1e8
    for bad in ("", "GiB", "2 GiBs", "0", "nan"):
        with pytest.raises(LimitError):
            parse_bytes(bad)


# --- the estimate --------------------------------------------------------------------------


@pytest.mark.parametrize("path", [SUPPORT_DESK, FULFILMENT])
def test_the_event_estimate_is_within_a_factor_two_of_a_run(path):
    """The estimate is documented to be within a factor of about 2 (it counts a patience
    timeout for every inquiry: an upper bound). Arrival counts vary by about 1% here."""
    spec = load_scenario(path).spec
    estimated = estimate_run(spec, reps=1).events
    measured = run_replication(spec, spec.seed, 0).events
    assert 0.5 <= measured / estimated <= 2.0, (measured, estimated)


def test_the_estimate_grows_with_horizon_replications_and_bins():
    spec = load_scenario(SUPPORT_DESK).spec
    base = estimate_run(spec, reps=2)
    longer = estimate_run(load_scenario(SUPPORT_DESK, ["horizon=2w"]).spec, reps=2)
    assert longer.events == pytest.approx(2 * base.events, rel=0.01)
    assert estimate_run(spec, reps=4).events == pytest.approx(2 * base.events)
    finer = estimate_run(load_scenario(SUPPORT_DESK, ["output.bin=1m"]).spec, reps=2)
    assert finer.shape.bins == 60 * base.shape.bins
    assert finer.memory > base.memory and finer.seconds > base.seconds


def test_the_estimate_follows_the_timeline_scale_factors():
    """Arrivals scale with the integral of the factors: 10 x over half the run is 5.5 x."""
    spec = load_scenario(SUPPORT_DESK).spec
    half = spec.horizon / 2
    scaled = load_scenario(
        SUPPORT_DESK, [f"timeline=[{{from: {half:g}m, scale: {{support: 10}}}}]"]).spec
    flows = {size.flow: size for size in flow_sizes(spec)[1]}
    scaled_flows = {size.flow: size for size in flow_sizes(scaled)[1]}
    assert scaled_flows["support"].entities == pytest.approx(5.5 * flows["support"].entities)


def test_replications_at_once_hold_their_memory_together():
    spec = load_scenario(ECOMMERCE, ["catalog.generate.products=100000"]).spec
    serial, parallel = estimate_run(spec, reps=4), estimate_run(spec, reps=4, jobs=2)
    assert parallel.concurrent == 2 and parallel.memory > 1.8 * serial.memory
    assert parallel.seconds < serial.seconds


def test_flows_register_their_own_estimators():
    spec = load_scenario(ECOMMERCE).spec
    _, found = flow_sizes(spec)
    assert {f.flow for f in found} == {"orders", "inventory", "fulfilment", "delivery",
                                       "support", "teams"}

    @sizes.size_estimator("test.extra")
    def extra(spec, shape):
        return FlowSize("extra", 1.0, "things", 1e6, 1e-6)

    try:
        before = estimate_run(spec, reps=1)
        assert "extra" in {f.flow for f in before.flows}
    finally:
        del sizes._ESTIMATORS["test.extra"]
    assert estimate_run(spec, reps=1).events == pytest.approx(before.events - 1e6)


def test_the_size_model_plots_as_many_products_as_the_model():
    assert PLOTTED == inventory_flow.PLOTTED


def test_zipf_weights_are_summed_in_closed_form_beyond_the_first_ranks():
    for count, skew in ((50_000, 0.8), (50_000, 1.0), (3000, 1.3)):
        exact = sum((k + 1) ** -skew for k in range(count))
        assert zipf_weight_sum(count, skew) == pytest.approx(exact, rel=1e-6)


# --- progress ------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_plain_progress_lines_name_replications_the_share_and_an_eta():
    stream, clock = io.StringIO(), FakeClock()
    reporter = ProgressReporter("desk", stream=stream, tty=False, interval=10, clock=clock)
    reporter.start(10)
    for rep in range(3):
        clock.now += 20
        reporter.item_done(rep)
    clock.now += 8.2
    reporter.advance(3, 0.41)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 3  # the last advance came 8.2 s after a line: under the interval
    clock.now += 2
    reporter.advance(3, 0.41)
    last = stream.getvalue().splitlines()[-1]
    # 70.2 s for 3.41 replications: 6.59 left take 135.7 s
    assert last == "progress: desk: 3/10 replications, 41% of replication 4, eta 2m16s"
    clock.now += 1
    reporter.item_done(3)  # under the interval: no line, but closing writes the last one
    assert len(stream.getvalue().splitlines()) == 4
    reporter.close()
    assert stream.getvalue().splitlines()[-1] == "progress: desk: 4/10 replications, eta 1m47s"


def test_terminal_progress_redraws_one_line():
    stream, clock = io.StringIO(), FakeClock()
    reporter = ProgressReporter("desk", stream=stream, tty=True, clock=clock,
                                expected_seconds=90)
    reporter.start(2)
    assert "eta 1m30s" in stream.getvalue()  # the estimate, before any progress
    clock.now += 1
    reporter.advance(0, 0.5)
    reporter.close()
    text = stream.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n") and text.count("\r") >= 2
    assert "[#####" in text and "50% of replication 1" in text


def test_spans_read_like_people_write_them():
    assert [format_span(s) for s in (0.4, 45, 130, 3900, 3 * 86400 + 4 * 3600)] == \
        ["0s", "45s", "2m10s", "1h05m", "3d04h"]


def test_a_run_reports_progress_lines_when_stderr_is_not_a_terminal(
        runner, write_scenario, tiny_text, tmp_path, monkeypatch):
    monkeypatch.setenv("ORGSIM_PROGRESS_INTERVAL", "0")
    path = write_scenario(tmp_path, tiny_text)
    result = runner.invoke(cli, ["run", str(path), "--out", str(tmp_path / "out"),
                                 "--no-plots"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("progress: ")]
    assert any("% of replication 1" in line and "eta" in line for line in lines)
    assert any(line.startswith("progress: tiny: 2/2 replications, took ") for line in lines)


def test_progress_slices_change_no_result(tiny_text, tmp_path, write_scenario):
    spec = sim.load_scenario(write_scenario(tmp_path, tiny_text)).spec
    seen: list[float] = []
    sliced = run_replication(spec, 3, 0, seen.append)
    whole = run_replication(spec, 3, 0)
    np.testing.assert_equal(sliced.metrics, whole.metrics)  # nan equals nan here
    np.testing.assert_equal(sliced.series, whole.series)
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) > 100


def test_the_estimate_builds_no_model():
    """Sizing is a pure function of the spec (architecture.md): no simpy, no model objects,
    so it stays fast however large the run it sizes."""
    code = ("import sys; from sim.experiment.size import estimate_run; "
            "from sim.scenario import load_scenario; "
            f"estimate_run(load_scenario({str(ECOMMERCE)!r}).spec); "
            "assert 'simpy' not in sys.modules and 'sim.model.context' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
