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


def test_local_pool_matches_serial_and_is_reused():
    scenario = sim.scenario_from_dict(SCENARIO)
    serial = sim.run(scenario, reps=3, jobs=1)
    with sim.PoolExecutor(2) as pool:
        first = sim.run(scenario, reps=3, executor=pool)
        started = pool._pool
        second = sim.run(scenario, reps=3, seed=4, executor=pool)
        assert pool._pool is started  # one pool for both runs
    assert first.summary_dict()["metrics"] == serial.summary_dict()["metrics"]
    for name, values in serial.series.items():
        np.testing.assert_array_equal(first.series[name], values)
    assert second.summary_dict()["metrics"] != serial.summary_dict()["metrics"]


def test_dask_client_is_reused_and_streams_each_replication():
    scenario = sim.scenario_from_dict(SCENARIO)
    serial = sim.run(scenario, reps=3, jobs=1)
    heard = []
    with sim.DaskExecutor("local") as dask:
        on_dask = sim.run(scenario, reps=3, executor=dask, progress=heard.append)
        client = dask._client
        sim.run(scenario, reps=2, executor=dask)
        assert dask._client is client
    assert sorted(r.replication for r in heard) == [0, 1, 2]
    assert on_dask.summary_dict()["metrics"] == serial.summary_dict()["metrics"]


def test_small_runs_stay_serial_and_big_ones_use_every_core():
    from sim.experiment.executors import (
        PoolExecutor,
        SerialExecutor,
        choose_executor,
        pool_is_worth_it,
    )

    assert not pool_is_worth_it(reps=10, serial_seconds=0.5, cores=2)
    assert not pool_is_worth_it(reps=1, serial_seconds=60, cores=2)
    assert not pool_is_worth_it(reps=10, serial_seconds=60, cores=1)
    assert pool_is_worth_it(reps=8, serial_seconds=10, cores=2)
    assert isinstance(choose_executor(10, 0.5), SerialExecutor)
    assert isinstance(choose_executor(10, 60, jobs=1), SerialExecutor)
    assert isinstance(choose_executor(10, 0.1, jobs=2), PoolExecutor)


def test_pools_fork_only_while_no_other_thread_runs() -> None:
    """On Linux a single-threaded process forks its workers (the model already imported);
    with another thread alive (Jupyter's kernel, Dask) forking would copy it mid-flight, so
    the pool falls back to the forkserver."""
    import sys
    import threading

    from sim.experiment.executors import _pool_context

    if sys.platform != "linux" or threading.active_count() != 1:
        expected_alone = _pool_context().get_start_method()  # not Linux: never fork
        assert expected_alone != "fork"
    else:
        assert _pool_context().get_start_method() == "fork"
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    try:
        assert _pool_context().get_start_method() != "fork"
    finally:
        stop.set()
        worker.join()
