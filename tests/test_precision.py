"""Precision targets: replications until each target metric's 95% interval is narrow enough,
stopping at the first count that meets them, whatever the executor or the batch size."""

from __future__ import annotations

import math

import numpy as np
import pytest

import sim
from sim.analysis.statistics import half_width
from sim.experiment.executors import PoolExecutor, SerialExecutor
from sim.experiment.precision import (
    MIN_REPS,
    PrecisionError,
    parse_target,
    parse_targets,
    run_to_precision,
)

SCENARIO = {
    "name": "precision", "horizon": "1d", "warmup": "1h", "seed": 3,
    "teams": {"support": {"members": 3}},
    "support": {"arrivals": "40/h", "handle_time": "exp(3m)", "patience": "exp(4m)"},
}
TARGET = {"support.wait.mean": "10%"}


@pytest.fixture(scope="module")
def spec():
    return sim.scenario_from_dict(SCENARIO).spec


def test_stops_at_the_first_count_that_meets_the_target(spec):
    targets = parse_targets(TARGET, spec)
    reached = run_to_precision(spec, 3, targets, 40, SerialExecutor())
    assert reached.met
    k = reached.replications
    waits = [r.metrics["support.wait.mean"] for r in reached.results]
    assert [r.replication for r in reached.results] == list(range(k))
    assert half_width(waits) <= 0.10 * abs(np.mean(waits))
    for count in range(MIN_REPS, k):  # no smaller count met it
        assert half_width(waits[:count]) > 0.10 * abs(np.mean(waits[:count]))


@pytest.mark.parametrize("batch", [2, 5, 7])
def test_the_count_and_numbers_do_not_depend_on_batch_size_or_executor(spec, batch):
    targets = parse_targets(TARGET, spec)
    serial = run_to_precision(spec, 3, targets, 40, SerialExecutor())
    batched = run_to_precision(spec, 3, targets, 40, SerialExecutor(), batch=batch)
    assert batched.replications == serial.replications
    assert [r.metrics for r in batched.results] == [r.metrics for r in serial.results]


def test_pool_gives_the_same_count_and_numbers_as_serial():
    scenario = sim.scenario_from_dict(SCENARIO)
    serial = sim.run(scenario, precision=TARGET, jobs=1)
    with PoolExecutor(2) as pool:
        pooled = sim.run(scenario, precision=TARGET, executor=pool)
    assert pooled.replications == serial.replications
    assert pooled.summary_dict()["metrics"] == serial.summary_dict()["metrics"]
    assert serial.provenance["precision"]["met"]


def test_the_cap_is_said_and_kept_in_the_summary():
    scenario = sim.scenario_from_dict(SCENARIO)
    results = sim.run(scenario, precision=["support.wait.mean=1s"], max_reps=4, jobs=1)
    assert results.replications == 4
    assert not results.provenance["precision"]["met"]
    [warning] = [w for w in results.warnings if "--max-reps" in w]
    assert "support.wait.mean" in warning and "1s" in warning
    assert warning in results.summary_dict()["warnings"]


def test_targets_read_percentages_and_the_metrics_unit(spec):
    assert parse_target("support.wait.mean", "5%", spec).relative == pytest.approx(0.05)
    assert parse_target("support.wait.mean", "30s", spec).absolute == pytest.approx(0.5)
    assert parse_target("support.service_level", "2pp", spec).absolute == pytest.approx(0.02)
    assert parse_target("support.arrivals_per_day", "20/d", spec).absolute == pytest.approx(20)
    assert parse_target("support.wait.mean", "5%", spec).limit(-4.0) == pytest.approx(0.2)


@pytest.mark.parametrize("item, words", [
    ("support.wiat.mean=5%", "did you mean support.wait.mean"),
    ("support.wait.mean=fast", "a duration like 10s"),
    ("support.wait.mean=0%", "positive"),
    ("support.wait.mean", "METRIC=LIMIT"),
])
def test_bad_targets_are_one_clear_line(spec, item, words):
    with pytest.raises(PrecisionError, match=words):
        parse_targets([item], spec)


def test_an_undefined_metric_never_meets_a_target():
    target = parse_target("x", "5%")
    assert not target.met([math.nan, 1.0, math.nan])
    assert target.met([1.0, 1.0, 1.0])


def test_reps_and_precision_are_not_given_together():
    with pytest.raises(ValueError, match="not both"):
        sim.run(sim.scenario_from_dict(SCENARIO), reps=5, precision=TARGET)


def test_progress_ends_at_the_count_kept(spec):
    import io

    from sim.progress import ProgressReporter

    stream = io.StringIO()
    reporter = ProgressReporter("p", stream=stream, interval=0.0, tty=False)
    reached = run_to_precision(spec, 3, parse_targets(TARGET, spec), 40, SerialExecutor(),
                               batch=4, progress=reporter)
    k = reached.replications
    assert stream.getvalue().splitlines()[-1].startswith(f"progress: p: {k}/{k} replications")


def test_a_ratio_target_is_judged_on_the_summarys_ratio_interval():
    """support.abandoned_share is a share of arrivals: its target is met when the interval
    the summary gives (ratio of means, delta method) is narrow enough."""
    from sim.metrics.estimate import estimate
    from sim.replication import run_replication  # (importing it declares every metric)

    spec = sim.scenario_from_dict(SCENARIO).spec
    results = [run_replication(spec, 3, rep) for rep in range(5)]
    target = parse_target("support.abandoned_share", "10%", spec)
    shares, arrived = target.columns(results)
    assert arrived == [r.metrics["support.arrivals_per_day"] for r in results]
    half, centre = target.half_width(shares, arrived)
    summary = estimate(shares, arrived)
    assert centre == summary.mean and half == pytest.approx((summary.high - summary.low) / 2)
    assert half != pytest.approx(half_width(shares))  # not the plain mean's interval
