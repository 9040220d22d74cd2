"""The import layers of docs/architecture.md hold, and the contract does catch a breach.

`lint-imports` (import-linter, in the test extra) reads the contract from pyproject.toml. The
breach tests run it on a copy of the package with one bad import added, so they show that
each kind of rule bites (a contract that passes everything would pass the first test too).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# the command installed next to this Python (the test extra puts it there)
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports on the `sim` package under `root`, with the contract in its pyproject."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([LINT_IMPORTS, "--no-cache"], cwd=root, env=env, capture_output=True,
                          text=True, timeout=120)


def test_the_import_layers_hold():
    run = lint_imports(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def test_every_top_level_module_has_a_layer():
    """A module left out of the layers would be free to import anything: place new ones."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (layers,) = [c["layers"] for c in config["contracts"] if c["type"] == "layers"]
    placed = {name.strip(" ()") for layer in layers for name in layer.split("|")}
    present = {f"sim.{p.stem}" for p in (ROOT / "sim").iterdir()
               if (p.suffix == ".py" and p.stem not in ("__init__", "__main__"))
               or (p / "__init__.py").exists()}
    assert present - placed == set(), "add these to the layers in pyproject.toml"
    assert "sim.model" in present and "sim.units" in present  # the walk found the package


@pytest.mark.parametrize(("module", "line", "broken", "named"), [
    # analysis is pure theory: never the model (theory_commerce once imported it)
    ("sim/analysis/statistics.py", "from sim.model import context",
     "sim.analysis is not allowed to import sim.model",
     "sim.analysis.statistics -> sim.model.context"),
    # specs never import simpy
    ("sim/scenario/errors.py", "import simpy", "sim.scenario is not allowed to import simpy",
     "sim.scenario.errors -> simpy"),
    # the model does no I/O
    ("sim/model/wakeup.py", "import yaml", "sim.model is not allowed to import yaml",
     "sim.model.wakeup -> yaml"),
    # an upward import between layers
    ("sim/metrics/level.py", "from sim.results import Results",
     "sim.metrics is not allowed to import sim.results", "sim.metrics.level -> sim.results"),
    # a circle between sibling modules (what theory and theory_commerce were)
    ("sim/analysis/prediction.py", "from sim.analysis.theory import predict",
     "No cycles are allowed in sim.analysis", ".prediction -> .theory"),
])
def test_the_contract_catches_a_breach(tmp_path, module, line, broken, named):
    shutil.copytree(ROOT / "sim", tmp_path / "sim",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    with open(tmp_path / module, "a") as source:
        source.write(f"\n{line}  # noqa\n")
    run = lint_imports(tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert broken in run.stdout, run.stdout
    # the copy was analysed (not the installed package): the report names the added import
    assert named in run.stdout, run.stdout
