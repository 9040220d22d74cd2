"""The support flow on small scenarios: conservation, reproducibility, warm-up, shifts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import sim
from sim.replication import run_replication


def scenario(**support_overrides) -> sim.Scenario:
    support = {"arrivals": "30/h", "handle_time": "exp(4m)", "patience": "exp(3m)"}
    support.update(support_overrides)
    return sim.scenario_from_dict({
        "name": "small-desk", "horizon": "3d", "warmup": "4h", "replications": 3, "seed": 5,
        "teams": {"support": {"shifts": [
            {"members": 2, "shift": "06:00-14:00"},
            {"members": 3, "shift": "12:00-22:00 mon-fri"},
        ]}},
        "support": support,
    })


def test_conservation_holds_exactly_with_shifts_abandonment_and_profile():
    spec = scenario(arrivals={"rate": "30/h", "daily_profile": {"00:00": 0.2, "09:00": 2}}).spec
    for rep in range(3):
        result = run_replication(spec, seed=11, replication=rep)
        balance = next(b for b in result.balances if b.name == "support inquiries")
        assert all(b.holds for b in result.balances), [str(b) for b in result.balances]
        assert balance.total > 1000
        # nobody is on shift 22:00-06:00, so someone is always left waiting or abandoning
        assert balance.parts["abandoned"] > 0


def test_same_seed_same_numbers_other_seed_differs():
    spec = scenario().spec
    a = run_replication(spec, seed=1, replication=0).metrics
    b = run_replication(spec, seed=1, replication=0).metrics
    c = run_replication(spec, seed=2, replication=0).metrics
    assert a == b  # bit for bit
    assert a != c


def test_changing_patience_does_not_reshuffle_arrivals():
    """Common random numbers: arrivals come from their own stream."""
    a = run_replication(scenario().spec, seed=3, replication=0).metrics
    b = run_replication(scenario(patience="exp(9m)").spec, seed=3, replication=0).metrics
    assert a["support.arrivals_per_day"] == b["support.arrivals_per_day"]
    assert a["support.abandoned_share"] != b["support.abandoned_share"]


def test_warmup_arrivals_are_not_counted():
    spec = sim.scenario_from_dict({
        "name": "warm", "horizon": "2d", "warmup": "1d", "seed": 1,
        "teams": {"support": {"members": 50}},
        "support": {"arrivals": "60/h", "handle_time": "const(1m)"},
    }).spec
    result = run_replication(spec, seed=1, replication=0)
    per_day = result.metrics["support.arrivals_per_day"]
    # one counted day at 1440 arrivals a day: Poisson, sd 38
    assert abs(per_day - 1440) < 5 * 38
    inquiries = next(b for b in result.balances if b.name == "support inquiries")
    assert inquiries.total > per_day * 1.5  # the warm-up day exists, uncounted


def test_profile_shapes_arrivals_and_keeps_the_mean_rate():
    profile = {"00:00": 0.0, "08:00": 3.0, "16:00": 0.0}  # only 08:00-16:00
    spec = sim.scenario_from_dict({
        "name": "profile", "horizon": "20d", "seed": 4, "output": {"bin": "1h"},
        "teams": {"support": {"members": 200}},
        "support": {"arrivals": {"rate": "10/h", "daily_profile": profile},
                    "handle_time": "const(1m)"},
    }).spec
    result = run_replication(spec, seed=4, replication=0)
    assert abs(result.metrics["support.arrivals_per_day"] - 240) < 5 * np.sqrt(240 / 20)
    hourly = result.series["support.arrivals"]  # hourly bins over 20 days
    hours = np.arange(len(hourly)) % 24
    assert hourly[(hours < 8) | (hours >= 16)].sum() == 0
    assert hourly[(hours >= 8) & (hours < 16)].sum() > 0


def test_priority_inquiries_wait_less():
    results = sim.run(scenario(inquiry_types={
        "urgent": {"share": 0.3, "priority": 1},
        "routine": {"share": 0.7, "priority": 2},
    }), reps=3)
    assert results["support.type.urgent.wait.mean"] < results["support.type.routine.wait.mean"]


def test_no_patience_overload_warns_and_still_runs():
    loaded = sim.scenario_from_dict({
        "name": "overload", "horizon": "1d", "seed": 1,
        "teams": {"support": {"members": 2}},
        "support": {"arrivals": "40/h", "handle_time": "exp(4m)"},
    })
    assert any("capacity" in w for w in loaded.warnings)
    results = sim.run(loaded, reps=1)
    assert results["support.queue_length.mean"] > 10


def test_utilisation_counts_only_members_on_shift():
    """A desk that is busy whenever open: utilisation near 1 though closed at night."""
    spec = sim.scenario_from_dict({
        "name": "day-desk", "horizon": "5d", "seed": 1,
        "teams": {"support": {"members": 2, "shift": "09:00-17:00"}},
        "support": {"arrivals": "600/h", "handle_time": "exp(5m)", "patience": "exp(1h)"},
    }).spec
    metrics = run_replication(spec, seed=1, replication=0).metrics
    assert metrics["support.utilisation"] > 0.97
    handled_max = 2 * 8 * 60 / 5  # members x minutes open / handle time, per day
    assert metrics["support.handled_per_day"] == pytest.approx(handled_max, rel=0.1)
    assert metrics["support.handled_per_day"] < 1.1 * handled_max


def test_results_save_and_load_round_trip(tmp_path):
    results = sim.run(scenario(), reps=2)
    folder = results.save(tmp_path / "out", plots=False)
    loaded = sim.Results.load(folder)
    assert loaded.summary_dict()["metrics"] == results.summary_dict()["metrics"]
    for name, values in results.series.items():
        np.testing.assert_array_equal(loaded.series[name], values)
    assert loaded.resolved["seed"] == 5 and loaded.resolved["replications"] == 2
    table = loaded.summary()
    assert "support.wait.mean" in table.index
    assert set(table.columns) >= {"mean", "ci_low", "ci_high", "unit"}


def test_jobs_give_the_same_numbers_as_serial():
    serial = sim.run(scenario(), reps=3)
    parallel = sim.run(scenario(), reps=3, jobs=2)
    assert serial.summary_dict()["metrics"] == parallel.summary_dict()["metrics"]



def test_staff_cost_for_a_desk_alone():
    """cost.staff is the members' hours on shift in the window times their rate, flows or not:
    support_desk has 8 agents for 8 h and 7 for 8 h every day at 32 an hour, for a week."""
    results = sim.run(sim.load_scenario(
        Path(__file__).resolve().parents[2] / "scenarios" / "support_desk.yaml"), reps=1)
    assert results["cost.staff"] == pytest.approx((8 * 8 + 7 * 8) * 7 * 32)


def test_no_flow_is_an_error():
    with pytest.raises(sim.ScenarioError, match="nothing to simulate"):
        sim.scenario_from_dict({"name": "empty", "horizon": "1d",
                                "teams": {"support": {"members": 1}}})
