"""orgsim: a discrete-event simulator of an e-commerce company's operations and collaboration.

Public API (what notebooks use; the `orgsim` command is a thin layer over it)::

    import sim
    scenario = sim.load_scenario("scenarios/support_desk.yaml", ["teams.support.members=7"])
    results = sim.run(scenario, reps=10, seed=1)
    results.summary()            # pandas table: mean and 95% CI per metric
    results.save("runs/desk")    # summary.json, replications.csv, scenario.yaml, plots
    comparison = sim.compare("scenarios/support_desk.yaml",
                             changes=["teams.support.shifts.0.members=9"], reps=10)
    comparison.table()           # paired differences with 95% CIs, Holm-flagged
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["Comparison", "DaskExecutor", "Executor", "PoolExecutor", "Results", "RunTooLarge",
           "Scenario", "ScenarioError", "SerialExecutor", "compare", "load_scenario", "run",
           "scenario_from_dict", "sweep", "warmup"]
__version__ = "0.1.0"

if TYPE_CHECKING:
    from sim.api import compare, run
    from sim.experiment.compare import Comparison
    from sim.experiment.size import RunTooLarge
    from sim.experiment.sweep import sweep
    from sim.results import Results
    from sim.scenario import Scenario, ScenarioError, load_scenario, scenario_from_dict


def __getattr__(name: str) -> Any:
    # Imported on first use, so `orgsim --help` does not pay for simpy, numpy or pydantic.
    if name == "run":
        from sim.api import run

        return run
    if name == "compare":
        from sim.api import compare

        return compare
    if name == "Comparison":
        from sim.experiment.compare import Comparison

        return Comparison
    if name == "sweep":
        from sim.experiment.sweep import sweep

        return sweep
    if name in ("warmup", "Executor", "DaskExecutor", "PoolExecutor", "SerialExecutor"):
        import sim.api as api

        return getattr(api, name)
    if name == "RunTooLarge":
        from sim.experiment.size import RunTooLarge

        return RunTooLarge
    if name == "Results":
        from sim.results import Results

        return Results
    if name in ("Scenario", "ScenarioError", "load_scenario", "scenario_from_dict"):
        import sim.scenario as scenario

        return getattr(scenario, name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
