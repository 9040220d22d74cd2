"""The README's sample output and figure are what `orgsim run ecommerce_week` gives.

The full check reruns the README's command (~20 s) and compares its output with the README
block character for character (runs are bit-for-bit reproducible): marked slow. The default
suite checks cheaply what goes stale first: the command, the header (replications, seed),
the metric rows in their order (from a one-day run of the same scenario) and the figure.
Fix a failure with `python docs/make_readme_assets.py`.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

import sim

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("make_readme_assets",
                                               ROOT / "docs" / "make_readme_assets.py")
assets = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(assets)

FIX = "stale README sample: run python docs/make_readme_assets.py"


def readme_sample() -> list[str]:
    return assets.block(assets.README.read_text()).splitlines()


def test_the_readme_shows_the_command_and_the_scenario_s_replications_and_seed() -> None:
    lines = readme_sample()
    assert lines[0] == "$ orgsim run ecommerce_week"
    spec = sim.load_scenario(ROOT / "scenarios" / "ecommerce_week.yaml").spec
    assert lines[1] == f"ecommerce_week: {spec.replications} replication(s), seed {spec.seed}", FIX
    assert lines[-1] == "results written to runs/ecommerce_week/", FIX


def test_the_readme_lists_the_metrics_a_run_prints_in_order() -> None:
    """The metric names a run reports do not depend on its length: a day is enough."""
    scenario = sim.load_scenario(ROOT / "scenarios" / "ecommerce_week.yaml",
                                 ["horizon=1d", "warmup=12h"])
    names = list(sim.run(scenario, reps=1).metrics)
    lines = readme_sample()
    rule = next(i for i, line in enumerate(lines) if set(line) == {"-"})
    rows = [line.split()[0] for line in lines[rule + 1:] if line.strip()][:-1]  # no 'results'
    assert rows == names, FIX


def test_the_readme_figure_exists_and_is_a_png() -> None:
    assert assets.FIGURE.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"]({assets.FIGURE.relative_to(ROOT)})" in assets.README.read_text()


def test_the_block_is_replaced_between_the_markers_only() -> None:
    text = f"before\n{assets.BEGIN}\n```text\nold\n```\n{assets.END}\nafter\n"
    new = assets.with_block(text, "$ orgsim run x\nnew\n")
    assert new == f"before\n{assets.BEGIN}\n```text\n$ orgsim run x\nnew\n```\n{assets.END}" \
                  "\nafter\n"
    assert assets.block(new) == "$ orgsim run x\nnew\n"
    with pytest.raises(ValueError, match="no"):
        assets.block("no markers here")


@pytest.mark.slow
def test_the_readme_sample_is_exactly_what_the_command_prints(tmp_path) -> None:
    sample = assets.run_sample(tmp_path)
    assert assets.block(assets.README.read_text()) == sample, FIX
    assert (tmp_path / "runs" / "ecommerce_week" / assets.FIGURE.name).is_file()
