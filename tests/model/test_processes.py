"""The seam from SimPy processes: `yield org.deliver(...)` waits for a hand-off's delivery,
`yield org.receive(kind, target)` for the next one addressed to a process; the round-trip
example at exact event times; the balance with processes; the inline path unchanged."""

from __future__ import annotations

import pytest
from simpy import Environment

import sim.model.org.handoff as handoff_module
from sim.model.org.handoff import HandoffError, Org
from sim.model.org.processes import RoundTrip, expert, round_trip


def desk() -> tuple[Environment, Org]:
    env = Environment()
    org = Org(env)
    org.inbox("question", "expert")
    org.inbox("answer", "orders")
    return env, org


def balance(org: Org) -> dict[str, tuple[int, int, int]]:
    return {b.name: (b.total, b.parts["delivered"], b.parts["in transit"])
            for b in org.balances()}


def test_a_round_trip_is_answered_after_both_legs_and_the_thinking():
    env, org = desk()
    env.process(expert(org, "question", "answer", "expert", think=3.0, delay=5.0))
    trip = env.process(round_trip(org, "stock of A?", "orders", "question", "answer", 5.0))
    env.run()
    assert trip.value == RoundTrip("stock of A?", "'stock of A?'", 0.0, 5.0, 13.0)
    assert trip.value.response_time == 13.0
    assert balance(org) == {"hand-offs question (expert)": (1, 1, 0),
                            "hand-offs answer (orders)": (1, 1, 0)}


def test_an_expert_answers_one_question_at_a_time_in_the_order_they_arrive():
    """Three askers at 0, 1 and 2 with legs of 5 and 3 minutes of thinking: questions reach
    the expert at 5, 6, 7 and are answered in turn at 8, 11, 14, arriving back at 13, 16,
    19; each asker takes the next answer addressed to `orders` (first delivered, first taken)."""
    env, org = desk()
    env.process(expert(org, "question", "answer", "expert", think=3.0, delay=5.0))
    trips = []

    def ask_at(start: float, question: str):
        yield env.timeout(start)
        trip = yield env.process(round_trip(org, question, "orders", "question", "answer",
                                            5.0))
        trips.append(trip)

    for start, question in ((0.0, "a"), (1.0, "b"), (2.0, "c")):
        env.process(ask_at(start, question))
    env.run()
    assert [(t.sent_at, t.asked_at, t.answered_at, t.answer) for t in trips] == [
        (0.0, 5.0, 13.0, "'a'"), (1.0, 6.0, 16.0, "'b'"), (2.0, 7.0, 19.0, "'c'")]


def test_the_balance_counts_hand_offs_in_transit_while_processes_wait():
    env, org = desk()
    env.process(expert(org, "question", "answer", "expert", think=3.0, delay=5.0))
    env.process(round_trip(org, "q", "orders", "question", "answer", 5.0))
    env.run(until=4.0)  # the question is on its way
    assert balance(org)["hand-offs question (expert)"] == (1, 0, 1)
    env.run(until=10.0)  # the answer is on its way
    assert balance(org) == {"hand-offs question (expert)": (1, 1, 0),
                            "hand-offs answer (orders)": (1, 0, 1)}
    assert all(b.holds for b in org.balances())
    assert org.in_transit() == 1


def test_deliver_waits_for_a_callback_receiver_and_succeeds_at_once_inline():
    env = Environment()
    org = Org(env)
    got: list = []
    org.on("note", lambda payload, now: got.append((payload, now)), target="desk")
    times: list = []

    def sender():
        yield env.timeout(2.0)
        inline = yield org.deliver("note", "now", "orders")
        times.append((env.now, inline.sent_at, inline.delivered_at))
        late = yield org.deliver("note", "late", "orders", delay=4.5)
        times.append((env.now, late.sent_at, late.delivered_at))

    env.process(sender())
    env.run()
    assert got == [("now", 2.0), ("late", 6.5)]
    assert times == [(2.0, 2.0, 2.0), (6.5, 2.0, 6.5)]
    assert balance(org) == {"hand-offs note (desk)": (2, 2, 0)}


def test_a_hand_off_that_arrives_before_the_process_asks_waits_in_its_inbox():
    env, org = desk()
    org.send("question", "early", "orders")  # inline, no process waiting yet
    assert balance(org)["hand-offs question (expert)"] == (1, 1, 0)  # delivered: at its target
    taken: list = []

    def late_reader():
        yield env.timeout(10.0)
        question = yield org.receive("question", "expert")
        taken.append((env.now, question.payload, question.delivered_at))

    env.process(late_reader())
    env.run()
    assert taken == [(10.0, "early", 0.0)]  # the process-received record keeps its payload


def test_a_kind_has_one_receiver_callback_or_inbox():
    env, org = desk()
    org.on("note", print, target="desk")
    with pytest.raises(HandoffError, match="through a callback"):
        org.receive("note", "desk")
    with pytest.raises(HandoffError, match="already go to expert through a process's inbox"):
        org.receive("question", "someone else")
    with pytest.raises(HandoffError, match="already go to expert"):
        org.on("question", print, target="expert")
    with pytest.raises(HandoffError, match="not in the model"):
        org.deliver("unknown", 1, "orders")
    assert org.receive("question", "expert") is not None  # the same inbox, asked again


def test_an_inline_pass_to_a_callback_still_makes_no_record(monkeypatch):
    """The hot path is unchanged: only processes (or a recorder) make Handoff records."""
    made: list = []
    real_init = handoff_module.Handoff.__init__

    def counting_init(self, *args):
        made.append(args[0])
        real_init(self, *args)

    monkeypatch.setattr(handoff_module.Handoff, "__init__", counting_init)
    env, org = desk()
    org.on("note", lambda payload, now: None, target="desk")
    org.send("note", 1, "orders")
    assert made == []
    org.send("question", 2, "orders")  # an inbox keeps records
    org.deliver("note", 3, "orders")  # a process waits for it
    assert made == ["question", "note"]
    org.recorder = lambda h: None  # a recorder set after wiring sees every pass
    org.send("note", 4, "orders")
    assert made == ["question", "note", "note"]
