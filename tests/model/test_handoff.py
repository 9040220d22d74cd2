"""The hand-off seam: inline passes, passes held in transit (a delay or a channel), the
balance per kind, the recorder hook, and the commerce flows wired through it."""

from __future__ import annotations

import copy

import pytest
from simpy import Environment

import sim
from sim.model.org.handoff import Handoff, HandoffError, Org
from sim.replication import run_replication
from tests.model.test_commerce_flow import SHOP


def seam() -> tuple[Environment, Org, list]:
    env = Environment()
    org = Org(env)
    got: list = []
    org.on("note", lambda payload, now: got.append((payload, now)), target="desk")
    return env, org, got


def held(org: Org) -> dict[str, tuple[int, int, int]]:
    return {b.name: (b.total, b.parts["delivered"], b.parts["in transit"])
            for b in org.balances()}


def test_an_inline_pass_reaches_the_receiver_at_once_and_is_counted():
    env, org, got = seam()
    env.run(until=7.0)
    org.send("note", "a", "orders")
    org.send("note", "b", "orders", target="desk")
    assert got == [("a", 7.0), ("b", 7.0)]
    assert org.counts() == {"note": (2, 2)}
    assert held(org) == {"hand-offs note (desk)": (2, 2, 0)}
    assert all(b.holds for b in org.balances())


def test_a_delayed_pass_is_in_transit_until_it_arrives():
    env, org, got = seam()
    org.send("note", "late", "orders", delay=5.0)
    org.send("note", "now", "orders")
    env.run(until=3.0)
    assert got == [("now", 0.0)]
    assert held(org) == {"hand-offs note (desk)": (2, 1, 1)}
    assert org.in_transit("note") == 1
    assert all(b.holds for b in org.balances())
    env.run(until=10.0)
    assert got == [("now", 0.0), ("late", 5.0)]
    assert held(org) == {"hand-offs note (desk)": (2, 2, 0)}


class HoldingChannel:
    """A channel that keeps what it carries until told to deliver it."""

    def __init__(self) -> None:
        self.carried: list[tuple[Handoff, object]] = []

    def carry(self, handoff, deliver) -> None:
        self.carried.append((handoff, deliver))


def test_a_channel_holds_a_pass_and_the_record_keeps_its_times():
    env, org, got = seam()
    channel = HoldingChannel()
    org.send("note", "x", "orders", channel=channel)
    (handoff, deliver), = channel.carried
    assert (handoff.kind, handoff.source, handoff.target, handoff.payload) == (
        "note", "orders", "desk", "x")
    assert handoff.sent_at == 0.0 and handoff.delivered_at is None
    env.run(until=4.0)
    assert got == [] and held(org)["hand-offs note (desk)"] == (1, 0, 1)
    deliver(handoff)
    assert got == [("x", 4.0)] and handoff.delivered_at == 4.0
    assert handoff.payload is None  # a kept record holds no entity alive
    with pytest.raises(HandoffError, match="twice"):
        deliver(handoff)


def test_mistakes_in_wiring_and_sending_are_refused():
    env, org, _ = seam()
    with pytest.raises(HandoffError, match="not in the model"):
        org.send("unknown", 1, "orders")
    with pytest.raises(HandoffError, match="not in the model"):
        org.send("note", 1, "orders", target="warehouse")
    with pytest.raises(HandoffError, match="already go to desk"):
        org.on("note", print, target="other")
    with pytest.raises(ValueError, match="before it is sent"):
        org.send("note", 1, "orders", delay=-1.0)
    assert org.receives("note") and not org.receives("unknown")


def test_a_recorder_sees_every_pass_with_source_target_and_times():
    env, org, got = seam()
    records: list[tuple] = []
    org.recorder = lambda h: records.append((h.kind, h.source, h.target, h.payload,
                                             h.sent_at, h.delivered_at))
    org.send("note", "a", "orders")
    org.send("note", "b", "support", delay=2.0)
    env.run(until=5.0)
    assert records == [("note", "orders", "desk", "a", 0.0, 0.0),
                       ("note", "support", "desk", "b", 0.0, 2.0)]
    assert got == [("a", 0.0), ("b", 2.0)]


def shop_with_contacts() -> dict:
    data = copy.deepcopy(SHOP)
    data["teams"]["support"] = {"members": 2}
    data["support"] = {"handle_time": "exp(4m)"}
    data["delivery"]["promise"] = "2d"
    data["contacts"] = {"stockout": 0.5, "late_delivery": 0.5, "failed_delivery": 0.5}
    return data


KINDS = {"contact": ("orders", "support"), "stock_request": ("orders", "inventory"),
         "stock_allocated": ("inventory", "orders"), "backorder_filled": ("inventory", "orders"),
         "shipment_released": ("orders", "fulfilment"),
         "shipment_ready": ("fulfilment", "delivery"),
         "shipment_delivered": ("delivery", "orders"), "delivery_failed": ("delivery", "orders")}


def test_every_pass_between_the_commerce_flows_goes_through_the_seam(monkeypatch):
    """Record every hand-off of a shop with support: each kind passes between the flows the
    wiring names, and the counts per kind are the seam's balance."""
    seen: dict[str, set] = {}
    real_init = Org.__init__

    def init(self, env):
        real_init(self, env)
        self.recorder = lambda h: seen.setdefault(h.kind, set()).add((h.source, h.target))

    monkeypatch.setattr(Org, "__init__", init)
    result = run_replication(sim.scenario_from_dict(shop_with_contacts()).spec, 5, 0)
    assert seen == {kind: {pair} for kind, pair in KINDS.items()}
    handoffs = {b.name.split(" ")[1]: b for b in result.balances if b.name.startswith("hand")}
    assert set(handoffs) == set(KINDS)
    orders = next(b for b in result.balances if b.name == "orders")
    assert handoffs["stock_request"].total == orders.total  # one per order placed
    assert handoffs["contact"].total > 0 and handoffs["delivery_failed"].total > 0


@pytest.mark.parametrize("delay", [30.0, 600.0])
def test_conservation_holds_with_hand_offs_in_transit_at_the_horizon(monkeypatch, delay):
    """Every pass held `delay` minutes on the seam (as a channel would): orders, stock and
    hand-offs still balance at the end, with some of each kind still in transit."""
    data = shop_with_contacts()
    inline = run_replication(sim.scenario_from_dict(data).spec, 5, 0)
    real_send = Org.send

    def send(self, kind, payload, source, target=None, delay_=0.0, channel=None):
        real_send(self, kind, payload, source, target, delay)

    monkeypatch.setattr(Org, "send", send)
    result = run_replication(sim.scenario_from_dict(data).spec, 5, 0)  # raises if broken
    handoffs = [b for b in result.balances if b.name.startswith("hand-offs")]
    assert all(b.holds for b in result.balances)
    in_transit = sum(b.parts["in transit"] for b in handoffs)
    assert in_transit > 0
    orders = next(b for b in result.balances if b.name == "orders")
    assert orders.parts["delivered"] > 0.3 * orders.total
    if delay >= 600.0:  # orders placed in the last 10 hours still wait for their allocation
        assert orders.parts["awaiting stock"] > 0
    assert result.metrics["orders.lead_time.mean"] > inline.metrics["orders.lead_time.mean"]
