"""The split of response times into operations and collaboration, as metrics.

Every entity kind (sim/metrics/records.py) declares its components, each tagged operations
or collaboration. A flow reports `<flow>.time_split.<component>` (mean minutes over the
entities it finished in the window); `collaboration_shares` then derives, for every kind a
scenario has, `<flow>.collaboration_share`: the collaboration components' part of the sum of
all components (their means add up to the mean response time). Generic over the declared
components, so a new flow's kind gets the share by declaring its components and reporting
its time split.
"""

from __future__ import annotations

from collections.abc import Mapping

from sim.metrics.records import COLLABORATION, OPERATIONS, EntityKind, recorded_kinds
from sim.scenario.collab import collaboration_on

# the collaboration layer's components (issue 10), in the order records list them
CHANNEL = "channel"
MEETING = "meeting"
VERIFICATION = "verification"
ASK_BACK = "ask_back"
HANDOFF_REWORK = "handoff_rework"
DUPLICATE = "duplicate"
ORPHANED = "orphaned"
COLLABORATION_COMPONENTS = (CHANNEL, MEETING, VERIFICATION, ASK_BACK, HANDOFF_REWORK,
                            DUPLICATE, ORPHANED)
COMPONENT_INDEX = {name: i for i, name in enumerate(COLLABORATION_COMPONENTS)}


def collaboration_tags() -> dict[str, str]:
    """The components as an entity kind declares them (after its operations ones)."""
    return dict.fromkeys(COLLABORATION_COMPONENTS, COLLABORATION)


def new_times() -> list[float]:
    """An entity's collaboration times so far, in COLLABORATION_COMPONENTS order."""
    return [0.0] * len(COLLABORATION_COMPONENTS)


def reported_components(kind: EntityKind, spec) -> tuple[str, ...]:
    """The components of `kind` a run of `spec` reports as `<flow>.time_split.<component>`:
    all of them with collaboration settings; without, the operations ones only (the others
    are 0 by construction, and seven rows of zeros per flow would bury the table)."""
    if collaboration_on(spec):
        return tuple(kind.components)
    return tuple(c for c, tag in kind.components.items() if tag == OPERATIONS)


def drop_unreported(spec, metrics: dict[str, float]) -> None:
    """Remove the time-split metrics of components `spec` does not report (flows compute
    every component; the rule of what is shown lives here, once)."""
    if collaboration_on(spec):
        return
    for kind in recorded_kinds(spec):
        for component, tag in kind.components.items():
            if tag == COLLABORATION:
                metrics.pop(time_split_name(kind, component), None)


def time_split_name(kind: EntityKind, component: str) -> str:
    return f"{kind.metric_prefix}.time_split.{component}"


def collaboration_share(kind: EntityKind, metrics: Mapping[str, float]) -> float | None:
    """The collaboration part of the kind's mean response time, from its time-split metrics
    (None when the flow did not report its operations components; a collaboration component
    not reported is 0; nan when no entity finished)."""
    values = {c: metrics.get(time_split_name(kind, c),
                             0.0 if tag == COLLABORATION else None)
              for c, tag in kind.components.items()}
    if any(v is None for v in values.values()):
        return None
    total = sum(values.values())
    collab = sum(v for c, v in values.items() if kind.components[c] == COLLABORATION)
    if total != total or total == 0:  # nan, or nothing to split
        return float("nan") if total != total else 0.0
    return collab / total


def collaboration_shares(spec, metrics: Mapping[str, float]) -> dict[str, float]:
    """`<flow>.collaboration_share` for every kind `spec` has that reports its split."""
    shares = {}
    for kind in recorded_kinds(spec):
        share = collaboration_share(kind, metrics)
        if share is not None:
            shares[f"{kind.metric_prefix}.collaboration_share"] = share
    return shares


def share_flows(spec) -> list[str]:
    return [kind.metric_prefix for kind in recorded_kinds(spec)]


# --- declared metrics (sim/metrics/declare.py) -------------------------------------------

from sim.metrics.declare import SHARE, Metric, declare  # noqa: E402

SPLIT_METRICS = declare("split", [
    Metric("<flow>.collaboration_share", SHARE, "collaboration components' part of the "
           "flow's mean response time (channel, meeting, verification, ask_back, "
           "handoff_rework, duplicate, orphaned); 0 without collaboration settings",
           values=share_flows),
], active=lambda spec: True, order=60)
