"""Issue 10's speed limit: the collaboration layer costs at most 30% extra wall (and CPU)
time on `promotion`, measured against the same scenario without `channels:` and `trust:`.

    python benchmarks/collab_promotion.py [--pairs 5] [--story promotion_low_trust]

One replication each, in process (build and run), alternating which goes first as the
machine is shared; the median of the paired ratios, wall and CPU. `promotion` itself hands
its escalated questions over directly; the layered run sends them over a chat channel with
trust 0.8, verification and dynamics (every hand-off a process with its legs and checks),
or, with --story, runs that story's settings instead.
"""

from __future__ import annotations

import argparse
import copy
import gc
import statistics
import time

from sim.bundled import find_bundled
from sim.replication import run_replication
from sim.scenario import load_scenario, scenario_from_dict

LIMIT = 1.30
CHANNELS = {"default": {"kind": "chat", "notice": "exp(10m)"}}
TRUST = {"default": 0.8, "verification": "10m", "dynamics": {"gain": 0.1, "loss": 0.3}}


def timed(spec, seed: int) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and events of one replication."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    result = run_replication(spec, seed, 0)
    return time.perf_counter() - wall, time.process_time() - cpu, result.events


def without_layer(data: dict) -> dict:
    return {key: value for key, value in copy.deepcopy(data).items()
            if key not in ("channels", "trust")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--story", help="a promotion_* scenario whose settings to time")
    args = parser.parse_args()
    plain = without_layer(load_scenario(find_bundled("promotion")).resolved)
    if args.story:
        layered = load_scenario(find_bundled(args.story)).resolved
    else:
        layered = {**copy.deepcopy(plain), "channels": CHANNELS, "trust": TRUST}
    specs = [scenario_from_dict(plain).spec, scenario_from_dict(layered).spec]
    seed = specs[0].seed
    walls, cpus, events = [[], []], [[], []], [0, 0]
    wall_ratios, cpu_ratios = [], []
    for pair in range(args.pairs):
        wall, cpu = [0.0, 0.0], [0.0, 0.0]
        for which in ((0, 1) if pair % 2 == 0 else (1, 0)):
            wall[which], cpu[which], events[which] = timed(specs[which], seed)
            walls[which].append(wall[which])
            cpus[which].append(cpu[which])
        wall_ratios.append(wall[1] / wall[0])
        cpu_ratios.append(cpu[1] / cpu[0])
    label = args.story or "chat + trust 0.8 with dynamics"
    print(f"promotion without the layer: wall {statistics.median(walls[0]):.2f} s, CPU "
          f"{statistics.median(cpus[0]):.2f} s ({events[0]:,} events)")
    print(f"with it ({label}): wall {statistics.median(walls[1]):.2f} s, CPU "
          f"{statistics.median(cpus[1]):.2f} s ({events[1]:,} events)")
    for name, ratios in (("wall", wall_ratios), ("CPU", cpu_ratios)):
        middle = statistics.median(ratios)
        print(f"{name}: median paired ratio {middle:.3f} over {args.pairs} pairs (range "
              f"{min(ratios):.3f} .. {max(ratios):.3f}); limit {LIMIT:.2f}: "
              f"{'met' if middle <= LIMIT else 'NOT met'}")


if __name__ == "__main__":
    main()
