"""Size of the collaboration layer: each hand-off between teams is a small process (its
legs, checks and rework), and each meeting takes its attendees away and back."""

from __future__ import annotations

from sim.model.sizes import FlowSize, RunShape, size_estimator
from sim.model.sizes.support import escalated_inquiries
from sim.scenario.collab import collaboration_on, handoff_pairs
from sim.scenario.schema import ScenarioSpec

# measured on the escalations scenario (benchmarks/collab_overhead.py): a chat hand-off makes
# about 5 events, one with verification, asking back and 20% errors about 7; CPU per event
COLLAB_EVENT_COST = 3.5e-6
EVENTS_PER_HANDOFF = 5.0
EVENTS_PER_CHECK = 2.0  # verification's pool task: its finish and the process's wake-up
EVENTS_PER_LEG = 1.5


@size_estimator("collab")
def collab_size(spec: ScenarioSpec, shape: RunShape) -> FlowSize | None:
    if not collaboration_on(spec):
        return None
    # hand-offs: every escalation is a question and an answer (other flows' hand-offs are
    # added here as they register pairs)
    handoffs = 2 * escalated_inquiries(spec, shape)
    per_handoff = EVENTS_PER_HANDOFF
    trust = spec.trust
    if trust is not None:
        doubt = 1.0 - min([trust.default, *trust.pairs.values(), *trust.members.values()])
        per_handoff += doubt * (2 * EVENTS_PER_LEG + (EVENTS_PER_CHECK if trust.verification
                                                      else 0.0))
    meetings = 0.0
    if spec.channels is not None:
        channels = spec.channels.root.values()
        error = max((c.error for c in channels), default=0.0)
        per_handoff += error / (1.0 - error) * (2 * EVENTS_PER_LEG + 2 * EVENTS_PER_CHECK)
        pairs = max(1, len(handoff_pairs(spec)))
        meetings = sum(shape.horizon / c.every * 2 for c in channels if c.kind == "meeting")
        meetings *= pairs
    events = handoffs * per_handoff + meetings
    pairs = len(handoff_pairs(spec))
    return FlowSize("collab", handoffs, "hand-offs", events, COLLAB_EVENT_COST,
                    series=pairs + len(trust.members) if trust is not None else 0,
                    bin_arrays=pairs,
                    reduce=("fewer hand-offs between teams",))
