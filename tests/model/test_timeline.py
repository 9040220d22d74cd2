"""The timeline on small models: rate factors on the integrated-rate scale, staff windows on
the roster, supplier outages.

Theory: arrival k of a Poisson stream falls where the integrated rate Λ(t), factors included,
reaches E1 + ... + Ek. A window with factor f over [a, b) maps the unscaled stream's arrival
at Λ-value x to the time where Λ_f reaches x: the same random numbers, moved. The count over
[0, H] is Poisson with mean Λ_f(H), so R replications average it within z sqrt(Λ_f(H) / R).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from simpy import Environment

import sim
from sim.calendar import RateProfile, daily_steps
from sim.model.arrivals import ArrivalStream
from sim.model.context import Context
from sim.model.flows.inventory import Inventory, Supplier
from sim.random import RandomStreams
from sim.replication import build_model, run_replication
from sim.scenario.errors import ScenarioError
from sim.scenario.timeline import expected_arrivals, factor_steps
from sim.units import DAY, HOUR

Z = 4.0  # standard errors allowed on a mean: a false alarm about once in 16,000 checks
PROFILE = {"00:00": 0.2, "08:00": 2.0, "18:00": 0.6}


def desk(timeline: list | None = None, rate: str = "20/h", profile: dict | None = None,
         horizon: str = "3d", members: int = 2, **extra) -> sim.Scenario:
    arrivals = {"rate": rate, "daily_profile": profile} if profile else rate
    data = {"name": "tl", "horizon": horizon, "seed": 3,
            "teams": {"support": {"members": members, "cost_per_hour": 10}},
            "support": {"arrivals": arrivals, "handle_time": "exp(3m)"}, **extra}
    if timeline is not None:
        data["timeline"] = timeline
    return sim.scenario_from_dict(data)


def arrival_times(scenario: sim.Scenario, replication: int = 0,
                  changes: list[tuple[float, str, float | None]] = ()) -> list[float]:
    """The stream of the support desk alone, as the desk builds it; `changes` are calls of
    `set_factor` at given times (the seam campaigns will drive)."""
    spec = scenario.spec
    env = Environment()
    ctx = Context(env, RandomStreams(spec.seed, replication), spec)
    times: list[float] = []
    stream = ArrivalStream(ctx, spec.support.arrivals.profile(), "support.arrivals",
                           times.append, scaled_as="support")
    stream.start()
    for at, name, value in changes:
        env.timeout(at).callbacks.append(lambda _e, n=name, v=value: stream.set_factor(n, v))
    env.run(until=spec.horizon)
    return times


@pytest.mark.parametrize("profile", [None, PROFILE], ids=["constant", "daily-profile"])
@pytest.mark.parametrize("factor", [0.0, 3.0, 0.25])
def test_a_window_moves_the_same_arrivals_along_the_integrated_rate(profile, factor):
    window = [{"from": "20h", "to": "40h", "scale": {"support": factor}}]
    plain = arrival_times(desk(profile=profile, horizon="10d"))
    scaled_scenario = desk(window, profile=profile, horizon="10d")
    scaled = arrival_times(scaled_scenario)
    base = RateProfile(20 / HOUR, daily_steps(profile))
    steps = factor_steps(scaled_scenario.spec.timeline, "support")
    # identical before the window, bit for bit: nothing was drawn differently
    before = [t for t in plain if t < 20 * HOUR]
    assert scaled[:len(before)] == before and len(before) > 100
    # every arrival of the scaled run sits where the scaled integral reaches the unscaled
    # integral of the matching plain arrival
    assert len(scaled) > 1000
    n = min(len(plain), len(scaled)) - 5  # the last few of the longer run fall past the end
    for plain_at, scaled_at in zip(plain[:n], scaled[:n], strict=True):
        assert expected_arrivals(base, steps, 0.0, scaled_at) == pytest.approx(
            base.cumulative(plain_at), rel=1e-9, abs=1e-9)
    inside = [t for t in scaled if 20 * HOUR <= t < 40 * HOUR]
    if factor == 0:
        assert not inside
        assert min(t for t in scaled if t >= 20 * HOUR) >= 40 * HOUR  # and they resume


def test_a_factor_set_to_zero_and_back_resumes_the_stream():
    """The old `multiplier` never resumed after 0; `set_factor` is its replacement."""
    changes = [(10 * HOUR, "site", 0.0), (30 * HOUR, "site", 1.0)]
    times = arrival_times(desk(), changes=changes)
    assert not [t for t in times if 10 * HOUR <= t < 30 * HOUR]
    after = [t for t in times if t >= 30 * HOUR]
    # 42 h at 20/h are left: 840 expected, Poisson sd 29
    assert abs(len(after) - 840) < Z * math.sqrt(840)
    # removing the factor is the same as setting it to 1
    removed = arrival_times(desk(), changes=[(10 * HOUR, "site", 0.0), (30 * HOUR, "site", None)])
    assert removed == times


def test_named_factors_multiply():
    both = arrival_times(desk(), changes=[(5 * HOUR, "a", 2.0), (5 * HOUR, "b", 1.5)])
    once = arrival_times(desk(), changes=[(5 * HOUR, "a", 3.0)])
    assert both == pytest.approx(once, rel=1e-12)
    overlapping = desk([{"from": "5h", "scale": {"support": 2}},
                        {"from": "5h", "scale": {"support": 1.5}}])
    assert arrival_times(overlapping) == pytest.approx(once, rel=1e-12)


@pytest.mark.parametrize("profile", [None, PROFILE], ids=["constant", "daily-profile"])
def test_windows_at_0_and_3_give_the_integrated_expected_counts(profile):
    timeline = [{"from": "6h", "to": "18h", "scale": {"support": 0}},
                {"from": "1d", "to": "36h", "scale": {"support": 3}},
                {"from": "30h", "to": "2d", "scale": {"support": 0.5}}]  # overlaps the 3
    scenario = desk(timeline, rate="6/h", profile=profile, horizon="3d")
    base = RateProfile(6 / HOUR, daily_steps(profile))
    steps = factor_steps(scenario.spec.timeline, "support")
    cuts = [0.0, 6 * HOUR, 18 * HOUR, DAY, 30 * HOUR, 36 * HOUR, 2 * DAY, 3 * DAY]
    reps = 300
    counts = np.zeros((reps, len(cuts) - 1))
    for rep in range(reps):
        counts[rep] = np.histogram(arrival_times(scenario, rep), bins=cuts)[0]
    for i in range(len(cuts) - 1):
        expected = expected_arrivals(base, steps, cuts[i], cuts[i + 1])
        mean = counts[:, i].mean()
        if expected == 0:
            assert mean == 0
        else:
            assert abs(mean - expected) < Z * math.sqrt(expected / reps), (i, mean, expected)
    total = expected_arrivals(base, steps, 0.0, 3 * DAY)
    if profile is None:  # factor 1, 0, 1, 3, 1.5, 0.5, 1 over 6, 12, 6, 6, 6, 12, 24 hours
        assert total == pytest.approx(6 * (6 + 0 + 6 + 18 + 9 + 6 + 24))
    assert abs(counts.sum(axis=1).mean() - total) < Z * math.sqrt(total / reps)


def test_a_scaled_run_shares_the_other_random_numbers():
    """Only the arrival times move: the first inquiries see the same handle times."""
    plain = run_replication(desk(members=50).spec, seed=3, replication=0)
    scaled = run_replication(desk([{"from": "2d", "scale": {"support": 0}}], members=50).spec,
                             seed=3, replication=0)
    per_bin_plain = plain.series["support.arrivals"]
    per_bin_scaled = scaled.series["support.arrivals"]
    bins_before = int(2 * DAY / plain.bin_width)
    assert np.array_equal(per_bin_plain[:bins_before], per_bin_scaled[:bins_before])
    assert per_bin_scaled[bins_before:].sum() == 0 < per_bin_plain[bins_before:].sum()


# --- staff -------------------------------------------------------------------------------


def test_staff_windows_raise_the_members_on_shift_exactly_in_the_window():
    timeline = [{"from": "2d", "to": "3d", "staff": {"support": 3}},
                {"from": "60h", "to": "4d", "staff": {"support": -1}}]
    scenario = desk(timeline, horizon="5d", output={"bin": "1h"})
    spec = scenario.spec
    env = Environment()
    ctx = Context(env, RandomStreams(1, 0), spec)
    pool = ctx.pool("support")
    env.run(until=spec.horizon)
    on_shift = pool.on_shift_level.series(spec.horizon)
    hours = np.arange(len(on_shift))
    wanted = 2 + 3 * ((hours >= 48) & (hours < 72)) - 1 * ((hours >= 60) & (hours < 96))
    assert np.array_equal(on_shift, wanted)
    # the overload watch reads the same roster: capacity in member-minutes
    assert pool.observe(spec.horizon).capacity == pytest.approx(
        (2 * 120 + 3 * 24 - 36) * HOUR)
    # and the staff cost pays for it
    result = run_replication(spec, seed=1, replication=0)
    assert result.metrics["cost.staff"] == pytest.approx((2 * 120 + 3 * 24 - 36) * 10)


def test_staff_windows_add_to_shifts_and_leave_after_the_work_in_hand():
    scenario = sim.scenario_from_dict({
        "name": "tl", "horizon": "2d", "seed": 1, "output": {"bin": "1h"},
        "teams": {"support": {"members": 1, "shift": "08:00-16:00"}},
        "support": {"arrivals": "30/h", "handle_time": "const(50m)"},
        "timeline": [{"from": "10h", "to": "20h", "staff": {"support": 2}}]})
    result = run_replication(scenario.spec, seed=1, replication=0)
    on_shift = result.series["support.on_shift"]
    hours = np.arange(len(on_shift))
    wanted = ((hours % 24 >= 8) & (hours % 24 < 16)) + 2 * ((hours >= 10) & (hours < 20))
    assert np.array_equal(on_shift, wanted)
    assert all(b.holds for b in result.balances)


# --- outages -----------------------------------------------------------------------------


def test_an_outage_delays_deliveries_due_in_it_to_its_end(monkeypatch):
    placed: list[float] = []
    received: list[float] = []
    real_place, real_receive = Supplier.place, Inventory.receive

    def place(self, product, quantity):
        placed.append(self.env.now)
        return real_place(self, product, quantity)

    def receive(self, product, ordered, delivered, now):
        received.append(now)
        real_receive(self, product, ordered, delivered, now)

    monkeypatch.setattr(Supplier, "place", place)
    monkeypatch.setattr(Inventory, "receive", receive)
    data = {"name": "outage", "horizon": "14d", "seed": 1, "demand": {"orders": "50/d"},
            "catalog": [{"sku": "A", "initial_stock": 100, "supplier": "s",
                         "policy": {"type": "base_stock", "order_up_to": 100,
                                    "review_period": "1d"}}],
            "suppliers": {"s": {"lead_time": "const(1d)"}},
            "timeline": [{"from": "5d", "to": "9d", "outage": {"supplier": "s"}}]}
    spec = sim.scenario_from_dict(data).spec
    env, _ctx, _flows = build_model(spec, 1, 0)
    env.run(until=spec.horizon)
    due = [at + DAY for at in placed if at + DAY < spec.horizon]
    wanted = sorted(9 * DAY if 5 * DAY <= d < 9 * DAY else d for d in due)
    assert sorted(received) == pytest.approx(wanted)
    assert sum(1 for d in due if 5 * DAY <= d < 9 * DAY) == 4  # the window held 4 of them
    assert received.count(9 * DAY) == 5  # and the one due at its end is not delayed further


@pytest.mark.parametrize("profile", [None, PROFILE], ids=["constant", "daily-profile"])
def test_a_vanishingly_small_factor_holds_the_stream_like_0_and_it_resumes(profile):
    """1e-320 x the rate makes the time to the next arrival overflow to infinity: it must
    hold the pending arrival, not lose it."""
    held = arrival_times(desk([{"from": "10h", "to": "30h", "scale": {"support": 1e-320}}],
                              profile=profile))
    stopped = arrival_times(desk([{"from": "10h", "to": "30h", "scale": {"support": 0}}],
                                 profile=profile))
    assert held == stopped and max(held) > 60 * HOUR


# --- staff on teams of agents ---------------------------------------------------------------


def skilled_desk(timeline: list, **support) -> sim.Scenario:
    return sim.scenario_from_dict({
        "name": "tl-agents", "horizon": "2d", "seed": 2, "output": {"bin": "1h"},
        "teams": {"support": {"cost_per_hour": 10, "shifts": [
            {"members": 1, "shift": "always", "skills": ["orders"]},
            {"members": 1, "shift": "always", "skills": ["payments"], "speed": 2}]}},
        "support": {"arrivals": "40/h", "handle_time": "const(30m)", "inquiry_types": {
            "orders": {"share": 0.5, "skill": "orders"},
            "payments": {"share": 0.5, "skill": "payments"}}, **support},
        "timeline": timeline})


def test_a_staff_window_on_agents_adds_members_like_the_first_group():
    """Two extra members for [10h, 20h): on the roster, in the staff cost, counted in the
    first group's utilisation, and doing only the first group's work (orders): its type is
    answered faster than without them, the other type exactly as without them."""
    window = [{"from": "10h", "to": "20h", "staff": {"support": 2}}]
    spec = skilled_desk(window).spec
    env = Environment()
    ctx = Context(env, RandomStreams(1, 0), spec)
    pool = ctx.pool("support")
    env.run(until=spec.horizon)
    on_shift = pool.on_shift_level.series(spec.horizon)
    hours = np.arange(len(on_shift))
    assert np.array_equal(on_shift, 2 + 2 * ((hours >= 10) & (hours < 20)))
    # capacity weighs speed: 1 + 2 always, the two extra members at the first group's speed 1
    assert pool.observe(spec.horizon).capacity == pytest.approx((3 * 48 + 2 * 10) * HOUR)
    extra = [m for m in pool.members if ".timeline" in m.name]
    assert len(extra) == 2 and {m.group for m in extra} == {0}
    assert all(m.keys == pool.members[0].keys and m.speed == 1.0 for m in extra)

    with_staff = run_replication(spec, seed=1, replication=0)
    without = run_replication(skilled_desk([]).spec, seed=1, replication=0)
    assert with_staff.metrics["cost.staff"] == pytest.approx((2 * 48 + 2 * 10) * 10)
    busy_orders = with_staff.series["support.busy"]
    assert busy_orders[10:20].max() > 2  # more than the two regular members at work
    metric = "support.type.{}.time_to_resolve.mean"
    assert with_staff.metrics[metric.format("orders")] < without.metrics[metric.format("orders")]
    # payments are the second group's alone: the same customers, the same answers
    assert (with_staff.metrics[metric.format("payments")]
            == without.metrics[metric.format("payments")])
    assert {"support.utilisation.0", "support.utilisation.1"} <= set(with_staff.metrics)
    assert all(b.holds for b in with_staff.balances)


def test_a_staff_window_cannot_remove_agents_and_says_which_group_extra_ones_join():
    data = {"name": "tl-agents", "horizon": "2d",
            "teams": {"support": {"shifts": [
                {"members": 2, "shift": "always", "skills": ["orders"]},
                {"members": 1, "shift": "always", "skills": ["payments"]}]}},
            "support": {"arrivals": "10/h", "handle_time": "exp(3m)"}}
    with pytest.raises(ScenarioError, match=r"timeline\.0\.staff\.support.*agents"):
        sim.scenario_from_dict({**data, "timeline": [
            {"from": "1h", "to": "2h", "staff": {"support": -1}}]})
    added = sim.scenario_from_dict({**data, "timeline": [
        {"from": "1h", "to": "2h", "staff": {"support": 2}}]})
    assert any("timeline.0.staff.support" in w and "first group" in w and "orders" in w
               for w in added.warnings)
