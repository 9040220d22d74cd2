"""Size of the support desk: its own inquiries and those other flows hand to it."""

from __future__ import annotations

from sim.metrics.records import BASE_COLUMNS as RECORD_BASE_COLUMNS
from sim.metrics.split import COLLABORATION_COMPONENTS
from sim.model.sizes import KEPT_VALUE_BYTES, FlowSize, RunShape, batched, size_estimator
from sim.model.sizes.orders import raised_contacts
from sim.scenario.schema import ScenarioSpec
from sim.scenario.timeline import scaled_span

SUPPORT_EVENT_COST = 1.3e-6  # s per event, CPU (benchmarks/size_calibration.py)
# A queued customer with patience gets one timeout; counted for every inquiry, an upper bound
# (about half wait on the bundled desks).
PATIENCE_EVENTS = 1.0
# Pre-emption: an inquiry set aside costs one more finish event; at most the inquiries of the
# lower priorities are, rarely more than once (an upper bound for the loads that finish).
PREEMPTED_SHARE = 1.0
# kept per counted inquiry: its wait and its time to resolve
KEPT_PER_INQUIRY = 2
ESCALATION_EVENTS = 2


@size_estimator("support")
def support_size(spec: ScenarioSpec, shape: RunShape) -> FlowSize | None:
    desk = spec.support
    if desk is None:
        return None
    own = (desk.arrivals.rate * scaled_span(spec.timeline, "support", shape.horizon)
           if desk.arrivals else 0.0)
    inquiries = own + raised_contacts(spec, shape)
    patience = desk.patience is not None or any(
        t.patience is not None for t in desk.inquiry_types.values())
    # an own arrival is one event; every inquiry ends with one (answered) or gives up
    events = own + inquiries * (1 + (PATIENCE_EVENTS if patience else 0.0))
    if desk.preemption == "resume":  # a set-aside inquiry leaves a stale finish behind
        events += inquiries * PREEMPTED_SHARE
    # an escalated inquiry: the other team's work and the follow-up, one finish each
    events += ESCALATION_EVENTS * escalated_inquiries(spec, shape)
    kinds = list(desk.inquiry_types.values())
    samplers = (2 if desk.arrivals else 0) + sum(
        batched(k.handle_time or desk.handle_time, k.patience or desk.patience) for k in kinds)
    if not kinds:
        samplers += batched(desk.handle_time, desk.patience)
    return FlowSize(
        "support", inquiries, "inquiries", events, SUPPORT_EVENT_COST, samplers=samplers,
        kept_bytes=inquiries * shape.observed_share * KEPT_VALUE_BYTES * KEPT_PER_INQUIRY,
        series=7, bin_arrays=3, samples=1,
        # split: queue, work, preempted and the collaboration components
        record_columns=len(RECORD_BASE_COLUMNS) + 3 + len(COLLABORATION_COMPONENTS))


def escalated_inquiries(spec: ScenarioSpec, shape: RunShape) -> float:
    """Inquiries of the desk's own stream passed to another team in one replication."""
    desk = spec.support
    if desk is None or desk.arrivals is None:
        return 0.0
    own = desk.arrivals.rate * scaled_span(spec.timeline, "support", shape.horizon)
    return own * sum(t.share * t.escalate.share for t in desk.inquiry_types.values()
                     if t.escalate is not None)
