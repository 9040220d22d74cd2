"""A 20-point sweep: wall time serially and with --jobs 2 (the speed-up; targets >= 1.8 on
2 cores), and the CPU a sweep spends per point beyond its replications (validating points,
writing each point's Parquet file, the combined tables; target < 5% of the replications').

    python benchmarks/sweep_speed.py [SCENARIO] [--reps 2] [--repeat 2]

Wall times are medians over --repeat alternating runs; the load average is printed with
them, since the machine may be shared. The overhead is measured in CPU time of this process
(serial sweep: everything runs here), minus the replications' own CPU time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from sim.experiment.sweep import sweep

VARY = {"teams.warehouse.shifts.1.members": "10:14:1", "demand.orders.rate": "1700/d:2000/d:100/d"}


def timed(scenario: str, reps: int, jobs: int, out: Path, vary: dict[str, str] = VARY
          ) -> tuple[float, float, float]:
    """Wall seconds, this process's CPU seconds, the replications' CPU seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = sweep(scenario, vary, reps=reps, seed=1, jobs=jobs, out=out, restart=True,
                   plots=False)
    return (time.perf_counter() - wall, time.process_time() - cpu, result.cpu_seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="scenarios/ecommerce_week.yaml")
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="sweep-speed-"))
    # one-off costs (imports: scipy for the intervals, pyarrow) before measuring per point
    timed(args.scenario, 2, 1, out / "warm", {"teams.warehouse.shifts.1.members": "12"})
    serial, pooled, overheads = [], [], []
    for _ in range(args.repeat):
        wall, cpu, reps_cpu = timed(args.scenario, args.reps, 1, out / "serial")
        serial.append(wall)
        overheads.append((cpu - reps_cpu) / reps_cpu)
        pool_wall, _, pool_reps_cpu = timed(args.scenario, args.reps, 2, out / "pool")
        pooled.append(pool_wall)
        # cores our replications got: 1 at most serially, 2 at most with --jobs 2
        print(f"serial {wall:.2f}s ({reps_cpu / wall:.2f} cores), jobs 2 {pool_wall:.2f}s "
              f"({pool_reps_cpu / pool_wall:.2f} cores), overhead {overheads[-1]:.2%}, "
              f"load {os.getloadavg()[0]:.2f}", flush=True)
    speedup = statistics.median(serial) / statistics.median(pooled)
    print(f"20 points x {args.reps} reps of {args.scenario}: serial "
          f"{statistics.median(serial):.2f}s, --jobs 2 {statistics.median(pooled):.2f}s, "
          f"speed-up {speedup:.2f}x (target >= 1.8); overhead per point beyond its "
          f"replications {statistics.median(overheads):.2%} of their CPU (target < 5%); "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
