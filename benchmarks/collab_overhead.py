"""What the collaboration layer costs: paired CPU time of one replication of a scenario
without and with `channels:` and `trust:` (in process, build and run; alternating which goes
first, as the machine is shared), and the median of the paired ratios.

    python benchmarks/collab_overhead.py [SCENARIO] [--pairs 7]

Two comparisons on the scenario (default ecommerce_week):
- as it is, against the same with channels and trust: the layer on a model whose flows hand
  nothing between teams (the seam's check per pass, the layer's set-up);
- with 30% of its general inquiries escalated to the warehouse (10m of work): directly,
  against over a chat channel with 20% errors, trust 0.7 with dynamics and 10m
  verification (every hand-off a process with its legs, checks and rework).
The issue's limit (30% on `promotion`) waits for issue 9; this is the measure until then.
"""

from __future__ import annotations

import argparse
import copy
import gc
import statistics
import time

from sim.replication import run_replication
from sim.scenario import load_scenario, scenario_from_dict

CHANNELS = {"default": {"kind": "chat", "notice": "exp(10m)", "error": 0.2}}
TRUST = {"default": 0.7, "verification": "10m", "dynamics": {"gain": 0.1, "loss": 0.3}}


def cpu_of(spec, seed: int) -> tuple[float, int]:
    gc.collect()
    started = time.process_time()
    result = run_replication(spec, seed, 0)
    return time.process_time() - started, result.events


def escalating(data: dict) -> dict:
    data = copy.deepcopy(data)
    for kind in data["support"]["inquiry_types"].values():
        kind["escalate"] = {"to": "warehouse", "share": 0.3, "work": "exp(10m)"}
    return data


def with_collaboration(data: dict) -> dict:
    return {**copy.deepcopy(data), "channels": CHANNELS, "trust": TRUST}


def compare(label: str, plain: dict, layered: dict, pairs: int) -> None:
    specs = [scenario_from_dict(plain).spec, scenario_from_dict(layered).spec]
    seed = specs[0].seed
    ratios, times, events = [], [[], []], [0, 0]
    for pair in range(pairs):
        order = (0, 1) if pair % 2 == 0 else (1, 0)
        cpu = [0.0, 0.0]
        for which in order:
            cpu[which], events[which] = cpu_of(specs[which], seed)
            times[which].append(cpu[which])
        ratios.append(cpu[1] / cpu[0])
    print(f"{label}: without {statistics.median(times[0]):.2f} s ({events[0]:,} events), "
          f"with {statistics.median(times[1]):.2f} s ({events[1]:,} events); median paired "
          f"ratio {statistics.median(ratios):.3f} over {pairs} pairs "
          f"(range {min(ratios):.3f} .. {max(ratios):.3f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="ecommerce_week")
    parser.add_argument("--pairs", type=int, default=7)
    args = parser.parse_args()
    path = args.scenario if args.scenario.endswith(".yaml") else f"scenarios/{args.scenario}.yaml"
    data = load_scenario(path).resolved
    compare("as it is", data, with_collaboration(data), args.pairs)
    escalated = escalating(data)
    compare("with escalations", escalated, with_collaboration(escalated), args.pairs)


if __name__ == "__main__":
    main()
