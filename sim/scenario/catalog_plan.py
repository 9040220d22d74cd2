"""The catalog as planned from the spec: each product's demand share, supplier and prices, and
the fixed levels of its replenishment policy in units.

Pure arithmetic on the spec, shared by the model (which stocks and reorders the products) and
the theory (which predicts their long-run metrics), so both read one plan and neither imports
the other.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sim.random import RandomStreams
from sim.scenario.commerce import CatalogSpec, GeneratedCatalogSpec, PolicySpec
from sim.scenario.types import Cover


@dataclass(frozen=True)
class ProductPlan:
    """A product as the model needs it, from a listed or a generated catalog."""

    sku: str
    share: float  # of order lines, normalised
    initial_stock: object  # units or Cover
    policy: PolicySpec | None
    supplier: str | None
    price: float
    unit_cost: float


def plan_catalog(catalog: CatalogSpec, seed: int) -> list[ProductPlan]:
    """Listed products, then generated ones, sharing one pool of demand weights: a generated
    product of rank k weighs 1/k^zipf, a listed one its `demand_share`. Generated prices come
    from a stream of replication 0, so the catalog is the same in every replication."""
    listed = [(p.demand_share, p) for p in catalog.products]
    generated: list[ProductPlan] = []
    weights: list[float] = []
    gen = catalog.generate
    if gen is not None:
        prices = gen.price.sample_array(RandomStreams(seed, 0).stream("catalog.price"),
                                        gen.products)
        suppliers = _assign_suppliers(gen.suppliers, gen.products)
        for k, sku in enumerate(generated_skus(gen)):
            weights.append(1.0 / (k + 1) ** gen.zipf)
            generated.append(ProductPlan(
                sku, 0.0, gen.initial_stock, gen.policy,
                suppliers[k], round(float(prices[k]), 2),
                round(float(prices[k]) * (1 - gen.margin), 2)))
    total = sum(w for w, _ in listed) + sum(weights)
    plans = [ProductPlan(p.sku, w / total, p.initial_stock, p.policy, p.supplier, p.price,
                         p.unit_cost) for w, p in listed]
    plans += [replace(plan, share=w / total) for w, plan in zip(weights, generated, strict=True)]
    return plans


def generated_skus(gen: GeneratedCatalogSpec) -> list[str]:
    """The SKUs of generated products by rank: the prefix and the rank, zero-padded (P001)."""
    width = len(str(gen.products))
    return [f"{gen.sku_prefix}{k + 1:0{width}d}" for k in range(gen.products)]


def policy_types(catalog: CatalogSpec | None) -> dict[str, str]:
    """SKU -> replenishment policy type ('rQ', 'sS', ...) of every product that has one,
    listed or generated, without drawing anything."""
    if catalog is None:
        return {}
    types = {p.sku: p.policy.type for p in catalog.products if p.policy is not None}
    gen = catalog.generate
    if gen is not None and gen.policy is not None:
        types.update(dict.fromkeys(generated_skus(gen), gen.policy.type))
    return types


def _assign_suppliers(shares: dict[str, float], count: int) -> list[str | None]:
    """Interleave suppliers by rank so each gets its share of fast and slow movers."""
    if not shares:
        return [None] * count
    total = sum(shares.values())
    given = dict.fromkeys(shares, 0)
    out = []
    for k in range(count):
        name = max(shares, key=lambda s: shares[s] / total * (k + 1) - given[s])
        given[name] += 1
        out.append(name)
    return out


def to_units(quantity: int | Cover | None, demand_per_minute: float) -> int:
    """Units, or cover (a duration of expected demand) rounded to whole units."""
    if quantity is None:
        return 0
    if isinstance(quantity, Cover):
        return int(round(quantity.minutes * demand_per_minute))
    return int(quantity)


# ----------------------------------------------------------------------------- policy levels


@dataclass(frozen=True)
class ReorderLevels:
    """rQ: order batches of `quantity` (at least 1) when the position is at or below R."""

    reorder_point: int
    quantity: int


@dataclass(frozen=True)
class MinMaxLevels:
    """sS: order up to `high` when the position is at or below `low`."""

    low: int
    high: int


@dataclass(frozen=True)
class BaseStockLevels:
    """Periodic review: order up to `order_up_to` every `review_period` minutes."""

    order_up_to: int
    review_period: float


PolicyLevels = ReorderLevels | MinMaxLevels | BaseStockLevels


def policy_levels(spec: PolicySpec, demand_per_minute: float) -> PolicyLevels | None:
    """The fixed levels of a policy in units, cover converted at the product's expected
    demand; None for a forecast policy, whose levels move with the demand it sees."""
    if spec.type == "rQ":
        return ReorderLevels(to_units(spec.reorder_point, demand_per_minute),
                             max(1, to_units(spec.order_quantity, demand_per_minute)))
    if spec.type == "sS":
        return MinMaxLevels(to_units(spec.min, demand_per_minute),
                            to_units(spec.max, demand_per_minute))
    if spec.type == "base_stock":
        return BaseStockLevels(to_units(spec.order_up_to, demand_per_minute), spec.review_period)
    return None
