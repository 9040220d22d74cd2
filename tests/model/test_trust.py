"""Trust (issue 10): its dynamics reach the stationary mean p g / (p g + (1 - p) l), it slows
hand-offs through verification and asking back, and other flows can read it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.model.org.trust import TrustBook
from sim.replication import build_model, run_replication
from sim.scenario import scenario_from_dict
from tests.model.test_channels import escalations


def stationary(p: float, gain: float, loss: float) -> tuple[float, float, float]:
    """Mean, variance and lag-1 autocorrelation of trust after many outcomes, each a
    success with probability p (the chain is linear in t, so these are exact)."""
    mean = p * gain / (p * gain + (1 - p) * loss)
    second = p * (gain ** 2 + 2 * gain * (1 - gain) * mean) / (
        1 - p * (1 - gain) ** 2 - (1 - p) * (1 - loss) ** 2)
    rho = p * (1 - gain) + (1 - p) * (1 - loss)
    return mean, second - mean ** 2, rho


def test_the_stationary_means_of_the_validation_cases():
    assert stationary(0.7, 0.1, 0.3)[0] == pytest.approx(0.4375)
    assert stationary(0.9, 0.1, 0.3)[0] == pytest.approx(0.75)
    assert stationary(0.5, 0.1, 0.3)[0] == pytest.approx(0.25)


def _trusting(error: float, gain: float, loss: float, start: float = 1.0) -> dict:
    """Answers from the warehouse are wrong with probability `error`; both teams always on,
    so trust's time average is its average over outcomes."""
    channels = {"default": {"kind": "chat", "notice": "const(0s)"},
                "warehouse->support": {"kind": "chat", "notice": "const(0s)", "error": error}}
    return escalations("always", channels, trust={
        "default": start, "dynamics": {"gain": gain, "loss": loss}})


@pytest.mark.parametrize("error, gain, loss", [(0.3, 0.1, 0.3), (0.1, 0.1, 0.3),
                                               (0.5, 0.2, 0.4)])
def test_trust_settles_at_the_stationary_mean(error, gain, loss):
    data = _trusting(error, gain, loss)
    result = run_replication(scenario_from_dict(data).spec, 3, 0)
    mean, variance, rho = stationary(1 - error, gain, loss)
    outcomes = result.metrics["support.arrivals_per_day"] * 58 * 0.5
    tolerance = 4 * math.sqrt(variance * (1 + rho) / (1 - rho) / outcomes)
    assert abs(result.metrics["trust.support.warehouse.outcome_mean"] - mean) < tolerance
    # what support sends is never wrong: the warehouse's trust in it stays full
    assert result.metrics["trust.warehouse.support.mean"] == 1.0


@pytest.mark.parametrize("error, gain, loss", [(0.3, 0.1, 0.3), (0.2, 0.05, 0.2),
                                               (0.5, 0.2, 0.4)])
def test_the_time_average_of_trust_is_the_stationary_mean(error, gain, loss):
    """The issue's check: `.mean` (a time average) is p gain / (p gain + (1 - p) loss). A
    wrong answer and its reworked resends are one outcome, judged when it first arrives, so
    a failure's low trust holds as long as a success's high trust."""
    data = _trusting(error, gain, loss)
    data["horizon"] = "30d"
    spec = scenario_from_dict(data).spec
    means = np.array([run_replication(spec, 3, r).metrics["trust.support.warehouse.mean"]
                      for r in range(REPLICATIONS)])
    expected = stationary(1 - error, gain, loss)[0]
    standard_error = means.std(ddof=1) / math.sqrt(REPLICATIONS)
    # a two-sided 99.9% t interval of the replications' mean
    assert abs(means.mean() - expected) < T_999 * standard_error


REPLICATIONS = 8
T_999 = 5.408  # t quantile 0.9995, 7 degrees of freedom


def test_trust_without_dynamics_stays_where_it_starts():
    data = escalations("always", trust={"default": 0.8, "pairs": {"support->warehouse": 0.4}})
    result = run_replication(scenario_from_dict(data).spec, 3, 0)
    assert result.metrics["trust.support.warehouse.mean"] == pytest.approx(0.4)
    assert result.metrics["trust.support.warehouse.final"] == 0.4
    assert result.metrics["trust.warehouse.support.final"] == 0.8


def test_team_building_a_higher_gain_ends_with_higher_trust():
    low = run_replication(scenario_from_dict(_trusting(0.3, 0.1, 0.3, 0.3)).spec, 3, 0)
    built = run_replication(scenario_from_dict(_trusting(0.3, 0.3, 0.3, 0.3)).spec, 3, 0)
    assert built.metrics["trust.support.warehouse.mean"] > (
        low.metrics["trust.support.warehouse.mean"] + 0.1)


