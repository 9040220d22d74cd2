"""What flows tell each other beyond work requests, and what they let others read.

Flows never import each other. They share these kinds of hand-off (passed over the seam, like
the commerce kinds of `shipments.py`) and these read-only views (a flow registers one in
`ctx.services` when it is built; another reads it at run time, never at build time, so the
build order does not matter):
- `SITE_CAPACITY`: scale the site's capacity by a factor over a window (a campaign's
  `capacity` prerequisite, once tech has done it);
- `DEMAND_FACTOR`: set a named factor on the order arrivals from now on (a campaign's uplift;
  the timeline's windows set theirs directly);
- `FORECAST_PURCHASE`: a one-off purchase of the extra units a forecast expects (a campaign's
  `forecast`, once supply has done it), placed by inventory with the products' suppliers;
- `SITE_HEALTH` (tech -> site): set a named capacity factor from now on (an open incident's
  effect; None removes it);
- `LOAD_INCIDENT` (site -> tech): the load hazard struck: an incident of the named severity;
- `Contact`: the payload of a `contact` hand-off (shipments.CONTACT) that names its cause
  (support reports inquiries by cause; a bare type name is its own cause) and, for an
  incident's, the incident;
- `INCIDENT_STATUS` (tech -> support): an incident is open (sent when tech detects it) or
  fixed; until support has an incident's "open" update, its inquiries are handled unaware;
- `SiteView` ("site"): how many intended orders the site lost over a window;
- `OrdersView` ("orders"): how many orders were placed over a window;
- `StockView` ("inventory"): units demanded and served from stock so far.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

SITE_CAPACITY = "site_capacity"
DEMAND_FACTOR = "demand_factor"
FORECAST_PURCHASE = "forecast_purchase"
SITE_HEALTH = "site_health"
LOAD_INCIDENT = "load_incident"
INCIDENT_STATUS = "incident_status"


@dataclass(frozen=True)
class SiteCapacity:
    """Multiply the site's capacity by `factor` from `start` to `end` (minutes)."""

    name: str
    factor: float
    start: float
    end: float


@dataclass(frozen=True)
class DemandFactor:
    """Set the order arrivals' factor `name` to `value` from now on (None removes it).

    `by_product` ((sku, factor), ...) gives some products their own factor (the others take
    `value`): the order rate then rises by the demand-weighted mean of the factors and the
    mix of products ordered shifts towards the raised ones."""

    name: str
    value: float | None
    by_product: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class ForecastPurchase:
    """Buy the extra units `expected_orders` (the orders expected over the window without
    the campaign) bring at `uplift` (`by_product` as in DemandFactor), each product's
    quantity multiplied by a draw of `error` (None: exact); the units are held for the
    campaign until `release_at` (its start)."""

    name: str
    expected_orders: float
    uplift: float
    release_at: float
    by_product: tuple[tuple[str, float], ...] = ()
    error: Callable[[], float] | None = None


@dataclass(frozen=True)
class SiteHealth:
    """Set the site's capacity factor `name` to `factor` from now on (None removes it)."""

    name: str
    factor: float | None


@dataclass(frozen=True)
class Contact:
    """An inquiry of type `inquiry_type` raised for `cause` ('incident', 'slow_site')."""

    inquiry_type: str
    cause: str
    incident: int | None = None  # the incident that raised it


@dataclass(frozen=True)
class IncidentStatus:
    """Tech's update to support: incident `incident` is open, or `fixed`."""

    incident: int
    fixed: bool


class SiteView(Protocol):
    def lost_orders(self, start: float, end: float) -> float:
        """Intended orders not placed between `start` and `end` because the site was slow or
        down (expected counts: visits are a rate, not events)."""
        ...


class OrdersView(Protocol):
    def placed(self, start: float, end: float) -> int:
        """Orders placed between `start` and `end`."""
        ...


class StockView(Protocol):
    def units_so_far(self) -> tuple[int, int]:
        """Units demanded since time 0, and of those the units served from stock on hand at
        once (a campaign reads them at its start and end for its fill rate)."""
        ...
