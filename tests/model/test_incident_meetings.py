"""An incident's wait for an engineer while the team is in a meeting is the meeting's time
(collaboration), not operations: the meeting tax reaches the time to restore.

Theory: engineers work incidents through grants, which a meeting never takes, but a meeting
takes every member of the team who is not on one, so an incident paged during it waits for
its end. With a daily meeting of length D and incidents paged at Poisson (uniform) times,
the meeting part of an incident's wait is 0 with probability 1 - D/day and else uniform on
[0, D]: mean D^2 / (2 day), second moment D^3 / (3 day); a mean over n incidents is within
4 standard errors of it. Per incident it is exactly the overlap of its wait with the
meetings.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from simpy import Environment

import sim
from sim.model.org.members import MemberPool
from sim.replication import run_replication
from sim.results import records_frame
from sim.units import DAY, HOUR
from tests.model.test_on_call import build

MEETING_START = 10 * HOUR  # every day at 10:00
MEETING = 6 * HOUR


def with_meeting(duration: str = "6h", **extra) -> dict:
    data = {"name": "meet", "horizon": "200d", "warmup": "1d", "seed": 7,
            "teams": {"tech": {"members": 4, "shift": "always"}, "marketing": {"members": 1}},
            "tech": {"incidents": {"sev2": {"rate": "10/d", "fix_time": "const(10m)"}}},
            "channels": {"marketing->tech": {"kind": "meeting", "every": "1d", "at": "10:00",
                                             "duration": duration}}}
    data.update(extra)
    return data


def run(data: dict, records: bool = False):
    return run_replication(sim.scenario_from_dict(data).spec, data["seed"], 0,
                           records=records)


def test_an_incident_paged_in_a_meeting_waits_for_its_end_as_meeting_time():
    result = run(with_meeting())
    m = result.metrics
    mean = MEETING ** 2 / (2 * DAY)  # 45 min
    second = MEETING ** 3 / (3 * DAY)
    n = m["tech.incidents_per_day"] * 199
    assert abs(m["tech.incident.time_split.meeting"] - mean) < 4 * math.sqrt(
        (second - mean ** 2) / n)
    parts = sum(v for k, v in m.items() if k.startswith("tech.incident.time_split."))
    assert parts == pytest.approx(m["tech.incident.time_to_restore.mean"], rel=1e-12)
    assert m["tech.incident.collaboration_share"] == pytest.approx(
        m["tech.incident.time_split.meeting"] / m["tech.incident.time_to_restore.mean"])


def test_per_incident_the_meeting_part_is_the_overlap_of_its_wait_with_the_meetings():
    result = run(with_meeting(horizon="30d"), records=True)
    frame = records_frame(result.records["incidents"])
    done = frame[frame["outcome"] == "resolved"]
    paged = done["created"] + done["split.detect"] + done["split.page"]
    started = paged + done["split.wait"] + done["split.meeting"]
    day_start = np.floor(paged / DAY) * DAY
    meeting_end = day_start + MEETING_START + MEETING
    in_meeting = (paged >= day_start + MEETING_START) & (paged < meeting_end)
    overlap = np.where(in_meeting, np.minimum(started, meeting_end) - paged, 0.0)
    np.testing.assert_allclose(done["split.meeting"], overlap, rtol=0, atol=1e-9 * DAY)
    assert in_meeting.sum() > 10 and (done["split.meeting"][~in_meeting] == 0).all()
    for other in ("channel", "verification", "ask_back", "handoff_rework", "duplicate",
                  "orphaned"):
        assert (done[f"split.{other}"] == 0).all()


def test_without_a_meeting_no_incident_time_is_collaboration():
    m = run(with_meeting("0s")).metrics
    assert m["tech.incident.time_split.meeting"] == 0.0
    assert m["tech.incident.collaboration_share"] == 0.0


def test_the_member_on_call_in_a_meeting_takes_the_page_after_it():
    # nobody on shift at 08:55: the page (10 min) goes to the member on call, whose shift
    # starts at 09:00 with an hour's meeting: the incident waits for its end, 55 minutes
    data = {"name": "call", "horizon": "2d",
            "teams": {"tech": {"members": 2, "shift": "09:00-17:00"},
                      "marketing": {"members": 1}},
            "tech": {"on_call": {"off_shift_page": "10m"},
                     "incidents": {"sev2": {"fix_time": "const(30m)"}}},
            "channels": {"marketing->tech": {"kind": "meeting", "every": "1d", "at": "09:00",
                                             "duration": "1h"}}}
    env, tech = build(data)
    env.run(until=DAY + 8 * HOUR + 55)
    incident = tech.incidents.occur("sev2", "background", env.now)
    env.run(until=2 * DAY)
    assert incident.off_shift
    assert incident.started_at == DAY + 10 * HOUR
    split = dict(zip(("detect", "page", "wait", "fix"), incident.split(env.now), strict=False))
    assert split == {"detect": 0.0, "page": 10.0, "wait": 0.0, "fix": 30.0}
    assert incident.meeting == 55.0


def test_the_pool_clocks_count_time_with_anyone_away_and_each_member_s():
    env = Environment()
    pool = MemberPool(env, "tech", 60.0, 10, [])
    ann, bob = pool.add_group(["ann", "bob"], (), 1.0)
    pool.come_on(ann)
    pool.come_on(bob)

    def meetings():
        yield env.timeout(10)
        pool.call_away(ann)
        yield env.timeout(5)
        pool.call_away(bob)
        yield env.timeout(10)
        pool.come_back(ann)  # 15 away
        yield env.timeout(10)
        pool.come_back(bob)  # 20 away
        yield env.timeout(20)
        pool.call_away(bob)

    env.process(meetings())
    env.run(until=60)
    assert pool.away_clock(60.0) == pytest.approx(25 + 5)  # 10..35 and 55..60
    assert pool.member_away_clock(ann, 60.0) == 15.0
    assert pool.member_away_clock(bob, 60.0) == 20.0 + 5.0
