"""How often do orgsim's 95% intervals of the mean wait cover the exact (Erlang C) value,
as a function of how long each replication observes the queue?

Each experiment is one `sim.run` of R replications with its own seed; its Student-t interval
of `support.wait.mean` (as `orgsim run` prints it) either covers the exact M/M/c mean wait or
not. The observed window is given in relaxation times of the queue,
tau = 1 / (c mu (1 - sqrt(rho))^2) (`sim.analysis.interval_validity.relaxation_time`), after
a warm-up of 2 tau. With K experiments the coverage has a binomial standard error of
sqrt(0.95 x 0.05 / K) (1.3 points for K = 300).

    python benchmarks/interval_coverage.py                       # ~3 minutes on one core
    python benchmarks/interval_coverage.py --experiments 100 --windows 2 10   # a smoke run

This is what backs `WINDOW_RELAXATION_TIMES` in `sim/analysis/interval_validity.py`.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

import sim
from sim.analysis.interval_validity import relaxation_time
from sim.analysis.queueing import erlang_c
from sim.analysis.statistics import mean_ci

# (name, agents, arrivals per minute, mean handle time in minutes)
QUEUES = (
    ("M/M/1, load 0.8", 1, 0.8, 1.0),
    ("M/M/8, load 0.75", 8, 2.0, 3.0),
)


def coverage(agents: int, rate: float, handle: float, windows: float, reps: int,
             experiments: int) -> tuple[float, float]:
    """(share of experiments whose interval covers the exact mean wait, mean skewness of
    the replication means)."""
    tau = relaxation_time(rate, 1.0 / handle, agents)
    exact = erlang_c(rate, 1.0 / handle, agents).wait_served
    warmup = 2 * tau
    spec = sim.scenario_from_dict({
        "name": "coverage", "horizon": f"{warmup + windows * tau:.6f}m",
        "warmup": f"{warmup:.6f}m", "replications": reps,
        "teams": {"support": {"members": agents}},
        "support": {"arrivals": f"{rate}/m", "handle_time": f"exp({handle}m)"},
    })
    covered = 0
    means = []
    for seed in range(experiments):
        values = sim.run(spec, seed=seed).metrics["support.wait.mean"]
        _, low, high, *_ = mean_ci(values)
        covered += low <= exact <= high
        means.append(values)
    pooled = np.concatenate(means)
    skew = float(np.mean((pooled - pooled.mean()) ** 3) / pooled.std() ** 3)
    return covered / experiments, skew


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--experiments", type=int, default=300)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--windows", type=float, nargs="+", default=[2, 5, 10, 20, 40],
                        help="observed window per replication, in relaxation times")
    args = parser.parse_args()
    error = math.sqrt(0.95 * 0.05 / args.experiments)
    print(f"{args.experiments} experiments of {args.reps} replications each; "
          f"binomial SE of a 95% coverage: {error:.1%}")
    print(f"{'queue':<18} {'tau':>8} {'window':>8} {'coverage':>9} {'skew':>6} {'time':>6}")
    for name, agents, rate, handle in QUEUES:
        tau = relaxation_time(rate, 1.0 / handle, agents)
        for windows in args.windows:
            started = time.perf_counter()
            share, skew = coverage(agents, rate, handle, windows, args.reps, args.experiments)
            print(f"{name:<18} {tau:>6.1f} m {windows:>6g} t {share:>9.1%} {skew:>6.2f} "
                  f"{time.perf_counter() - started:>5.0f}s", flush=True)


if __name__ == "__main__":
    main()
