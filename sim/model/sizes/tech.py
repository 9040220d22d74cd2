"""Size of the tech flow (incidents and feature items) and of the site (a rate: few events)."""

from __future__ import annotations

from sim.model.sizes import FlowSize, RunShape, size_estimator
from sim.model.sizes.orders import ORDER_EVENT_COST
from sim.scenario.schema import ScenarioSpec
from sim.units import DAY, WEEK

INCIDENT_EVENTS = 8  # process steps: detect, page, grant, fix, release, site changes
FEATURE_EVENTS = 3  # arrival, finish, deploy (pre-emptions add a few)
PROCESS_EVENT_COST = 4 * ORDER_EVENT_COST  # a generator step costs more than a callback
RECORD_COLUMNS = 6 + 4  # base columns and a four-part split


@size_estimator("tech")
def tech_size(spec: ScenarioSpec, shape: RunShape) -> FlowSize | None:
    tech = spec.tech
    if tech is None:
        return None
    incidents = sum(s.rate for s in tech.incidents.values()) * shape.horizon
    features = (tech.features.arrivals.rate * shape.horizon if tech.features else 0.0)
    features += len(tech.work)
    failures = features * tech.deploys.change_failure
    events = (incidents + failures) * INCIDENT_EVENTS + features * FEATURE_EVENTS
    return FlowSize("tech", incidents + failures + features, "incidents and feature items",
                    events, PROCESS_EVENT_COST, kept_bytes=(incidents + features) * 24,
                    series=3, bin_arrays=3, samples=2, record_columns=RECORD_COLUMNS,
                    samplers=2 + 3 * len(tech.incidents))


@size_estimator("site")
def site_size(spec: ScenarioSpec, shape: RunShape) -> FlowSize | None:
    """The site changes state at the profile's steps (at most one an hour, say) and with
    incidents; it keeps two floats per change."""
    if spec.site is None:
        return None
    changes = shape.horizon / DAY * 24 + shape.horizon / WEEK
    return FlowSize("site", 0.0, "state changes", changes, ORDER_EVENT_COST,
                    kept_bytes=changes * 40, series=2, bin_arrays=2)
