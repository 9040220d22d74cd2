"""What theory predicts for the commerce flows, when a closed form applies to the scenario.

`predict_commerce(spec)` reads the scenario itself and picks the models that cover it:

- Inventory (Hadley & Whitin; Zipkin ch. 6 and 9): every listed or generated product has an
  rQ, sS or base_stock policy and a supplier with a constant lead time that is always on time
  and never short; demand is a constant-rate Poisson order stream of one unit per order (so
  each product sees its own independent Poisson stream, the order stream thinned by its
  share); stock-outs are backordered. Each product is then an (R, Q) / (s, S) system with
  Poisson demand and constant lead time, or a periodic-review base-stock system; the catalog
  metrics are their sums (on hand, backorders), their demand-weighted mean (fill rate) and
  their plain mean (share of time with nothing on hand, averaged over products). The time an
  order waits for stock follows by Little's law: backorders / order rate.
- Flow network (Jackson 1957; Gross et al. 2008 sec. 4.1): no catalog (stock never limits),
  a constant-rate Poisson order stream, fulfilment stages each worked by a team of its own
  that is always on shift, exponential work per order, no cut-off; rework sends an order to
  another stage with a probability. The stages are then the M/M/c stations of an open Jackson
  network. Delivery adds each carrier's mean transit (a failed attempt adds the redelivery
  delay and another transit: geometric attempts) and, with pickup times, the mean wait for the
  next pickup: the stream leaving fulfilment is stationary, so it meets the pickup schedule
  at a uniformly random time of the week and waits sum(gap^2) / (2 x week) on average.

Both parts may apply at once (their metrics do not overlap); NotApplicable says why neither
does. The values are long-run averages: a run matches them after a warm-up longer than the
usual lead time and, with pickup times, over an observed window of whole days (whole weeks
when pickups skip weekdays), since lead times are sampled by delivery time.
"""

from __future__ import annotations

import numpy as np

from sim.analysis import inventory, queueing
from sim.analysis.prediction import NotApplicable, Prediction, combine_parts
from sim.distributions import Constant, Distribution, Exponential
from sim.scenario.base import ArrivalsSpec
from sim.scenario.catalog_plan import (
    BaseStockLevels,
    MinMaxLevels,
    ReorderLevels,
    plan_catalog,
    policy_levels,
)
from sim.scenario.commerce import CarrierSpec
from sim.scenario.schema import ScenarioSpec
from sim.units import DAY, WEEK, format_duration

__all__ = ["predict_commerce"]


def predict_commerce(spec: ScenarioSpec) -> Prediction:
    """Theoretical values of the scenario's commerce metrics (raises NotApplicable)."""
    if spec.demand is None:
        raise NotApplicable("the commerce flows are off (no demand section)")
    return combine_parts(spec, (_inventory, _flow_network))


# ----------------------------------------------------------------------------- shared checks


def _constant_rate(arrivals: ArrivalsSpec) -> float:
    """The order rate per minute of a constant-rate Poisson stream."""
    if arrivals.rate <= 0:
        raise NotApplicable("orders never arrive (rate 0)")
    if not arrivals.profile().constant:
        raise NotApplicable("orders must be a constant-rate Poisson stream (no day or week "
                            "profile)")
    return arrivals.rate


def _count_is_one(dist: Distribution) -> bool:
    """The orders flow draws max(1, round(x)): is that always 1?"""
    return isinstance(dist, Constant) and max(1, int(round(dist.value))) == 1


# ----------------------------------------------------------------------------- inventory


