"""A campaign prerequisite tech builds (`page`, `capacity`) with `questions`: tech asks the
campaign's team (`by:`, marketing) that many questions while building it, each a round trip
over the channels, as a feature's questions (sim/model/flows/tech.py).

Theory: one tech member, always on shift, with nothing else to do, works the page as soon
as it arrives; over chat channels with a constant notice to teams always on shift, every
message takes exactly the notice. So each question delays the page by two notices, exactly,
and without channels (answered at once) questions change nothing at all.
"""

from __future__ import annotations

import pytest

import sim
from sim.replication import run_replication
from sim.results import records_frame
from sim.units import HOUR

NOTICE = 2 * HOUR
MARGIN = "campaign.sale.ready_margin.page"


def shop(page: dict | None = None, channels: bool = True, work: dict | None = None,
         trust: dict | None = None, **prerequisites) -> sim.Scenario:
    page = {"effort": "8h", **(page or {})}
    data = {"name": "asks", "horizon": "6d", "seed": 3,
            "teams": {"tech": {"members": 1}, "marketing": {"members": 1}},
            "demand": {"orders": "100/d"},
            # planned work past the horizon: the tech flow is there, with nothing else to do
            "tech": {"work": work or {"later": {"effort": "1h", "at": "30d"}}},
            "campaigns": {"sale": {"start": "4d", "length": "1d", "uplift": 3, "brief": "1d",
                                   "prerequisites": {"page": page, **prerequisites}}}}
    if trust is not None:
        data["trust"] = trust
    if channels:
        data["channels"] = {"default": {"kind": "chat", "notice": "const(2h)"}}
    return sim.scenario_from_dict(data)


def run(scenario: sim.Scenario, replication: int = 0, records: bool = False):
    return run_replication(scenario.spec, seed=3, replication=replication, records=records)


def test_each_question_delays_the_page_by_its_round_trip_exactly():
    plain = run(shop()).metrics[MARGIN]
    asked = run(shop({"questions": 3})).metrics[MARGIN]
    # the brief's way (one notice) and 8h of work, then three round trips more
    assert plain == pytest.approx(3 * 24 * HOUR - NOTICE - 8 * HOUR)
    assert plain - asked == pytest.approx(3 * 2 * NOTICE)


def test_the_questions_go_to_the_campaigns_team_over_its_channel():
    found = run(shop({"questions": 2})).metrics
    assert found["collab.channel.tech.marketing.wait.mean"] == pytest.approx(NOTICE)
    assert found["collab.channel.marketing.tech.wait.mean"] == pytest.approx(NOTICE)
    assert "collab.channel.tech.marketing.wait.mean" not in run(shop()).metrics


def test_a_drawn_count_delays_the_page_by_whole_round_trips():
    """poisson(3): per replication the delay is a whole number of round trips, and it varies
    over replications (a count is drawn per campaign, not fixed)."""
    trips = []
    for replication in range(8):
        plain = run(shop(), replication).metrics[MARGIN]
        asked = run(shop({"questions": "poisson(3)"}), replication).metrics[MARGIN]
        count = (plain - asked) / (2 * NOTICE)
        assert count == pytest.approx(round(count)) and count >= 0, count
        trips.append(round(count))
    assert len(set(trips)) > 1, trips


def test_without_channels_questions_change_nothing():
    """Answered at once: the member goes on, and every number is as without questions."""
    plain = run(shop(channels=False)).metrics
    asked = run(shop({"questions": 5}, channels=False)).metrics
    assert asked.keys() == plain.keys()
    for name, value in plain.items():
        assert asked[name] == value or (value != value and asked[name] != asked[name]), name


@pytest.mark.parametrize("trust", [None, {"default": 1}], ids=["no layer", "trust, no channel"])
def test_without_channels_the_page_never_waits_behind_other_work_for_an_answer(trust):
    """Tech's other item arrives while the page is in hand and waits for the one member; an
    answer that comes at once (no channel carries it, whether or not the collaboration layer
    is on for trust) does not send the page behind it: no ask_back, no delay."""
    other = {"other": {"effort": "4h", "at": "26h"}}
    plain = run(shop(channels=False, work=other, trust=trust), records=True)
    asked = run(shop({"questions": 3}, channels=False, work=other, trust=trust), records=True)
    assert asked.metrics[MARGIN] == plain.metrics[MARGIN] == pytest.approx(
        3 * 24 * HOUR - 8 * HOUR)
    items = records_frame(asked.records["features"])
    assert (items["split.ask_back"] == 0.0).all()


def test_the_pages_split_adds_up_with_its_questions_as_ask_back():
    """The page is one of tech's feature items in the records: its lead time, from the brief,
    is the sum of its components, the questions' round trips being ask_back."""
    result = run(shop({"questions": 3}), records=True)
    items = records_frame(result.records["features"])
    page = items[items["type"] == "request"]
    assert len(page) == 1
    row = page.iloc[0]
    assert row["split.ask_back"] == pytest.approx(3 * 2 * NOTICE)
    assert row["split.channel"] == pytest.approx(NOTICE)
    assert row["split.work"] == pytest.approx(8 * HOUR)
    total = sum(row[name] for name in items.columns if name.startswith("split."))
    assert total == pytest.approx(row["finished"] - row["created"])


def test_capacity_asks_its_questions_too():
    margin = "campaign.sale.ready_margin.capacity"
    capacity = {"effort": "4h", "factor": 2, "due": "3d"}
    alone = {"briefed": False}  # the member's only work is the capacity
    plain = run(shop(alone, capacity=capacity)).metrics[margin]
    asked = run(shop(alone, capacity={**capacity, "questions": 2})).metrics[margin]
    assert plain - asked == pytest.approx(2 * 2 * NOTICE)
