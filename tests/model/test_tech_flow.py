"""The tech flow and the site on small scenarios: the issue's minimal forms run as written,
conservation holds, change failures follow their probability, the site loses nothing with
headroom and more as load rises, and work requests on work.tech are deployed."""

from __future__ import annotations

import math

import pytest
from simpy import Environment

import sim
from sim.analysis.site import ConversionCurve, latency, order_factor
from sim.analysis.statistics import t_quantile
from sim.analysis.theory_tech import preemptive_priority_sojourn
from sim.model.build import build_flows
from sim.model.context import Context
from sim.model.flows.tech import FEATURE_COMPONENTS, Tech, next_deploy
from sim.model.org.requests import WorkRequest, work_kind
from sim.model.wakeup import call_later
from sim.random import RandomStreams

MINIMAL = {"name": "incidents", "horizon": "200d",
           "teams": {"tech": {"members": 2, "shift": "always"}},
           "tech": {"incidents": {"sev2": {"rate": "6/d", "fix_time": "exp(6h)"}}}}


def _build(data: dict, seed: int = 1) -> tuple[Environment, Context, list]:
    spec = sim.scenario_from_dict(data).spec
    env = Environment()
    ctx = Context(env, RandomStreams(seed, 0), spec)
    flows = build_flows(ctx)
    for flow in flows:
        flow.start()
    return env, ctx, flows


def test_the_minimal_incidents_scenario_runs_as_written():
    results = sim.run(sim.scenario_from_dict(MINIMAL), reps=2, jobs=1)
    assert results.metrics["tech.incidents_per_day"].mean() == pytest.approx(6.0, rel=0.1)
    restore = results.metrics["tech.incident.time_to_restore.mean"]
    split = sum(results.metrics[f"tech.incident.time_split.{c}"]
                for c in ("detect", "page", "wait", "fix"))
    assert split == pytest.approx(restore)  # the split adds up to the time to restore


def test_the_issue_s_minimal_tech_forms_run_as_written():
    data = {"name": "forms", "horizon": "30d", "teams": {"tech": {"members": 3}},
            "demand": {"orders": "500/d"},
            "tech": {"incidents": {"sev2": {"rate": "1/d", "fix_time": "exp(2h)"}},
                     "features": {"arrivals": "6/w", "effort": "exp(16h)", "deadline": "3w"},
                     "deploys": {"change_failure": 0.25, "severity": "sev2"}},
            "site": {"capacity": "40000/h", "visits_per_order": 40}}
    results = sim.run(sim.scenario_from_dict(data), reps=2, jobs=1)
    m = results.metrics
    for name in ("tech.deploys_per_week", "tech.feature_lead_time.mean",
                 "tech.change_failure_share", "tech.features_late_share", "tech.utilisation",
                 "site.lost_orders_share", "site.latency.p90"):
        assert all(math.isfinite(v) for v in m[name]), name
    assert m["tech.deploys_per_week"].mean() == pytest.approx(6.0, rel=0.35)
    assert (m["site.lost_orders_share"] < 1e-9).all()  # far more capacity than load


@pytest.mark.parametrize("shift, asks", [(None, False), ("09:00-17:00", False),
                                         ("09:00-17:00", True)])
