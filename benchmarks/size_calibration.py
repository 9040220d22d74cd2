"""Check the run-size estimate (sim/experiment/size.py) against measured runs.

For each scenario (the bundled ones, the validation ones, and a few variants that stress one
term: many products, fine bins, a long horizon) it runs ONE replication in-process and prints
the estimated and measured events (heap events scheduled), peak memory (tracemalloc, in a
second run, since tracing slows the first) and CPU time, with measured / estimated ratios.
The per-event costs and bytes per product in `sim/model/sizes/` come from these numbers.

    python benchmarks/size_calibration.py            # everything (~1-2 minutes)
    python benchmarks/size_calibration.py support_desk ecommerce_week
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc
from pathlib import Path

from sim.experiment.size import estimate_run, format_bytes
from sim.replication import run_replication
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = {
    "ecommerce_week+20k_products": ("scenarios/ecommerce_week.yaml",
                                    ["catalog.generate.products=20000"]),
    "support_desk+1m_bins": ("scenarios/support_desk.yaml", ["output.bin=1m"]),
    "support_desk+1s_bins": ("scenarios/support_desk.yaml", ["output.bin=1s"]),
    "support_desk+8w": ("scenarios/support_desk.yaml", ["horizon=8w"]),
    "mmc_100k": ("benchmarks/mmc.yaml", ["horizon=22222m"]),
}


def cases() -> dict[str, tuple[str, list[str]]]:
    found = {p.stem: (str(p.relative_to(ROOT)), [])
             for p in sorted((ROOT / "scenarios").glob("*.yaml"))
             + sorted((ROOT / "scenarios" / "validation").glob("*.yaml"))}
    return {**found, **VARIANTS}


def measure(path: str, overrides: list[str]) -> dict[str, float]:
    spec = load_scenario(ROOT / path, overrides).spec
    estimate = estimate_run(spec, reps=1)
    gc.collect()
    cpu = time.process_time()
    result = run_replication(spec, spec.seed, 0)
    cpu = time.process_time() - cpu
    del result
    gc.collect()
    tracemalloc.start()
    run_replication(spec, spec.seed, 0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    events = run_replication(spec, spec.seed, 0).events
    return {"events": events, "est_events": estimate.events, "memory": peak,
            "est_memory": estimate.memory, "cpu": cpu, "est_seconds": estimate.seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="only these cases")
    args = parser.parse_args()
    table = cases()
    names = args.names or list(table)
    header = (f"{'case':<30} {'events':>10} {'est':>10} {'ratio':>6}  {'memory':>10} "
              f"{'est':>10} {'ratio':>6}  {'cpu s':>7} {'est s':>7} {'ratio':>6}")
    print(header)
    print("-" * len(header))
    for name in names:
        m = measure(*table[name])
        print(f"{name:<30} {m['events']:>10,.0f} {m['est_events']:>10,.0f} "
              f"{m['events'] / m['est_events']:>6.2f}  {format_bytes(m['memory']):>10} "
              f"{format_bytes(m['est_memory']):>10} {m['memory'] / m['est_memory']:>6.2f}  "
              f"{m['cpu']:>7.2f} {m['est_seconds']:>7.2f} {m['cpu'] / m['est_seconds']:>6.2f}")


if __name__ == "__main__":
    main()
