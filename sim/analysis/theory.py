"""What theory predicts for a scenario, when one of the closed forms applies to it.

`predict(spec)` looks at the scenario itself (not at a label in it) and picks the model:
for the support desk Erlang C (exponential handling, no patience), Erlang A (exponential
patience), M/G/1 (one agent, any handle time, no patience), Erlang C per type when each type
has a member group of its own (skills), and M/M/c with pre-emptive priorities when the types
share one exponential handle time (`preemption: resume`); for the commerce flows the
inventory and flow-network models of `theory_commerce`. Rows of every flow that a closed
form covers are merged. So a user's own parameter set is checked the same way as the
bundled cases.
"""

from __future__ import annotations

from sim.analysis import queueing
from sim.analysis.prediction import NotApplicable, Prediction
from sim.analysis.queueing import QueueTheory
from sim.analysis.theory_commerce import predict_commerce
from sim.analysis.theory_tech import predict_tech
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
    if spec.demand is not None and spec.site is None:  # (a site thins the orders)
        try:
            parts.append(predict_commerce(spec))
        except NotApplicable as reason:
            reasons.append(("commerce", reason))
    if spec.tech is not None or spec.site is not None:
        try:
            parts.append(predict_tech(spec))
        except NotApplicable as reason:
            reasons.append(("tech", reason))
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
    if any(kind.skill for kind in support.inquiry_types.values()):
        return _predict_dedicated_groups(spec)
    if support.preemption == "resume" and len(support.inquiry_types) > 1:
        return _predict_preemptive(spec)
    if not team.plain:
        raise NotApplicable("theory here covers members without skills at speed 1")
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


def _poisson_types(spec: ScenarioSpec) -> list[tuple[str, float, float]]:
    """(type, arrival rate, mean handle time) of a desk with constant-rate Poisson arrivals,
    exponential handle times and no patience; NotApplicable otherwise."""
    support = spec.support
    arrivals = support.arrivals
    if arrivals is None or arrivals.daily_profile or arrivals.weekly_profile:
        raise NotApplicable("support arrivals must be a constant-rate Poisson stream")
    types = []
    for name, kind in support.inquiry_types.items():
        handle = kind.handle_time or support.handle_time
        if not isinstance(handle, Exponential) or (kind.patience or support.patience):
            raise NotApplicable("theory per type needs exponential handle times, no patience")
        if kind.share > 0:
            types.append((name, arrivals.rate * kind.share, handle.mean))
    return types


def _combine(types: list[tuple[str, float, float]], per_type: dict[str, QueueTheory],
             sojourn: dict[str, float], target: float) -> dict[str, float]:
    """Desk-wide waits, shares and queue from independent per-type queues (rate-weighted)."""
    lam = sum(rate for _, rate, _ in types)
    return {
        "support.wait.mean": sum(r * per_type[n].wait_served for n, r, _ in types) / lam,
        "support.wait_all.mean": sum(r * per_type[n].wait_all for n, r, _ in types) / lam,
        "support.waited_share": sum(r * per_type[n].p_wait for n, r, _ in types) / lam,
        "support.service_level": sum(r * per_type[n].service_level(target)
                                     for n, r, _ in types) / lam,
        "support.queue_length.mean": sum(per_type[n].queue_length for n, _, _ in types),
        "support.time_to_resolve.mean": sum(r * sojourn[n] for n, r, _ in types) / lam,
    }