def test_incidents_and_features_are_conserved_and_effort_is_kept_across_preemption(
        shift, asks):
    """With a shift, long items are also set down at each shift's end; with questions to
    the requesting team, set aside between parts of their effort: effort still kept."""
    team = {"members": 1} if shift is None else {"members": 1, "shift": shift}
    data = {"name": "conserve", "horizon": "60d", "teams": {"tech": team},
            "tech": {"incidents": {"sev1": {"rate": "1/d", "fix_time": "exp(5h)"}},
                     "features": {"arrivals": "1/d", "effort": "exp(10h)"},
                     "work": {"a": {"effort": "30h", "at": "2d"},
                              "b": {"effort": "20h", "depends_on": ["a"]}},
                     "deploys": {"days": "tue,thu"}}}
    if asks:  # marketing requests the stream and item b, and answers questions by email
        data["teams"]["marketing"] = {"members": 1, "shift": "10:00-16:00"}
        data["channels"] = {"marketing->tech": {"kind": "email", "notice": "exp(1h)"},
                            "tech->marketing": {"kind": "email", "notice": "exp(1h)"}}
        data["tech"]["features"] |= {"requested_by": "marketing", "questions": "poisson(2)"}
        data["tech"]["work"]["b"] |= {"requested_by": "marketing", "questions": 3}
    env, ctx, flows = _build(data)
    env.run(until=ctx.horizon)
    tech = next(f for f in flows if isinstance(f, Tech))
    out = tech.collect(env.now)
    assert all(balance.holds for balance in out.balances), [str(b) for b in out.balances]
    rows = tech.effort_account(env.now)
    assert rows and all(worked + remaining == pytest.approx(effort)
                        for effort, worked, remaining in rows)
    assert tech.incidents.occurred_all > 30
    b = tech.planned["b"]
    a = tech.planned["a"]
    assert b.started_at is None or b.started_at >= a.deployed_at  # after its dependency
    assert all(next_deploy(t, frozenset({1, 3}), 600.0) == t for t in tech.deploy_times)
    off_shift = tech.split_sums[FEATURE_COMPONENTS.index("off_shift")]
    assert (off_shift > 0) == (shift is not None)  # nights count as off shift, not work
    asked = tech.split_sums[FEATURE_COMPONENTS.index("ask_back")]
    assert (asked > 0) == asks


def test_change_failure_share_is_within_its_binomial_interval():
    p = 0.3
    data = {"name": "failures", "horizon": "400d", "teams": {"tech": {"members": 2}},
            "tech": {"incidents": {"sev3": {"fix_time": "exp(1h)"}},
                     "features": {"arrivals": "3/d", "effort": "exp(2h)"},
                     "deploys": {"change_failure": p}}}
    env, ctx, flows = _build(data, seed=5)
    env.run(until=ctx.horizon)
    tech = next(f for f in flows if isinstance(f, Tech))
    n = tech.deploys
    share = tech.failed_deploys / n
    z = t_quantile(0.9995, 10**6)  # a 99.9% normal interval
    assert abs(share - p) <= z * math.sqrt(p * (1 - p) / n)
    assert tech.incidents.by_cause["deploy"] == tech.failed_deploys


def test_a_work_request_on_work_tech_is_deployed_and_reported_done():
    data = {"name": "requests", "horizon": "10d", "teams": {"tech": {"members": 1}},
            "tech": {"incidents": {"sev2": {"rate": "0.5/d", "fix_time": "exp(1h)"}}}}
    env, ctx, flows = _build(data)
    done: list[tuple[str, float]] = []
    request = WorkRequest("page", "marketing", 480.0, 0.0, due=3 * 1440.0,
                          on_done=lambda r, now: done.append((r.name, now)))
    ctx.org.send(work_kind("tech"), request, "marketing")
    env.run(until=ctx.horizon)
    assert done and done[0][0] == "page" and request.done_at == done[0][1] >= 480.0


def _lost_share(capacity: str, servers: int = 4) -> float:
    data = {"name": "site", "horizon": "3d", "demand": {"orders": "2000/d"},
            "site": {"capacity": capacity, "visits_per_order": 40, "servers": servers}}
    return float(sim.run(sim.scenario_from_dict(data), reps=1, jobs=1)
                 .metrics["site.lost_orders_share"][0])


def test_the_site_loses_nothing_with_headroom_and_more_as_load_rises():
    assert _lost_share("40000/h", servers=16) < 1e-9  # the default workers, 8% load
    shares = [_lost_share(c) for c in ("100000/h", "5000/h", "3800/h", "3500/h")]
    assert shares == sorted(shares) and shares[-1] > shares[1] + 0.1


def test_the_curves_pass_through_their_sources_and_limits():
    second = 1 / 60
    curve = ConversionCurve([(1 * second, 0.03), (2 * second, 0.017), (5 * second, 0.011)],
                            0.01, 30 * second)
    assert curve(2 * second) == pytest.approx(0.017)
    assert curve(5 * second) == pytest.approx(0.011)
    assert curve(0.9 * second) == pytest.approx(0.03 / 0.99)  # Kohavi: 1% per 100 ms
    assert curve(30 * second) == 0.0
    assert latency(0.5, 1.0, 30.0, 1) == pytest.approx(2.0)  # M/M/1: base / (1 - rho)
    assert latency(1.0, 1.0, 30.0, 16) == 30.0
    assert order_factor(0.0, second, 30 * second, 16, curve)[1] == 1.0


