"""The collaboration split where it touches tech and support (issue 10, parts 2 and 6): a
request's time on the way is in the feature's lead time, work set aside by meetings is the
`meeting` component (collaboration), not `preempted`, and the split adds up for every feature
item and incident over random scenarios."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.replication import run_replication
from tests.model.test_channels import escalations

CHAT = {"kind": "chat", "notice": "const(0s)"}


def paged(channel: dict) -> dict:
    """Marketing briefs a page (8h of work) at 1d to one tech member; tech also plans 1h of
    work at 5d. No deploy days: built is deployed."""
    return {"name": "paged", "horizon": "6d", "seed": 5,
            "teams": {"tech": {"members": 1}, "marketing": {"members": 1}},
            "demand": {"orders": "240/d"},
            "tech": {"work": {"later": {"effort": "1h", "at": "5d"}}},
            "campaigns": {"sale": {"start": "4d", "length": "1d", "uplift": 3, "brief": "1d",
                                   "prerequisites": {"page": {"effort": "8h", "due": "3d"}}}},
            "channels": {"default": CHAT, "marketing->tech": channel}}


def metrics(data: dict, records: bool = False):
    return run_replication(sim.scenario_from_dict(data).spec, data["seed"], 0,
                           records=records)


def test_a_feature_request_s_lead_time_runs_from_the_brief_and_holds_its_channel_time():
    m = metrics(paged({"kind": "email", "notice": "const(5h)"})).metrics
    # the page: 5h on the way, then 8h of work; the planned item: 1h of work
    assert m["tech.feature_lead_time.mean"] == pytest.approx((5 * 60 + 8 * 60 + 60) / 2)
    assert m["tech.feature.time_split.channel"] == pytest.approx(5 * 60 / 2)
    assert m["tech.feature.time_split.queue"] == pytest.approx(0.0)
    assert m["tech.feature.collaboration_share"] == pytest.approx(300 / 840)


def test_without_collaboration_settings_the_feature_share_is_zero():
    m = metrics(paged(CHAT)).metrics
    assert m["tech.feature.collaboration_share"] == 0.0
    assert m["tech.feature_lead_time.mean"] == pytest.approx((8 * 60 + 60) / 2)


def test_feature_work_set_aside_by_a_meeting_is_meeting_time():
    data = {"name": "meetings", "horizon": "40d", "warmup": "5d", "seed": 2,
            "teams": {"tech": {"members": 2}, "marketing": {"members": 1}},
            "tech": {"features": {"arrivals": "1/d", "effort": "exp(8h)"}},
            "channels": {"default": CHAT, "marketing->tech": {
                "kind": "meeting", "every": "1d", "at": "10:00", "duration": "1h"}}}
    m = metrics(data).metrics
    assert m["tech.feature.time_split.preempted"] == 0.0  # no incidents: nothing else
    assert m["tech.feature.time_split.meeting"] > 0.0
    # an item in hand loses the meeting's hour each day it is worked through 10:00
    assert m["tech.feature.time_split.meeting"] <= 60.0 * (
        1 + m["tech.feature.time_split.work"] / (24 * 60))
    assert m["tech.feature.collaboration_share"] > 0.0


def test_inquiries_set_aside_by_a_meeting_count_it_as_meeting_time():
    data = escalations("always", {"default": CHAT, "support->warehouse": {
        "kind": "meeting", "every": "1d", "at": "10:00", "duration": "30m"}}, horizon="20d")
    data["support"]["inquiry_types"]["where_is_my_order"]["escalate"]["share"] = 0
    result = metrics(data, records=True)
    m = result.metrics
    assert m["support.time_split.preempted"] == 0.0  # preemption none: only meetings
    assert m["support.time_split.meeting"] > 0.0
    table = result.records["support"].columns
    assert (table["split.preempted"] == 0.0).all()
    assert (table["split.meeting"] > 0.0).any()


@st.composite
def tech_scenarios(draw) -> dict:
    channel: dict = {"kind": draw(st.sampled_from(["chat", "email", "meeting", "ticket"]))}
    if channel["kind"] in ("chat", "email"):
        channel["notice"] = draw(st.sampled_from(["const(0s)", "exp(2h)"]))
    elif channel["kind"] == "meeting":
        channel.update(every=draw(st.sampled_from(["1d", "1w"])), at="mon 10:00",
                       duration=draw(st.sampled_from(["0s", "1h"])))
    channel["error"] = draw(st.sampled_from([0.0, 0.3]))
    data = {"name": "tech", "horizon": "12d", "warmup": "2d",
            "seed": draw(st.integers(0, 1000)),
            "teams": {"tech": {"members": draw(st.integers(1, 3)),
                               "shift": draw(st.sampled_from(["always", "09:00-17:00"])),
                               "clarity": draw(st.sampled_from([1.0, 0.5]))},
                      "marketing": {"members": 1}},
            "demand": {"orders": "240/d"},
            "tech": {"features": {"arrivals": "1/d", "effort": "exp(6h)"},
                     "incidents": {"sev2": {"rate": "1/d", "fix_time": "exp(2h)"}}},
            "campaigns": {"sale": {"start": "8d", "length": "1d", "uplift": 2, "brief": "3d",
                                   "prerequisites": {"page": {"effort": "10h"}}}},
            "channels": {"default": channel}}
    if draw(st.booleans()):
        data["trust"] = {"default": 0.5, "verification": "30m",
                         "dynamics": {"gain": 0.1, "loss": 0.3}}
    return data


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tech_scenarios())
def test_every_feature_item_s_and_incident_s_split_adds_up(data):
    spec = sim.scenario_from_dict(data).spec
    result = run_replication(spec, data["seed"], 0, records=True)  # checks every balance
    for kind in ("features", "incidents"):
        table = result.records[kind]
        columns = table.columns
        finished = np.where(np.isnan(columns["finished"]), spec.horizon, columns["finished"])
        split = sum(columns[f"split.{name}"] for name in table.components)
        np.testing.assert_allclose(split, finished - columns["created"], rtol=0,
                                   atol=1e-9 * spec.horizon)
        for name in table.components:
            assert (columns[f"split.{name}"] >= -1e-9 * spec.horizon).all(), (kind, name)
    for flow in ("tech.feature", "tech.incident"):
        share = result.metrics[f"{flow}.collaboration_share"]
        assert np.isnan(share) or 0.0 <= share <= 1.0
