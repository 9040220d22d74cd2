"""Issue 10's stories (part 8, "How it will be checked"): each promotion_* collaboration
scenario raises the promotion's collaboration share and worsens one of campaign orders,
support abandonment or order lead time; team building ends with higher trust than low trust.

The full check runs the scenarios at their default replications and asks for 95% confidence
intervals that do not overlap (slow). The default suite runs a short version: two paired
replications (common random numbers) over a horizon that ends half a day after the sale;
the share must rise in each pair, the worsened outcome on the pair's mean (one replication's
abandonment can tie: the stories change only what is handed between teams, a small part of
the desk's work).

promotion_remote_tech is checked by tests/model/test_remote_tech_calibration.py.
"""

from __future__ import annotations

import pytest

import sim
from sim.analysis.statistics import mean_ci
from sim.bundled import find_bundled

SHARE = "support.collaboration_share"  # escalations are the promotion's cross-team hand-offs
# story -> the outcome it worsens (all "higher is worse")
STORIES = {"promotion_weekly_meetings": "orders.lead_time.mean",  # the forecast's brief waits
           "promotion_low_trust": "support.abandoned_share",
           "promotion_unclear_roles": "support.abandoned_share"}
TRUST = ("trust.support.warehouse.final", "trust.warehouse.support.final")
SHORT = {"horizon": "420h"}


def run(name: str, reps: int | None, overrides: dict | None = None):
    return sim.run(find_bundled(name), reps=reps, overrides=overrides or {}, jobs=1)


@pytest.fixture(scope="module")
def short_runs():
    names = ["promotion", *STORIES, "promotion_team_building"]
    return {name: run(name, 2, SHORT) for name in names}


def mean(values) -> float:
    return sum(values) / len(values)


def test_the_prepared_promotion_has_no_collaboration_time(short_runs):
    assert list(short_runs["promotion"].metrics[SHARE]) == [0.0, 0.0]


@pytest.mark.parametrize("story", sorted(STORIES))
def test_each_story_raises_the_share_and_worsens_an_outcome_short(short_runs, story):
    base, told = short_runs["promotion"].metrics, short_runs[story].metrics
    for plain, changed in zip(base[SHARE], told[SHARE], strict=True):
        assert changed > plain, (story, plain, changed)
    worse = STORIES[story]
    assert mean(told[worse]) > mean(base[worse]), (story, worse, base[worse], told[worse])


def test_team_building_ends_with_more_trust_than_low_trust_short(short_runs):
    low = run("promotion_low_trust", 2, SHORT).metrics
    built = short_runs["promotion_team_building"].metrics
    for name in TRUST:
        for distrust, trust in zip(low[name], built[name], strict=True):
            assert trust > distrust, (name, distrust, trust)


@pytest.mark.slow
@pytest.mark.parametrize("story", sorted(STORIES))
def test_each_story_differs_with_confidence_intervals_apart(story):
    base, told = run("promotion", None).metrics, run(story, None).metrics
    for name in (SHARE, STORIES[story]):
        plain, changed = mean_ci(base[name]), mean_ci(told[name])
        assert changed.low > plain.high, (story, name, plain, changed)


@pytest.mark.slow
def test_team_building_ends_with_more_trust_with_confidence_intervals_apart():
    low, built = run("promotion_low_trust", None).metrics, \
        run("promotion_team_building", None).metrics
    for name in TRUST:
        distrust, trust = mean_ci(low[name]), mean_ci(built[name])
        assert trust.low > distrust.high, (name, distrust, trust)


def test_the_sale_days_meeting_takes_the_extra_staff_too(monkeypatch):
    """The meeting tax falls on the members of the day: at the sale's 10:00 meeting the desk
    has its morning shift (5) and the campaign's 12 extra hands, all of whom attend (the
    warehouse's Wednesday meeting with the desk)."""
    from sim.model.org.members import MemberPool
    called: dict[tuple[str, float], int] = {}
    call_away = MemberPool.call_away

    def counting(pool, member):
        taken = call_away(pool, member)
        key = (pool.name, pool.env.now)
        called[key] = called.get(key, 0) + taken
        return taken
    monkeypatch.setattr(MemberPool, "call_away", counting)
    run("promotion_weekly_meetings", 1, {"horizon": "396h"})
    sale_meeting = 16 * 24 * 60 + 10 * 60
    assert called[("support", sale_meeting)] == 5 + 12
    assert called[("support", sale_meeting - 7 * 24 * 60)] == 5
