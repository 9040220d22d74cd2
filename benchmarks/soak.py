"""Soak test: one long run of ecommerce_week keeps memory flat and time linear.

    python benchmarks/soak.py                 # 365 simulated days, a checkpoint every 15
    python benchmarks/soak.py --days 60       # shorter, same checks
    python benchmarks/soak.py --tracemalloc   # also trace Python allocations (about 2x slower)

One replication of scenarios/ecommerce_week.yaml (about 2,000 orders a day, 200 products,
suppliers, a warehouse on shifts, carriers, a support desk fed by contacts) with the horizon
set to --days, built as sim/replication.py builds it and run in-process, with the cyclic
garbage collector paused as in every run. The environment runs in slices of --every days;
at the end of each slice it records the wall and CPU time, the process's resident memory
(RSS, from /proc), the number of memory blocks Python has allocated and, with
--tracemalloc, the traced current size; and the orders placed, finished and still open.

Verdicts:
- memory: the least-squares slope of RSS (of traced memory with --tracemalloc) against
  finished orders, over the checkpoints after warm-up, is below 64 bytes per finished order.
  What a finished order must keep is 8 bytes for its lead time, 8 per shipment for its wait
  in fulfilment and 8 per answered inquiry (compact arrays, over-allocated by up to 1/8).
  And Python's allocated blocks, fitted on finished and open orders together (the blocks
  follow what is in the system), grow by fewer than 0.25 per finished order: any object
  kept per finished entity (even a float in a list) would add at least one.
- time: CPU time per simulated day in the last quarter of the run over that in the first
  quarter (after warm-up) is at most 1.3. CPU time, not wall time: the machine is shared.

The result goes to benchmarks/results.json under the key "soak" (the rest of the file is
left alone), or to --output.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from run import machine, source_fingerprint  # noqa: E402  (benchmarks/run.py)

SCENARIO = ROOT / "scenarios" / "ecommerce_week.yaml"
DAY = 1440.0  # minutes
BYTES_PER_ORDER_LIMIT = 64.0
BLOCKS_PER_ORDER_LIMIT = 0.25  # one Python object kept per finished order would be >= 1
LINEARITY_LIMIT = 1.3
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def rss_bytes() -> int:
    """Resident memory of this process now (Linux); elsewhere the peak so far."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * PAGE
    except OSError:
        scale = 1 if sys.platform == "darwin" else 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def build(days: float, seed: int | None):
    """The model of ecommerce_week over `days`, as sim/replication.py builds it."""
    from sim.replication import build_model
    from sim.scenario import load_scenario

    spec = load_scenario(SCENARIO, [f"horizon={days:g}d"]).spec
    env, ctx, flows = build_model(spec, spec.seed if seed is None else seed, 0)
    return spec, env, ctx, flows


def counts(flows: list) -> dict[str, int]:
    """Entities placed, finished and in the system now."""
    from sim.model.flows.orders import Orders
    from sim.model.flows.support import SupportDesk

    out = {"orders_placed": 0, "orders_finished": 0, "orders_open": 0,
           "inquiries_finished": 0, "inquiries_waiting": 0}
    for flow in flows:
        if isinstance(flow, Orders):
            out["orders_placed"] += flow.placed_all
            out["orders_finished"] += flow.delivered_all + flow.lost_all
            out["orders_open"] += len(flow.open)
        elif isinstance(flow, SupportDesk):
            out["inquiries_finished"] += flow.completed_all + flow.abandoned_all
            out["inquiries_waiting"] += flow.pool.waiting
    return out


def slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of ys against xs."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx if sxx else 0.0


