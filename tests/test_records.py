"""`orgsim run --records` and `Results.records`: Parquet files per entity kind under
records/, through the output folder's manifest; the same records in memory, after a reload
and from every executor; pyarrow only when records are written; common random numbers seen
in the records."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import sim
from sim.cli import cli
from sim.experiment.size import estimate_run
from sim.metrics.split import COLLABORATION_COMPONENTS
from sim.output_folder import MANIFEST
from tests.model.test_commerce_flow import variant

SHOP = variant("cutoff") | {"horizon": "5d", "warmup": "1d",
                            "teams": {"warehouse": {"members": 2}, "checkers": {"members": 1},
                                      "support": {"members": 2}},
                            "support": {"arrivals": "20/h", "handle_time": "exp(6m)",
                                        "patience": "exp(3m)"},
                            "contacts": {"late_delivery": 0.3, "promise": "2d"}}
SHOP["delivery"] = SHOP["delivery"] | {"promise": "2d"}
del SHOP["contacts"]["promise"]


def _run(runner, scenario: Path, out: Path, *extra: str):
    result = runner.invoke(cli, ["run", str(scenario), "--out", str(out), "--reps", "2",
                                 "--no-plots", *extra])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def shop_file(tmp_path) -> Path:
    path = tmp_path / "shop.yaml"
    path.write_text(json.dumps(SHOP))  # JSON is YAML
    return path


def test_records_are_parquet_files_listed_in_the_manifest(runner, shop_file, tmp_path):
    out = tmp_path / "out"
    _run(runner, shop_file, out, "--records")
    manifest = json.loads((out / MANIFEST).read_text())
    assert {"records/orders.parquet", "records/support.parquet"} <= set(manifest["files"])
    assert "records" in manifest["folders"]
    horizon = 5 * 1440.0
    for kind, components in (("orders", ["stock", "queue", "work", "cutoff", "pickup",
                                         "transit"]), ("support", ["queue", "work", "preempted",
                                                                  *COLLABORATION_COMPONENTS])):
        table = pq.read_table(out / "records" / f"{kind}.parquet")  # read without orgsim
        assert table.column_names == ["replication", "id", "type", "created", "finished",
                                      "outcome", *(f"split.{c}" for c in components)]
        frame = table.to_pandas()
        assert sorted(set(frame["replication"])) == [0, 1]
        for _, rows in frame.groupby("replication"):  # ids count each kind from 0
            np.testing.assert_array_equal(rows["id"], np.arange(len(rows)))
        is_open = frame["outcome"] == "open"
        assert is_open.any() and (~is_open).any()
        assert frame["finished"][is_open].isna().all()  # null in the file while open
        assert table.column("finished").null_count == is_open.sum()
        end = frame["finished"].fillna(horizon)
        split = frame[[f"split.{c}" for c in components]].sum(axis=1)
        np.testing.assert_allclose(split, end - frame["created"], rtol=0, atol=1e-9 * horizon)


def test_records_survive_save_and_load(shop_file, tmp_path):
    results = sim.run(shop_file, reps=2, records=True)
    results.save(tmp_path / "out", plots=False)
    loaded = sim.Results.load(tmp_path / "out")
    for flow in ("orders", "support"):
        before, after = results.records(flow), loaded.records(flow)
        pd.testing.assert_frame_equal(before, after)
        assert after.attrs["components"] == before.attrs["components"]
    assert set(loaded.records("orders").attrs["components"].values()) == {"operations"}
    tags = loaded.records("support").attrs["components"]
    assert {c for c, tag in tags.items() if tag == "collaboration"} == set(
        COLLABORATION_COMPONENTS)
    # saved records can be re-windowed: warm-up is a filter
    observed = loaded.records("support", after_warmup="created")
    assert len(observed) < len(loaded.records("support"))
    assert (observed["created"] >= loaded.warmup).all()
    delivered = loaded.records("orders", after_warmup="finished")
    assert (delivered["finished"] >= loaded.warmup).all() and delivered["finished"].notna().all()


def test_a_run_without_records_says_how_to_get_them(shop_file):
    results = sim.run(shop_file, reps=1)
    with pytest.raises(LookupError, match="records=True"):
        results.records("orders")
    with pytest.raises(LookupError, match="orders, support"):
        sim.run(shop_file, reps=1, records=True).records("incidents")


def test_rerun_replaces_the_records_and_keeps_the_users_files(runner, shop_file, tmp_path):
    out = tmp_path / "out"
    _run(runner, shop_file, out, "--records", "--seed", "1")
    first = pq.read_table(out / "records" / "support.parquet").to_pandas()
    (out / "records" / "notes.txt").write_text("mine\n")
    _run(runner, shop_file, out, "--records", "--seed", "2")
    second = pq.read_table(out / "records" / "support.parquet").to_pandas()
    assert not first["created"].equals(second["created"])  # replaced by the new run's
    _run(runner, shop_file, out)  # without --records: orgsim's record files go
    assert sorted(p.name for p in (out / "records").iterdir()) == ["notes.txt"]
    assert (out / "records" / "notes.txt").read_text() == "mine\n"
    assert not any(f.startswith("records") for f in
                   json.loads((out / MANIFEST).read_text())["files"])


def test_a_users_records_folder_is_refused_before_the_run(runner, shop_file, tmp_path):
    out = tmp_path / "out"
    (out / "records").mkdir(parents=True)
    (out / "records" / "support.parquet").write_bytes(b"my own data")
    result = runner.invoke(cli, ["run", str(shop_file), "--out", str(out), "--reps", "1",
                                 "--no-plots", "--records"])
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"error: {out / 'records'}/ was not written by orgsim")
    assert "Traceback" not in result.output
    assert sorted(p.name for p in out.rglob("*")) == ["records", "support.parquet"]
    assert (out / "records" / "support.parquet").read_bytes() == b"my own data"


def _modules_after_run(tmp_path: Path, *extra: str) -> list[str]:
    code = (
        "import sys\n"
        "from sim.cli import cli\n"
        "try:\n"
        f"    cli(['run', 'support_desk', '--reps', '1', '--no-plots', '--set', 'horizon=1d', "
        f"'--out', {str(tmp_path / 'out')!r}, *{list(extra)!r}], prog_name='orgsim')\n"
        "except SystemExit as stop:\n"
        "    assert not stop.code, stop.code\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pyarrow', 'simpy'}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1].replace("'", '"'))


def test_pyarrow_is_imported_only_when_records_are_written(tmp_path):
    assert _modules_after_run(tmp_path) == ["simpy"]  # the run ran; no pyarrow
    assert _modules_after_run(tmp_path, "--records") == ["pyarrow", "simpy"]


def test_records_from_a_process_pool_and_dask_match_serial(shop_file):
    serial = sim.run(shop_file, reps=2, records=True)
    pooled = sim.run(shop_file, reps=2, jobs=2, records=True)
    on_dask = sim.run(shop_file, reps=2, dask_scheduler="local", records=True)
    for flow in ("orders", "support"):
        pd.testing.assert_frame_equal(pooled.records(flow), serial.records(flow))
        pd.testing.assert_frame_equal(on_dask.records(flow), serial.records(flow))


def test_the_size_estimate_counts_the_records(shop_file):
    spec = sim.load_scenario(shop_file).spec
    plain, kept = estimate_run(spec, reps=2), estimate_run(spec, reps=2, records=True)
    assert plain.record_bytes == 0
    assert kept.memory > plain.memory + kept.record_bytes
    # the estimate's one copy of the records against the columns a run really keeps
    results = sim.run(shop_file, reps=2, records=True)
    held = sum(table.columns[name].nbytes * 8 / table.columns[name].itemsize
               for table in results.record_tables.values() for name in table.columns)
    assert 0.5 * held < kept.record_bytes < 2 * held


CRN_DESK = {
    "name": "crn", "horizon": "2d", "seed": 11, "teams": {"support": {"members": 3}},
    "support": {"arrivals": "50/h", "handle_time": "exp(3m)", "patience": "exp(5m)",
                "inquiry_types": {"a": {"share": 0.7}, "b": {"share": 0.3,
                                                          "handle_time": "exp(5m)"}}},
}


def test_a_staffing_change_leaves_the_customers_alone(runner, tmp_path):
    """Common random numbers: with one more member, the same inquiries arrive at the same
    instants, and each inquiry answered in both runs took the same work."""
    scenario = tmp_path / "crn.yaml"
    scenario.write_text(json.dumps(CRN_DESK))
    frames = []
    for members, out in ((3, tmp_path / "three"), (4, tmp_path / "four")):
        done = runner.invoke(cli, ["run", str(scenario), "--out", str(out), "--reps", "1",
                                   "--no-plots", "--records", "--set",
                                   f"teams.support.members={members}"])
        assert done.exit_code == 0, done.output
        frames.append(pq.read_table(out / "records" / "support.parquet").to_pandas())
    three, four = (frame.set_index("id") for frame in frames)
    assert three.index.equals(four.index) and len(three) > 1000
    assert three["created"].equals(four["created"])
    assert three["type"].astype(str).equals(four["type"].astype(str))
    both = (three["outcome"] == "answered") & (four["outcome"] == "answered")
    assert both.sum() > 1000 and (three["outcome"] != four["outcome"]).any()
    assert three["split.work"][both].equals(four["split.work"][both])


def test_a_kind_with_no_entity_is_an_empty_table_with_its_columns(tmp_path):
    quiet = {"name": "quiet", "horizon": "1h", "seed": 1, "teams": {"support": {"members": 1}},
             "support": {"arrivals": "0/h", "handle_time": "exp(1m)"}}
    results = sim.run(sim.scenario_from_dict(quiet), reps=2, records=True)
    results.save(tmp_path / "out", plots=False)
    loaded = sim.Results.load(tmp_path / "out").records("support")
    assert len(loaded) == 0
    assert list(loaded.columns) == ["replication", "id", "type", "created", "finished",
                                    "outcome", "split.queue", "split.work", "split.preempted",
                                    *(f"split.{c}" for c in COLLABORATION_COMPONENTS)]
    assert list(loaded["outcome"].cat.categories) == ["answered", "abandoned", "open"]
    pd.testing.assert_frame_equal(loaded, results.records("support"))
