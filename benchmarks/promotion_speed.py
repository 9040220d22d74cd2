"""The promotion per order against a plain SimPy customer (issue 9: at most 5x).

Runs, in pairs whose order rotates (so that slow drifts of a noisy machine favour neither),
each in a fresh process so none warms another's caches:
- `plain_simpy_mmc.py --customers N`: the hand-written plain SimPy M/M/c model (wall time
  per customer, start-up included, as in run.py);
- one replication of the promotion timed in-process (start-up excluded), per order placed
  over the whole horizon (warm-up included: the run simulates it; counted from the orders
  balance, so the sale day's orders are counted as they happened);
- `orgsim run scenarios/promotion.yaml --reps 1 --no-plots` whole (start-up included), for the
  same ratio on the command line, by wall and by CPU time.
As in run.py, `sim/` is byte-compiled first (as an installed package is) and one unmeasured
round warms the file cache. Prints each pair and the medians.

    python benchmarks/promotion_speed.py [--pairs 5] [--customers 400000] [--scenario FILE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

from run import compile_sources, measure

ROOT = Path(__file__).resolve().parent.parent
PROMOTION = ROOT / "scenarios" / "promotion.yaml"
LIMIT = 5.0


TIMER = """
import json, sys, time
import sim
from sim.replication import run_replication
spec = sim.load_scenario(sys.argv[1]).spec
started = time.perf_counter()
result = run_replication(spec, spec.seed, 0)
elapsed = time.perf_counter() - started
orders = next(b.total for b in result.balances if b.name == "orders")
print(json.dumps({"wall_s": elapsed, "orders": orders}))
"""


def commands(scenario: Path, customers: int, out: Path) -> dict[str, list[str]]:
    python = sys.executable
    return {"plain": [python, "benchmarks/plain_simpy_mmc.py", "--customers", str(customers)],
            "timer": [python, "-c", TIMER, str(scenario)],
            "cli": [python, "-m", "sim", "run", str(scenario), "--reps", "1", "--no-plots",
                    "--out", str(out)]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--customers", type=int, default=400_000)
    parser.add_argument("--scenario", type=Path, default=PROMOTION,
                        help="another scenario to compare the same way (e.g. ecommerce_week)")
    args = parser.parse_args()
    compile_sources()
    rows = []
    with tempfile.TemporaryDirectory(prefix="orgsim-promotion-") as folder:
        work = Path(folder)
        cmds = commands(args.scenario.resolve(), args.customers, work / "out")
        kinds = list(cmds)
        for kind in kinds:  # warm-up round, not measured
            measure(cmds[kind] if kind != "plain" else [*cmds[kind][:-1], "1000"], work)
        for pair in range(args.pairs):
            shift = pair % len(kinds)
            got = {kind: measure(cmds[kind], work) for kind in kinds[shift:] + kinds[:shift]}
            timed = json.loads(got["timer"]["stdout"])
            orders = timed["orders"]
            per_customer = got["plain"]["wall_s"] / args.customers
            per_customer_cpu = got["plain"]["cpu_s"] / args.customers
            row = {"pair": pair + 1, "plain_s": got["plain"]["wall_s"],
                   "replication_s": timed["wall_s"], "cli_s": got["cli"]["wall_s"],
                   "orders": orders,
                   "ratio_replication": timed["wall_s"] / orders / per_customer,
                   "ratio_cli": got["cli"]["wall_s"] / orders / per_customer,
                   "ratio_cli_cpu": got["cli"]["cpu_s"] / orders / per_customer_cpu}
            rows.append(row)
            print(json.dumps(row), flush=True)
    for key in ("ratio_replication", "ratio_cli", "ratio_cli_cpu"):
        median = statistics.median(r[key] for r in rows)
        verdict = "ok" if median <= LIMIT else f"above the limit of {LIMIT:g}"
        print(f"median {key}: {median:.2f} ({verdict})")


if __name__ == "__main__":
    main()
