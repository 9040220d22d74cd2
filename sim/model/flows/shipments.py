"""Orders and the shipments that carry them through fulfilment and delivery.

A shipment carries its own time split: each component is added when a phase ends, so the
components of the shipment that completes an order add up to the order's lead time.
"""

from __future__ import annotations

SPLIT_COMPONENTS = ("stock", "queue", "work", "cutoff", "pickup", "transit")

# where an open shipment is, for conservation
IN_FULFILMENT, AWAITING_PICKUP, IN_TRANSIT = "in fulfilment", "awaiting pickup", "in transit"


class Order:
    __slots__ = ("placed_at", "counted", "lines", "waiting_lines", "open_shipments",
                 "shipments", "done", "short")

    def __init__(self, placed_at: float, counted: bool) -> None:
        self.placed_at = placed_at
        self.counted = counted
        self.lines: list = []
        self.waiting_lines = 0  # lines still waiting for stock
        self.open_shipments = 0
        self.shipments: list[Shipment] = []
        self.done = False
        self.short = False  # hit by a stock-out


class Shipment:
    __slots__ = ("order", "lines", "created_at", "mark", "state", "stage", "in_queue",
                 "priority", "carrier", "queue", "work", "cutoff", "pickup", "transit",
                 "fulfilment_wait")

    def __init__(self, order: Order, lines: list, now: float) -> None:
        self.order = order
        self.lines = lines
        self.created_at = now
        self.mark = now  # when the current phase began
        self.state = IN_FULFILMENT
        self.stage = 0
        self.in_queue = False
        self.priority = 0
        self.carrier = None
        self.queue = 0.0
        self.work = 0.0
        self.cutoff = 0.0
        self.pickup = 0.0
        self.transit = 0.0

    def split(self) -> tuple[float, ...]:
        """Minutes spent in each of SPLIT_COMPONENTS, placed to delivered."""
        return (self.created_at - self.order.placed_at, self.queue, self.work, self.cutoff,
                self.pickup, self.transit)
