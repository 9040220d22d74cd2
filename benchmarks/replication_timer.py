"""Time one `sim.replication.run_replication` in-process, start-up excluded.

Loads a scenario (with optional `--set KEY=VALUE` overrides), runs ONE replication and
prints a JSON object on stdout: the load time, the replication's wall and CPU time, the horizon and
warm-up, the orders simulated (`orders.placed_per_day` x horizon days, when the scenario
has orders), the time spent in Python's cyclic garbage collector during the replication,
and this process's peak RSS. With `--profile N` the replication runs under cProfile instead
and the N functions with the most internal time are added (the times are then inflated by
the profiler; the ranking is what matters). `--gc-off` disables the cyclic garbage collector
for the replication (a diagnostic: how much of the time the collector takes).

    python benchmarks/replication_timer.py scenarios/ecommerce_week.yaml --set horizon=20d
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import time
from pathlib import Path

DAY = 1440.0  # minutes


def _short(path: str) -> str:
    for marker in ("site-packages/", "/work/main/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="KEY=VALUE")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="run under cProfile and report the top N functions by tottime")
    parser.add_argument("--gc-off", action="store_true",
                        help="disable the cyclic garbage collector during the replication")
    args = parser.parse_args()

    started = time.perf_counter()
    from sim.replication import run_replication
    from sim.scenario import load_scenario

    spec = load_scenario(Path(args.scenario), args.overrides).spec
    load_s = time.perf_counter() - started
    seed = spec.seed if args.seed is None else args.seed

    gc_time = {0: 0.0, 1: 0.0, 2: 0.0}
    gc_count = {0: 0, 1: 0, 2: 0}
    gc_collected = [0]
    mark = [0.0]

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            mark[0] = time.perf_counter()
        else:
            gen = info["generation"]
            gc_time[gen] += time.perf_counter() - mark[0]
            gc_count[gen] += 1
            gc_collected[0] += info["collected"]

    profile = None
    gc.callbacks.append(on_gc)
    if args.profile:
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
    if args.gc_off:
        gc.disable()
    t0, c0 = time.perf_counter(), time.process_time()
    result = run_replication(spec, seed, 0)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    gc.enable()
    if profile is not None:
        profile.disable()
    gc.callbacks.remove(on_gc)

    placed = result.metrics.get("orders.placed_per_day")
    out: dict = {
        "scenario": args.scenario,
        "overrides": args.overrides,
        "load_s": load_s,
        "replication_s": wall,
        "replication_cpu_s": cpu,
        "horizon_days": spec.horizon / DAY,
        "warmup_days": spec.warmup / DAY,
        "orders_simulated": None if placed is None else placed * spec.horizon / DAY,
        "gc_s": sum(gc_time.values()),
        "gc_by_generation": {str(g): {"collections": gc_count[g], "seconds": gc_time[g]}
                             for g in gc_time},
        "gc_collected_objects": gc_collected[0],
        "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "profiled": bool(args.profile),
        "gc_off": args.gc_off,
    }
    if profile is not None:
        import pstats

        stats = pstats.Stats(profile)
        total = stats.total_tt
        rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)
        out["profile_total_s"] = total
        out["profile_top"] = [
            {"function": f"{_short(file)}:{line}({func})", "ncalls": nc,
             "tottime_s": tt, "tottime_share": tt / total if total else 0.0, "cumtime_s": ct}
            for (file, line, func), (_cc, nc, tt, ct, _callers) in rows[: args.profile]
        ]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
