"""Channels between teams (issue 10): exact waits, meetings, escalations' round trips,
messages conserved, and no change at all without collaboration settings."""

from __future__ import annotations

import math

import numpy as np
import pytest

import sim
from sim.model.org.channels import after_shift_time, next_occurrence
from sim.replication import build_model, run_replication
from sim.scenario import scenario_from_dict


def escalations(warehouse_shift: str = "09:00-17:00", channels: dict | None = None,
                horizon: str = "60d", **extra) -> dict:
    """The issue's minimal escalations scenario, with its parameters open."""
    data = {
        "name": "escalations", "horizon": horizon, "warmup": "2d", "seed": 3,
        "teams": {"support": {"members": 4, "shift": "always"},
                  "warehouse": {"members": 2, "shift": warehouse_shift}},
        "support": {"arrivals": "20/h", "inquiry_types": {"where_is_my_order": {
            "share": 1, "handle_time": "exp(2m)",
            "escalate": {"to": "warehouse", "share": 0.5, "work": "const(1s)"}}}},
        "channels": channels or {"default": {"kind": "chat", "notice": "const(0s)"}},
    }
    data.update(extra)
    return data


def run_once(data: dict, replication: int = 0, records: bool = False):
    return run_replication(scenario_from_dict(data).spec, data["seed"], replication,
                           records=records)


# --- the calendar arithmetic ------------------------------------------------------------------

def test_shift_time_waits_for_the_next_shift_then_counts_only_on_shift_time():
    starts, ends = [540.0, 1980.0], [1020.0, 2460.0]  # 09:00-17:00 on two days
    assert after_shift_time(starts, ends, 600.0, 0.0) == 600.0  # on shift: at once
    assert after_shift_time(starts, ends, 0.0, 0.0) == 540.0  # before: at the start
    assert after_shift_time(starts, ends, 1000.0, 60.0) == 1980.0 + 40.0  # over the night
    assert after_shift_time(starts, ends, 1020.0, 0.0) == 1980.0  # at the end: next shift
    assert after_shift_time(starts, ends, 2400.0, 61.0) is None  # beyond the horizon


def test_meetings_are_the_next_occurrence_at_or_after_now():
    week = 7 * 1440.0
    assert next_occurrence(600.0, week, 0.0) == 600.0
    assert next_occurrence(600.0, week, 600.0) == 600.0
    assert next_occurrence(600.0, week, 601.0) == 600.0 + week


# --- exact waits ------------------------------------------------------------------------------

def _wait_tolerance(hours_on: float, messages: float) -> float:
    """Four standard errors of the mean wait (minutes) of `messages` uniform arrivals for a
    team on `hours_on` a day: zero with probability h/24, else uniform over the off hours."""
    off = (24 - hours_on) * 60.0
    p_off = off / 1440.0
    mean = p_off * off / 2
    second = p_off * off ** 2 / 3
    return 4 * math.sqrt(second - mean ** 2) / math.sqrt(messages)


@pytest.mark.parametrize("shift, hours", [("09:00-17:00", 8), ("06:00-22:00", 16)])
def test_a_message_to_a_team_online_h_hours_waits_24_minus_h_squared_over_48(shift, hours):
    result = run_once(escalations(shift))
    wait = result.metrics["collab.channel.support.warehouse.wait.mean"]
    expected = (24 - hours) ** 2 / 48 * 60  # 320 min for h = 8
    messages = result.metrics["support.arrivals_per_day"] * 58 * 0.5
    assert abs(wait - expected) < _wait_tolerance(hours, messages)
    # the answer goes back to a desk that is always on: no wait at all
    assert result.metrics["collab.channel.warehouse.support.wait.mean"] == 0.0


def test_the_minimal_escalations_scenario_gives_320_minutes():
    results = sim.run(sim.scenario_from_dict(escalations()), reps=2, jobs=1)
    waits = results.metrics["collab.channel.support.warehouse.wait.mean"]
    assert abs(waits.mean() - 320.0) < _wait_tolerance(8, 2 * 58 * 240)


def test_items_for_a_weekly_meeting_wait_half_a_week():
    meeting = {"kind": "meeting", "every": "1w", "at": "wed 14:00", "duration": "0s"}
    data = escalations("always", {"default": {"kind": "chat"}, "support->warehouse": meeting},
                       horizon="30w")
    result = run_once(data)
    wait = result.metrics["collab.channel.support.warehouse.wait.mean"]
    week = 7 * 1440.0
    messages = result.metrics["support.arrivals_per_day"] * (30 * 7 - 2) * 0.5
    # uniform over the week: sd week / sqrt(12), and successive weeks are independent
    assert abs(wait - week / 2) < 4 * week / math.sqrt(12) / math.sqrt(messages / 240)
    # half the inquiries are escalated: half the wait per resolved inquiry
    assert result.metrics["support.time_split.meeting"] == pytest.approx(wait / 2, rel=0.1)


def test_chat_notice_runs_on_shift_time_only():
    data = escalations("always", {"default": {"kind": "chat", "notice": "const(25m)"}})
    result = run_once(data)
    assert result.metrics["collab.channel.support.warehouse.wait.mean"] == pytest.approx(25.0)
    assert result.metrics["collab.channel.warehouse.support.wait.mean"] == pytest.approx(25.0)


# --- escalations ------------------------------------------------------------------------------