def soak(days: float, every: float, trace: bool, seed: int | None) -> dict:
    from sim.replication import cyclic_gc_paused

    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    spec, env, ctx, flows = build(days, seed)
    warmup_days = spec.warmup / DAY
    build_s = time.perf_counter() - started
    ends = [min(days, every * k) for k in range(1, int(-(-days // every)) + 1)]
    rows = []

    def checkpoint(day: float, wall: float, cpu: float) -> None:
        row = {"day": day, "wall_s": wall, "cpu_s": cpu, "rss_bytes": rss_bytes(),
               "blocks": sys.getallocatedblocks(), **counts(flows)}
        if trace:
            row["traced_bytes"] = tracemalloc.get_traced_memory()[0]
        rows.append(row)

    wall0, cpu0 = time.perf_counter(), time.process_time()
    checkpoint(0.0, 0.0, 0.0)
    with cyclic_gc_paused():
        for end in ends:
            env.run(until=end * DAY)
            checkpoint(end, time.perf_counter() - wall0, time.process_time() - cpu0)
    run_wall = time.perf_counter() - wall0
    balances = [b for flow in flows for b in flow.collect(env.now).balances]
    if trace:
        tracemalloc.stop()
    return {"scenario": str(SCENARIO.relative_to(ROOT)), "days": days, "every_days": every,
            "warmup_days": warmup_days, "tracemalloc": trace, "build_s": build_s,
            "run_wall_s": run_wall, "checkpoints": rows,
            "balances": [str(b) for b in balances],
            "conservation_holds": all(b.holds for b in balances)}


def verdicts(result: dict) -> dict:
    rows = result["checkpoints"]
    after = [r for r in rows if r["day"] > result["warmup_days"]]
    memory_key = "traced_bytes" if result["tracemalloc"] else "rss_bytes"
    xs = [r["orders_finished"] for r in after]
    per_order = slope(xs, [r[memory_key] for r in after])
    # Python's blocks follow what is in the system (about 24 per open order): fit them on
    # finished and open orders together, so the slope per finished order is what is kept
    import numpy as np

    design = np.array([[1.0, r["orders_finished"], r["orders_open"]] for r in after])
    blocks_per_order = float(np.linalg.lstsq(
        design, np.array([float(r["blocks"]) for r in after]), rcond=None)[0][1])
    # per-day time of the slices after warm-up: the first quarter of them against the last
    slices = [{"days": [prev["day"], row["day"]], "span": row["day"] - prev["day"],
               "cpu": row["cpu_s"] - prev["cpu_s"], "wall": row["wall_s"] - prev["wall_s"],
               "orders": row["orders_placed"] - prev["orders_placed"]}
              for prev, row in zip(rows, rows[1:], strict=False)
              if prev["day"] >= result["warmup_days"]]
    count = max(1, round(len(slices) / 4))

    def per_day(chosen: list[dict]) -> dict:
        span = sum(s["span"] for s in chosen)
        return {"days": [chosen[0]["days"][0], chosen[-1]["days"][1]],
                **{f"{k}_per_day": sum(s[k] for s in chosen) / span
                   for k in ("cpu", "wall", "orders")}}

    first, last = per_day(slices[:count]), per_day(slices[-count:])
    ratio = last["cpu_per_day"] / first["cpu_per_day"]
    return {
        "memory_measure": memory_key,
        "bytes_per_finished_order": per_order,
        "bytes_per_finished_order_limit": BYTES_PER_ORDER_LIMIT,
        "blocks_per_1000_finished_orders": 1000 * blocks_per_order,
        "blocks_per_1000_finished_orders_limit": 1000 * BLOCKS_PER_ORDER_LIMIT,
        "memory_growth_mib": (after[-1][memory_key] - after[0][memory_key]) / 2**20,
        "first_quarter": first,
        "last_quarter": last,
        "cpu_per_day_ratio_last_first": ratio,
        "wall_per_day_ratio_last_first": last["wall_per_day"] / first["wall_per_day"],
        "linearity_limit": LINEARITY_LIMIT,
        "memory_pass": (per_order < BYTES_PER_ORDER_LIMIT
                        and blocks_per_order < BLOCKS_PER_ORDER_LIMIT),
        "time_pass": ratio <= LINEARITY_LIMIT,
    }


def report(result: dict) -> str:
    v = result["verdicts"]
    trace = result["tracemalloc"]
    head = (f"{'day':>5} {'wall s':>8} {'cpu s':>8} {'cpu s/day':>9} {'placed':>9} "
            f"{'finished':>9} {'open':>6} {'inq done':>8} {'RSS MiB':>8} {'blocks':>9}"
            + (f" {'traced MiB':>10}" if trace else ""))
    lines = [f"soak: {result['scenario']}, {result['days']:g} days (warm-up "
             f"{result['warmup_days']:g} d), 1 replication, cyclic GC paused, "
             f"checkpoint every {result['every_days']:g} d", "", head, "-" * len(head)]
    prev = None
    for r in result["checkpoints"]:
        per_day = ((r["cpu_s"] - prev["cpu_s"]) / (r["day"] - prev["day"])) if prev else 0.0
        lines.append(f"{r['day']:5g} {r['wall_s']:8.1f} {r['cpu_s']:8.1f} {per_day:9.2f} "
                     f"{r['orders_placed']:9,} {r['orders_finished']:9,} {r['orders_open']:6,} "
                     f"{r['inquiries_finished']:8,} {r['rss_bytes'] / 2**20:8.1f} "
                     f"{r['blocks']:9,}"
                     + (f" {r['traced_bytes'] / 2**20:10.1f}" if trace else ""))
        prev = r
    fq, lq = v["first_quarter"], v["last_quarter"]
    measure = "traced memory" if trace else "RSS"
    lines += [
        "",
        f"build {result['build_s']:.1f} s, run {result['run_wall_s']:.1f} s wall; "
        f"conservation {'holds' if result['conservation_holds'] else 'BROKEN'}: "
        + "; ".join(result["balances"]),
        f"memory: {measure} grows {v['bytes_per_finished_order']:.1f} bytes per finished order "
        f"(least squares over the checkpoints after warm-up; {v['memory_growth_mib']:.1f} MiB "
        f"in all; limit {BYTES_PER_ORDER_LIMIT:g}), Python blocks "
        f"{v['blocks_per_1000_finished_orders']:.0f} per 1,000 finished orders (fitted with "
        f"the open orders; limit {1000 * BLOCKS_PER_ORDER_LIMIT:g}): "
        f"{'PASS' if v['memory_pass'] else 'FAIL'}",
        f"time: CPU per simulated day, days {fq['days'][0]:g}-{fq['days'][1]:g}: "
        f"{fq['cpu_per_day']:.3f} s ({fq['orders_per_day']:,.0f} orders/day); days "
        f"{lq['days'][0]:g}-{lq['days'][1]:g}: {lq['cpu_per_day']:.3f} s "
        f"({lq['orders_per_day']:,.0f} orders/day); ratio last/first "
        f"{v['cpu_per_day_ratio_last_first']:.3f} (wall {v['wall_per_day_ratio_last_first']:.3f})"
        f"; limit {LINEARITY_LIMIT}: {'PASS' if v['time_pass'] else 'FAIL'}",
    ]
    return "\n".join(lines)


def save(result: dict, path: Path) -> None:
    """Write the result under "soak", keeping whatever else the file holds."""
    data = json.loads(path.read_text()) if path.exists() else {}
    data["soak"] = result
    path.write_text(json.dumps(data, indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=365.0,
                        help="simulated days (default 365; more than the 14 d warm-up)")
    parser.add_argument("--every", type=float, default=15.0,
                        help="simulated days between checkpoints (default 15)")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also trace Python allocations and fit on them (slower)")
    parser.add_argument("--seed", type=int, default=None, help="default: the scenario's")
    parser.add_argument("--output", type=Path, default=HERE / "results.json",
                        help="JSON file to write the 'soak' key into "
                             "(default benchmarks/results.json)")
    parser.add_argument("--no-save", action="store_true", help="print only")
    args = parser.parse_args()
    if args.every <= 0:
        parser.error("--every must be positive")
    if args.days < 14 + 4 * args.every:
        parser.error("--days must leave at least four checkpoints after the 14-day warm-up")
    fingerprint = source_fingerprint()
    info = machine()
    result = soak(args.days, args.every, args.tracemalloc, args.seed)
    result["verdicts"] = verdicts(result)
    info["loadavg_end"] = list(os.getloadavg())
    result["machine"] = info
    result["sim_source"] = {"sha256": fingerprint["sha256"],
                            "newest_mtime": fingerprint["newest_mtime"],
                            "changed_during_run": source_fingerprint()["sha256"]
                            != fingerprint["sha256"]}
    result["command"] = "python benchmarks/soak.py " + " ".join(sys.argv[1:])
    text = report(result)
    result["report"] = text.splitlines()
    print(text)
    if not args.no_save:
        save(result, args.output)
        print(f"\nresults written to {args.output} (key 'soak')")
    v = result["verdicts"]
    sys.exit(0 if v["memory_pass"] and v["time_pass"] and result["conservation_holds"] else 1)


if __name__ == "__main__":
    main()
