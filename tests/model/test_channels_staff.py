"""Chat and email notice extra staff: a team is reachable while anyone of it is on shift, its
shifts and the members a timeline window or a campaign's staffing put on (for their whole
window, on the run's clock), and not while a window has taken everyone off.

Theory: in the escalations scenario (tests/model/test_channels.py) the warehouse answers at
once, so a question sent at t waits until the warehouse is next reachable. Questions are
Poisson, so their send times are uniform over the observed span; those counted (by delivery
after the 2-day warm-up) are the ones sent from 1d 17:00 to 59d 17:00 (T = 58 days), and the
mean wait is sum(g^2 / 2) / T over the span's off-shift gaps g, its second moment
sum(g^3 / 3) / T: a mean over n questions is within 4 standard errors of it.
"""

from __future__ import annotations

import math

import pytest
from simpy import Environment

from sim.model.org.channels import Reach
from tests.model.test_channels import escalations, run_once

HOUR = 60.0
SPAN = 58 * 24 * HOUR  # 1d 17:00 to 59d 17:00


def nights(first: int, last: int) -> list[float]:
    """The warehouse's off-shift gaps (17:00 to 09:00) after the days first..last, minutes."""
    return [16 * HOUR] * (last - first + 1)


def check_wait(result, gaps: list[float]) -> None:
    mean = sum(g * g / 2 for g in gaps) / SPAN
    second = sum(g ** 3 / 3 for g in gaps) / SPAN
    n = result.metrics["collab.channel.support.warehouse.messages_per_day"] * 58
    found = result.metrics["collab.channel.support.warehouse.wait.mean"]
    assert abs(found - mean) < 4 * math.sqrt((second - mean ** 2) / n)


def test_without_extra_staff_the_wait_is_24_minus_h_squared_over_48():
    check_wait(run_once(escalations()), nights(1, 58))


def test_a_timeline_window_of_extra_staff_is_reachable_all_day():
    # one more warehouse member from 10d 00:00 to 40d 00:00: no wait inside; the night
    # before ends at midnight (7 h) and the first morning after waits from midnight (9 h)
    data = escalations(timeline=[{"from": "10d", "to": "40d", "staff": {"warehouse": 1}}])
    check_wait(run_once(data), [*nights(1, 8), 7 * HOUR, 9 * HOUR, *nights(40, 58)])


def test_a_window_that_takes_everyone_off_leaves_nobody_to_notice():
    # the warehouse's two members off for their shift of day 10 (09:00 to 17:00): questions
    # from 9d 17:00 wait until 11d 09:00, 40 hours
    data = escalations(timeline=[{"from": "249h", "to": "257h", "staff": {"warehouse": -2}}])
    check_wait(run_once(data), [*nights(1, 8), 40 * HOUR, *nights(11, 58)])


def with_campaign_staff(effort: str = "1m") -> dict:
    """The escalations scenario with a campaign that staffs the warehouse for 10d to 40d
    (known only at run time: the staffing must be arranged, `effort`, by 9d)."""
    data = escalations(demand={"orders": "1/d"})
    data["teams"]["marketing"] = {"members": 1}
    data["campaigns"] = {"sale": {
        "start": "10d", "length": "30d", "uplift": 1, "brief": "5d",
        "prerequisites": {"staffing": {"warehouse": {"effort": effort, "due": "9d",
                                                     "members": 1}}}}}
    return data


def test_a_campaign_s_staff_wakes_the_questions_already_waiting():
    # the questions of the night before 10d were waiting for 09:00 when the staff came on
    # at midnight: they are noticed then, as with the timeline window
    result = run_once(with_campaign_staff())
    assert result.metrics["campaign.sale.ready_margin.staffing.warehouse"] > 0
    check_wait(result, [*nights(1, 8), 7 * HOUR, 9 * HOUR, *nights(40, 58)])
    timeline = run_once(escalations(
        timeline=[{"from": "10d", "to": "40d", "staff": {"warehouse": 1}}]))
    assert result.metrics["collab.channel.support.warehouse.wait.mean"] == pytest.approx(
        timeline.metrics["collab.channel.support.warehouse.wait.mean"], rel=1e-12)


def test_staffing_not_arranged_in_time_adds_nobody_to_reach():
    # six days of arranging from the brief at 5d (begun at 09:00, worked through): late
    late = run_once(with_campaign_staff(effort="6d"))
    assert late.metrics["campaign.sale.ready_margin.staffing.warehouse"] < 0
    plain = run_once(escalations())
    assert late.metrics["collab.channel.support.warehouse.wait.mean"] == pytest.approx(
        plain.metrics["collab.channel.support.warehouse.wait.mean"], rel=1e-12)


# --- the reach itself -------------------------------------------------------------------------

def test_added_spans_merge_with_those_they_touch_or_overlap():
    reach = Reach(([100.0, 300.0, 500.0], [200.0, 400.0, 600.0]), horizon=1000.0)
    reach.add(250.0, 260.0)  # in a gap: a new span
    assert (reach.starts, reach.ends) == ([100.0, 250.0, 300.0, 500.0],
                                          [200.0, 260.0, 400.0, 600.0])
    reach.add(260.0, 500.0)  # touches three: one span
    assert (reach.starts, reach.ends) == ([100.0, 250.0], [200.0, 600.0])
    reach.add(900.0, 2000.0)  # cut at the horizon
    assert (reach.starts, reach.ends) == ([100.0, 250.0, 900.0], [200.0, 600.0, 1000.0])
    reach.add(0.0, 100.0)
    assert (reach.starts, reach.ends) == ([0.0, 250.0, 900.0], [200.0, 600.0, 1000.0])


def test_a_waiting_message_counts_the_shift_time_before_the_staff_came():
    env = Environment()
    reach = Reach(([0.0, 1000.0], [100.0, 1100.0]), horizon=2000.0)
    done = {}

    def message(sent: float, notice: float):
        yield env.timeout(sent)
        yield from reach.wait(env, sent, notice)
        done[sent] = env.now

    def staff():
        yield env.timeout(500.0)
        reach.add(500.0, 600.0)

    env.process(message(90.0, 30.0))  # 10 min on shift before 100, 20 more from 500
    env.process(message(95.0, 200.0))  # 5 + 100 from 500, then 95 from 1000
    env.process(message(1500.0, 1.0))  # nobody after 1100: in transit at the horizon
    env.process(staff())
    env.run(until=2000.0)
    assert done == {90.0: 520.0, 95.0: 1095.0}
    assert list(reach.waiting) and all(sent == 1500.0 for sent, _, _ in
                                       reach.waiting.values())
