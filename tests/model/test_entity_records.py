"""Entity records (sim/metrics/records.py): every entity's time split adds up to its response
time, ids count entities in creation order, open entities carry the split so far, and the
metrics computed as the run goes are the ones the records give after it."""

from __future__ import annotations

import numpy as np
import pytest
from simpy.events import Timeout

import sim
from sim.metrics.records import entity_kinds
from sim.model.flows.support import SupportDesk
from sim.replication import build_model, run_replication
from sim.results import records_frame
from tests.model.test_commerce_flow import VARIANTS, variant

DESK = {
    "name": "desk", "horizon": "2d", "warmup": "6h", "seed": 5,
    "teams": {"support": {"members": 2}},
    "support": {"arrivals": "40/h", "handle_time": "exp(3m)", "patience": "exp(2m)",
                "inquiry_types": {"a": {"share": 0.6}, "b": {"share": 0.4,
                                                          "handle_time": "exp(5m)"}}},
}


def frames(data: dict, seed: int = 7):
    spec = sim.scenario_from_dict(data).spec
    result = run_replication(spec, seed=seed, replication=2, records=True)
    return spec, result, {kind: records_frame(table) for kind, table in result.records.items()}


def split_of(frame) -> np.ndarray:
    return frame.filter(like="split.").to_numpy().sum(axis=1)


def assert_splits_add_up(frame, horizon: float) -> None:
    """Finished: the split is finished - created; open: horizon - created (time so far);
    no component is negative. Rounding: a few ulps of the instants involved."""
    parts = frame.filter(like="split.").to_numpy()
    assert parts.shape[1] >= 2
    assert (parts >= -1e-9 * horizon).all()
    done = frame["finished"].notna().to_numpy()
    assert (frame["outcome"][done] != "open").all() and (frame["outcome"][~done] == "open").all()
    end = np.where(done, frame["finished"].to_numpy(), horizon)
    np.testing.assert_allclose(split_of(frame), end - frame["created"].to_numpy(),
                               rtol=0, atol=1e-9 * horizon)


@pytest.mark.parametrize("name", VARIANTS)
def test_every_order_split_adds_up_and_matches_the_balance(name):
    spec, result, records = frames(variant(name))
    orders = records["orders"]
    balance = next(b for b in result.balances if b.name == "orders")
    # one row per order placed, ids 0..n-1 in creation order (so created never decreases)
    assert len(orders) == balance.total > 500
    np.testing.assert_array_equal(orders["id"], np.arange(len(orders)))
    assert (np.diff(orders["created"]) >= 0).all()
    assert (orders["replication"] == 2).all()
    assert_splits_add_up(orders, spec.horizon)
    outcomes = orders["outcome"].value_counts()
    assert outcomes["delivered"] == balance.parts["delivered"]
    assert outcomes["lost"] == balance.parts["lost"]
    assert outcomes["open"] == balance.total - balance.parts["delivered"] - balance.parts["lost"]
    if spec.fulfilment or spec.delivery:  # orders take days: some are under way at the end
        assert outcomes["open"] > 0
    carriers = set(spec.delivery.carriers) if spec.delivery else set()
    assert set(orders["type"]) <= carriers | {"order"}
    delivered = orders[orders["outcome"] == "delivered"]
    if spec.delivery:  # every delivered order came with a carrier
        assert set(delivered["type"]) <= carriers
    if name == "cutoff":  # shipments ready after the last cut-off are held at the horizon
        open_orders = orders[orders["outcome"] == "open"]
        assert (open_orders["split.cutoff"] > 0).any()
    if name.startswith("backlog"):  # orders waiting for stock: all their time so far is stock
        waiting = orders[(orders["outcome"] == "open") & (orders["split.stock"] > 0)]
        assert len(waiting) > 0


def test_the_order_metrics_are_the_records_after_warm_up():
    """Lead time and its split count orders delivered after warm-up: from the records, the
    same orders give the same means (computed from the same floats)."""
    spec, result, records = frames(variant("partial"))
    orders = records["orders"]
    done = orders[(orders["outcome"] == "delivered") & (orders["finished"] >= spec.warmup)]
    m = result.metrics
    lead = (done["finished"] - done["created"]).to_numpy()
    assert m["orders.lead_time.mean"] == pytest.approx(lead.mean(), rel=1e-12)
    for component in ("stock", "queue", "work", "cutoff", "pickup", "transit"):
        assert m[f"orders.time_split.{component}"] == pytest.approx(
            done[f"split.{component}"].mean(), rel=1e-12, abs=1e-12)


def test_every_inquiry_split_adds_up_and_matches_the_desk():
    spec, result, records = frames(DESK)
    inquiries = records["support"]
    balance = next(b for b in result.balances if b.name == "support inquiries")
    assert len(inquiries) == balance.total > 1000
    np.testing.assert_array_equal(inquiries["id"], np.arange(len(inquiries)))
    assert_splits_add_up(inquiries, spec.horizon)
    outcomes = inquiries["outcome"].value_counts()
    assert outcomes["answered"] == balance.parts["completed"]
    assert outcomes["abandoned"] == balance.parts["abandoned"] > 0
    assert outcomes["open"] == balance.parts["in service"] + balance.parts["waiting"]
    assert set(inquiries["type"]) == {"a", "b"}
    gave_up = inquiries[inquiries["outcome"] == "abandoned"]
    assert (gave_up["split.work"] == 0).all()  # no work on an inquiry nobody took
    # the metrics count inquiries arriving after warm-up
    after = inquiries[inquiries["created"] >= spec.warmup]
    answered = after[after["outcome"] != "abandoned"]
    answered = answered[~((answered["outcome"] == "open") & (answered["split.work"] == 0))]
    m = result.metrics
    assert m["support.wait.mean"] == pytest.approx(answered["split.queue"].mean(), rel=1e-12)
    assert m["support.abandoned_share"] == pytest.approx(
        (after["outcome"] == "abandoned").mean(), rel=1e-12)
    for name in ("a", "b"):
        kind = answered[answered["type"] == name]
        assert m[f"support.type.{name}.wait.mean"] == pytest.approx(kind["split.queue"].mean(),
                                                                    rel=1e-12)


