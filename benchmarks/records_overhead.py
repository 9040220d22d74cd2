"""What `--records` adds to a command-line run, start-up included: paired CPU time of
`orgsim run SCENARIO --reps 1 --no-plots` without and with `--records`, alternating which
goes first (the machine is shared), and the median of the paired ratios.

    python benchmarks/records_overhead.py [SCENARIO] [--pairs 9]

The target (issue 7) is at most 1.25 on ecommerce_week.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path


def cpu_of(command: list[str]) -> float:
    """User + system CPU seconds of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="ecommerce_week")
    parser.add_argument("--pairs", type=int, default=9)
    args = parser.parse_args()
    orgsim = shutil.which("orgsim", path=str(Path(sys.executable).parent)) or "orgsim"
    out = Path(tempfile.mkdtemp(prefix="records-overhead-"))
    base = [orgsim, "run", args.scenario, "--reps", "1", "--no-plots"]
    plain, kept = [], []
    for pair in range(args.pairs):
        runs = [(plain, []), (kept, ["--records"])]
        for times, extra in (runs if pair % 2 == 0 else runs[::-1]):
            times.append(cpu_of([*base, "--out", str(out / str(len(extra))), *extra]))
    shutil.rmtree(out, ignore_errors=True)
    ratios = [k / p for k, p in zip(kept, plain, strict=True)]
    print(f"without --records: median {statistics.median(plain):.2f} s CPU "
          f"{[round(t, 2) for t in plain]}")
    print(f"with --records:    median {statistics.median(kept):.2f} s CPU "
          f"{[round(t, 2) for t in kept]}")
    print(f"median paired ratio: {statistics.median(ratios):.3f}")


if __name__ == "__main__":
    main()
