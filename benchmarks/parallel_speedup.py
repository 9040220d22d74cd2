"""Speed-up of the default executor over a serial run: `orgsim run ecommerce_week --reps 8`
as it runs with no flag (every local core) against `--jobs 1`.

    python benchmarks/parallel_speedup.py [--pairs 3] [--reps 8]

Every command is a whole, fresh process (start-up and the pool's start included), timed with
`time.perf_counter()` around it; the two run one after another in each pair, their order
alternating between pairs so that a drift of a shared machine favours neither. It prints the
wall times, the median ratio serial / default, and the load average before and after (the
machine is shared: read the ratio against it). The issue asks for at least 1.8x on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def timed(args: list[str]) -> float:
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "sim", "run", "ecommerce_week", "--no-plots",
                        "--quiet", "--out", out, *args], check=True,
                       stdout=subprocess.DEVNULL)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--reps", type=int, default=8)
    options = parser.parse_args()
    reps = ["--reps", str(options.reps)]
    print(f"cores: {os.cpu_count()}, load average before: {os.getloadavg()}")
    ratios = []
    for pair in range(options.pairs):
        commands = [("default", reps), ("--jobs 1", reps + ["--jobs", "1"])]
        if pair % 2:
            commands.reverse()
        times = {name: timed(args) for name, args in commands}
        ratios.append(times["--jobs 1"] / times["default"])
        print(f"pair {pair + 1}: default {times['default']:.2f} s, --jobs 1 "
              f"{times['--jobs 1']:.2f} s, ratio {ratios[-1]:.2f}")
    print(f"median ratio serial / default: {statistics.median(ratios):.2f} "
          f"(load average after: {os.getloadavg()})")


if __name__ == "__main__":
    main()
