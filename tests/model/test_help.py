"""Help across teams (issue 10): idle members with the skill take work from an overloaded
team, only where that team trusts theirs enough."""

from __future__ import annotations

import pytest

from sim.replication import run_replication
from sim.scenario import scenario_from_dict


def desk(trust: float | None, skills: tuple[str, ...] = ("orders",)) -> dict:
    """A desk of 3 at load 1.2 for orders questions, beside an idle warehouse of 2."""
    data = {
        "name": "help", "horizon": "5d", "warmup": "1d", "seed": 5,
        "teams": {"support": {"members": 3, "skills": ["orders"]},
                  "warehouse": {"members": 2, "skills": list(skills)}},
        "support": {"arrivals": "36/h", "inquiry_types": {
            "orders": {"share": 1, "handle_time": "exp(6m)", "skill": "orders"}}},
    }
    if trust is not None:
        data["trust"] = {"default": trust, "help": {"threshold": 0.6, "waiting": 3}}
    return data


def run(data: dict):
    return run_replication(scenario_from_dict(data).spec, 5, 0)


def test_a_trusted_team_with_the_skill_helps_an_overloaded_desk():
    alone = run(desk(None)).metrics
    helped = run(desk(0.9)).metrics
    assert helped["collab.helped_per_day"] > 0
    # 3 members at load 1.2 cannot keep up; with 2 more when the queue is long it can
    assert helped["support.wait.mean"] < alone["support.wait.mean"] / 5
    assert helped["support.handled_per_day"] > alone["support.handled_per_day"]


@pytest.mark.parametrize("trust, skills", [(0.5, ("orders",)), (0.9, ("picking",))])
def test_no_help_below_the_threshold_or_without_the_skill(trust, skills):
    result = run(desk(trust, skills))
    assert result.metrics["collab.helped_per_day"] == 0.0
    assert result.metrics["support.wait.mean"] == pytest.approx(
        run(desk(None, skills)).metrics["support.wait.mean"], rel=0.05)


def test_work_done_by_helpers_is_accounted_for():
    result = run(desk(0.9))  # every balance is checked at the end of the run
    support = next(b for b in result.balances if b.name == "support inquiries")
    assert support.holds and support.parts["completed"] > 0
