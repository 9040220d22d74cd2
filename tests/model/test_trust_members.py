"""A named member's own trust (issue 10, `trust: {members: {alice->warehouse: ..}}`): the member
who reads a hand-off checks it and asks back by its own trust, its trust moves with the
hand-offs it reads, it helps a team only if it trusts that team, and nothing else changes."""

from __future__ import annotations

import math

import pytest

from sim.model.org.receivers import Receivers
from sim.replication import run_replication
from sim.scenario import scenario_from_dict
from tests.model.test_channels import escalations
from tests.model.test_help import desk
from tests.model.test_trust import stationary

DAYS_OBSERVED = 58  # the escalations scenario: 60d, warm-up 2d


def with_alice(members: int = 4, **extra) -> dict:
    """The escalations scenario, support's first member named alice (always on, as the rest)."""
    data = escalations("always", **extra)
    data["teams"]["support"] = {"shifts": [{"members": 1, "name": "alice"},
                                           {"members": members - 1}]}
    return data


def run(data: dict, replication: int = 0):
    return run_replication(scenario_from_dict(data).spec, data["seed"], replication)


@pytest.mark.parametrize("alice, team, alice_reads", [(0.0, 1.0, True), (1.0, 0.0, False)])
def test_the_member_who_reads_a_hand_off_checks_it_and_asks_back_by_its_own_trust(
        alice, team, alice_reads):
    """8 support members, always on, hardly busy: an answer from the warehouse is read by
    alice one time in 8. Trust 0 costs the full 20m check and a 2 x 10m round trip; trust 1
    costs nothing. So only the distrustful readers' share of the answers shows."""
    data = with_alice(8, channels={"default": {"kind": "chat", "notice": "const(10m)"}},
                      trust={"pairs": {"support->warehouse": team}, "verification": "20m",
                             "members": {"alice->warehouse": alice}})
    data["teams"]["warehouse"]["members"] = 8
    m = run(data).metrics
    inquiries = m["support.arrivals_per_day"] * DAYS_OBSERVED
    share = 0.5 * (1 / 8 if alice_reads else 7 / 8)  # escalated, and read by a doubter
    # each inquiry is one Bernoulli(share) draw: 4 standard errors of its mean
    tolerance = 4 * math.sqrt(share * (1 - share) / inquiries)
    assert m["support.time_split.verification"] / 20 == pytest.approx(share, abs=tolerance)
    assert m["support.time_split.ask_back"] / 20 == pytest.approx(share, abs=tolerance)
    # the warehouse's trust in support is full: its checks cost nothing
    assert m["trust.warehouse.support.final"] == 1.0
    assert m["trust.alice.warehouse.final"] == alice
    assert m["trust.support.warehouse.final"] == team


def _dynamic(error: float, gain: float, loss: float) -> dict:
    channels = {"default": {"kind": "chat", "notice": "const(0s)"},
                "warehouse->support": {"kind": "chat", "notice": "const(0s)", "error": error}}
    return with_alice(4, channels=channels, trust={
        "default": 1.0, "dynamics": {"gain": gain, "loss": loss},
        "members": {"alice->warehouse": 0.2}})


@pytest.mark.parametrize("error, gain, loss", [(0.3, 0.1, 0.3), (0.5, 0.2, 0.4)])
def test_a_members_own_trust_settles_at_the_stationary_mean_as_the_teams_does(
        error, gain, loss):
    """Alice reads a quarter of the warehouse's answers; each is an outcome for her trust
    only, the rest for the team's. Both chains settle at p gain / (p gain + (1 - p) loss),
    whatever they start from (alice 0.2, the team 1)."""
    m = run(_dynamic(error, gain, loss)).metrics
    mean, variance, rho = stationary(1 - error, gain, loss)
    answers = m["support.arrivals_per_day"] * DAYS_OBSERVED * 0.5
    for name, outcomes in (("alice", answers / 4), ("support", answers * 3 / 4)):
        tolerance = 4 * math.sqrt(variance * (1 + rho) / (1 - rho) / outcomes)
        assert abs(m[f"trust.{name}.warehouse.outcome_mean"] - mean) < tolerance, name
        assert 0 <= m[f"trust.{name}.warehouse.mean"] <= 1