def test_preemptive_priority_formula_reduces_to_mm1():
    assert preemptive_priority_sojourn([0.0, 0.5], [1.0, 1.0], 1) == pytest.approx(2.0)
    assert preemptive_priority_sojourn([0.5, 0.2], [1.0, 1.0], 0) == pytest.approx(2.0)


def test_the_site_follows_a_timeline_window_and_reports_what_it_lost_there():
    """A demand factor from the timeline reaches the site through the order stream: inside
    the window the site is busier and loses more per minute than outside it."""
    data = {"name": "window", "horizon": "3d", "demand": {"orders": "1200/d"},
            "site": {"capacity": "3000/h", "visits_per_order": 40, "servers": 4},
            "timeline": [{"from": "1d", "to": "2d", "scale": {"demand": 1.8}}]}
    env, ctx, flows = _build(data)
    env.run(until=ctx.horizon)
    site = ctx.services["site"]
    day = 1440.0
    before, inside, after = (site.lost_orders(i * day, (i + 1) * day) for i in range(3))
    assert inside > 5 * before > 0
    assert after == pytest.approx(before)
    assert site.lost_orders(0.0, 3 * day) == pytest.approx(before + inside + after)


def test_a_second_engineer_in_a_team_of_one_is_refused():
    data = {"name": "one", "horizon": "1d", "teams": {"tech": {"members": 1}},
            "tech": {"incidents": {"sev1": {"rate": "1/d", "fix_time": "exp(1h)",
                                            "second_engineer": True}}}}
    with pytest.raises(sim.ScenarioError, match="second engineer"):
        sim.scenario_from_dict(data)


def test_the_site_s_wait_probability_is_erlang_c():
    from sim.analysis.queueing import erlang_c
    from sim.analysis.site import wait_probability

    for servers, rho in ((1, 0.5), (4, 0.8), (16, 0.95)):
        assert wait_probability(servers, rho) == pytest.approx(
            erlang_c(servers * rho, 1.0, servers).p_wait)


def test_a_slow_site_raises_inquiries_in_proportion_to_the_orders_it_loses():
    share = 0.2
    data = {"name": "slow", "horizon": "20d", "demand": {"orders": "1500/d"},
            "site": {"capacity": "2700/h", "servers": 2, "inquiries_per_lost_order": share},
            "teams": {"support": {"members": 20}},
            "support": {"handle_time": "exp(3m)"}}
    results = sim.run(sim.scenario_from_dict(data), reps=1, jobs=1)
    m = results.metrics
    expected = share * m["site.lost_orders_per_day"][0] * 20  # Poisson count over 20 days
    raised = m["support.inquiries_by_cause.slow_site"][0] * 20
    assert abs(raised - expected) <= 4 * math.sqrt(expected)


def test_records_split_every_incident_and_item_into_its_parts():
    data = {"name": "records", "horizon": "20d", "teams": {"tech": {"members": 1}},
            "tech": {"detect": "exp(5m)", "on_call": {"page": "exp(2m)"},
                     "incidents": {"sev2": {"rate": "1/d", "fix_time": "exp(3h)"}},
                     "features": {"arrivals": "1/d", "effort": "exp(8h)"},
                     "deploys": {"days": "mon-fri"}}}
    results = sim.run(sim.scenario_from_dict(data), reps=1, jobs=1, records=True)
    for flow in ("incidents", "features"):
        frame = results.records(flow)
        done = frame[frame.outcome != "open"]
        parts = done[[c for c in frame.columns if c.startswith("split.")]].sum(axis=1)
        assert len(done) > 5
        assert (parts - (done.finished - done.created)).abs().max() < 1e-6


