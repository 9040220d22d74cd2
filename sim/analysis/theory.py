"""What theory predicts for a scenario, when one of the closed forms applies to it.

`predict(spec)` looks at the scenario itself (not at a label in it) and picks the model:
for the support desk Erlang C (exponential handling, no patience), Erlang A (exponential
patience), M/G/1 (one agent, any handle time, no patience); for the commerce flows the
inventory and flow-network models of `theory_commerce`. Rows of every flow that a closed
form covers are merged. So a user's own parameter set is checked the same way as the
bundled cases.
"""

from __future__ import annotations

from sim.analysis import queueing
from sim.analysis.prediction import NotApplicable, Prediction
from sim.analysis.theory_commerce import predict_commerce
from sim.distributions import Constant, Distribution, Exponential
from sim.scenario.schema import ScenarioSpec
from sim.units import format_duration

__all__ = ["NotApplicable", "Prediction", "predict"]


def predict(spec: ScenarioSpec) -> Prediction:
    """Theoretical values of the scenario's metrics (raises NotApplicable when no flow that
    is switched on has a closed form; the reasons say why)."""
    parts: list[Prediction] = []
    reasons: list[tuple[str, NotApplicable]] = []
    if spec.support is not None:
        try:
            _support_alone(spec)
            parts.append(_predict_support(spec))
        except NotApplicable as reason:
            reasons.append(("support", reason))
    if spec.demand is not None:
        try:
            parts.append(predict_commerce(spec))
        except NotApplicable as reason:
            reasons.append(("commerce", reason))
    if not parts:
        if not reasons:
            raise NotApplicable("no flow with a closed form is switched on")
        if len(reasons) == 1:
            raise reasons[0][1]
        raise NotApplicable("; ".join(f"{flow}: {reason}" for flow, reason in reasons))
    if len(parts) == 1:
        return parts[0]
    values: dict[str, float] = {}
    for part in parts:
        values.update(part.values)
    return Prediction(" + ".join(p.model for p in parts), values)


def _support_alone(spec: ScenarioSpec) -> None:
    """The desk's theory needs its own arrivals only and a team of its own."""
    if spec.demand is None:
        return
    contacts = spec.contacts
    delivery = spec.delivery
    if contacts is not None and (
            (contacts.stockout and spec.catalog is not None)
            or (contacts.late_delivery and delivery is not None and delivery.promise is not None)
            or (contacts.failed_delivery and delivery is not None
                and any(c.failed_share for c in delivery.carriers.values()))):
        raise NotApplicable("customers of the orders flow also contact the desk")
    if spec.fulfilment is not None and spec.support.team in {
            s.team or spec.fulfilment.team for s in spec.fulfilment.stages}:
        raise NotApplicable("the support team also works in fulfilment")


def _predict_support(spec: ScenarioSpec) -> Prediction:
    support = spec.support
    team = spec.teams[support.team]
    if len(team.shifts) != 1 or not team.shifts[0].shift.always:
        raise NotApplicable("the support team must be on shift always, in one group")
    if support.arrivals is None or support.arrivals.daily_profile or \
            support.arrivals.weekly_profile:
        raise NotApplicable("support arrivals must be a constant-rate Poisson stream")
    kinds = list(support.inquiry_types.values())
    if len(kinds) > 1:
        raise NotApplicable("theory here covers a single inquiry type")
    handle = (kinds[0].handle_time if kinds and kinds[0].handle_time else support.handle_time)
    patience = (kinds[0].patience if kinds and kinds[0].patience else support.patience)
    c = team.shifts[0].members
    lam = support.arrivals.rate
    target = support.service_level_target
    if isinstance(handle, Exponential) and patience is None:
        if lam >= c / handle.mean:
            raise NotApplicable("without patience the desk is unstable (load >= capacity)")
        theory = queueing.erlang_c(lam, 1.0 / handle.mean, c)
        model = f"Erlang C (M/M/{c})"
    elif isinstance(handle, Exponential) and isinstance(patience, Exponential):
        theory = queueing.erlang_a(lam, 1.0 / handle.mean, 1.0 / patience.mean, c)
        model = f"Erlang A (M/M/{c}+M)"
    elif c == 1 and patience is None:
        if lam * handle.mean >= 1:
            raise NotApplicable("without patience the desk is unstable (load >= capacity)")
        shape = {Exponential: "exp", Constant: "const"}.get(type(handle))
        theory = queueing.mg1(lam, handle.mean, handle.variance, shape)
        model = f"M/G/1 ({_shape(handle)} service)"
    else:
        raise NotApplicable("no closed form for this combination of handle time, patience "
                            "and agents (Erlang C/A need exponential times; M/G/1 one agent)")
    values = {
        "support.waited_share": theory.p_wait,
        "support.wait.mean": theory.wait_served,
        "support.wait_all.mean": theory.wait_all,
        "support.utilisation": theory.utilisation,
        "support.queue_length.mean": theory.queue_length,
    }
    if patience is not None:
        values["support.abandoned_share"] = theory.p_abandon
    try:
        values["support.service_level"] = theory.service_level(target)
    except NotImplementedError:
        pass
    return Prediction(f"{model}, service-level target {format_duration(target)}", values)


def _shape(dist: Distribution) -> str:
    return dist.describe().split("(")[0]
