"""Delivery: carriers collect shipments at pickup times (or at once) and deliver them after
a transit time; a failed attempt waits for a redelivery and takes the transit time again.
Shipments come in through the seam (`shipment_ready`, or `shipment_released` with no
fulfilment); deliveries and failed attempts go out through it.
"""

from __future__ import annotations

from sim.metrics.output import FlowOutput
from sim.model.choice import weighted_choice
from sim.model.context import Context
from sim.model.flows.shipments import (
    AWAITING_PICKUP,
    DELIVERY_FAILED,
    IN_TRANSIT,
    SHIPMENT_DELIVERED,
    Shipment,
)
from sim.model.wakeup import Wakeup, call_later
from sim.scenario.commerce import CarrierSpec, DeliverySpec
from sim.units import DAY

SOURCE = "delivery"


def pickup_times(spec: CarrierSpec, horizon: float) -> list[float]:
    """Every pickup instant in [0, horizon), in order."""
    days = spec.pickup_days
    times = []
    day = 0
    while day * DAY < horizon:
        if day % 7 in days:
            times.extend(day * DAY + t for t in sorted(spec.pickups) if day * DAY + t < horizon)
        day += 1
    return times


class Carrier:
    def __init__(self, delivery: Delivery, name: str, spec: CarrierSpec) -> None:
        ctx = delivery.ctx
        self.delivery = delivery
        self.env = ctx.env
        self.org = ctx.org
        self.name = name
        self.spec = spec
        streams = ctx.streams
        self._transit = spec.transit_time.sampler(streams.stream(f"delivery.{name}.transit"))
        self._fail_draw = ctx.uniform(f"delivery.{name}.failed")
        self._redelivery = (spec.redelivery_delay.sampler(streams.stream(
            f"delivery.{name}.redelivery")) if spec.redelivery_delay else (lambda: 0.0))
        self.waiting: list[Shipment] = []
        self._pickups = pickup_times(spec, ctx.horizon) if spec.pickups else []

    def start(self) -> None:
        if self._pickups:
            self._schedule_pickup(0)

    def _schedule_pickup(self, index: int) -> None:
        if index < len(self._pickups):
            at = self._pickups[index]
            call_later(self.env, at - self.env._now, self._pick_up, index)

    def accept(self, shipment: Shipment, now: float) -> None:
        shipment.carrier = self
        shipment.mark = now
        if self._pickups:
            shipment.state = AWAITING_PICKUP
            self.waiting.append(shipment)
        else:
            self._dispatch(shipment, now)

    def _pick_up(self, event: Wakeup) -> None:
        now = self.env._now
        waiting, self.waiting = self.waiting, []
        for shipment in waiting:
            shipment.pickup += now - shipment.mark
            self._dispatch(shipment, now)
        self._schedule_pickup(event._value + 1)

    def _dispatch(self, shipment: Shipment, now: float) -> None:
        shipment.state = IN_TRANSIT
        shipment.mark = now
        call_later(self.env, self._transit(), self._arrive, shipment)

    def _arrive(self, event: Wakeup) -> None:
        shipment = event._value
        now = self.env._now
        if self.spec.failed_share and self._fail_draw() < self.spec.failed_share:
            self.org.send(DELIVERY_FAILED, shipment, SOURCE)
            call_later(self.env, self._redelivery() + self._transit(), self._arrive, shipment)
            return
        shipment.transit += now - shipment.mark
        self.org.send(SHIPMENT_DELIVERED, shipment, SOURCE)


class Delivery:
    def __init__(self, ctx: Context, spec: DeliverySpec) -> None:
        self.ctx = ctx
        self.spec = spec
        self.carriers = [Carrier(self, name, c) for name, c in spec.carriers.items()]
        shares = [c.share for c in spec.carriers.values()] if len(self.carriers) > 1 else [1]
        self._choose = weighted_choice(shares, ctx.uniform("delivery.carrier"))

    def start(self) -> None:
        for carrier in self.carriers:
            carrier.start()

    def accept(self, shipment: Shipment, now: float) -> None:
        """A shipment for a carrier (the `shipment_ready` hand-off)."""
        self.carriers[self._choose()].accept(shipment, now)

    def collect(self, now: float) -> FlowOutput:
        return FlowOutput()  # shipments are counted by orders; transit is in their split
