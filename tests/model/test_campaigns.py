"""Campaigns on small models: the uplift over the window, prerequisites handed to teams and
what each does when it is (or is not) done by the start.

Theory: orders are Poisson; over a window of length L at rate r x u the count is Poisson
with mean r u L, so R replications average it within z sqrt(r u L / R). Work items handed
to an idle member of speed 1 are done `effort` after the brief, so readiness margins are
exact.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import sim
from sim.model.flows.campaigns import Campaigns
from sim.model.org.roster import add_staff
from sim.replication import build_model, run_replication
from sim.scenario.errors import ScenarioError
from sim.units import DAY, HOUR

Z = 4.0  # standard errors allowed on a mean: a false alarm about once in 16,000 checks
RATE = 240.0  # orders per day


def shop(campaign: dict | None = None, catalog: bool = False, **extra) -> sim.Scenario:
    data = {"name": "camp", "horizon": "6d", "seed": 5,
            "teams": {"tech": {"members": 1}, "supply": {"members": 1},
                      "support": {"members": 2}, "marketing": {"members": 1}},
            "demand": {"orders": f"{RATE:g}/d"},
            "support": {"arrivals": "2/h", "handle_time": "exp(4m)"}, **extra}
    if catalog:
        data["catalog"] = {"products": [
            {"sku": "A", "demand_share": 1, "price": 10, "initial_stock": 10_000,
             "supplier": "dom", "policy": {"type": "sS", "min": 1, "max": 10_000}},
            {"sku": "B", "demand_share": 3, "price": 10, "initial_stock": 10_000,
             "supplier": "dom", "policy": {"type": "sS", "min": 1, "max": 10_000}}]}
        data["suppliers"] = {"dom": {"lead_time": "const(1d)"}}
    base = {"start": "4d", "length": "1d", "uplift": 3, "brief": "1d"}
    data["campaigns"] = {"sale": {**base, **(campaign or {})}}
    return sim.scenario_from_dict(data)


def metrics(scenario: sim.Scenario, reps: int = 1, records: bool = False) -> dict[str, list]:
    results = [run_replication(scenario.spec, seed=5, replication=r, records=records)
               for r in range(reps)]
    return {name: [r.metrics[name] for r in results] for name in results[0].metrics}


def test_orders_in_the_window_follow_the_uplift_within_poisson_error():
    reps = 20
    found = metrics(shop(), reps)
    mean = RATE * 3  # one day at three times the rate
    assert abs(np.mean(found["campaign.sale.orders"]) - mean) < Z * math.sqrt(mean / reps)
    realised = np.mean(found["campaign.sale.uplift_realised"])
    assert abs(realised - 3) < Z * math.sqrt(mean / reps) / RATE
    assert found["campaign.sale.lost_orders"] == [0.0] * reps  # no site in the model
    assert all(math.isnan(v) for v in found["campaign.sale.fill_rate"])  # no catalog


def test_a_page_done_in_time_has_an_exact_margin_and_the_full_uplift():
    page = {"effort": "8h", "due": "3d"}
    scenario = shop({"prerequisites": {"page": page}, "uplift_without_page": 1})
    found = metrics(scenario, 10)
    # briefed at 1d, one tech member works 8h: done at 1d 8h, start at 4d
    assert found["campaign.sale.ready_margin.page"][0] == pytest.approx(3 * DAY - 8 * HOUR)
    assert abs(np.mean(found["campaign.sale.uplift_realised"]) - 3) < Z * math.sqrt(
        3 * RATE / 10) / RATE


def test_a_late_page_runs_the_campaign_on_the_old_page():
    page = {"effort": "4d", "due": "3d"}  # briefed at 1d: done at 5d, a day after the start
    found = metrics(shop({"prerequisites": {"page": page}, "uplift_without_page": 1.5}), 10)
    assert found["campaign.sale.ready_margin.page"][0] == pytest.approx(-DAY)
    assert abs(np.mean(found["campaign.sale.uplift_realised"]) - 1.5) < Z * math.sqrt(
        1.5 * RATE / 10) / RATE


def test_if_late_delay_waits_for_the_page_and_moves_the_window():
    page = {"effort": "84h", "due": "3d", "if_late": "delay"}  # done at 4d 12h
    env, ctx, flows = build_model(shop({"prerequisites": {"page": page}}).spec, 5, 0)
    env.run(until=6 * DAY)
    run = next(f for f in flows if isinstance(f, Campaigns)).runs[0]
    assert run.started_at == pytest.approx(4.5 * DAY)
    assert run.ended_at == pytest.approx(5.5 * DAY)
    assert run.page_ready


def test_a_page_waits_for_the_tech_work_it_names_before_it_is_built():
    # tech plans 'design' (16h of work, requested at 25h; one member). The page (8h) is
    # handed over at the brief (24h): alone it is built at once, done at 32h; after design
    # it waits for design's deploy at 25h + 16h and is done 8h later, at 49h
    tech = {"work": {"design": {"effort": "const(16h)", "at": "25h"}}}
    start = 4 * DAY
    alone = metrics(shop({"prerequisites": {"page": {"effort": "8h"}}}, tech=tech))
    assert alone["campaign.sale.ready_margin.page"][0] == pytest.approx(start - 32 * HOUR)
    page = {"effort": "8h", "after": ["design"]}
    found = metrics(shop({"prerequisites": {"page": page}}, tech=tech))
    assert found["campaign.sale.ready_margin.page"][0] == pytest.approx(start - 49 * HOUR)


def test_a_prerequisite_briefed_later_than_the_others_is_handed_over_at_its_own_brief():
    # the campaign briefs at 1d; the page waits for the final offer, briefed at 2d 6h: done
    # 8h later (one idle member), while the forecast goes at 1d and is done 2h after
    prerequisites = {"page": {"effort": "8h", "brief": "54h"}, "forecast": {"effort": "2h"}}
    found = metrics(shop({"prerequisites": prerequisites}))
    assert found["campaign.sale.ready_margin.page"][0] == pytest.approx(4 * DAY - 62 * HOUR)
    assert found["campaign.sale.ready_margin.forecast"][0] == pytest.approx(3 * DAY - 2 * HOUR)
    # an earlier one of its own: the page briefed at 12h, before the campaign's 1d
    early = metrics(shop({"prerequisites": {"page": {"effort": "8h", "brief": "12h"}}}))
    assert early["campaign.sale.ready_margin.page"][0] == pytest.approx(4 * DAY - 20 * HOUR)


def test_a_brief_of_its_own_equal_to_the_campaigns_changes_nothing():
    prerequisites = {"page": {"effort": "8h", "due": "3d"}, "forecast": {"effort": "2h"}}
    plain = metrics(shop({"prerequisites": prerequisites}, catalog=True), 3)
    prerequisites["page"]["brief"] = "1d"
    same = metrics(shop({"prerequisites": prerequisites}, catalog=True), 3)
    assert plain == same


def test_a_due_time_before_its_own_brief_is_warned_about():
    page = {"effort": "1h", "brief": "3d", "due": "2d"}
    warnings = shop({"prerequisites": {"page": page}}).warnings
    assert any("prerequisites.page.due" in w and "late from the moment" in w and "(3 d)" in w
               for w in warnings), warnings
    fine = shop({"prerequisites": {"page": {**page, "due": "3d"}}}).warnings
    assert not any("late from the moment" in w for w in fine), fine


def test_an_unbriefed_campaign_hands_nothing_over():
    prerequisites = {"page": {"effort": "1h"}, "forecast": {"effort": "1h"},
                     "staffing": {"support": {"effort": "1h", "members": 3}}}
    found = metrics(shop({"prerequisites": prerequisites, "briefed": False,
                          "uplift_without_page": 1}, catalog=True), 10)
    for item in ("page", "forecast", "staffing.support"):
        assert all(math.isnan(v) for v in found[f"campaign.sale.ready_margin.{item}"])
    # without its page the campaign brings nothing: the window sees the plain rate
    assert abs(np.mean(found["campaign.sale.uplift_realised"]) - 1) < Z * math.sqrt(
        RATE / 10) / RATE


def test_the_forecast_buys_the_expected_extra_units_once():
    # an exact forecast of a 3x day at 240 orders/d of one unit each: 480 extra units,
    # split by demand share (A 1/4, B 3/4)
    scenario = shop({"prerequisites": {"forecast": {"effort": "2h", "due": "2d"}}},
                    catalog=True)
    env, ctx, flows = build_model(scenario.spec, 5, 0)
    env.run(until=1 * DAY + 2 * HOUR + 1)
    inventory = ctx.services["inventory"]
    assert inventory.forecast_units == 480
    # reserved for the sale: outside the policies' position, held when it arrives (2d 2h)
    assert all(p.on_order == 0 for p in inventory.products)
    env.run(until=3 * DAY)
    assert inventory.forecast_held == 480
    env.run(until=4 * DAY + 1)  # the sale starts: the held units go on hand
    assert inventory.forecast_held == 0
    received = [p.received for p in inventory.products]
    assert received == [120, 360]


def test_a_forecast_error_scales_the_purchase():
    forecast = {"effort": "2h", "due": "2d", "error": "const(0.5)"}
    scenario = shop({"prerequisites": {"forecast": forecast}}, catalog=True)
    env, ctx, _ = build_model(scenario.spec, 5, 0)
    env.run(until=2 * DAY)
    assert ctx.services["inventory"].forecast_units == 240


def test_product_uplifts_shift_the_mix_and_raise_the_rate_by_their_weighted_mean():
    reps = 10
    scenario = shop({"uplift": 1, "uplift_by_product": {"A": 9}}, catalog=True)
    found = metrics(scenario, reps)
    # A has a quarter of demand: the rate rises by 1/4 x 9 + 3/4 x 1 = 3
    mean = RATE * 3
    assert abs(np.mean(found["campaign.sale.orders"]) - mean) < Z * math.sqrt(mean / reps)
    assert np.mean(found["campaign.sale.fill_rate"]) == 1.0  # plenty of stock


def test_campaign_orders_are_all_accounted_for_in_the_records():
    result = run_replication(shop().spec, seed=5, replication=0, records=True)
    table = result.records["orders"]
    placed = table.columns["created"]
    in_window = int(((placed >= 4 * DAY) & (placed < 5 * DAY)).sum())
    assert result.metrics["campaign.sale.orders"] == in_window
    balance = next(b for b in result.balances if b.name == "campaign.sale orders")
    assert sum(balance.parts.values()) == balance.total == in_window


def test_staffing_puts_extra_members_on_shift_for_the_window():
    staffing = {"support": {"effort": "1h", "members": 3}}
    env, ctx, _ = build_model(shop({"prerequisites": {"staffing": staffing}}).spec, 5, 0)
    pool = ctx.pool("support")
    env.run(until=4 * DAY + HOUR)
    assert pool.on_shift_level.value == 5
    env.run(until=5 * DAY + HOUR)
    assert pool.on_shift_level.value == 2


def test_campaign_staff_is_paid_for_the_hours_it_is_on_shift():
    teams = {"tech": {"members": 1}, "supply": {"members": 1}, "marketing": {"members": 1},
             "support": {"members": 2, "cost_per_hour": 30}}
    staffing = {"support": {"effort": "1h", "members": 3, "length": "36h"}}
    plain = run_replication(shop(teams=teams).spec, seed=5, replication=0)
    staffed = run_replication(shop({"prerequisites": {"staffing": staffing}},
                                   teams=teams).spec, seed=5, replication=0)
    # three members for 36 hours (4d to 5d 12h, inside the 6d run) at 30 an hour
    assert staffed.metrics["cost.staff"] - plain.metrics["cost.staff"] == pytest.approx(
        3 * 36 * 30)


def test_extra_staff_join_a_team_of_agents_like_its_first_group():
    scenario = shop(teams={"tech": {"members": 1}, "supply": {"members": 1},
                           "marketing": {"members": 1},
                           "support": {"members": 2, "skills": ["billing"]}})
    env, ctx, _ = build_model(scenario.spec, 5, 0)
    pool = ctx.pool("support")
    add_staff(pool, scenario.spec.teams["support"], 2, DAY, 2 * DAY, "extra")
    env.run(until=DAY + 1)
    assert pool.on_shift_level.value == 4
    assert all(m.keys == pool.members[0].keys for m in pool.members)
    env.run(until=2 * DAY + 1)
    assert pool.on_shift_level.value == 2


@pytest.mark.parametrize(("campaign", "problem"), [
    ({"prerequisites": {"page": {"effort": "1h", "due": "5d"}}}, "after the campaign's start"),
    ({"prerequisites": {"page": {"effort": "1h", "after": ["design"]}}}, "unknown item"),
    ({"prerequisites": {"page": {"effort": "1h", "team": "web"}}}, "unknown team 'web'"),
    ({"prerequisites": {"staffing": {"suport": {"effort": "1h", "members": 2}}}},
     "did you mean 'support'"),
    ({"brief": "5d"}, "must be at or before the start"),
    ({"prerequisites": {"page": {"effort": "1h", "brief": "5d"}}},
     "must be at or before the campaign's start"),
    ({"uplift_by_product": {"Z": 2}}, "need a 'catalog'"),
])
def test_bad_campaigns_are_refused_with_their_path(campaign, problem):
    with pytest.raises(ScenarioError, match=problem):
        shop(campaign)


# --- briefs over the collaboration layer's channels (issue 10) ------------------------------

def test_briefs_go_from_marketing_over_its_channels_and_the_wait_is_in_the_margin():
    """Briefed at 1d (a Tuesday 00:00); with a weekly meeting from marketing to tech on
    Wednesdays at 10:00 the page reaches tech 34h later, so it is ready 34h later."""
    page = {"prerequisites": {"page": {"effort": "8h", "due": "3d"}}}
    meeting = {"marketing->tech": {"kind": "meeting", "every": "1w", "at": "wed 10:00",
                                   "duration": "0s"}}
    direct = metrics(shop(page, channels={"default": {"kind": "chat", "notice": "const(0s)"}}))
    weekly = metrics(shop(page, channels={"default": {"kind": "chat", "notice": "const(0s)"},
                                          **meeting}))
    margin = direct["campaign.sale.ready_margin.page"][0]
    assert margin == pytest.approx(3 * DAY - 8 * HOUR)  # chat at once: as without channels
    assert weekly["campaign.sale.ready_margin.page"][0] == pytest.approx(margin - 34 * HOUR)
    assert weekly["collab.channel.marketing.tech.wait.mean"][0] == pytest.approx(34 * HOUR)


def test_the_forecast_goes_from_marketing_to_supply_over_their_channel():
    forecast = {"prerequisites": {"forecast": {"effort": "2h", "due": "3d"}}}
    email = {"default": {"kind": "chat", "notice": "const(0s)"},
             "marketing->supply": {"kind": "email", "notice": "const(5h)"}}
    found = metrics(shop(forecast, catalog=True, channels=email))
    assert found["campaign.sale.ready_margin.forecast"][0] == pytest.approx(
        3 * DAY - 7 * HOUR)
    assert found["collab.channel.marketing.supply.wait.mean"][0] == pytest.approx(5 * HOUR)


def test_a_campaign_by_a_team_not_in_the_scenario_hands_its_briefs_directly():
    from sim.model.flows.campaigns import SOURCE, sender_of

    spec = shop().spec
    campaign = spec.campaigns.root["sale"]
    assert sender_of(campaign, spec.teams) == "marketing"
    assert sender_of(campaign, {"tech": None}) == SOURCE


@pytest.mark.parametrize("trust, units", [(0.5, 240), (0.25, 120), (1.0, 480)])
def test_supply_blends_the_forecast_by_its_trust_in_marketing(trust, units):
    """trust x F_marketing + (1 - trust) x F_own, F_own without the campaign's uplift: of
    the 480 extra units an exact forecast expects, supply buys trust x 480."""
    forecast = {"prerequisites": {"forecast": {"effort": "2h", "due": "2d"}}}
    scenario = shop(forecast, catalog=True,
                    trust={"default": 0.9, "pairs": {"supply->marketing": trust}})
    env, ctx, _ = build_model(scenario.spec, 5, 0)
    env.run(until=2 * DAY)
    assert ctx.services["inventory"].forecast_units == units


def test_blending_scales_only_the_extra_of_each_uplift():
    from sim.model.flows.campaigns import blended_uplift

    assert blended_uplift(5.0, 1.0) == 5.0
    assert blended_uplift(5.0, 0.0) == 1.0  # supply's own forecast: no extra
    assert blended_uplift(3.0, 0.25) == pytest.approx(1.5)
