"""Metric declarations: what a name means is looked up, never guessed from its words."""

from __future__ import annotations

import math

import pytest

import sim
import sim.replication  # noqa: F401  (the flows declare their metrics)
from sim.metrics import declare as registry
from sim.metrics.catalog import format_value, reference_markdown
from sim.metrics.declare import (
    COUNT,
    DURATION,
    MONEY,
    RATE,
    SHARE,
    Metric,
    declare,
    lookup,
    reported_names,
)

KINDS = {
    "support.wait.mean": DURATION, "support.wait.p99": DURATION,
    "support.wait_all.mean": DURATION, "orders.lead_time.p50": DURATION,
    "orders.time_split.transit": DURATION, "fulfilment.pick.wait.mean": DURATION,
    "support.service_level": SHARE, "support.utilisation": SHARE,
    "inventory.fill_rate": SHARE, "orders.on_time_share": SHARE,
    "orders.placed_per_day": RATE, "cost.staff": MONEY, "revenue": MONEY,
    "inventory.lost_sales": COUNT,
    # user-chosen names in the middle of a family do not change what it is
    "support.type.on_time_check.wait.mean": DURATION,
    "support.type.late_share_desk.arrivals_per_day": RATE,
    "support.type.waiting_list.service_level": SHARE,
    "support.type.a.b.service_level": SHARE,  # a type name may hold a dot
    "fulfilment.lead_time_check.wait.mean": DURATION,
}


@pytest.mark.parametrize("name", KINDS)
def test_kind_of(name):
    assert lookup(name).kind == KINDS[name]


def test_an_exact_name_wins_over_a_family_it_also_fits():
    assert lookup("fulfilment.wait.mean").name == "fulfilment.wait.mean"
    assert lookup("fulfilment.pick.wait.mean").name == "fulfilment.<stage>.wait.mean"
    assert lookup("support.nonsense") is None
    assert lookup("fulfilment..wait.mean") is None  # a family's value is never empty


def test_declared_bounds():
    assert (lookup("support.service_level").low, lookup("support.service_level").high) == (0, 1)
    assert lookup("support.wait.mean").high is None and lookup("revenue").low == 0


def test_truncation_follows_the_bounds():
    share = Metric("x.share", SHARE, "a share")
    assert share.truncate(-0.1, 1.2) == (0.0, 1.0)
    assert Metric("x.count", COUNT, "a count").truncate(-3.0, 5.0) == (0.0, 5.0)
    profit = Metric("x.profit", MONEY, "may be negative", low=None)
    assert profit.truncate(-50.0, 20.0) == (-50.0, 20.0)
    assert share.truncate(0.2, 0.4) == (0.2, 0.4)  # inside the bounds: kept


@pytest.mark.parametrize(("arguments", "problem"), [
    ({"name": "x.<a>.y"}, "<placeholders> and their values"),
    ({"name": "x.y", "values": lambda spec: ()}, "<placeholders> and their values"),
    ({"name": "x.y", "when": lambda spec: True}, "condition"),
    ({"name": "x.y", "kind": "speed"}, "unknown kind"),
])
def test_a_malformed_declaration_is_refused(arguments, problem):
    with pytest.raises(ValueError, match=problem):
        Metric(**{"kind": COUNT, "meaning": "m", **arguments})


def test_a_family_with_two_placeholders_fills_both_and_matches_its_names():
    family = Metric("x.<a>.y.<b>", COUNT, "m", values=lambda spec: [("p", "q"), ("r", "s.t")])
    assert family.names(None) == ["x.p.y.q", "x.r.y.s.t"]
    assert family.matches("x.r.y.s.t") and not family.matches("x.r.z.s")
    short = Metric("x.<a>.<b>", COUNT, "m", values=lambda spec: ["only-one"])
    with pytest.raises(ValueError, match="does not fill every placeholder"):
        short.names(None)


def test_two_flows_cannot_declare_the_same_name(monkeypatch):
    monkeypatch.setattr(registry, "_GROUPS", {})
    declare("a", [Metric("x.y", COUNT, "m")], active=lambda spec: True, order=1)
    with pytest.raises(ValueError, match="declared by a and b"):
        declare("b", [Metric("x.y", COUNT, "m")], active=lambda spec: True, order=2)


def spec_of(data):
    base = {"name": "t", "horizon": "1d", "teams": {"support": {"members": 2}}}
    return sim.scenario_from_dict({**base, **data}).spec


def test_names_come_from_the_spec_type_by_type():
    one = spec_of({"support": {"arrivals": "10/h", "handle_time": "exp(3m)"}})
    assert not [n for n in reported_names(one) if n.startswith("support.type.")]
    two = spec_of({"support": {"arrivals": "10/h", "handle_time": "exp(3m)", "inquiry_types": {
        "a": {"share": 0.5}, "b": {"share": 0.5}}}})
    per_type = [n for n in reported_names(two) if n.startswith("support.type.")]
    assert per_type[:6] == ["support.type.a.arrivals_per_day", "support.type.a.wait.mean",
                            "support.type.a.abandoned_share", "support.type.a.service_level",
                            "support.type.a.time_to_resolve.mean",
                            "support.type.a.time_to_resolve.p90"]
    assert len(per_type) == 12 and reported_names(two)[-1] == "cost.staff"


def test_format_value_by_kind():
    assert format_value(0.5, DURATION) == "30 s"
    assert format_value(0.714, SHARE) == "71.4%"
    assert format_value(2.0, RATE) == "2.0 /d"
    assert format_value(1234567.4, MONEY) == "1,234,567"
    assert format_value(math.nan, DURATION) == "n/a"


def test_the_reference_lists_every_declaration_once():
    text = reference_markdown()
    for metric in registry.declared():
        assert text.count(f"| `{metric.name}` |") == 1, metric.name
    assert "(with a delivery.promise)" in text
    assert "| `support.service_level` | share | [0, 1] |" in text
    assert "| `revenue` | money | [0, inf] |" in text
