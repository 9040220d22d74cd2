"""Work requests between teams (sim/model/org/requests.py): a desk queues them on the team's
pool by priority, members work their effort, the sender hears when each is done, and the
desk's balance accounts for every request at the end."""

from __future__ import annotations

from simpy import Environment

import sim
from sim.model.build import build_flows
from sim.model.context import Context
from sim.model.org.requests import WorkRequest, work_kind
from sim.random import RandomStreams

SCENARIO = {
    "name": "requests", "horizon": "1d",
    "teams": {"support": {"members": 1}, "design": {"members": 1}},
    "support": {"arrivals": "1/h", "handle_time": "exp(5m)"},
}


def _context(teams: dict | None = None) -> tuple[Environment, Context, list]:
    data = dict(SCENARIO)
    if teams:
        data["teams"] = {**SCENARIO["teams"], **teams}
    spec = sim.scenario_from_dict(data).spec
    env = Environment()
    ctx = Context(env, RandomStreams(1, 0), spec)
    ctx.wants_work("design")
    flows = build_flows(ctx)
    return env, ctx, flows


def test_a_desk_works_requests_in_priority_order_and_reports_each_done() -> None:
    env, ctx, flows = _context()
    done: list[tuple[str, float]] = []

    def note(request: WorkRequest, now: float) -> None:
        done.append((request.name, now))

    def ask(name: str, effort: float, priority: int) -> None:
        ctx.org.send(work_kind("design"), WorkRequest(name, "marketing", effort, env.now,
                                                      priority=priority, on_done=note),
                     "marketing")

    ask("first", 30.0, 1)  # starts at once: the one member is free
    ask("later", 10.0, 1)
    ask("urgent", 20.0, 0)  # queued ahead of "later"
    env.run(until=100.0)
    assert done == [("first", 30.0), ("urgent", 50.0), ("later", 60.0)]
    desk = flows[-1]
    [balance] = desk.collect(env.now).balances
    assert balance.holds and balance.parts == {"finished": 3, "in progress": 0}


def test_requests_still_in_hand_at_the_end_are_in_progress() -> None:
    env, ctx, flows = _context()
    for effort in (50.0, 50.0, 50.0):
        ctx.org.send(work_kind("design"), WorkRequest("item", "tech", effort, env.now,
                                                      due=60.0), "tech")
    env.run(until=75.0)
    [balance] = flows[-1].collect(env.now).balances
    assert balance.holds and balance.parts == {"finished": 1, "in progress": 2}


def test_a_late_request_is_late_and_an_early_one_is_not() -> None:
    request = WorkRequest("page", "marketing", 10.0, 0.0, due=60.0)
    assert not request.late  # not finished: not judged
    request.done_at = 61.0
    assert request.late
    request.done_at = 59.0
    assert not request.late


def test_a_team_that_a_flow_serves_itself_gets_no_desk() -> None:
    spec = sim.scenario_from_dict(SCENARIO).spec
    ctx = Context(Environment(), RandomStreams(1, 0), spec)
    ctx.wants_work("design")
    ctx.org.on(work_kind("design"), lambda request, now: None, target="design")
    flows = build_flows(ctx)
    assert all(type(flow).__name__ != "TeamDesk" for flow in flows)