def test_low_trust_costs_verification_and_asking_back():
    channels = {"default": {"kind": "chat", "notice": "const(10m)"}}
    full = escalations("always", channels)
    low = escalations("always", channels, trust={"default": 0.5, "verification": "20m"})
    for data in (full, low):  # enough members that checking hardly waits for one
        data["teams"]["warehouse"]["members"] = 8
        data["teams"]["support"]["members"] = 8
    m_full = run_replication(scenario_from_dict(full).spec, 3, 0).metrics
    m_low = run_replication(scenario_from_dict(low).spec, 3, 0).metrics
    assert m_full["support.time_split.verification"] == 0.0
    assert m_full["support.time_split.ask_back"] == 0.0
    # per escalated hand-off: 20m x (1 - 0.5) of checking on both legs, and half of them
    # ask back: a round trip of two 10m legs (half the inquiries are escalated)
    assert m_low["support.time_split.verification"] == pytest.approx(0.5 * 2 * 10, rel=0.05)
    assert m_low["support.time_split.ask_back"] == pytest.approx(0.5 * 2 * 0.5 * 20, rel=0.1)
    assert m_low["support.time_to_resolve.mean"] > m_full["support.time_to_resolve.mean"]


def test_verification_is_the_check_itself_not_the_wait_for_a_member_to_do_it():
    """On a busy warehouse (two members, about 60% busy at trust 0.5), an escalation waits
    for a member before the check: that wait is the team's capacity (queue). So
    `verification` is the check's own time, 10m x (1 - trust) per checked leg, and near full
    trust it vanishes with the check
    (before, the wait for a member was counted as verification, and a trust of 0.999999 cost
    about as much collaboration time as 0.5)."""
    def busy(trust: float) -> dict:
        data = escalations("always", horizon="20d",
                           trust={"default": trust, "verification": "10m"})
        data["support"]["inquiry_types"]["where_is_my_order"]["escalate"]["work"] = "exp(2m)"
        return data
    for trust in (0.5, 0.999999):
        metrics = run_replication(scenario_from_dict(busy(trust)).spec, 3, 0).metrics
        # per inquiry: half are escalated, each checked on its way there and back; the share
        # escalated among ~8,600 inquiries is within 4 standard errors (4.3%) of a half
        expected = 0.5 * 2 * 10 * (1 - trust)
        assert metrics["support.time_split.verification"] == pytest.approx(expected, rel=0.045)
        share = metrics["support.collaboration_share"]
        if trust > 0.99:  # the warehouse still makes some wait (20% busy): queue, not checks
            assert share < 1e-5 < metrics["support.time_split.queue"], (share, metrics)
        else:  # 60% busy: the wait for a member to check it is queue, minutes of it
            assert metrics["support.time_split.queue"] > 1.0 and share > 0.1, (share, metrics)


def test_other_flows_read_trust_through_the_services():
    data = escalations("always", trust={"default": 0.8, "pairs": {"support->warehouse": 0.4}})
    _env, ctx, _flows = build_model(scenario_from_dict(data).spec, 3, 0)
    trust = ctx.services["trust"]
    assert trust.value("support", "warehouse") == 0.4
    assert trust.value("warehouse", "support") == 0.8


def test_a_book_moves_by_gain_and_loss():
    from sim.scenario.collab import TrustSpec

    book = TrustBook(TrustSpec(default=0.5, dynamics={"gain": 0.1, "loss": 0.3}), 60.0, 0)
    book.outcome("a", "b", True, 1.0)
    assert book.value("a", "b") == pytest.approx(0.55)
    book.outcome("a", "b", False, 2.0)
    assert book.value("a", "b") == pytest.approx(0.55 * 0.7)
    assert book.outcomes == 2 and book.failures == 1


def test_a_hand_off_delivered_after_its_due_time_is_a_failure():
    from sim.model.org.requests import WorkRequest, work_kind

    data = escalations("always", {"default": {"kind": "chat", "notice": "const(30m)"}},
                       trust={"default": 0.5, "dynamics": {"gain": 0.1, "loss": 0.3}})
    data["support"]["inquiry_types"]["where_is_my_order"]["escalate"]["share"] = 0
    env, ctx, _flows = build_model(scenario_from_dict(data).spec, 3, 0)
    org, trust = ctx.org, ctx.services["trust"]
    env.run(until=60.0)
    late = WorkRequest("late", "support", 1.0, env.now, due=env.now + 10.0)
    org.send(work_kind("warehouse"), late, "support")
    env.run(until=120.0)
    assert trust.value("warehouse", "support") == pytest.approx(0.5 * 0.7)
    on_time = WorkRequest("on time", "support", 1.0, env.now, due=env.now + 40.0)
    org.send(work_kind("warehouse"), on_time, "support")
    env.run(until=180.0)
    assert trust.value("warehouse", "support") == pytest.approx(0.35 + 0.1 * 0.65)


def test_checking_that_overloads_a_team_is_seen_by_the_overload_watch():
    data = escalations("always", horizon="6d", trust={"default": 0.0, "verification": "30m"})
    data["teams"]["warehouse"]["members"] = 1  # 10 questions an hour, 30m of checking each
    result = run_replication(scenario_from_dict(data).spec, 3, 0)
    warehouse = [note for note in result.notes if note.team == "warehouse"]
    assert warehouse and warehouse[0].overloaded
    assert ("collab", None) in warehouse[0].flows
    assert warehouse[0].load == pytest.approx(5.0, rel=0.1)