def _inventory(spec: ScenarioSpec) -> tuple[str, dict[str, float]]:
    if spec.catalog is None:
        raise NotApplicable("no catalog: stock never limits orders")
    if spec.stockout != "backorder":
        raise NotApplicable("inventory theory here needs stock-outs backordered (not lost)")
    demand = spec.demand
    rate = _constant_rate(demand.orders)
    if not (_count_is_one(demand.lines_per_order) and _count_is_one(demand.units_per_line)):
        raise NotApplicable("inventory theory needs unit demand: lines_per_order and "
                            "units_per_line both const 1")
    plans = plan_catalog(spec.catalog, spec.seed)
    results: list[tuple[float, inventory.InventoryTheory]] = []
    labels: list[str] = []
    for plan in plans:
        product_rate = rate * plan.share  # units per minute: a thinned Poisson stream
        if plan.policy is None or plan.supplier is None:
            raise NotApplicable(f"product {plan.sku} is never reordered (no policy or supplier)")
        supplier = spec.suppliers.get(plan.supplier)
        if supplier is None:
            raise NotApplicable(f"product {plan.sku}: unknown supplier {plan.supplier}")
        if not isinstance(supplier.lead_time, Constant):
            raise NotApplicable(f"supplier {plan.supplier}: the lead time must be constant")
        if supplier.on_time != 1 or supplier.short_share != 0:
            raise NotApplicable(f"supplier {plan.supplier} must always deliver in full and on "
                                "time (on_time 1, short_share 0)")
        lead = supplier.lead_time.value
        policy = policy_levels(plan.policy, product_rate)
        lam, lead_days = product_rate * DAY, lead / DAY
        if isinstance(policy, ReorderLevels):
            r, q = policy.reorder_point, policy.quantity
            if supplier.minimum_order > q:
                raise NotApplicable(f"supplier {plan.supplier}: minimum order above Q")
            theory = inventory.rq_poisson_constant_lead(lam, lead_days, r, q)
            label = f"(R, Q) = ({r}, {q})"
        elif isinstance(policy, MinMaxLevels):
            s, big_s = policy.low, policy.high
            if big_s <= s:
                raise NotApplicable(f"product {plan.sku}: an sS policy needs max > min")
            if supplier.minimum_order > big_s - s:
                raise NotApplicable(f"supplier {plan.supplier}: minimum order above S - s")
            theory = inventory.ss_poisson_constant_lead(lam, lead_days, s, big_s)
            label = f"(s, S) = ({s}, {big_s})"
        elif isinstance(policy, BaseStockLevels):
            if supplier.minimum_order > 1:
                raise NotApplicable(f"supplier {plan.supplier}: a minimum order distorts "
                                    "base-stock orders")
            period = policy.review_period / DAY
            theory = inventory.base_stock_periodic(lam, period, lead_days, policy.order_up_to)
            label = (f"base stock S = {policy.order_up_to}, review every "
                     f"{format_duration(policy.review_period)}")
        else:
            raise NotApplicable(f"product {plan.sku}: no closed form for a "
                                f"{plan.policy.type} policy")
        results.append((product_rate, theory))
        labels.append(f"{label}, lead {format_duration(lead)}")
    total_rate = sum(r for r, _ in results)
    backorders = sum(t.backorders for _, t in results)
    values = {
        "orders.placed_per_day": rate * DAY,
        "inventory.fill_rate": sum(r * t.fill_rate for r, t in results) / total_rate,
        "inventory.on_hand.mean": sum(t.on_hand for _, t in results),
        "inventory.backorders.mean": backorders,
        "inventory.stockout_share": float(np.mean([t.stockout_share for _, t in results])),
        # Little's law on backordered units (one unit, one order): mean wait for stock
        "orders.time_split.stock": backorders / rate,
    }
    if spec.fulfilment is None and spec.delivery is None:
        values["orders.lead_time.mean"] = values["orders.time_split.stock"]
    if len(labels) == 1:
        model = f"Poisson demand, {labels[0]}"
    else:
        model = f"Poisson demand, {len(labels)} independent products"
    return model, values


# ----------------------------------------------------------------------------- flow network


def _flow_network(spec: ScenarioSpec) -> tuple[str, dict[str, float]]:
    if spec.catalog is not None:
        raise NotApplicable("the flow network needs no catalog (stock must never hold orders)")
    if spec.fulfilment is None and spec.delivery is None:
        raise NotApplicable("no fulfilment or delivery: orders complete at once")
    rate = _constant_rate(spec.demand.orders)
    values: dict[str, float] = {"orders.placed_per_day": rate * DAY}
    parts: list[str] = []
    network_time = 0.0
    if spec.fulfilment is not None:
        network_time, rows, label = _jackson(spec, rate)
        values.update(rows)
        parts.append(label)
    if spec.delivery is not None:
        transit, pickup = _delivery_means(spec)
        values["orders.time_split.transit"] = transit
        if pickup is not None:
            values["orders.time_split.pickup"] = pickup
            parts.append("wait for pickup")
        parts.append("mean transit")
        network_time += transit + (pickup or 0.0)
    values["orders.lead_time.mean"] = network_time
    return " + ".join(parts), values


