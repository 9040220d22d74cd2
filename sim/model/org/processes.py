"""Low-rate, multi-step behaviour written as SimPy processes that use the seam with `yield`.

The hot paths (arrival streams, the member pool) stay on callbacks; a process reads like
the story it tells. This module holds the worked example the collaboration layer builds on:
a round trip over the seam. An asker sends a question and waits for the answer; an expert
takes questions from its inbox one at a time, thinks, and answers. Each leg may be held
`delay` minutes in transit (a channel's latency), so with a delay d and a think time t a
question sent at s is answered at s + d + t + d when the expert is free.

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

from simpy import Event

from sim.model.org.handoff import Org


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
