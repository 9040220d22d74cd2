"""Incident status (issue 10): tech tells support when it detects an incident and when it is
fixed, over the tech->support channel. An incident's inquiries that come before support has
the "open" update take the type's `unaware_factor` longer, or are escalated to tech when the
type says so; once support knows, neither."""

from __future__ import annotations

import math

import pytest

from sim.model.flows.signals import Contact, IncidentStatus
from sim.model.flows.support import SupportDesk
from sim.replication import build_model, run_replication
from sim.scenario import scenario_from_dict

FIX = 180.0  # minutes an incident is open: no detect or page time, members always free
HANDLE = 4.0


def status(notice: str, site_issue: dict | None = None, warmup: str = "2d") -> dict:
    """Incidents twice a day, each open exactly 3h and raising 30 site_issue inquiries an
    hour; the status email reaches support `notice` after tech detects the incident (at once)."""
    return {
        "name": "status", "horizon": "60d", "warmup": warmup, "seed": 3,
        "teams": {"tech": {"members": 4, "shift": "always"},
                  "support": {"members": 20, "shift": "always"}},
        "tech": {"incidents": {"sev2": {"rate": "2/d", "fix_time": f"const({FIX:g}m)",
                                        "inquiries": "30/h"}}},
        "support": {"inquiry_types": {"site_issue": {
            "handle_time": f"const({HANDLE:g}m)", "unaware_factor": 2, **(site_issue or {})}}},
        "channels": {"default": {"kind": "chat", "notice": "const(0s)"},
                     "tech->support": {"kind": "email", "notice": f"const({notice})"}},
    }


def run(data: dict) -> dict:
    return run_replication(scenario_from_dict(data).spec, data["seed"], 0).metrics


def test_support_told_at_once_is_never_unaware():
    m = run(status("0s"))
    assert m["support.unaware_share"] == 0.0
    assert m["support.time_to_resolve.mean"] == pytest.approx(HANDLE)


def test_until_the_status_arrives_inquiries_take_unaware_factor_longer():
    m = run(status("1h"))
    # Poisson inquiries over a 3h incident: the first hour's come before the update
    share, expected = m["support.unaware_share"], 60.0 / FIX
    inquiries = m["support.inquiries_by_cause.incident"] * 58
    assert abs(share - expected) < 4 * math.sqrt(expected * (1 - expected) / inquiries)
    # each handled 2 x 4m instead of 4m
    assert m["support.time_to_resolve.mean"] == pytest.approx(
        m["support.wait.mean"] + HANDLE * (1 + share), rel=1e-9)


def test_until_the_status_arrives_inquiries_are_escalated_to_tech():
    escalate = {"unaware_factor": 1, "escalate": {"to": "tech", "share": 1,
                                                  "work": "const(10m)"}}
    told = run(status("0s", escalate))
    assert told["support.time_to_resolve.mean"] == pytest.approx(HANDLE)  # none escalated
    assert told["support.time_split.channel"] == 0.0
    data = status("1h", escalate, warmup="0s")
    env, ctx, flows = build_model(scenario_from_dict(data).spec, 3, 0)
    env.run(until=ctx.horizon)
    desk = next(flow for flow in flows if isinstance(flow, SupportDesk))
    assert desk.unaware_inquiries > 0
    # every unaware inquiry is escalated once handled (a few are in hand at the horizon)
    assert desk.unaware_inquiries - 20 <= desk.escalated_all <= desk.unaware_inquiries
    tech = ctx.pool("tech")
    assert tech.busy_level.integral(env.now) >= 10.0 * (desk.escalated_all - 4)


def test_after_the_fixed_update_support_no_longer_knows_the_incident():
    env, ctx, flows = build_model(scenario_from_dict(status("1h")).spec, 3, 0)
    desk = next(flow for flow in flows if isinstance(flow, SupportDesk))
    env.run(until=ctx.warmup)
    contact = Contact("site_issue", "incident", 10_000)
    desk.receive(contact, env.now)
    assert desk.unaware_inquiries == 1
    desk.incident_status(IncidentStatus(10_000, fixed=False), env.now)
    desk.receive(contact, env.now)
    assert desk.unaware_inquiries == 1 and desk.incident_inquiries == 2
    desk.incident_status(IncidentStatus(10_000, fixed=True), env.now)
    desk.receive(contact, env.now)
    assert desk.unaware_inquiries == 2


def test_status_updates_travel_over_the_tech_to_support_channel():
    m = run(status("1h"))
    assert m["collab.channel.tech.support.wait.mean"] == pytest.approx(60.0)
    # two updates per incident (those at the window's edges aside)
    assert m["collab.channel.tech.support.messages_per_day"] == pytest.approx(
        2 * m["tech.incidents_per_day"], abs=3 / 58)


def test_an_escalated_question_is_answered_when_worked_not_deployed():
    escalate = {"unaware_factor": 1, "escalate": {"to": "tech", "share": 1,
                                                  "work": "const(10m)"}}
    data = status("1h", escalate)
    data["tech"]["deploys"] = {"days": "mon-fri", "at": "10:00", "change_failure": 0.5}
    m = run(data)
    assert m["tech.deploys_per_week"] == 0.0  # answers are not changes: nothing to deploy
    assert m["tech.incidents_by_cause.deploy"] == 0.0
    # the round trip: at most the 1h email back and a little work, never a deploy day
    assert m["support.time_to_resolve.p90"] < 3 * 60
