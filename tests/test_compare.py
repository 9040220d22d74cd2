"""`orgsim compare` and `sim.compare`: two runs on common random numbers, compared metric by
metric (sim/experiment/compare.py)."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.analysis.paired import independent_difference, paired_difference
from sim.cli import cli
from sim.experiment.compare import MISSING, TABLE_COLUMNS, Comparison, resolved_diff
from sim.output_folder import MANIFEST
from sim.results import Results

CHANGE = "teams.support.members=5"  # the tiny desk has 4


def _ok(result) -> str:
    assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"
    return result.output


def _refused(result, *words: str) -> str:
    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert errors, result.output
    assert "Traceback" not in result.output
    for word in words:
        assert any(word in line for line in errors), result.output
    return result.output


@pytest.fixture
def tiny(tmp_path, write_scenario, tiny_text) -> Path:
    return write_scenario(tmp_path, tiny_text, "tiny.yaml")


# --- the bundled desk with one more member on the early shift --------------------------------


@pytest.fixture(scope="module")
def desk_comparison(tmp_path_factory):
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("desk") / "cmp"
    result = CliRunner().invoke(cli, ["compare", "support_desk", "--change",
                                      "teams.support.shifts.0.members=9", "--out", str(out),
                                      "--no-plots"])
    return _ok(result), json.loads((out / "comparison.json").read_text()), out


def test_one_more_member_cuts_the_wait_significantly(desk_comparison):
    output, document, _ = desk_comparison
    wait = document["metrics"]["support.wait.mean"]
    assert wait["diff"]["ci95"][1] < 0  # the whole interval is a reduction
    assert wait["significant"] and wait["p_holm"] < 0.05
    assert wait["alt"]["mean"] < wait["base"]["mean"]
    assert document["correction"]["method"] == "holm"
    assert document["scenario_diff"] == [
        {"path": "teams.support.shifts.0.members", "base": 8, "alt": 9}]
    assert "teams.support.shifts.0.members: 8 -> 9" in output
    assert f"Holm's correction over {document['correction']['family']} metric" in output


def test_paired_interval_is_narrower_than_independent_runs(desk_comparison):
    _, document, out = desk_comparison
    base = Results.load(out / "base").metrics["support.wait.mean"]
    alt_same_seed = Results.load(out / "alt").metrics["support.wait.mean"]
    paired = paired_difference(base, alt_same_seed)
    assert document["metrics"]["support.wait.mean"]["diff"]["ci95"] == pytest.approx(
        [paired.low, paired.high])
    # the same alternative on other random numbers: what two separate runs can say
    independent_alt = sim.run("scenarios/support_desk.yaml", seed=document["seed"] + 1,
                              reps=document["replications"],
                              overrides=["teams.support.shifts.0.members=9"])
    independent = independent_difference(base, independent_alt.metrics["support.wait.mean"])
    assert paired.high - paired.low < independent.high - independent.low


# --- the Python API -------------------------------------------------------------------------


def test_sim_compare_returns_a_tidy_table(tiny):
    comparison = sim.compare(tiny, changes={"teams.support.members": 5}, reps=3, seed=4)
    table = comparison.table()
    assert list(table.columns) == TABLE_COLUMNS
    assert list(table["metric"]) == list(comparison.base.metrics)
    wait = table.set_index("metric").loc["support.wait.mean"]
    base = comparison.base.metrics["support.wait.mean"]
    alt = comparison.alt.metrics["support.wait.mean"]
    assert wait["diff_mean"] == pytest.approx(np.mean(alt - base))
    assert wait["relative"] == pytest.approx(alt.mean() / base.mean() - 1)
    assert comparison.base.seed == comparison.alt.seed == 4
    assert comparison.replications == 3
    # arrivals are drawn from the same streams in both runs: identical, so not tested
    arrivals = table.set_index("metric").loc["support.arrivals_per_day"]
    assert arrivals["diff_mean"] == 0 and math.isnan(arrivals["p_holm"])
    assert comparison.family == int(table["p_holm"].notna().sum())
    assert comparison.plot().axes  # a figure with an axes


def test_sim_compare_needs_something_to_compare(tiny):
    with pytest.raises(ValueError, match="nothing to compare"):
        sim.compare(tiny)


def _results(metrics: dict, seed: int = 1, resolved: dict | None = None) -> Results:
    arrays = {name: np.asarray(values, dtype=float) for name, values in metrics.items()}
    return Results("case", seed, resolved or {"name": "case"}, arrays, {}, {}, 60.0, 0.0)


def test_undefined_replications_and_one_sided_metrics_are_said():
    base = _results({"support.wait.mean": [1.0, 2.0, math.nan, 1.5],
                     "support.utilisation": [0.5, 0.6, 0.55, 0.5]})
    alt = _results({"support.wait.mean": [0.5, math.nan, 1.0, 1.0],
                    "fulfilment.wait.mean": [1.0, 2.0, 3.0, 4.0]})
    comparison = Comparison(base, alt)
    document = comparison.to_dict()["metrics"]
    wait = document["support.wait.mean"]
    assert wait["diff"]["n"] == 2 and wait["base"]["n"] == 3 and wait["alt"]["n"] == 3
    assert "paired over the 2 of 4 replications" in wait["note"]
    assert document["support.utilisation"]["diff"] is None
    assert document["support.utilisation"]["note"] == "only the base reports it"
    assert document["fulfilment.wait.mean"]["base"] is None
    assert document["fulfilment.wait.mean"]["significant"] is False
    assert comparison.family == 1  # only the metric both runs report is tested
    json.dumps(comparison.to_dict(), allow_nan=False)  # no nan reaches the file


def test_metrics_narrow_the_table_and_the_family():
    values = {f"support.type.t{i}.wait.mean": list(np.arange(5.0) + i) for i in range(4)}
    shifted = {name: [v - 0.5 + 0.01 * k for k, v in enumerate(vs)]
               for name, vs in values.items()}
    everything = Comparison(_results(values), _results(shifted))
    narrowed = Comparison(_results(values), _results(shifted), metrics=("*.t0.*",))
    assert everything.family == 4 and narrowed.family == 1
    assert [row.name for row in narrowed.rows] == ["support.type.t0.wait.mean"]
    # the same raw p-value, adjusted over a smaller family
    full = everything.rows[0]
    assert narrowed.rows[0].p_holm <= full.p_holm
    with pytest.raises(ValueError, match="no metric 'support.nope'"):
        Comparison(_results(values), _results(shifted), metrics=("support.nope",))


def test_runs_on_different_seeds_are_not_paired():
    with pytest.raises(ValueError, match="same seed"):
        Comparison(_results({"a": [1.0, 2.0]}, seed=1), _results({"a": [1.0, 2.0]}, seed=2))


def test_resolved_diff_walks_sections_and_lists():
    base = {"name": "a", "teams": {"s": {"shifts": [{"members": 8}, {"members": 7}]}},
            "warmup": "1h"}
    alt = {"name": "a", "teams": {"s": {"shifts": [{"members": 9}]}}, "seed": 3}
    assert resolved_diff(base, alt) == [
        ("teams.s.shifts.0.members", 8, 9),
        ("teams.s.shifts.1", {"members": 7}, MISSING),
        ("warmup", "1h", MISSING),
        ("seed", MISSING, 3),
    ]
    assert resolved_diff(base, base) == []


# --- the command line -----------------------------------------------------------------------


def test_compare_writes_json_csv_and_both_runs(runner, tiny, tmp_path):
    out = tmp_path / "cmp"
    output = _ok(runner.invoke(cli, ["compare", str(tiny), "--change", CHANGE,
                                     "--out", str(out), "--reps", "3"]))
    document = json.loads((out / "comparison.json").read_text())
    assert {"base", "alt", "replications", "changes", "metrics"} <= set(document)
    assert document["replications"] == 3 and document["changes"] == [CHANGE]
    for entry in document["metrics"].values():
        assert {"base", "alt", "diff", "relative", "significant"} <= set(entry)
        assert set(entry["base"]) >= {"mean", "ci95"} and set(entry["diff"]) >= {"mean", "ci95"}
    with open(out / "comparison.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["metric"] for row in rows] == list(document["metrics"])
    assert list(rows[0]) == TABLE_COLUMNS
    for role in ("base", "alt"):
        loaded = Results.load(out / role)
        assert loaded.replications == 3 and loaded.seed == document["seed"]
    assert (out / "comparison.png").is_file()
    manifest = json.loads((out / MANIFEST).read_text())
    assert set(manifest["files"]) == {"comparison.json", "comparison.csv", "comparison.png"}
    assert "support.wait.mean" in output and "teams.support.members: 4 -> 5" in output


def test_alt_file_with_changes(runner, tiny, tmp_path, write_scenario, tiny_text):
    alt = write_scenario(tmp_path, tiny_text.replace("name: tiny", "name: tiny_alt"), "alt.yaml")
    out = tmp_path / "cmp"
    _ok(runner.invoke(cli, ["compare", str(tiny), str(alt), "--change", CHANGE, "--out",
                            str(out), "--no-plots", "--metric", "support.wait.mean"]))
    document = json.loads((out / "comparison.json").read_text())
    assert list(document["metrics"]) == ["support.wait.mean"]
    assert document["correction"]["family"] == 1
    assert {d["path"] for d in document["scenario_diff"]} == {"name", "teams.support.members"}
    assert not (out / "comparison.png").exists()


def test_bad_change_is_refused_naming_change(runner, tiny, tmp_path):
    out = tmp_path / "cmp"
    _refused(runner.invoke(cli, ["compare", str(tiny), "--change",
                                 "teams.support.members=lots", "--out", str(out)]),
             "--change", "teams.support.members")
    _refused(runner.invoke(cli, ["compare", str(tiny), "--change", "members",
                                 "--out", str(out)]), "--change", "KEY=VALUE")
    assert not out.exists()


def test_nothing_to_compare_and_unknown_metric_are_refused(runner, tiny, tmp_path):
    out = tmp_path / "cmp"
    _refused(runner.invoke(cli, ["compare", str(tiny), "--out", str(out)]), "--change")
    _refused(runner.invoke(cli, ["compare", str(tiny), "--change", CHANGE, "--metric",
                                 "support.wiat.mean", "--out", str(out)]),
             "--metric", "support.wait.mean")
    assert not out.exists()


def test_rerun_keeps_the_users_files(runner, tiny, tmp_path):
    out = tmp_path / "cmp"
    arguments = ["compare", str(tiny), "--change", CHANGE, "--out", str(out), "--no-plots"]
    _ok(runner.invoke(cli, arguments))
    (out / "notes.txt").write_text("mine\n")
    (out / "base" / "notes.txt").write_text("mine too\n")
    _ok(runner.invoke(cli, arguments))
    assert (out / "notes.txt").read_text() == "mine\n"
    assert (out / "base" / "notes.txt").read_text() == "mine too\n"


@pytest.mark.parametrize("taken", ["comparison.json", "alt/summary.json", "base"])
def test_a_users_file_where_compare_writes_is_refused_before_running(runner, tiny, tmp_path,
                                                                      taken):
    out = tmp_path / "cmp"
    (out / taken).parent.mkdir(parents=True, exist_ok=True)
    (out / taken).write_text("the user's\n")
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    _refused(runner.invoke(cli, ["compare", str(tiny), "--change", CHANGE, "--out", str(out)]),
             taken)
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert (out / taken).read_text() == "the user's\n"


def test_metric_names_are_known_in_a_fresh_process(tiny, tmp_path):
    """--metric is checked before anything runs, when no flow module has been imported yet."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "sim", "compare", str(tiny), "--change",
                           CHANGE, "--metric", "support.wait*", "--reps", "2", "--no-plots",
                           "--out", str(tmp_path / "cmp")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    document = json.loads((tmp_path / "cmp" / "comparison.json").read_text())
    assert list(document["metrics"])[0] == "support.wait.mean"
    assert all(name.startswith("support.wait") for name in document["metrics"])


