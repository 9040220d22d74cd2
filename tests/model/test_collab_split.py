"""The split with collaboration settings (issue 10), over random scenarios: per entity the
components add up to its time, messages are conserved, and role clarity costs what it says."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.replication import run_replication
from sim.scenario import scenario_from_dict
from tests.model.test_channels import escalations

SHIFTS = ["always", "09:00-17:00", "22:00-06:00", "08:00-16:00 mon-fri"]


@st.composite
def collaborative(draw) -> dict:
    kind = draw(st.sampled_from(["chat", "email", "meeting", "ticket"]))
    channel: dict = {"kind": kind}
    if kind in ("chat", "email"):
        channel["notice"] = draw(st.sampled_from(["const(0s)", "exp(10m)", "exp(2h)"]))
    elif kind == "meeting":
        channel.update(every=draw(st.sampled_from(["1d", "1w"])), at="mon 10:00",
                       duration=draw(st.sampled_from(["0s", "30m", "2h"])))
    else:
        channel["priority"] = draw(st.integers(1, 3))
    channel["error"] = draw(st.sampled_from([0.0, 0.2, 0.5]))
    data = escalations(draw(st.sampled_from(SHIFTS)), {"default": channel},
                       horizon="4d", warmup="1d")
    data["seed"] = draw(st.integers(0, 1000))
    data["teams"]["support"]["shift"] = draw(st.sampled_from(SHIFTS[:2]))
    data["teams"]["warehouse"]["clarity"] = draw(st.sampled_from([1.0, 0.5, 0.0]))
    kind = data["support"]["inquiry_types"]["where_is_my_order"]
    kind["escalate"]["work"] = draw(st.sampled_from(["const(1s)", "exp(10m)"]))
    kind["escalate"]["follow_up"] = draw(st.sampled_from(["const(0s)", "exp(3m)"]))
    if draw(st.booleans()):
        data["trust"] = {"default": draw(st.sampled_from([1.0, 0.6, 0.2])),
                         "verification": draw(st.sampled_from(["0s", "20m"])),
                         "dynamics": {"gain": 0.1, "loss": 0.3}}
        if draw(st.booleans()):  # help across teams: the warehouse may answer inquiries
            data["trust"]["help"] = {"threshold": 0.5, "waiting": draw(st.integers(1, 4))}
            data["teams"]["support"]["skills"] = ["orders"]
            data["teams"]["warehouse"]["skills"] = ["orders"]
            kind["skill"] = "orders"
            data["support"]["arrivals"] = draw(st.sampled_from(["20/h", "150/h"]))
        if draw(st.booleans()):  # a named member of each team with its own trust
            _name_first_members(data)
            data["trust"]["members"] = {
                "alice->warehouse": draw(st.sampled_from([1.0, 0.3, 0.0])),
                "wes->support": draw(st.sampled_from([1.0, 0.3, 0.0]))}
    return data


def _name_first_members(data: dict) -> None:
    """Support's first member becomes alice, the warehouse's wes (same shift and skills)."""
    for team, name in (("support", "alice"), ("warehouse", "wes")):
        spec = data["teams"][team]
        group = {key: spec.pop(key) for key in ("shift", "skills") if key in spec}
        rest = spec.pop("members") - 1
        spec["shifts"] = [{"members": 1, "name": name, **group}, {"members": rest, **group}]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(collaborative())
def test_every_entity_s_split_adds_up_and_messages_are_conserved(data):
    spec = scenario_from_dict(data).spec
    result = run_replication(spec, data["seed"], 0, records=True)  # checks every balance
    table = result.records["support"]
    columns = table.columns
    finished = np.where(np.isnan(columns["finished"]), spec.horizon, columns["finished"])
    split = sum(columns[f"split.{name}"] for name in table.components)
    np.testing.assert_allclose(split, finished - columns["created"], rtol=0,
                               atol=1e-9 * spec.horizon)
    for name in table.components:  # no component runs backwards
        assert (columns[f"split.{name}"] >= -1e-9 * spec.horizon).all(), name
    share = result.metrics["support.collaboration_share"]
    assert np.isnan(share) or 0.0 <= share <= 1.0


def test_orphaned_work_waits_for_the_next_stand_up():
    clear = escalations("always", {"default": {"kind": "chat"}})
    unclear = escalations("always", {"default": {"kind": "chat"}})
    unclear["teams"]["warehouse"].update(clarity=0.0, orphan=1.0, duplicate=0.0)
    m_clear = run_replication(scenario_from_dict(clear).spec, 3, 0).metrics
    m_unclear = run_replication(scenario_from_dict(unclear).spec, 3, 0).metrics
    assert m_clear["support.time_split.orphaned"] == 0.0
    # every question waits for the warehouse's 09:00 stand-up: half a day on average, for
    # the half of the inquiries that are escalated
    assert m_unclear["support.time_split.orphaned"] == pytest.approx(0.5 * 720, rel=0.05)
    assert m_unclear["collab.duplicate_work_share"] == 0.0


def test_duplicated_work_is_wasted_capacity():
    data = escalations("always", {"default": {"kind": "chat"}})
    data["support"]["inquiry_types"]["where_is_my_order"]["escalate"]["work"] = "const(5m)"
    data["teams"]["warehouse"].update(clarity=0.0, orphan=0.0, duplicate=1.0)
    m = run_replication(scenario_from_dict(data).spec, 3, 0).metrics
    # per hour: support works 20 x 2m, the warehouse 10 questions x 5m twice, 50m of it
    # wasted: 50 / 140 of all member work
    assert m["collab.duplicate_work_share"] == pytest.approx(50 / 140, rel=0.05)
    assert m["support.time_split.orphaned"] == 0.0
