"""Cross-section checks of the commerce flows: suppliers, teams, stages and carriers that
must exist, shares that must sum, policies whose levels must make sense."""

from __future__ import annotations

from typing import Any

from sim.scenario.errors import Problem
from sim.scenario.schema import ScenarioSpec
from sim.scenario.types import Cover

SHARE_TOLERANCE = 1e-6


def check_commerce(spec: ScenarioSpec, data: dict[str, Any], unknown_name) -> list[Problem]:
    problems: list[Problem] = []
    add = problems.append
    if spec.demand is None:  # one cause, one message, at the first section that needs it
        needing = [s for s in ("catalog", "fulfilment", "delivery", "contacts")
                   if getattr(spec, s) is not None]
        if needing:
            others = f" (so do {', '.join(needing[1:])})" if len(needing) > 1 else ""
            add(Problem(f"needs a 'demand' section{others}: nobody places orders",
                        (needing[0],)))
        return problems
    if spec.catalog is not None:
        _check_catalog(spec, data, unknown_name, add)
    if spec.fulfilment is not None:
        _check_fulfilment(spec, unknown_name, add)
    if spec.delivery is not None:
        _check_delivery(spec, add)
    if spec.contacts is not None:
        _check_contacts(spec, add)
    return problems


def _product_path(data: dict[str, Any], index: int, *rest: str) -> tuple:
    """Where the user wrote product `index`: `catalog: [...]` or `catalog: {products: [...]}`."""
    if isinstance(data.get("catalog"), list):
        return ("catalog", index, *rest)
    return ("catalog", "products", index, *rest)


def _check_catalog(spec: ScenarioSpec, data: dict[str, Any], unknown_name, add) -> None:
    catalog = spec.catalog
    suppliers = list(spec.suppliers)
    if not catalog.products and catalog.generate is None:
        add(Problem("lists no products (give a list, or {generate: {products: N}})",
                    ("catalog",)))
    seen: dict[str, int] = {}
    for i, product in enumerate(catalog.products):
        if product.sku in seen:
            add(Problem(f"SKU '{product.sku}' is listed twice (also item {seen[product.sku]})",
                        _product_path(data, i, "sku")))
        seen.setdefault(product.sku, i)
        if product.supplier is not None and product.supplier not in spec.suppliers:
            add(Problem(unknown_name("supplier", product.supplier, suppliers),
                        _product_path(data, i, "supplier")))
        if product.policy is not None and product.supplier is None:
            add(Problem("a product with a replenishment policy needs a supplier",
                        _product_path(data, i, "supplier")))
        if product.policy is not None:
            _check_policy(product.policy, _product_path(data, i, "policy"), add)
    generated = catalog.generate
    if generated is not None:
        path = ("catalog", "generate")
        for name in generated.suppliers:
            if name not in spec.suppliers:
                add(Problem(unknown_name("supplier", name, suppliers), (*path, "suppliers", name)))
        if generated.suppliers:
            total = sum(generated.suppliers.values())
            if abs(total - 1.0) > SHARE_TOLERANCE:
                add(Problem(f"the supplier shares must sum to 1, they sum to {total:.6g}",
                            (*path, "suppliers")))
        elif generated.policy is not None:
            add(Problem("generated products with a policy need suppliers, e.g. {main: 1.0}",
                        (*path, "suppliers")))
        if generated.policy is not None:
            _check_policy(generated.policy, (*path, "policy"), add)


def _check_policy(policy, path: tuple, add) -> None:
    def comparable(a, b) -> bool:
        return a is not None and b is not None and type(a) is type(b)

    def value(q) -> float:
        return q.minutes if isinstance(q, Cover) else q

    if policy.type == "rQ" and policy.order_quantity is not None and \
            value(policy.order_quantity) <= 0:
        add(Problem("must be above 0", (*path, "order_quantity")))
    if policy.type == "sS" and comparable(policy.min, policy.max) and \
            value(policy.min) >= value(policy.max):
        add(Problem(f"the reorder level min ({_show(policy.min)}) must be below the order-up-to "
                    f"level max ({_show(policy.max)})", (*path, "min")))
    if policy.type == "base_stock" and policy.order_up_to is not None and \
            value(policy.order_up_to) <= 0:
        add(Problem("must be above 0", (*path, "order_up_to")))


