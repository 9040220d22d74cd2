"""Check that a change to orgsim's speed left its numbers bit-identical.

    python benchmarks/same_numbers.py save DIR     # before the change: run and keep the outputs
    python benchmarks/same_numbers.py check DIR    # after: run again and compare, exit 1 if not

Runs `orgsim run --reps 2 --records --no-plots` on the support desk (as written, and with
pre-emption), the skills validation scenario, ecommerce_week and the M/M/c benchmark, and
compares everything a run writes: every metric's mean, interval and per-replication values
in summary.json, replications.csv, the binned series (series.npz) and the Parquet records,
value for value with `==` (no tolerance: the same seed must give the same floats). Only the
provenance's wall times may differ.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RUNS = {
    "support_desk": ["scenarios/support_desk.yaml"],
    "support_desk_preemption": ["scenarios/support_desk.yaml", "--set",
                                "support.preemption=resume"],
    "skills": ["scenarios/validation/skills.yaml", "--set", "horizon=5d"],
    "ecommerce_week": ["scenarios/ecommerce_week.yaml"],
    "mmc": ["benchmarks/mmc.yaml", "--set", "horizon=20000m"],
}
TIMINGS = ("wall_time_s", "replication_wall_time_s")


def run_all(target: Path) -> None:
    exe = shutil.which("orgsim") or sys.exit("the `orgsim` command is not on PATH")
    for name, args in RUNS.items():
        cmd = [exe, "run", *args, "--reps", "2", "--records", "--no-plots", "--quiet",
               "--out", str(target / name)]
        subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def differences(before: Path, after: Path) -> list[str]:
    import numpy as np
    import pandas as pd

    found = []
    for name in RUNS:
        a, b = before / name, after / name
        old, new = (json.loads((d / "summary.json").read_text()) for d in (a, b))
        for summary in (old, new):
            for key in TIMINGS:
                summary["provenance"].pop(key, None)
        if old != new:
            found.append(f"{name}: summary.json differs")
        if (a / "replications.csv").read_bytes() != (b / "replications.csv").read_bytes():
            found.append(f"{name}: replications.csv differs")
        with np.load(a / "series.npz") as sa, np.load(b / "series.npz") as sb:
            if sorted(sa.files) != sorted(sb.files):
                found.append(f"{name}: series.npz holds other series")
            else:
                found += [f"{name}: series {k} differs" for k in sa.files
                          if not np.array_equal(sa[k], sb[k], equal_nan=True)]
        kinds = sorted(p.name for p in (a / "records").glob("*.parquet"))
        if kinds != sorted(p.name for p in (b / "records").glob("*.parquet")):
            found.append(f"{name}: other record files")
            continue
        for kind in kinds:
            ra, rb = pd.read_parquet(a / "records" / kind), pd.read_parquet(b / "records" / kind)
            if not ra.equals(rb):
                found.append(f"{name}: records/{kind} differ")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["save", "check"])
    parser.add_argument("directory", type=Path)
    args = parser.parse_args()
    if args.action == "save":
        if args.directory.exists():
            sys.exit(f"{args.directory} exists: give a new folder")
        run_all(args.directory)
        print(f"outputs of {len(RUNS)} runs saved in {args.directory}")
        return
    with tempfile.TemporaryDirectory(prefix="orgsim-same-") as tmp:
        run_all(Path(tmp))
        found = differences(args.directory, Path(tmp))
    for line in found:
        print(line)
    print(f"{len(RUNS)} runs: " + ("bit-identical" if not found else f"{len(found)} differences"))
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