def test_an_inquirys_split_at_exact_times():
    """One agent, 10 minutes per inquiry, inquiries at 0, 1 and 2 min, horizon 25 min:
    answered at 10 (0 + 10) and 20 (9 + 10); the third is with the agent since 20, open at
    25 with 18 minutes queued and 5 worked so far."""
    data = {"name": "exact", "horizon": "25m", "seed": 1, "teams": {"support": {"members": 1}},
            "support": {"handle_time": "const(10m)"}}
    spec = sim.scenario_from_dict(data).spec
    env, ctx, flows = build_model(spec, 1, 0, records=True)
    desk = next(flow for flow in flows if isinstance(flow, SupportDesk))
    for at in (0.0, 1.0, 2.0):
        Timeout(env, at).callbacks.append(lambda _event: desk.accept(0, env.now))
    env.run(until=spec.horizon)
    desk.collect(env.now)
    frame = records_frame(ctx.records.tables(0)["support"])
    assert frame["id"].tolist() == [0, 1, 2]
    assert frame["created"].tolist() == [0.0, 1.0, 2.0]
    assert frame["finished"].tolist()[:2] == [10.0, 20.0] and np.isnan(frame["finished"][2])
    assert frame["outcome"].tolist() == ["answered", "answered", "open"]
    assert frame["split.queue"].tolist() == [0.0, 9.0, 18.0]
    assert frame["split.work"].tolist() == [10.0, 10.0, 5.0]


def test_without_records_no_entity_is_kept():
    spec = sim.scenario_from_dict(DESK).spec
    env, ctx, flows = build_model(spec, 1, 0)
    desk = next(flow for flow in flows if isinstance(flow, SupportDesk))
    assert ctx.records is None and desk.records is None and desk._open is None
    assert run_replication(spec, 1, 0).records == {}


def test_every_kind_declares_tagged_components_and_open_last():
    kinds = {kind.name: kind for kind in entity_kinds()}
    assert {"support", "orders"} <= set(kinds)
    assert list(kinds["orders"].components) == ["stock", "queue", "work", "cutoff", "pickup",
                                                "transit"]
    assert list(kinds["support"].components) == ["queue", "work", "preempted", "channel",
                                                 "meeting", "verification", "ask_back",
                                                 "handoff_rework", "duplicate", "orphaned"]
    for kind in kinds.values():
        assert set(kind.components.values()) <= {"operations", "collaboration"}
        assert kind.outcomes[-1] == "open"
    with pytest.raises(ValueError, match="tagged"):
        from sim.metrics.records import EntityKind
        EntityKind("x", "xs", {"wait": "waiting"}, ("done", "open"), lambda spec: True)


PREEMPTING_DESK = {
    "name": "preempt", "horizon": "2d", "warmup": "6h", "seed": 5,
    "teams": {"support": {"members": 2}},
    "support": {"arrivals": "30/h", "handle_time": "exp(3m)", "preemption": "resume",
                "patience": "exp(20m)",
                "inquiry_types": {"urgent": {"share": 0.3, "priority": 1},
                                  "later": {"share": 0.7, "priority": 2}}},
}


def test_pre_empted_inquiries_split_into_queue_work_and_time_set_aside():
    """With pre-emption: queue + work + preempted is the time to resolve of an answered
    inquiry and the time so far of an open one; only the lower priority is ever set aside,
    and the time-to-resolve metric is the records' mean after warm-up."""
    spec, result, records = frames(PREEMPTING_DESK)
    inquiries = records["support"]
    balance = next(b for b in result.balances if b.name == "support inquiries")
    assert len(inquiries) == balance.total > 1000
    assert_splits_add_up(inquiries, spec.horizon)
    outcomes = inquiries["outcome"].value_counts()
    assert outcomes["answered"] == balance.parts["completed"]
    assert outcomes.get("open", 0) == (balance.parts["in service"] + balance.parts["waiting"]
                                       + balance.parts["pre-empted, waiting"])
    aside = inquiries[inquiries["split.preempted"] > 0]
    assert len(aside) > 50 and set(aside["type"]) == {"later"}
    assert (inquiries[inquiries["outcome"] == "abandoned"]["split.preempted"] == 0).all()
    answered = inquiries[(inquiries["outcome"] == "answered")
                         & (inquiries["created"] >= spec.warmup)]
    m = result.metrics
    assert m["support.time_to_resolve.mean"] == pytest.approx(
        (answered["finished"] - answered["created"]).mean(), rel=1e-12)
    later = answered[answered["type"] == "later"]
    assert m["support.type.later.time_to_resolve.mean"] == pytest.approx(
        (later["finished"] - later["created"]).mean(), rel=1e-12)
