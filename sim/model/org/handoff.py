"""The hand-off seam: the one place work and information pass between teams and flows.

Flows never call or import each other. A flow that takes a kind of hand-off registers for it
(`org.on("shipment_ready", delivery.accept, target="delivery")`, wired in
`sim/model/build.py`); a flow that passes one sends it (`org.send("shipment_ready",
shipment, "fulfilment")`). The receiver is called as `receiver(payload, now)`.

Today every pass is instant and delivered inline, at the send, so the order in which things
happen at one instant is the order of the sends (deterministic). The seam can already hold a
hand-off in transit: `send(..., delay=d)` delivers it `d` minutes later, and
`send(..., channel=c)` gives it to a `Channel` that delivers it when it likes (the
collaboration layer's channels, meetings and trust fill this in). Its balance counts every
hand-off sent as delivered or in transit, per kind, and is checked at the end of every run.

A hand-off is a `Handoff` record (kind, source, target, payload, sent and delivered times).
An inline pass nobody records makes no record object (the per-order hot path passes several
hand-offs); one in transit, one a recorder asked for, or one a process waits for, does.

SimPy processes (low-rate, multi-step behaviour: a round trip, a meeting series) use the
seam with `yield`, and only they pay for events:
- `done = yield org.deliver(kind, payload, source, delay=...)` sends like `send` and waits
  until the hand-off is delivered; the event's value is the `Handoff` (an inline pass
  succeeds at once, the process resumes at the same instant).
- `handoff = yield org.receive(kind, target)` waits for the next hand-off of `kind`. A kind
  has one receiver: a callback (`on`) or an inbox (`inbox`, a SimPy Store that `receive`
  takes from, first delivered first taken). A hand-off that arrives before a process asks
  waits in the inbox; it counts as delivered (it reached its target; the wait is the
  target's queue, not the seam's). A process-received `Handoff` keeps its payload.
See `sim/model/org/processes.py` for an example.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from simpy import Event, Store

from sim.metrics.output import Balance
from sim.model.wakeup import Wakeup, call_later

Receiver = Callable[[Any, float], None]


class HandoffError(LookupError):
    pass


def _not_in_model(kind: str, source: str, target: str | None) -> HandoffError:
    return HandoffError(f"{source} hands '{kind}' to {target or 'a receiver'}, which is not "
                        f"in the model")


class Handoff:
    """One pass of work or information from `source` to `target`."""

    __slots__ = ("kind", "source", "target", "payload", "sent_at", "delivered_at", "done")

    def __init__(self, kind: str, source: str, target: str, payload: Any,
                 sent_at: float) -> None:
        self.kind = kind
        self.source = source
        self.target = target
        self.payload = payload
        self.sent_at = sent_at
        self.delivered_at: float | None = None  # None while in transit
        self.done: Event | None = None  # succeeds at delivery when a process waits for it


class Channel(Protocol):
    """What carries a hand-off that is not passed inline (the collaboration layer's part).

    `carry` must call `deliver(handoff)` exactly once, now or later; until it does, the
    hand-off counts as in transit.
    """

    def carry(self, handoff: Handoff, deliver: Callable[[Handoff], None]) -> None: ...


Recorder = Callable[[Handoff], None]


class Route:
    """One kind of hand-off: who receives it and how many were sent and delivered."""

    __slots__ = ("kind", "target", "receiver", "inbox", "held", "sent", "delivered",
                 "channelled")

    def __init__(self, kind: str, target: str, receiver: Receiver | None,
                 inbox: Store | None = None) -> None:
        self.kind = kind
        self.target = target
        self.receiver = receiver  # a callback, or None when processes take from `inbox`
        self.inbox = inbox
        # every pass makes a Handoff record (a recorder is set, or the inbox keeps records);
        # else an undelayed pass is inline, with no record
        self.held = inbox is not None
        self.sent = 0
        self.delivered = 0
        # the sources whose hand-offs of this kind go through the org's channel (other
        # teams, when the target is a team and the collaboration layer is on); else None
        self.channelled: frozenset[str] | None = None


class Org:
    __slots__ = ("env", "_routes", "_in_transit", "_recorder", "_channel")

    def __init__(self, env: Any) -> None:
        self.env = env
        self._routes: dict[str, Route] = {}
        self._in_transit: dict[int, Handoff] = {}  # by id, in the order they were sent
        self._recorder: Recorder | None = None
        self._channel: Channel | None = None

    @property
    def recorder(self) -> Recorder | None:
        """Called with each delivered hand-off when set (entity records); it must copy what it
        keeps from the payload: the seam drops the payload after delivery (except for a
        process that received it), so a kept record never holds an entity alive."""
        return self._recorder

    @recorder.setter
    def recorder(self, recorder: Recorder | None) -> None:
        self._recorder = recorder
        for route in self._routes.values():
            route.held = recorder is not None or route.inbox is not None

    # --- wiring (at build time) ----------------------------------------------------------

    def on(self, kind: str, receiver: Receiver, target: str) -> None:
        """`receiver(payload, now)` takes every hand-off of `kind`; `target` names the flow or
        team it belongs to."""
        if kind in self._routes:
            raise HandoffError(f"'{kind}' hand-offs already go to {self._routes[kind].target}")
        self._add(Route(kind, target, receiver))

    def inbox(self, kind: str, target: str) -> Store:
        """The inbox processes of `target` take hand-offs of `kind` from (`receive`), made on
        first use: `kind` then has no callback receiver."""
        route = self._routes.get(kind)
        if route is None:
            route = self._add(Route(kind, target, None, Store(self.env)))
        if route.inbox is None or route.target != target:
            how = "a process's inbox" if route.inbox is not None else "a callback"
            raise HandoffError(f"'{kind}' hand-offs already go to {route.target} through "
                               f"{how}; a kind has one receiver")
        return route.inbox

    def _add(self, route: Route) -> Route:
        route.held = route.held or self._recorder is not None
        self._routes[route.kind] = route
        return route

    def use_channel(self, channel: Channel, teams: frozenset[str]) -> None:
        """Carry every hand-off from one of `teams` to another through `channel` (the
        collaboration layer), after every route is registered. Passes within a team, and to
        or from flows that are not teams (customers, carriers, suppliers), stay direct."""
        self._channel = channel
        for route in self._routes.values():
            if route.target in teams:
                route.channelled = teams - {route.target}

    def receives(self, kind: str) -> bool:
        """Whether some flow in the model takes hand-offs of `kind`."""
        return kind in self._routes

    def target_of(self, kind: str) -> str | None:
        route = self._routes.get(kind)
        return route.target if route else None

    # --- passing -------------------------------------------------------------------------

    def send(self, kind: str, payload: Any, source: str, target: str | None = None,
             delay: float = 0.0, channel: Channel | None = None) -> None:
        """Pass `payload` from `source` to whoever takes `kind` (which must be `target` when
        given): inline by default, after `delay` minutes, or through `channel`."""
        route = self._routes.get(kind)
        if route is None or (target is not None and target != route.target):
            raise _not_in_model(kind, source, target)
        route.sent += 1
        if route.channelled is not None and source in route.channelled and channel is None:
            channel = self._channel
        if delay or channel is not None or route.held:
            self._pass(Handoff(kind, source, route.target, payload, self.env._now), delay,
                       channel)
            return
        route.receiver(payload, self.env._now)
        route.delivered += 1

    def deliver(self, kind: str, payload: Any, source: str, target: str | None = None,
                delay: float = 0.0, channel: Channel | None = None) -> Event:
        """`send`, for a process: the returned event succeeds with the `Handoff` when it is
        delivered (at once when inline), its times set; its payload is dropped at delivery
        as for any record (the sender has it) unless the receiver is a process's inbox."""
        route = self._routes.get(kind)
        if route is None or (target is not None and target != route.target):
            raise _not_in_model(kind, source, target)
        route.sent += 1
        if route.channelled is not None and source in route.channelled and channel is None:
            channel = self._channel
        handoff = Handoff(kind, source, route.target, payload, self.env._now)
        done = handoff.done = Event(self.env)
        self._pass(handoff, delay, channel)
        return done

    def receive(self, kind: str, target: str) -> Event:
        """For a process of `target`: an event that succeeds with the next `Handoff` of
        `kind` delivered to it (one already waiting in its inbox at once)."""
        return self.inbox(kind, target).get()

    def _pass(self, handoff: Handoff, delay: float, channel: Channel | None) -> None:
        if channel is not None:
            self._in_transit[id(handoff)] = handoff
            channel.carry(handoff, self._deliver)
        elif delay:
            if delay < 0:
                raise ValueError(f"a hand-off cannot arrive before it is sent (delay {delay})")
            self._in_transit[id(handoff)] = handoff
            call_later(self.env, delay, self._arrive, handoff)
        else:
            self._deliver(handoff, held=False)

    def _arrive(self, event: Wakeup) -> None:
        self._deliver(event._value)

    def _deliver(self, handoff: Handoff, held: bool = True) -> None:
        if held and self._in_transit.pop(id(handoff), None) is None:
            raise HandoffError(f"'{handoff.kind}' hand-off delivered twice or never sent")
        route = self._routes[handoff.kind]
        now = self.env._now
        handoff.delivered_at = now
        if route.inbox is None:
            route.receiver(handoff.payload, now)
        route.delivered += 1
        if self._recorder is not None:
            self._recorder(handoff)
        if handoff.done is not None:
            handoff.done.succeed(handoff)
        if route.inbox is not None:
            route.inbox.put(handoff)  # wakes the process waiting in `receive`, if one is
        else:
            handoff.payload = None

    # --- results -------------------------------------------------------------------------

    def in_transit(self, kind: str | None = None) -> int:
        return sum(1 for h in self._in_transit.values() if kind is None or h.kind == kind)

    def counts(self) -> dict[str, tuple[int, int]]:
        """(sent, delivered) per kind."""
        return {kind: (r.sent, r.delivered) for kind, r in self._routes.items()}

    def balances(self) -> list[Balance]:
        """Per kind: every hand-off sent is delivered or still in transit."""
        held = {kind: 0 for kind in self._routes}
        for handoff in self._in_transit.values():
            held[handoff.kind] += 1
        return [Balance(f"hand-offs {kind} ({route.target})", route.sent,
                        {"delivered": route.delivered, "in transit": held[kind]})
                for kind, route in self._routes.items()]
