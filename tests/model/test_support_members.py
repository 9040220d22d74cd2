"""The support desk with members as agents: skills, pre-emption, time to resolve, and draws
made when an inquiry is created (common random numbers)."""

from __future__ import annotations

import pytest
import yaml
from simpy import Environment

import sim
from sim.model.build import build_flows
from sim.model.context import Context
from sim.model.flows.support import SupportDesk
from sim.random import RandomStreams
from sim.replication import run_replication

SKILLS = """
name: skills
horizon: 30d
teams:
  support:
    shifts:
      - {members: 3, shift: always, skills: [orders]}
      - {members: 2, shift: always, skills: [payments]}
support:
  arrivals: 60/h
  inquiry_types:
    orders: {share: 0.7, handle_time: exp(3m), skill: orders}
    payments: {share: 0.3, handle_time: exp(5m), skill: payments}
"""


def desk_spec(members: int | list, preemption: str = "none", horizon: str = "2d") -> sim.Scenario:
    team = {"members": members} if isinstance(members, int) else {"shifts": members}
    return sim.scenario_from_dict({
        "name": "desk", "horizon": horizon, "warmup": "2h", "seed": 3, "teams": {"support": team},
        "support": {"arrivals": "50/h", "preemption": preemption, "patience": "exp(4m)",
                    "inquiry_types": {
                        "urgent": {"share": 0.3, "handle_time": "exp(5m)", "priority": 1},
                        "routine": {"share": 0.7, "handle_time": "lognormal(4m, 2m)",
                                    "priority": 2}}},
    })


def run_desk(scenario: sim.Scenario, seed: int = 9, prepare=None) -> tuple[SupportDesk, list]:
    """Build and run one replication by hand, keeping the desk and every inquiry created;
    `prepare(desk)` may wrap the desk's methods before the run."""
    spec = scenario.spec
    env = Environment()
    ctx = Context(env, RandomStreams(seed, 0), spec)
    flows = build_flows(ctx)
    desk = next(f for f in flows if isinstance(f, SupportDesk))
    created: list = []
    watch_draws(desk, created)
    if prepare is not None:
        prepare(desk)
    ctx.schedule_window_start()
    for flow in flows:
        flow.start()
    env.run(until=spec.horizon)
    return desk, created


def watch_draws(desk: SupportDesk, created: list) -> None:
    """Log every inquiry created as (arrived, type, handle time, patience): the handle time
    is kept on the inquiry, patience is caught as its sampler hands it out (at creation)."""
    patience = [None]
    for kind, sample in enumerate(desk._patience):
        if sample is not None:
            def catching(sample=sample):
                patience[0] = sample()
                return patience[0]
            desk._patience[kind] = catching
    submit = desk._submit

    def submitted(handler, inquiry, *args, **kwargs):
        created.append((inquiry.arrived_at, inquiry.kind, inquiry.handle_time, patience[0]))
        return submit(handler, inquiry, *args, **kwargs)
    desk._submit = submitted


def drawn(logged: tuple) -> tuple:
    return logged


@pytest.mark.parametrize("preemption", ["none", "resume"])
def test_staffing_changes_none_of_the_customers_draws(preemption):
    short, few = run_desk(desk_spec(3, preemption))
    full, many = run_desk(desk_spec([{"members": 4}, {"members": 2, "speed": 1.5}], preemption))
    assert len(few) > 2000
    assert [drawn(i) for i in few] == [drawn(i) for i in many]
    # ... while what happened to them differs: with fewer members, more give up
    assert sum(short.abandoned) > sum(full.abandoned)


def test_the_issues_skills_scenario_runs_as_written_and_routes_by_skill():
    scenario = sim.scenario_from_dict(yaml.safe_load(SKILLS))
    result = run_replication(scenario.spec, seed=1, replication=0)
    assert all(b.holds for b in result.balances)
    m = result.metrics
    # dedicated groups: each group is as busy as its own type makes it (load / members)
    assert m["support.utilisation.0"] == pytest.approx(0.7 * 3 / 3, abs=0.03)
    assert m["support.utilisation.1"] == pytest.approx(0.3 * 5 / 2, abs=0.05)
    assert m["support.type.payments.time_to_resolve.mean"] > m[
        "support.type.orders.time_to_resolve.mean"]


