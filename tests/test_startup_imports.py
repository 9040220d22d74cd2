"""A plain `orgsim run --no-plots` loads only what it uses (start-up is most of a short run:
benchmarks/README.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# what a run without plots, records, precision or a pool never needs
NOT_FOR_A_PLAIN_RUN = ("matplotlib", "pandas", "pyarrow", "scipy", "dask", "distributed", "rich",
                       "numpy.ma", "multiprocessing", "sim.plots", "sim.experiment.compare",
                       "sim.experiment.precision", "sim.experiment.sweep")


def test_a_plain_run_imports_nothing_it_does_not_use(tmp_path):
    code = (
        "import os, sys\n"
        "from sim.cli import main\n"
        "sys.argv = ['orgsim', 'run', 'scenarios/support_desk.yaml', '--reps', '3', '--jobs', "
        f"'1', '--set', 'horizon=1d', '--no-plots', '--quiet', '--out', {str(tmp_path / 'o')!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as done:\n"
        "    assert not done.code, done.code\n"
        "print(os.environ.get('OPENBLAS_NUM_THREADS'))\n"
        f"print(sorted(m for m in {NOT_FOR_A_PLAIN_RUN!r} if m in sys.modules))\n"
        "print('simpy' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=ROOT,
                          env={k: v for k, v in __import__("os").environ.items()
                               if k != "OPENBLAS_NUM_THREADS"})
    assert done.returncode == 0, done.stderr
    threads, unused, ran = done.stdout.strip().splitlines()[-3:]
    assert (tmp_path / "o" / "summary.json").exists()
    assert ran == "True"  # the check sees the run's imports at all
    assert unused == "[]"
    assert threads == "1"  # no BLAS thread pool started for nothing
