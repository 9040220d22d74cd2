"""Replications give the same numbers whichever executor runs them: serial, a local process
pool, or a Dask cluster (replication r always draws from the streams of (seed, r))."""

from __future__ import annotations

import numpy as np

import sim

SCENARIO = {
    "name": "executors", "horizon": "1d", "warmup": "1h", "seed": 3,
    "teams": {"support": {"members": 3}},
    "support": {"arrivals": "40/h", "handle_time": "exp(3m)", "patience": "exp(4m)"},
}


def test_dask_local_cluster_matches_serial():
    scenario = sim.scenario_from_dict(SCENARIO)
    serial = sim.run(scenario, reps=3)
    on_dask = sim.run(scenario, reps=3, dask_scheduler="local")
    assert on_dask.summary_dict()["metrics"] == serial.summary_dict()["metrics"]
    for name, values in serial.series.items():
        np.testing.assert_array_equal(on_dask.series[name], values)  # nan equals nan here