def _arrival_times(data: dict, changes: list[tuple[float, str, float]], follow: bool) -> list:
    """Order arrival times of a stream whose factors change at `changes`; with `follow`, a
    listener answers every change by setting its own factor 'site' to 1 / the others."""
    from sim.model.wakeup import call_later

    env, ctx, flows = _build(data)
    stream = next(f for f in flows if hasattr(f, "arrivals")).arrivals
    times: list[float] = []
    stream.on_arrival = times.append
    if follow:
        stream.follow(lambda now, factor: stream.set_factor("site", 1.0 / factor), "site")
    for at, name, value in changes:
        call_later(env, at, lambda e: stream.set_factor(*e._value), (name, value))
    env.run(until=ctx.horizon)
    return times


def test_a_listener_that_answers_a_factor_keeps_the_arrivals_of_the_product():
    """The site's hook: a factor change is told to the listener, whose own set_factor runs
    inside it; the stream ends up at the product of both, with no draw added or lost. Here
    the listener undoes every change, so the arrivals are those of an unchanged stream."""
    data = {"name": "hook", "horizon": "2d", "demand": {"orders": "300/d"}}
    plain = _arrival_times(data, [], follow=False)
    answered = _arrival_times(data, [(600.0, "campaign", 3.0), (1500.0, "campaign", 0.5)],
                              follow=True)
    assert len(plain) > 400
    assert answered == pytest.approx(plain)


def test_load_incidents_come_only_above_the_threshold():
    def load_incidents(orders: str) -> float:
        data = {"name": "load", "horizon": "30d", "demand": {"orders": orders},
                "site": {"capacity": "5000/h", "load_threshold": 0.8},
                "teams": {"tech": {"members": 2}},
                "tech": {"incidents": {"sev2": {"load_rate": "20/d", "fix_time": "exp(1h)"}}}}
        results = sim.run(sim.scenario_from_dict(data), reps=1, jobs=1)
        return results.metrics["tech.incidents_by_cause.load"][0]

    assert load_incidents("2400/d") == 0.0  # utilisation 0.8: at the threshold
    assert load_incidents("2800/d") > 1.0  # utilisation 0.93


def test_a_capacity_window_over_the_seam_scales_the_site_for_its_window_only():
    from sim.model.flows.signals import SITE_CAPACITY, SiteCapacity

    data = {"name": "scaled", "horizon": "3d", "demand": {"orders": "1200/d"},
            "site": {"capacity": "2400/h", "visits_per_order": 40, "servers": 4}}
    env, ctx, flows = _build(data)
    ctx.org.send(SITE_CAPACITY, SiteCapacity("campaign", 2.0, 1440.0, 2880.0), "marketing")
    env.run(until=ctx.horizon)
    site = ctx.services["site"]
    before, inside, after = (site.lost_orders(i * 1440.0, (i + 1) * 1440.0) for i in range(3))
    assert before == pytest.approx(after) and before > 10 * inside >= 0


def test_feature_priority_orders_the_queue_below_incidents_without_preemption():
    """One engineer: `first` (10 h) is in hand when `low` (priority 1) and then `urgent` (a
    work request, priority 0) come; `urgent` goes next, `first` is never set aside."""
    data = {"name": "priority", "horizon": "5d", "teams": {"tech": {"members": 1}},
            "tech": {"work": {"first": {"effort": "10h"},
                              "low": {"effort": "1h", "at": "1h", "priority": 1}}}}
    env, ctx, flows = _build(data)
    urgent = WorkRequest("urgent", "marketing", 60.0, 0.0, priority=0)
    call_later(env, 120.0, lambda _e: ctx.org.send(work_kind("tech"), urgent, "marketing"))
    env.run(until=ctx.horizon)
    tech = next(f for f in flows if isinstance(f, Tech))
    first, low = tech.planned["first"], tech.planned["low"]
    assert first.aside == 0.0 and first.built_at == 600.0
    assert urgent.started_at == 600.0 and low.started_at == 660.0


def test_member_speed_applies_to_incident_fixes():
    for speed in (1.0, 2.0):
        data = {"name": "speed", "horizon": "2d", "teams": {"tech": {"members": 1,
                                                                     "speed": speed}},
                "tech": {"incidents": {"sev2": {"fix_time": "2h", "triage": "30m"}}}}
        env, ctx, flows = _build(data)
        tech = next(f for f in flows if isinstance(f, Tech))
        incident = tech.incidents.occur("sev2", "background", 0.0)
        env.run(until=ctx.horizon)
        assert incident.resolved_at == pytest.approx(150.0 / speed)