def test_the_readme_example_is_what_compare_prints(desk_comparison):
    """The README's Compare example, re-rendered from the same runs narrowed to its metrics."""
    from sim.experiment.compare_text import render_comparison

    _, document, out = desk_comparison
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    example = readme.split("## Compare", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    lines = example.splitlines()
    command = " ".join(line.strip().rstrip("\\").strip() for line in lines[:3])
    chosen = tuple(word for previous, word in zip(command.split(), command.split()[1:],
                                                  strict=False) if previous == "--metric")
    assert chosen and command.startswith("$ orgsim compare support_desk --change "
                                         "teams.support.shifts.0.members=9")
    narrowed = Comparison(Results.load(out / "base"), Results.load(out / "alt"),
                          tuple(document["changes"]), chosen)
    printed = lines[3:-2]  # up to the folder line, which names the README's --out
    assert render_comparison(narrowed).splitlines() == printed


@pytest.mark.parametrize("executor", [["--jobs", "2"], ["--dask", "local"]],
                         ids=["process-pool", "dask-local"])
def test_comparison_files_are_the_same_on_every_executor(runner, tiny, tmp_path, executor,
                                                        monkeypatch):
    from sim.experiment.executors import DaskExecutor, PoolExecutor

    opened = []  # every pool or Dask client the comparison starts

    def counting(method, attribute):
        def wrapped(self):
            if getattr(self, attribute) is None:
                opened.append(type(self).__name__)
            return method(self)
        return wrapped

    monkeypatch.setattr(PoolExecutor, "_started", counting(PoolExecutor._started, "_pool"))
    monkeypatch.setattr(DaskExecutor, "_connected",
                        counting(DaskExecutor._connected, "_client"))
    arguments = ["compare", str(tiny), "--change", CHANGE, "--reps", "3", "--no-plots"]
    _ok(runner.invoke(cli, [*arguments, "--out", str(tmp_path / "serial")]))
    assert opened == []
    _ok(runner.invoke(cli, [*arguments, *executor, "--out", str(tmp_path / "other")]))
    assert len(opened) == 1, opened  # one pool / one client for base and alternative
    for name in ("comparison.json", "comparison.csv"):
        assert ((tmp_path / "other" / name).read_bytes()
                == (tmp_path / "serial" / name).read_bytes())


def test_cli_compare_quiet_prints_only_the_table(runner, tiny, tmp_path):
    """--quiet: the comparison table alone (no progress lines, warnings or trailer); the
    files are written as usual and the warnings stay in each run's summary.json."""
    out = tmp_path / "quiet"
    result = runner.invoke(cli, ["compare", str(tiny), "--change", CHANGE, "--reps", "3",
                                 "--no-plots", "--quiet", "--out", str(out)],
                           env={"ORGSIM_PROGRESS_INTERVAL": "0"})
    output = _ok(result)
    assert output.startswith("base: ") and "comparison written" not in output
    assert not any(line.startswith(("progress:", "warning:")) for line in output.splitlines())
    assert (out / "comparison.json").is_file() and (out / "base" / "summary.json").is_file()


# --- ratio metrics (a share of arrivals): ratios of means, delta method ----------------------


def test_ratio_intervals_reduce_to_the_plain_ones_with_equal_denominators():
    from sim.analysis.paired import paired_ratio_change, paired_ratio_difference, relative_change

    rng = np.random.default_rng(5)
    base, alt = rng.uniform(0.1, 0.3, 9), rng.uniform(0.1, 0.3, 9)
    per = np.full(9, 250.0)
    for ratio_form, plain in ((paired_ratio_difference(base * per, per, alt * per, per),
                               paired_difference(base, alt)),
                              (paired_ratio_change(base * per, per, alt * per, per),
                               relative_change(base, alt))):
        for got, expected in zip(ratio_form, plain, strict=True):
            assert got == pytest.approx(expected, rel=1e-9)


def test_a_ratio_metric_is_compared_as_ratios_of_means():
    base = sim.scenario_from_dict({
        "name": "share", "horizon": "8h", "warmup": "1h", "replications": 5, "seed": 4,
        "teams": {"support": {"members": 2}},
        "support": {"arrivals": "40/h", "handle_time": "exp(3m)", "patience": "exp(2m)"}})
    comparison = sim.compare(base, changes={"teams.support.members": 3}, jobs=1,
                             metrics=["support.abandoned_share"])
    row = comparison.rows[0]

    def ratio(results):
        share = results.metrics["support.abandoned_share"]
        arrived = results.metrics["support.arrivals_per_day"]
        return np.sum(share * arrived) / np.sum(arrived)

    assert row.base.mean == pytest.approx(ratio(comparison.base))
    assert row.alt.mean == pytest.approx(ratio(comparison.alt))
    assert row.diff.estimate == pytest.approx(row.alt.mean - row.base.mean)
    assert row.relative.estimate == pytest.approx(row.alt.mean / row.base.mean - 1)
    assert row.diff.low < row.diff.estimate < row.diff.high < 0  # fewer abandon with 3


def test_a_family_ratio_names_its_own_denominator():
    import sim.replication  # noqa: F401  (importing the flows declares their metrics)
    from sim.metrics.declare import SHARE, Metric
    from sim.metrics.estimate import denominator_of

    assert denominator_of("support.abandoned_share") == "support.arrivals_per_day"
    assert (denominator_of("support.type.vip.service_level")
            == "support.type.vip.arrivals_per_day")
    assert denominator_of("support.wait.mean") is None
    with pytest.raises(ValueError, match="same placeholder"):
        Metric("x.<kind>.share", SHARE, "a share", values=lambda spec: ["a"], per="x.total")
