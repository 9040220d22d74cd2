"""Low-rate, multi-step behaviour written as SimPy generator processes: worked examples.

Hot paths (arrival streams, the member pool, inline hand-offs) run on callbacks; a story with
several steps (an incident's life, a meeting series, a round trip over a channel) reads best
as a process that yields on the pool and the seam:

    grant = yield pool.request(skill="payments", priority=0)   # wait for a member
    yield env.timeout(work)                                    # the member works
    pool.release(grant)                                        # and takes the next work

    handoff = yield org.deliver("question", text, "orders", delay=5.0)  # wait for delivery
    answer = yield org.receive("answer", "orders")             # the next one in the inbox

`hold_meetings` takes members into a meeting series through the pool
(tests/model/test_member_pool.py drives it). `round_trip` and `expert` are a round trip over
the seam: an asker sends a question and waits for the answer; an expert takes questions
from its inbox one at a time, thinks, and answers. Each leg may be held `delay` minutes in
transit (a channel's latency), so with a delay d and a think time t a question sent at s is
answered at s + d + t + d when the expert is free (tests/model/test_processes.py):

    org.inbox("question", "expert")  # wired at build time, like `org.on`
    org.inbox("answer", "orders")
    env.process(expert(org, "question", "answer", "expert", think=3.0, delay=5.0))
    trip = env.process(round_trip(org, "what stock?", "orders", "question", "answer", 5.0))
    env.run()  # trip.value == RoundTrip(sent_at=0.0, asked_at=5.0, answered_at=13.0, ...)
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

from simpy import Environment, Event

from sim.model.org.handoff import Org
from sim.model.org.pool import PoolLevels


def hold_meetings(env: Environment, pool: PoolLevels, every: float, length: float,
                  log: list[tuple[str | None, float, float]], skill: str | None = None,
                  priority: int = 0, preempt: bool = False) -> Generator[Event, object, None]:
    """Every `every` minutes, take one member of `pool` into a meeting of `length` minutes:
    wait for a free one by `priority` like any other work (or, with `preempt`, take one from
    less urgent pre-emptible work), keep them for the meeting, give them back. Each meeting
    is logged as (member, started, ended)."""
    while True:
        called = env.now
        grant = yield pool.request(skill=skill, priority=priority, preempt=preempt)
        yield env.timeout(length)
        pool.release(grant)
        log.append((grant.member, grant.granted_at, env.now))
        yield env.timeout(max(0.0, called + every - env.now))


@dataclass(frozen=True)
class RoundTrip:
    """A question's times: sent, delivered to the expert, and the answer delivered back."""

    question: Any
    answer: Any
    sent_at: float
    asked_at: float
    answered_at: float

    @property
    def response_time(self) -> float:
        return self.answered_at - self.sent_at


def round_trip(org: Org, question: Any, asker: str, ask: str, reply: str,
               delay: float = 0.0) -> Generator[Event, Any, RoundTrip]:
    """Send `question` from `asker` as a hand-off of kind `ask`, wait until it is delivered,
    then wait for the next `reply` hand-off addressed to `asker`."""
    asked = yield org.deliver(ask, question, asker, delay=delay)
    answer = yield org.receive(reply, asker)
    return RoundTrip(question, answer.payload, asked.sent_at, asked.delivered_at,
                     answer.delivered_at)


def expert(org: Org, ask: str, reply: str, name: str, think: float, delay: float = 0.0,
           answer_of: Callable[[Any], Any] = repr) -> Generator[Event, Any, None]:
    """Forever: take the next `ask` hand-off addressed to `name`, think `think` minutes, and
    send `answer_of(question)` back as a `reply` hand-off held `delay` minutes."""
    while True:
        question = yield org.receive(ask, name)
        yield org.env.timeout(think)
        org.send(reply, answer_of(question.payload), name, delay=delay)
