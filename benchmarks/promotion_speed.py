"""The promotion per order against a plain SimPy customer (issue 9: at most 5x).

Runs, in alternating pairs, each in a fresh process so neither warms the other's caches:
- `plain_simpy_mmc.py --customers N`: the hand-written plain SimPy M/M/c model (wall time
  per customer, start-up included, as in run.py);
- one replication of the promotion timed in-process (start-up excluded), per order placed
  over the whole horizon (warm-up included: the run simulates it; counted from the orders
  balance, so the sale day's orders are counted as they happened).
It also times `orgsim run scenarios/promotion.yaml --reps 1 --no-plots` whole (start-up
included) for the same ratio on the command line. Prints each pair and the medians.

    python benchmarks/promotion_speed.py [--pairs 3] [--customers 400000] [--scenario FILE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROMOTION = ROOT / "scenarios" / "promotion.yaml"
LIMIT = 5.0


def wall(cmd: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
    return time.perf_counter() - started, done.stdout


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--customers", type=int, default=400_000)
    parser.add_argument("--scenario", type=Path, default=PROMOTION,
                        help="another scenario to compare the same way (e.g. ecommerce_week)")
    args = parser.parse_args()
    python = sys.executable
    rows = []
    for pair in range(args.pairs):
        plain, _ = wall([python, "benchmarks/plain_simpy_mmc.py", "--customers",
                         str(args.customers)])
        _, out = wall([python, "-c", TIMER, str(args.scenario)])
        timed = json.loads(out)
        with tempfile.TemporaryDirectory() as folder:
            whole, _ = wall([python, "-m", "sim", "run", str(args.scenario), "--reps", "1",
                             "--no-plots", "--out", folder])
        orders = timed["orders"]
        per_customer = plain / args.customers
        row = {"pair": pair + 1, "plain_s": plain, "replication_s": timed["wall_s"],
               "cli_s": whole, "orders": orders,
               "ratio_replication": timed["wall_s"] / orders / per_customer,
               "ratio_cli": whole / orders / per_customer}
        rows.append(row)
        print(json.dumps(row))
    for key in ("ratio_replication", "ratio_cli"):
        median = statistics.median(r[key] for r in rows)
        verdict = "ok" if median <= LIMIT else f"above the limit of {LIMIT:g}"
        print(f"median {key}: {median:.2f} ({verdict})")


if __name__ == "__main__":
    main()