def _predict_dedicated_groups(spec: ScenarioSpec) -> Prediction:
    """Each type asks for a skill that one always-on group alone has, and that group has no
    other skill: the types are independent M/M/c queues (c the group's members, service rate
    speed / mean handle time)."""
    support = spec.support
    team = spec.teams[support.team]
    types = _poisson_types(spec)
    kinds = support.inquiry_types
    groups = {}
    for label, group in zip(team.group_labels(), team.shifts, strict=True):
        if len(group.skills) != 1 or not group.shift.always:
            raise NotApplicable("each member group must be on shift always with one skill")
        if group.skills[0] in groups:
            raise NotApplicable(f"skill '{group.skills[0]}' is shared by two groups")
        groups[group.skills[0]] = (label, group)
    skills = [kinds[name].skill for name, _, _ in types]
    if None in skills or len(set(skills)) != len(skills) or len(groups) != len(skills):
        raise NotApplicable("each inquiry type needs a skill of its own, held by one group")
    target = support.service_level_target
    per_type, sojourn, values = {}, {}, {}
    busy = members = 0.0
    for name, rate, mean in types:
        label, group = groups[kinds[name].skill]
        mu = group.speed / mean
        if rate >= group.members * mu:
            raise NotApplicable(f"type '{name}' overloads its group (load >= capacity)")
        theory = per_type[name] = queueing.erlang_c(rate, mu, group.members)
        sojourn[name] = theory.wait_all + 1.0 / mu
        busy += rate / mu
        members += group.members
        prefix = f"support.type.{name}"
        if len(types) > 1:
            values[f"{prefix}.wait.mean"] = theory.wait_served
            values[f"{prefix}.service_level"] = theory.service_level(target)
            values[f"{prefix}.time_to_resolve.mean"] = sojourn[name]
            values[f"support.utilisation.{label}"] = theory.utilisation
    values.update(_combine(types, per_type, sojourn, target))
    values["support.utilisation"] = busy / members
    cs = "+".join(str(groups[kinds[n].skill][1].members) for n, _, _ in types)
    return Prediction(f"Erlang C per dedicated skill group (M/M/{cs}), service-level target "
                      f"{format_duration(target)}", values)


def _predict_preemptive(spec: ScenarioSpec) -> Prediction:
    """Pre-emptive-resume priorities, one exponential handle time for every type, c members.

    The number in the system does not depend on the order of service, so it is that of M/M/c
    at the total rate; the types of priority 1..k together see an M/M/c of their own (lower
    ones do not exist for them). By Little, each priority level k then has
    lambda_k W_k = Lambda_k W(Lambda_k) - Lambda_(k-1) W(Lambda_(k-1)), Lambda_k the rate of
    levels 1..k and W the M/M/c time in system."""
    support = spec.support
    team = spec.teams[support.team]
    if len(team.shifts) != 1 or not team.shifts[0].shift.always or not team.plain:
        raise NotApplicable("the support team must be one group of plain members, always on")
    types = _poisson_types(spec)
    if len({mean for _, _, mean in types}) != 1:
        raise NotApplicable("pre-emptive priorities are covered for one shared handle time")
    c = team.shifts[0].members
    mu = 1.0 / types[0][2]
    lam = sum(rate for _, rate, _ in types)
    if lam >= c * mu:
        raise NotApplicable("without patience the desk is unstable (load >= capacity)")
    priority = {name: support.inquiry_types[name].priority for name, _, _ in types}
    values: dict[str, float] = {}
    below, number_below = 0.0, 0.0  # rate and number in system of the levels above
    for level in sorted(set(priority.values())):
        rate = sum(r for n, r, _ in types if priority[n] == level)
        number = (below + rate) * queueing.mmc_sojourn(below + rate, mu, c)
        for name, _, _ in types:
            if priority[name] == level:
                values[f"support.type.{name}.time_to_resolve.mean"] = (
                    (number - number_below) / rate)
        below, number_below = below + rate, number
    overall = queueing.erlang_c(lam, mu, c)
    values["support.time_to_resolve.mean"] = overall.wait_all + 1.0 / mu
    values["support.utilisation"] = overall.utilisation
    values["support.queue_length.mean"] = overall.queue_length
    top = min(priority.values())
    top_rate = sum(r for n, r, _ in types if priority[n] == top)
    first = queueing.erlang_c(top_rate, mu, c)
    for name, _, _ in types:
        if priority[name] == top:
            values[f"support.type.{name}.wait.mean"] = first.wait_served
    return Prediction(f"M/M/{c} with pre-emptive-resume priorities", values)


def _shape(dist: Distribution) -> str:
    return dist.describe().split("(")[0]