def test_time_to_resolve_includes_the_round_trip():
    slow = run_once(escalations("always", {"default": {"kind": "chat",
                                                        "notice": "const(1h)"}}))
    fast = run_once(escalations("always", {"default": {"kind": "chat",
                                                        "notice": "const(0s)"}}))
    # half the inquiries make two legs of an hour each: one hour more on average
    gained = (slow.metrics["support.time_to_resolve.mean"]
              - fast.metrics["support.time_to_resolve.mean"])
    assert gained == pytest.approx(60.0, rel=0.05)
    assert slow.metrics["support.time_split.channel"] == pytest.approx(60.0, rel=0.05)


def test_the_time_split_means_add_up_to_the_mean_time_to_resolve():
    result = run_once(escalations())
    m = result.metrics
    parts = sum(v for k, v in m.items() if k.startswith("support.time_split."))
    assert parts == pytest.approx(m["support.time_to_resolve.mean"], rel=1e-9)
    assert 0.9 < m["support.collaboration_share"] < 1.0  # the channel wait dominates


def test_messages_and_inquiries_are_conserved_with_work_in_flight():
    result = run_once(escalations(horizon="3d", warmup="1d"))
    names = {b.name: b for b in result.balances}
    assert names["collaboration messages"].holds
    assert names["support inquiries"].holds
    assert names["work requests to warehouse"].holds
    # the run ends while the warehouse is off shift: some questions are still in flight
    in_flight = names["collaboration messages"].parts["in flight"]
    assert in_flight > 0
    assert names["support inquiries"].parts["escalated, waiting for the answer"] >= in_flight


def test_wrong_hand_offs_go_back_as_rework_and_count_in_the_rework_share():
    data = escalations("always", {"default": {"kind": "chat", "notice": "const(5m)",
                                              "error": 0.25}})
    result = run_once(data)
    m = result.metrics
    # every attempt is wrong with probability 0.25, on both legs: a share of 0.25
    attempts = m["support.arrivals_per_day"] * 58 * 0.5 * 2 / 0.75
    assert abs(m["collab.rework_share"] - 0.25) < 4 * math.sqrt(0.25 * 0.75 / attempts)
    assert m["support.time_split.handoff_rework"] > 0


# --- meetings: the tax ------------------------------------------------------------------------

def test_a_daily_hour_long_meeting_takes_a_24th_of_always_on_members_time():
    meeting = {"kind": "meeting", "every": "1d", "at": "10:00", "duration": "1h"}
    data = escalations("always", {"default": meeting}, horizon="10d")
    result = run_once(data)
    # every member of both teams is on shift all the time and attends; window edges are
    # whole days, so the share is exact
    assert result.metrics["collab.meeting_share"] == pytest.approx(1 / 24, rel=1e-9)


def test_a_meeting_sets_work_in_hand_aside_and_it_is_resumed_after():
    """Non-preemptive support work is set aside for the meeting and finishes an hour late."""
    meeting = {"kind": "meeting", "every": "1d", "at": "10:00", "duration": "1h"}
    data = escalations("always", {"default": meeting}, horizon="1d", warmup="0s")
    data["support"] = {"arrivals": "1/d", "handle_time": "const(2h)",
                       "inquiry_types": data["support"]["inquiry_types"]}
    kind = data["support"]["inquiry_types"]["where_is_my_order"]
    kind["handle_time"] = "const(2h)"
    kind["escalate"]["share"] = 0  # the pair still meets
    env, ctx, flows = build_model(scenario_from_dict(data).spec, 3, 0, records=True)
    desk = flows[0]
    env.run(until=9 * 60)
    desk.accept(0, env.now)  # 2 h of work from 09:00; the meeting takes 10:00-11:00
    env.run(until=1440)
    desk.collect(env.now)
    table = ctx.records.tables(0)["support"]
    first = int(np.flatnonzero(table.columns["created"] == 9 * 60)[0])
    assert table.columns["finished"][first] == pytest.approx(12 * 60.0)
    # the hour set aside is the meeting's (collaboration), not pre-emption's
    assert table.columns["split.meeting"][first] == pytest.approx(60.0)
    assert table.columns["split.preempted"][first] == 0.0


# --- nothing changes without the sections -----------------------------------------------------

def test_zero_collaboration_settings_give_a_share_of_exactly_zero():
    data = escalations("always", {"default": {"kind": "chat", "notice": "const(0s)"}},
                       trust={"default": 1, "verification": "20m",
                              "dynamics": {"gain": 0.1, "loss": 0.3}})
    result = run_once(data, records=True)
    assert result.metrics["support.collaboration_share"] == 0.0
    table = result.records["support"]
    for name, tag in table.components.items():
        if tag == "collaboration":
            assert (table.columns[f"split.{name}"] == 0.0).all()


def test_escalated_questions_count_in_the_receiving_team_s_overload_check():
    data = escalations("always", horizon="6d")
    data["teams"]["warehouse"]["members"] = 1
    data["support"]["inquiry_types"]["where_is_my_order"]["escalate"]["work"] = "exp(9m)"
    result = run_once(data)  # 10 questions an hour of 9 minutes for one member: load 1.5
    warehouse = next(note for note in result.notes if note.team == "warehouse")
    assert warehouse.overloaded
    assert ("support", "escalations") in warehouse.flows
    assert warehouse.load == pytest.approx(1.5, rel=0.1)
