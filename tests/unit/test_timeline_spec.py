"""The timeline's pure pieces: factor steps, staff steps, outage windows and delivery times."""

from __future__ import annotations

import math

import pytest

import sim
from sim.calendar import RateProfile
from sim.scenario.timeline import (
    SCALED_FLOWS,
    delivery_at,
    expected_arrivals,
    factor_steps,
    outages,
    scaled_span,
    staff_steps,
)
from sim.units import DAY, HOUR


def timeline(*entries: dict) -> tuple:
    return sim.scenario_from_dict({
        "name": "t", "horizon": "10d", "teams": {"support": {"members": 4}},
        "support": {"arrivals": "1/h", "handle_time": "exp(1m)"},
        "demand": {"orders": "10/d"}, "suppliers": {"a": {"lead_time": "1d"}},
        "catalog": [{"sku": "X", "supplier": "a"}],
        "timeline": list(entries)}).spec.timeline


def test_the_bundled_flows_register_as_scalable():
    assert {"support", "demand"} <= set(SCALED_FLOWS)


def test_factor_steps_multiply_overlapping_windows_and_undo_them():
    tl = timeline({"from": "1d", "to": "3d", "scale": {"support": 2}},
                  {"from": "2d", "to": "4d", "scale": {"support": 0.5, "demand": 0}},
                  {"from": "6d", "scale": {"support": 0}})
    assert factor_steps(tl, "support") == [(0.0, 1.0), (DAY, 2.0), (2 * DAY, 1.0),
                                           (3 * DAY, 0.5), (4 * DAY, 1.0), (6 * DAY, 0.0)]
    assert factor_steps(tl, "demand") == [(0.0, 1.0), (2 * DAY, 0.0), (4 * DAY, 1.0)]
    assert scaled_span(tl, "support", 10 * DAY) == pytest.approx(
        (1 + 2 + 1 + 0.5 + 1 + 1) * DAY)


def test_expected_arrivals_follow_the_profile_inside_a_window():
    profile = RateProfile(1.0, ((0.0, 0.0), (12 * HOUR, 2.0)))  # only afternoons
    steps = [(0.0, 1.0), (18 * HOUR, 3.0), (DAY, 1.0)]
    # afternoon rate 2: 12:00-18:00 at x1, 18:00-24:00 at x3
    assert expected_arrivals(profile, steps, 0.0, DAY) == pytest.approx(
        2 * 6 * HOUR + 3 * 2 * 6 * HOUR)


def test_staff_steps_are_clipped_to_the_horizon():
    tl = timeline({"from": "1d", "to": "2d", "staff": {"support": 3}},
                  {"from": "9d", "to": "12d", "staff": {"support": -1}},
                  {"from": "11d", "staff": {"support": 5}})
    assert staff_steps(tl, "support", 10 * DAY) == [(DAY, 3), (2 * DAY, -3), (9 * DAY, -1)]
    assert staff_steps(tl, "other", 10 * DAY) == []


def test_outages_merge_and_a_delivery_waits_for_the_end_of_all_of_them():
    tl = timeline({"from": "5d", "to": "6d", "outage": {"supplier": "a"}},
                  {"from": "6d", "to": "7d", "outage": {"supplier": "a"}},  # touching
                  {"from": "8d", "outage": {"supplier": "a"}})
    windows = outages(tl, "a")
    assert windows == ((5 * DAY, 7 * DAY), (8 * DAY, math.inf))
    assert delivery_at(4 * DAY, windows) == 4 * DAY
    assert delivery_at(5 * DAY, windows) == 7 * DAY  # a window holds its start
    assert delivery_at(6.5 * DAY, windows) == 7 * DAY
    assert delivery_at(7 * DAY, windows) == 7 * DAY  # but not its end
    assert delivery_at(9 * DAY, windows) == math.inf  # never, within any run
    assert outages(tl, "b") == ()