def test_members_only_take_work_of_their_skill():
    taken: dict[str, set[str]] = {"ann": set(), "bob": set()}

    def watch(desk: SupportDesk) -> None:
        begin = desk.begin

        def watched(inquiry, now):
            who = next(m.name for m in desk.pool.members if m.work and m.work.item is inquiry)
            taken[who].add(desk.kinds[inquiry.kind])
            return begin(inquiry, now)
        desk.begin = watched
    run_desk(sim.scenario_from_dict({
        "name": "skills", "horizon": "1d", "seed": 2,
        "teams": {"support": {"shifts": [
            {"members": 1, "name": "ann", "skills": ["orders"]},
            {"members": 1, "name": "bob", "skills": ["payments", "orders"]}]}},
        "support": {"arrivals": "20/h", "inquiry_types": {
            "orders": {"share": 0.5, "handle_time": "exp(2m)", "skill": "orders"},
            "payments": {"share": 0.5, "handle_time": "exp(2m)", "skill": "payments"}}}}),
        prepare=watch)
    assert taken == {"ann": {"orders"}, "bob": {"payments", "orders"}}


def test_a_preempted_inquiry_never_gives_up_and_the_balance_holds():
    set_aside: dict[int, object] = {}  # by id, holding the inquiry so its id stays its own
    withdrawn: dict[int, object] = {}

    def watch(desk: SupportDesk) -> None:
        preempted, withdraw = desk.preempted, desk.pool.withdraw

        def on_preempted(inquiry, now):
            set_aside[id(inquiry)] = inquiry
            preempted(inquiry, now)

        def on_withdraw(inquiry):
            withdrawn[id(inquiry)] = inquiry
            withdraw(inquiry)
        desk.preempted = on_preempted
        desk.pool.withdraw = on_withdraw
    desk, created = run_desk(desk_spec(3, "resume", horizon="3d"), prepare=watch)
    assert len(set_aside) > 50 and len(withdrawn) > 50
    assert not set_aside.keys() & withdrawn.keys()
    assert desk.preemptions >= len(set_aside)
    balance = desk.collect(desk.env.now).balances[0]
    assert balance.holds, str(balance)
    assert balance.total == len(created) == desk.arrived_all


def test_conservation_counts_work_set_aside_at_the_horizon():
    # a busy desk stopped mid-morning: some inquiries are set aside when the run ends
    found = 0
    for seed in range(6):
        spec = desk_spec(2, "resume", horizon="1d").spec
        result = run_replication(spec, seed=seed, replication=0)
        balance = next(b for b in result.balances if b.name == "support inquiries")
        assert balance.holds, str(balance)
        found += balance.parts["pre-empted, waiting"]
    assert found > 0


def test_time_to_resolve_is_the_handle_time_when_nobody_waits():
    result = run_replication(sim.scenario_from_dict({
        "name": "quick", "horizon": "1d", "seed": 1, "teams": {"support": {"members": 40}},
        "support": {"arrivals": "60/h", "inquiry_types": {
            "a": {"share": 0.5, "handle_time": "const(1m)"},
            "b": {"share": 0.5, "handle_time": "const(3m)"}}}}).spec, seed=1, replication=0)
    m = result.metrics
    assert m["support.type.a.time_to_resolve.mean"] == pytest.approx(1.0)
    assert m["support.type.b.time_to_resolve.p90"] == pytest.approx(3.0)
    assert 1.0 < m["support.time_to_resolve.mean"] < 3.0


def test_speed_divides_the_handle_time():
    result = run_replication(sim.scenario_from_dict({
        "name": "quick", "horizon": "1d", "seed": 1,
        "teams": {"support": {"members": 40, "speed": 2}},
        "support": {"arrivals": "60/h", "handle_time": "const(3m)"}}).spec, seed=1,
        replication=0)
    assert result.metrics["support.time_to_resolve.mean"] == pytest.approx(1.5)


def test_fast_members_are_capacity_for_the_overload_watch():
    """Offered load 3 (members busy at speed 1): two members at speed 2 carry it, at speed 1
    they do not, and the watch says so only then."""
    def finding(speed: float):
        spec = sim.scenario_from_dict({
            "name": "fast", "horizon": "3d", "warmup": "2h", "seed": 4,
            "teams": {"support": {"members": 2, "speed": speed}},
            "support": {"arrivals": "60/h", "handle_time": "exp(3m)"}}).spec
        return next(n for n in run_replication(spec, seed=4, replication=0).notes
                    if n.team == "support")
    fast, slow = finding(2.0), finding(1.0)
    assert fast.load == pytest.approx(0.75, rel=0.05) and not fast.overloaded
    assert slow.load == pytest.approx(1.5, rel=0.05) and slow.overloaded
