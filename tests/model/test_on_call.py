"""The on-call rotation: off shift the page goes to the named member whose turn it is, who
is called in and works the incident as overtime (busy and present); a busy member takes the
call when the work in hand ends; unknown names in the rotation are refused."""

from __future__ import annotations

import pytest
from simpy import Environment

import sim
from sim.model.build import build_flows
from sim.model.context import Context
from sim.model.flows.tech import Tech
from sim.random import RandomStreams
from sim.units import DAY, HOUR

NIGHT = 20 * HOUR  # 20:00, after the 09:00-17:00 shift


def scenario(rotation: list[str] | None = None, every: str = "1d") -> dict:
    on_call = {"off_shift_page": "10m", "every": every}
    if rotation is not None:
        on_call["rotation"] = rotation
    return {"name": "on_call", "horizon": "4d",
            "teams": {"tech": {"shifts": [
                {"members": 1, "name": "ann", "shift": "09:00-17:00"},
                {"members": 1, "name": "bob", "shift": "09:00-17:00", "speed": 2},
                {"members": 2, "shift": "09:00-17:00"}]}},
            "tech": {"on_call": on_call,
                     "incidents": {"sev2": {"fix_time": "2h"}}}}


def build(data: dict) -> tuple[Environment, Tech]:
    spec = sim.scenario_from_dict(data).spec
    env = Environment()
    ctx = Context(env, RandomStreams(1, 0), spec)
    flows = build_flows(ctx)
    for flow in flows:
        flow.start()
    return env, next(f for f in flows if isinstance(f, Tech))


def test_the_member_on_call_is_called_in_and_works_it_as_overtime():
    env, tech = build(scenario(["bob", "ann"]))
    incidents = tech.incidents
    env.run(until=NIGHT)
    nights = [incidents.occur("sev2", "background", env.now)]  # bob's turn (day 0)
    env.run(until=DAY + NIGHT)
    nights.append(incidents.occur("sev2", "background", env.now))  # ann's (day 1)
    second = incidents.occur("sev2", "background", env.now)  # waits for ann
    env.run(until=3 * DAY)
    ann, bob = tech.pool.members[:2]
    assert [i.started_at for i in nights] == [NIGHT + 10, DAY + NIGHT + 10]
    assert nights[0].resolved_at == NIGHT + 10 + 60  # bob works at speed 2
    assert second.started_at == nights[1].resolved_at == DAY + NIGHT + 10 + 120
    assert bob.busy_time == 60 and ann.busy_time == 240
    assert incidents.pages_by_member == {"bob": 1, "ann": 2}
    assert tech.pool.busy == 0 and tech.pool.present == 0  # gone home after the fix
    # the call-outs are overtime: busy and present for the whole of it
    assert tech.pool.busy_level.integral(env.now) == 300
    assert tech.pool.present_level.integral(env.now) - 8 * 60 * 4 * 3 == 300


def test_a_group_in_the_rotation_stands_for_its_members_in_turn():
    env, tech = build(scenario(["2", "ann"], every="12h"))
    assert [m.name for m in tech.incidents.rotation] == ["2.0", "2.1", "ann"]
    assert tech.incidents.on_call_at(DAY + 1).name == "ann"
    env, tech = build(scenario())  # absent: every member in turn
    assert [m.name for m in tech.incidents.rotation] == ["ann", "bob", "2.0", "2.1"]


def test_the_minimal_scenario_reports_pages_per_member():
    data = scenario(["ann", "bob"], every="1w")
    data["horizon"] = "28d"
    data["tech"]["incidents"]["sev2"]["rate"] = "2/d"
    results = sim.run(sim.scenario_from_dict(data), reps=1, jobs=1)
    m = results.metrics
    per_member = m["tech.on_call.pages_per_week.ann"] + m["tech.on_call.pages_per_week.bob"]
    assert per_member == pytest.approx(m["tech.on_call.pages_per_week"])
    assert (m["tech.on_call.pages_per_week.ann"] > 0).all()
    assert (m["tech.on_call.pages_per_week.bob"] > 0).all()


def test_an_unknown_name_in_the_rotation_is_refused():
    with pytest.raises(sim.ScenarioError, match=r"'carl' is not a member or group.*"):
        sim.scenario_from_dict(scenario(["ann", "carl"]))
