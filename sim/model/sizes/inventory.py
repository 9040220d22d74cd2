"""Size of inventory: per-product state, periodic reviews and supplier deliveries.

Generated catalogs can be large, so nothing here loops over generated products: their demand
weights 1/k^zipf are summed in closed form beyond the first few thousand ranks.
"""

from __future__ import annotations

import math

from sim.model.sizes import FlowSize, RunShape, batched, size_estimator
from sim.model.sizes.orders import ORDER_EVENT_COST, mean_count
from sim.scenario.commerce import PolicySpec
from sim.scenario.schema import ScenarioSpec
from sim.scenario.types import Cover

PLOTTED = 4  # as sim/model/flows/inventory.py: the busiest products keep per-bin levels
LEVELS_PER_PRODUCT = 3  # on hand, backorders, empty
PRODUCT_BYTES = 2700  # a product's state: levels, policy, plan, deque (measured)
PRODUCT_SETUP_SECONDS = 25e-6  # building one product, CPU (measured)
EXACT_RANKS = 2000


def zipf_weight_sum(count: int, skew: float) -> float:
    """sum_{k=1..count} k^-skew: exact for the first ranks, then the integral of the tail
    (Euler-Maclaurin midpoint rule, relative error far below what an estimate needs)."""
    exact = min(count, EXACT_RANKS)
    total = sum((k + 1) ** -skew for k in range(exact))
    if count > exact:
        lo, hi = exact + 0.5, count + 0.5
        if abs(skew - 1.0) < 1e-12:
            total += math.log(hi / lo)
        else:
            total += (hi ** (1 - skew) - lo ** (1 - skew)) / (1 - skew)
    return total


def cycles(policy: PolicySpec | None, units_rate: float, products: float,
           horizon: float) -> float:
    """Replenishment orders (each one supplier delivery) plus reviews, over `products`
    products that together take `units_rate` units per minute."""
    if policy is None:
        return 0.0
    if policy.review_period is not None:  # a review and a delivery per period
        if policy.review_period <= 0:
            return math.inf  # reviews that never let time move on
        return 2 * products * horizon / policy.review_period
    batch = (policy.order_quantity if policy.type == "rQ"
             else _difference(policy.max, policy.min))
    if isinstance(batch, Cover):  # every product orders that long a stretch of demand
        return products * horizon / max(batch.minutes, 1.0)
    return units_rate * horizon / max(float(batch or 1), 1.0)


def _difference(high, low):
    if isinstance(high, Cover) and isinstance(low, Cover):
        return Cover(max(high.minutes - low.minutes, 1.0))
    if isinstance(high, int) and isinstance(low, int):
        return max(high - low, 1)
    return high  # mixed units and cover: order up to `high`, an upper bound on events


@size_estimator("inventory")
def inventory_size(spec: ScenarioSpec, shape: RunShape) -> FlowSize | None:
    catalog, demand = spec.catalog, spec.demand
    if catalog is None or demand is None:
        return None
    units_rate = demand.orders.rate * mean_count(demand.lines_per_order) * mean_count(
        demand.units_per_line)
    generated = catalog.generate
    listed_weight = sum(p.demand_share for p in catalog.products)
    generated_weight = (zipf_weight_sum(generated.products, generated.zipf)
                        if generated else 0.0)
    total_weight = listed_weight + generated_weight
    events = sum(cycles(p.policy, units_rate * p.demand_share / total_weight, 1,
                        shape.horizon) for p in catalog.products)
    products = len(catalog.products)
    reduce: tuple[str, ...] = ()
    if generated:
        products += generated.products
        events += cycles(generated.policy, units_rate * generated_weight / total_weight,
                         generated.products, shape.horizon)
        reduce = (f"fewer products (catalog.generate.products, now {generated.products:,})",)
    plotted = min(PLOTTED, products)
    return FlowSize(
        "inventory", products, "products", events, ORDER_EVENT_COST,
        setup_seconds=products * PRODUCT_SETUP_SECONDS,
        kept_bytes=products * PRODUCT_BYTES,
        series=2 * plotted + 1, bin_arrays=LEVELS_PER_PRODUCT * plotted + 1, reduce=reduce,
        samplers=sum(batched(s.lead_time) + (s.on_time < 1) * (1 + batched(s.late_delay))
                     + bool(s.short_share) * (1 + batched(s.short_fill))
                     for s in spec.suppliers.values()))