def test_the_time_average_of_a_members_trust_is_the_stationary_mean():
    """The issue's check, for a member: error 0.3, gain 0.1, loss 0.3 give 0.4375."""
    data = _dynamic(0.3, 0.1, 0.3)
    data["horizon"] = "30d"
    means = [run(data, r).metrics["trust.alice.warehouse.mean"] for r in range(REPLICATIONS)]
    average = sum(means) / REPLICATIONS
    sd = math.sqrt(sum((x - average) ** 2 for x in means) / (REPLICATIONS - 1))
    # a two-sided 99.9% t interval of the replications' mean
    assert abs(average - 0.4375) < T_999 * sd / math.sqrt(REPLICATIONS)


REPLICATIONS = 8
T_999 = 5.408  # t quantile 0.9995, 7 degrees of freedom


def test_an_override_equal_to_the_teams_trust_changes_nothing_else():
    """The reader is drawn from its own stream: every other draw, and so every other number,
    is what the run without the override gives."""
    trust = {"default": 0.5, "verification": "20m"}
    plain = run(with_alice(trust=trust)).metrics
    own = run(with_alice(trust={**trust, "members": {"alice->warehouse": 0.5}})).metrics
    assert {k for k in own if k.startswith("trust.alice.")} == {
        "trust.alice.warehouse.mean", "trust.alice.warehouse.final",
        "trust.alice.warehouse.outcome_mean"}
    assert {k: v for k, v in own.items() if not k.startswith("trust.alice.")} == plain


def test_messages_and_inquiries_are_conserved_with_member_trust():
    data = with_alice(channels={"default": {"kind": "email", "notice": "exp(1h)",
                                            "error": 0.2}},
                      trust={"default": 0.6, "verification": "10m",
                             "dynamics": {"gain": 0.1, "loss": 0.3},
                             "members": {"alice->warehouse": 0.1}})
    data["horizon"] = "10d"
    result = run(data)
    names = {b.name: b for b in result.balances}
    for name in ("collaboration messages", "support inquiries"):
        assert names[name].holds, names[name]
    assert result.metrics["support.time_split.ask_back"] > 0


# --- who reads: drawn among the members on shift ---------------------------------------------

class _Level:
    def __init__(self, value: float) -> None:
        self.value = value


class _Pool:
    def __init__(self, on_shift: int) -> None:
        self.on_shift_level = _Level(on_shift)


def _draws(on_shift: int, now: float, n: int = 4000) -> dict[str, int]:
    import numpy as np

    rng = np.random.default_rng(1)
    receivers = Receivers("support", lambda team: _Pool(on_shift), 5,
                          [("alice", [(540.0, 1020.0)]), ("bob", [(0.0, 1e9)])],
                          lambda: float(rng.random()))
    counts: dict[str, int] = {}
    for _ in range(n):
        name = receivers.draw(now)
        counts[name] = counts.get(name, 0) + 1
    return counts


def test_a_member_off_shift_reads_nothing_and_one_on_shift_its_share():
    night = _draws(on_shift=2, now=100.0)  # alice's shift is 09:00-17:00: bob and one more
    assert "alice" not in night
    day = _draws(on_shift=4, now=600.0)  # alice, bob and two more
    for name in ("alice", "bob"):
        assert day[name] / 4000 == pytest.approx(0.25, abs=4 * math.sqrt(0.25 * 0.75 / 4000))
    nobody = _draws(on_shift=0, now=100.0)  # none on shift: any of the 5 members
    assert nobody["alice"] / 4000 == pytest.approx(0.2, abs=4 * math.sqrt(0.2 * 0.8 / 4000))


# --- help: a member helps a team only if it trusts that team ---------------------------------

def _named_desk(own: dict[str, float]) -> dict:
    data = desk(0.9)
    data["teams"]["warehouse"] = {"shifts": [
        {"members": 1, "name": "wes", "skills": ["orders"]},
        {"members": 1, "name": "wyn", "skills": ["orders"]}]}
    data["trust"]["members"] = {f"{name}->support": value for name, value in own.items()}
    return data


def test_a_member_who_distrusts_the_overloaded_team_does_not_help_it():
    team_rule = run(_named_desk({})).metrics
    trusting = run(_named_desk({"wes": 0.9, "wyn": 0.9})).metrics
    one = run(_named_desk({"wes": 0.3, "wyn": 0.9})).metrics
    neither = run(_named_desk({"wes": 0.3, "wyn": 0.3})).metrics
    assert team_rule["collab.helped_per_day"] > 0
    # own trust above the threshold: the team rule, number for number
    assert trusting["collab.helped_per_day"] == team_rule["collab.helped_per_day"]
    assert trusting["support.wait.mean"] == team_rule["support.wait.mean"]
    assert 0 < one["collab.helped_per_day"] < team_rule["collab.helped_per_day"]
    assert neither["collab.helped_per_day"] == 0.0