def _show(quantity) -> str:
    return f"{quantity.minutes / 1440:g}d" if isinstance(quantity, Cover) else str(quantity)


def _check_fulfilment(spec: ScenarioSpec, unknown_name, add) -> None:
    fulfilment = spec.fulfilment
    teams = list(spec.teams)
    names: list[str] = []
    default_used = False
    for i, stage in enumerate(fulfilment.stages):
        path = ("fulfilment", "stages", i)
        if stage.name in names:
            add(Problem(f"stage name '{stage.name}' is used twice", (*path, "name")))
        names.append(stage.name)
        if stage.team is None:
            default_used = True
        elif stage.team not in spec.teams:
            add(Problem(unknown_name("team", stage.team, teams), (*path, "team")))
        if stage.time_per_order is None and stage.time_per_line is None:
            add(Problem("needs time_per_order, time_per_line or both", (*path, "time_per_order")))
    if default_used and fulfilment.team not in spec.teams:
        add(Problem(unknown_name("team", fulfilment.team, teams), ("fulfilment", "team")))
    used = {stage.team or fulfilment.team for stage in fulfilment.stages}
    if spec.support is not None and spec.support.team in used:
        add(Problem(f"team '{spec.support.team}' answers support and works in fulfilment: a "
                    "team works one flow (give the desk its own team)", ("support", "team")))
    for i, stage in enumerate(fulfilment.stages):
        if stage.rework is None:
            continue
        path = ("fulfilment", "stages", i, "rework", "to")
        if stage.rework.to not in names:
            add(Problem(unknown_name("stage", stage.rework.to, names), path))
        elif names.index(stage.rework.to) > i:
            add(Problem(f"rework goes back to an earlier stage (or this one); "
                        f"'{stage.rework.to}' comes after '{stage.name}'", path))


def _check_delivery(spec: ScenarioSpec, add) -> None:
    carriers = spec.delivery.carriers
    total = sum(c.share for c in carriers.values())
    # a lone carrier's share (default 1) must be 1 too: a 0.6 would be silently ignored
    if carriers and abs(total - 1.0) > SHARE_TOLERANCE:
        add(Problem(f"the carrier shares must sum to 1, they sum to {total:.6g}",
                    ("delivery", "carriers")))
    for name, carrier in carriers.items():
        if any(t >= 24 * 60 for t in carrier.pickups):
            add(Problem("a pickup at 24:00 belongs to the next day: write 00:00",
                        ("delivery", "carriers", name, "pickups")))
        if carrier.failed_share > 0 and carrier.redelivery_delay is None:
            add(Problem("failed deliveries need a redelivery_delay",
                        ("delivery", "carriers", name, "redelivery_delay")))


def _check_contacts(spec: ScenarioSpec, add) -> None:
    contacts = spec.contacts
    if spec.support is None:
        add(Problem("customers contact support, but there is no 'support' section to answer "
                    "them", ("contacts",)))
        return
    support = spec.support
    if support.handle_time is not None or not support.inquiry_types:
        return
    raised = {("stockout_type", contacts.stockout_type, contacts.stockout),
              ("late_type", contacts.late_type, contacts.late_delivery),
              ("failed_type", contacts.failed_type, contacts.failed_delivery)}
    for key, kind, share in sorted(raised):
        if share > 0 and kind not in support.inquiry_types:
            add(Problem(f"inquiry type '{kind}' is not in support.inquiry_types and the desk "
                        "has no default handle_time for it", ("contacts", key)))
