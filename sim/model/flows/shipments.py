"""Orders, their lines and the shipments that carry them through fulfilment and delivery:
the entities the commerce flows hand each other through the seam.

A shipment carries its own time split: each component is added when a phase ends, so the
components of the shipment that completes an order add up to the order's lead time.
"""

from __future__ import annotations

SPLIT_COMPONENTS = ("stock", "queue", "work", "cutoff", "pickup", "transit")

# The kinds of hand-off the commerce flows pass through the seam (sim/model/org/handoff.py);
# sim/model/build.py registers their receivers.
STOCK_REQUEST = "stock_request"  # orders -> inventory: a new order's lines want stock
STOCK_ALLOCATED = "stock_allocated"  # inventory -> orders: what stock the lines got
BACKORDER_FILLED = "backorder_filled"  # inventory -> orders: a backordered line got its stock
SHIPMENT_RELEASED = "shipment_released"  # orders -> fulfilment (or delivery): lines to ship
SHIPMENT_READY = "shipment_ready"  # fulfilment -> delivery (or orders): packed and ready
SHIPMENT_DELIVERED = "shipment_delivered"  # delivery -> orders
DELIVERY_FAILED = "delivery_failed"  # delivery -> orders: an attempt failed (redelivery)
CONTACT = "contact"  # orders -> support: an inquiry, by type name

# where an open shipment is, for conservation
IN_FULFILMENT, AWAITING_PICKUP, IN_TRANSIT = "in fulfilment", "awaiting pickup", "in transit"
HELD_FOR_CUTOFF = "held for the cut-off"  # in fulfilment, ready after the day's cut-off
# the component of the split an open shipment's current phase adds to (records at the horizon)
_PHASE_COMPONENT = {HELD_FOR_CUTOFF: "cutoff", AWAITING_PICKUP: "pickup", IN_TRANSIT: "transit"}


class Line:
    """An order line: `units` of one product (its index in the catalog, None with no
    catalog), `missing` of them still to come from stock."""

    __slots__ = ("product", "units", "missing", "order")

    def __init__(self, product: int | None, units: int, order: Order | None = None) -> None:
        self.product = product
        self.units = units
        self.missing = 0
        self.order = order


class Order:
    """`id` counts orders in the order they were placed (entity records)."""

    __slots__ = ("id", "placed_at", "counted", "lines", "waiting_lines", "open_shipments",
                 "shipments", "done", "short")

    def __init__(self, id: int, placed_at: float, counted: bool) -> None:
        self.id = id
        self.placed_at = placed_at
        self.counted = counted
        self.lines: list[Line] = []
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

    def split_so_far(self, now: float) -> list[float]:
        """For a shipment still under way at `now`: the split with the phase it is in given
        the rest of the time since the order was placed (waiting for a member, being worked
        on, held for the cut-off, waiting for a pickup, in transit), so it adds up to
        `now - placed_at`. Work is added in full when it starts, so during work the rest is
        negative: it takes back the part not done yet."""
        parts = list(self.split())
        if self.state == IN_FULFILMENT:
            phase = "queue" if self.in_queue else "work"
        else:
            phase = _PHASE_COMPONENT[self.state]
        index = SPLIT_COMPONENTS.index(phase)
        parts[index] += (now - self.order.placed_at) - sum(parts)
        return parts
