"""Sweeps: --vary specs and designs, resume after an interruption (bit for bit, without
recomputing finished points), refusal of a changed sweep, identical numbers on every
executor, the command line and the plots."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import sim
import sim.experiment.tasks as tasks
from sim.cli import cli
from sim.experiment.design import DesignError, design_points, parse_vary
from sim.experiment.sweep import plan_sweep, sweep

MEMBERS = "teams.support.members"
RATE = "support.arrivals"


@pytest.fixture
def tiny(tmp_path, write_scenario, tiny_text) -> Path:
    return write_scenario(tmp_path, tiny_text, "tiny.yaml")


@pytest.fixture
def counted(monkeypatch) -> list[tuple]:
    """Every replication the sweep runs in this process, as (point, replication)."""
    runs: list[tuple] = []
    original = tasks.replication_metrics

    def counting(task):
        runs.append((task.key, task.replication))
        return original(task)

    monkeypatch.setattr(tasks, "replication_metrics", counting)
    return runs


# --- specs and designs ---------------------------------------------------------------------


def test_specs_keep_units_and_include_both_ends():
    assert parse_vary("a=4:12:2").values == ("4", "6", "8", "10", "12")
    assert parse_vary("a=10m:30m:10m").values == ("10m", "20m", "30m")
    assert parse_vary("a=0.1:0.5:0.1").values == ("0.1", "0.2", "0.3", "0.4", "0.5")
    assert parse_vary("a=fifo, priority").values == ("fifo", "priority")
    interval = parse_vary("a=30/h..90/h")
    assert (interval.low, interval.high, interval.unit, interval.integer) == (30, 90, "/h", False)
    assert parse_vary("a=4..12").integer


@pytest.mark.parametrize("text, words", [
    ("a", "expected KEY=SPEC"), ("a=4:2:1", "START <= STOP"), ("a=1m..2h", "same unit"),
    ("a=5..5", "below the high end"), ("a=x,,y", "between every two commas"),
    ("a=1:2", "START:STOP:STEP"), ("a=1m:2h:1m", "same unit"),
])
def test_bad_specs_name_the_vary(text, words):
    with pytest.raises(DesignError, match=words):
        parse_vary(text)


def test_grid_is_the_product_first_vary_slowest():
    points = design_points([parse_vary("a=1,2"), parse_vary("b=x,y,z")], "grid")
    assert [(p["a"], p["b"]) for p in points] == [
        (a, b) for a in ("1", "2") for b in ("x", "y", "z")]


def test_latin_hypercube_is_reproducible_and_stratified():
    varies = [parse_vary("a=10m..20m"), parse_vary("b=0..9")]
    first = design_points(varies, "lhs", 10, seed=4)
    assert first == design_points(varies, "lhs", 10, seed=4)
    assert first != design_points(varies, "lhs", 10, seed=5)
    a = sorted(float(p["a"][:-1]) for p in first)
    # one point in each tenth of the interval
    assert [int((x - 10) // 1) for x in a] == list(range(10))
    assert all(p["a"].endswith("m") for p in first)
    assert sorted(int(p["b"]) for p in first) == list(range(10))


def test_oat_varies_each_key_around_the_base():
    points = design_points([parse_vary("a=1,2,3"), parse_vary("b=x,y")], "oat",
                           base={"a": "2", "b": "y"})
    assert points == [{"a": "2", "b": "y"}, {"a": "1", "b": "y"}, {"a": "3", "b": "y"},
                      {"a": "2", "b": "x"}]


def test_design_mismatches_are_refused():
    with pytest.raises(DesignError, match="needs --design lhs"):
        design_points([parse_vary("a=1..2")], "grid")
    with pytest.raises(DesignError, match="--points N"):
        design_points([parse_vary("a=1..2")], "lhs")
    with pytest.raises(DesignError, match="given twice"):
        design_points([parse_vary("a=1,2"), parse_vary("a=3,4")], "grid")


def test_a_bad_point_is_refused_before_anything_runs(tiny, counted):
    scenario = sim.load_scenario(tiny)
    with pytest.raises(DesignError, match=r"--vary teams.support.members=3,-1: .*members=-1"):
        plan_sweep(scenario, {MEMBERS: "3,-1"})
    with pytest.raises(DesignError, match=r"--vary support.arrivals=30,60: .*=30 is not valid"):
        sweep(scenario, {RATE: "30,60"})  # a rate needs its unit
    assert counted == []


# --- resume --------------------------------------------------------------------------------


def _grid(tiny, out, **kwargs):
    return sweep(tiny, {MEMBERS: "3:5:1", RATE: "50/h,70/h"}, reps=2, seed=7, out=out,
                 plots=False, **kwargs)


def test_an_interrupted_sweep_resumes_bit_for_bit_without_recomputing(tiny, tmp_path, counted):
    whole = _grid(tiny, tmp_path / "whole")
    assert len(whole.summary) == 6 and len(whole.points) == 12
    counted.clear()

    def stop_after_two(point):
        if len(counted) >= 4:  # two points of two replications each
            raise KeyboardInterrupt

    out = tmp_path / "cut"
    with pytest.raises(KeyboardInterrupt):
        _grid(tiny, out, progress=stop_after_two)
    first_two = list(dict.fromkeys(p for p, _ in counted))  # in the order they ran
    assert len(first_two) == 2
    finished = sorted(p.name for p in (out / "points").glob("*.parquet"))
    assert finished == [f"{p:04d}.parquet" for p in sorted(first_two)]
    assert not (out / "points.parquet").exists()
    counted.clear()
    messages = []
    resumed = _grid(tiny, out, on_message=messages.append)
    assert messages == ["resuming: 2 of 6 points done"]
    rest = sorted(set(range(6)) - set(first_two))
    assert sorted({p for p, _ in counted}) == rest  # finished points not rerun
    assert sorted(resumed.computed) == rest
    for name in ("points.parquet", "summary.parquet"):
        assert (out / name).read_bytes() == (tmp_path / "whole" / name).read_bytes()
    assert resumed.points.equals(whole.points)


def test_a_deleted_point_file_is_recomputed_alone(tiny, tmp_path, counted):
    out = tmp_path / "sweep"
    first = _grid(tiny, out)
    (out / "points" / "0003.parquet").unlink()
    counted.clear()
    again = _grid(tiny, out)
    assert sorted({p for p, _ in counted}) == [3]
    assert again.summary.equals(first.summary)


def test_a_changed_sweep_is_refused_and_restart_keeps_user_files(tiny, tmp_path):
    out = tmp_path / "sweep"
    _grid(tiny, out)
    (out / "notes.txt").write_text("mine")
    changed = sim.load_scenario(tiny, ["support.handle_time=exp(4m)"])
    with pytest.raises(sim.experiment.sweep_store.SweepChanged,
                       match=r"the scenario changed since the sweep began: "
                             r"support.handle_time exp\(3m\) -> exp\(4m\).*--restart"):
        _grid(changed, out)
    with pytest.raises(sim.experiment.sweep_store.SweepChanged, match="--reps changed: 2 -> 3"):
        sweep(tiny, {MEMBERS: "3:5:1", RATE: "50/h,70/h"}, reps=3, seed=7, out=out,
              plots=False)
    restarted = sweep(tiny, {MEMBERS: "4,5"}, reps=2, seed=7, out=out, restart=True,
                      plots=False)
    assert restarted.computed == [0, 1]
    assert sorted(p.name for p in (out / "points").iterdir()) == ["0000.parquet",
                                                                    "0001.parquet"]
    assert (out / "notes.txt").read_text() == "mine"
    record = json.loads((out / "sweep.json").read_text())
    assert record["varies"] == [{"key": MEMBERS, "spec": "4,5"}]


# --- numbers ---------------------------------------------------------------------------------


def test_points_share_common_random_numbers_and_match_plain_runs(tiny):
    result = sweep(tiny, {MEMBERS: "3,5"}, reps=2, seed=7)
    for point, members in enumerate((3, 5)):
        run = sim.run(tiny, reps=2, seed=7, overrides=[f"{MEMBERS}={members}"])
        rows = result.points[result.points.point == point]
        np.testing.assert_array_equal(rows["support.wait.mean"].to_numpy(),
                                      run.metrics["support.wait.mean"])
        summary = result.summary.iloc[point]
        entry = run.summary_dict()["metrics"]["support.wait.mean"]
        assert summary["support.wait.mean"] == entry["mean"]
        assert [summary["support.wait.mean.ci_low"],
                summary["support.wait.mean.ci_high"]] == entry["ci95"]
    # same arrivals stream at both points: the arrival counts agree
    arrivals = result.points.pivot(index="replication", columns="point",
                                   values="support.arrivals_per_day")
    np.testing.assert_array_equal(arrivals[0], arrivals[1])


def test_executors_write_identical_points(tiny, tmp_path):
    serial = _grid(tiny, tmp_path / "serial")
    pooled = _grid(tiny, tmp_path / "pool", jobs=2)
    assert pooled.points.equals(serial.points)
    for name in ("points.parquet", "summary.parquet"):
        assert ((tmp_path / "pool" / name).read_bytes()
                == (tmp_path / "serial" / name).read_bytes())


def test_one_executor_serves_every_point_and_several_sweeps(tiny, tmp_path):
    serial = _grid(tiny, tmp_path / "serial")
    with sim.PoolExecutor(2) as pool:
        first = _grid(tiny, tmp_path / "pool", executor=pool)
        started = pool._pool
        again = _grid(tiny, tmp_path / "again", executor=pool)
        assert pool._pool is started  # left open by the sweeps, reused
    assert first.points.equals(serial.points) and again.points.equals(serial.points)


def test_the_stream_runs_the_longest_points_first_a_point_together():
    from sim.experiment.tasks import Task, longest_first

    spec = None  # not run here
    stream = [Task(p, spec, 1, r, weight) for p, weight in enumerate([1.0, 3.0, 1.0, 2.0])
              for r in range(2)]
    assert [(t.key, t.replication) for t in longest_first(stream)] == [
        (1, 0), (1, 1), (3, 0), (3, 1), (0, 0), (0, 1), (2, 0), (2, 1)]


def test_dask_writes_identical_points(tiny, tmp_path):
    pytest.importorskip("dask.distributed")
    args = dict(reps=2, seed=7, plots=False)
    serial = sweep(tiny, {MEMBERS: "3,4"}, out=tmp_path / "serial", **args)
    on_dask = sweep(tiny, {MEMBERS: "3,4"}, out=tmp_path / "dask", dask_scheduler="local",
                    **args)
    assert on_dask.points.equals(serial.points)
    assert ((tmp_path / "dask" / "points.parquet").read_bytes()
            == (tmp_path / "serial" / "points.parquet").read_bytes())


# --- plots and the command line --------------------------------------------------------------


def test_plots_for_each_design(tiny, tmp_path):
    grid = _grid(tiny, None)
    assert set(grid.plots()) == {f"sweep_{MEMBERS}", f"sweep_{RATE}", "sweep_heatmap"}
    assert grid.summary[RATE].tolist() == [50, 70] * 3 and grid.units[RATE] == "/h"
    oat = sweep(tiny, {MEMBERS: "3,5", "support.service_level_target": "10s,40s"},
                design="oat", reps=2, seed=7, out=tmp_path / "oat")
    assert oat.summary[MEMBERS].tolist() == [4, 3, 5, 4, 4]
    assert (tmp_path / "oat" / "sweep_tornado.png").is_file()
    metric = "support.service_level"
    axes = oat.plot(metric).axes[0]
    means = oat.summary[metric].to_numpy()
    spans = {MEMBERS: np.ptp(means[[0, 1, 2]]),
             "support.service_level_target": np.ptp(means[[0, 3, 4]])}
    widest = max(spans, key=spans.get)
    assert [t.get_text() for t in axes.get_yticklabels()][-1].startswith(widest)  # on top


def test_cli_sweep_resumes_and_refuses_changes(tiny, tmp_path, runner):
    out = tmp_path / "cli"
    args = ["sweep", str(tiny), "--vary", f"{MEMBERS}=3,4", "--reps", "2", "--out", str(out),
            "--no-plots"]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert "support.wait.mean" in first.output and "2 point(s) computed now" in first.output
    again = runner.invoke(cli, args)
    assert again.exit_code == 0 and "resuming: 2 of 2 points done" in again.output
    changed = runner.invoke(cli, [*args, "--set", "support.handle_time=exp(4m)"])
    assert changed.exit_code == 2
    assert changed.output.startswith("error: ") and "--restart" in changed.output
    bad = runner.invoke(cli, ["sweep", str(tiny), "--vary", f"{MEMBERS}=3:x:1",
                              "--out", str(tmp_path / "bad")])
    assert bad.exit_code == 2 and "--vary teams.support.members=3:x:1" in bad.output
    assert not (tmp_path / "bad").exists()


def test_a_latin_hypercube_sweep_stays_in_its_intervals(tiny):
    result = sweep(tiny, {MEMBERS: "3..6", "support.service_level_target": "10s..40s"},
                   design="lhs", points=5, reps=2, seed=3)
    summary = result.summary
    assert summary[MEMBERS].dtype.kind == "i" and summary[MEMBERS].between(3, 6).all()
    assert summary["support.service_level_target"].between(10, 40).all()
    assert result.units["support.service_level_target"] == "s"
    assert set(result.plots()) == {f"sweep_{MEMBERS}", "sweep_support.service_level_target"}


def test_a_user_file_where_the_sweep_writes_is_refused_before_running(tiny, tmp_path, counted):
    out = tmp_path / "mine"
    (out / "points").mkdir(parents=True)
    (out / "points" / "0001.parquet").write_text("my own")
    with pytest.raises(sim.experiment.sweep_store.OutputError, match="not written by orgsim"):
        _grid(tiny, out)
    assert counted == [] and sorted(p.name for p in out.rglob("*")) == ["0001.parquet",
                                                                        "points"]


def test_ctrl_c_on_the_command_line_says_how_to_resume(tiny, tmp_path, runner, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("sim.experiment.sweep.sweep", interrupted)
    result = runner.invoke(cli, ["sweep", str(tiny), "--vary", f"{MEMBERS}=3,4",
                                 "--out", str(tmp_path / "cut")])
    assert result.exit_code == 130 and "rerun the same command" in result.output


def test_cli_sweep_quiet_prints_only_the_table(tiny, tmp_path, runner):
    """--quiet: no progress, no resuming note, no trailer; the table and the files stay."""
    out = tmp_path / "quiet"
    args = ["sweep", str(tiny), "--vary", f"{MEMBERS}=3,4", "--reps", "2", "--out", str(out),
            "--no-plots", "--quiet"]
    first = runner.invoke(cli, args, env={"ORGSIM_PROGRESS_INTERVAL": "0"})
    assert first.exit_code == 0, first.output
    lines = first.output.strip().splitlines()
    assert lines[0].startswith("point") and len(lines) == 4, first.output  # header, rule, 2
    assert (out / "points.parquet").is_file()
    again = runner.invoke(cli, args, env={"ORGSIM_PROGRESS_INTERVAL": "0"})
    assert "resuming" not in again.output and again.output == first.output