def _jackson(spec: ScenarioSpec, rate: float) -> tuple[float, dict[str, float], str]:
    fulfilment = spec.fulfilment
    if fulfilment.cutoff is not None:
        raise NotApplicable("a fulfilment cut-off holds orders: arrivals are not Poisson")
    stages = fulfilment.stages
    n = len(stages)
    names = [s.name for s in stages]
    teams = [s.team or fulfilment.team for s in stages]
    if len(set(teams)) != n:
        raise NotApplicable("each fulfilment stage needs a team of its own (shared teams serve "
                            "by stage priority, not an M/M/c station)")
    if spec.support is not None and spec.support.team in teams:
        raise NotApplicable("a fulfilment team also answers support")
    mu, servers = [], []
    routing = np.zeros((n, n))
    for i, (stage, team_name) in enumerate(zip(stages, teams, strict=True)):
        team = spec.teams.get(team_name)
        if team is None or not all(g.shift.always for g in team.shifts):
            raise NotApplicable(f"team {team_name} must be on shift always")
        c = team.headcount
        if c < 1:
            raise NotApplicable(f"team {team_name} has no members")
        work = _exponential_work(spec, stage)
        mu.append(1.0 / work)
        servers.append(c)
        p = stage.rework.probability if stage.rework else 0.0
        if stage.rework:
            if stage.rework.to not in names:
                raise NotApplicable(f"stage {stage.name}: rework to an unknown stage")
            routing[i, names.index(stage.rework.to)] += p
        if i + 1 < n:
            routing[i, i + 1] += 1.0 - p
    external = [rate] + [0.0] * (n - 1)
    try:
        net = queueing.jackson_network(external, mu, servers, routing)
    except ValueError as error:
        raise NotApplicable(f"the fulfilment network has no steady state: {error}") from None
    visits = [lam / rate for lam in net.throughput]
    wait = sum(v * w for v, w in zip(visits, net.waits, strict=True))
    work = sum(v / m for v, m in zip(visits, mu, strict=True))
    rows = {
        "fulfilment.wait.mean": wait,
        "orders.time_split.queue": wait,
        "orders.time_split.work": work,
        "fulfilment.utilisation": sum(lam / m for lam, m in zip(net.throughput, mu, strict=True))
        / sum(servers),
    }
    for name, w in zip(names, net.waits, strict=True):
        rows[f"fulfilment.{name}.wait.mean"] = w
    if n == 1 and not stages[0].rework:
        label = f"M/M/{servers[0]} fulfilment"
    else:
        label = f"Jackson network of {n} M/M/c stages"
    return wait + work, rows, label


def _exponential_work(spec: ScenarioSpec, stage) -> float:
    """Mean of an exponential work time per order (NotApplicable otherwise)."""
    per_order, per_line = stage.time_per_order, stage.time_per_line
    if per_order is not None and per_line is not None:
        raise NotApplicable(f"stage {stage.name}: work per order and per line is not "
                            "exponential")
    if per_line is not None:  # one line per order makes the per-line time the order's time
        if not _count_is_one(spec.demand.lines_per_order):
            raise NotApplicable(f"stage {stage.name}: work per line over several lines")
        per_order = per_line
    if not isinstance(per_order, Exponential) or per_order.mean <= 0:
        raise NotApplicable(f"stage {stage.name}: the work time must be exponential")
    return per_order.mean


def _delivery_means(spec: ScenarioSpec) -> tuple[float, float | None]:
    """Share-weighted mean transit (redeliveries included) and mean wait for a pickup."""
    carriers = list(spec.delivery.carriers.values())
    if len(carriers) == 1:
        weights = [1.0]
    else:
        total = sum(c.share for c in carriers)
        if total <= 0:
            raise NotApplicable("carrier shares are all 0")
        weights = [c.share / total for c in carriers]
    transit = 0.0
    pickup = 0.0
    any_pickups = False
    for weight, carrier in zip(weights, carriers, strict=True):
        f = carrier.failed_share
        redelivery = carrier.redelivery_delay.mean if carrier.redelivery_delay else 0.0
        # attempts are geometric: 1 + N transits and N redeliveries, E[N] = f / (1 - f)
        transit += weight * (carrier.transit_time.mean + f * redelivery) / (1.0 - f)
        if carrier.pickups:
            any_pickups = True
            pickup += weight * _mean_wait_for_pickup(carrier)
    return transit, (pickup if any_pickups else None)


def _mean_wait_for_pickup(carrier: CarrierSpec) -> float:
    """Time-average wait until the next pickup over the weekly schedule."""
    times = sorted({d * DAY + t % DAY for d in carrier.pickup_days for t in carrier.pickups})
    gaps = np.diff(times + [times[0] + WEEK])
    return float(np.sum(gaps * gaps)) / (2.0 * WEEK)
