"""The `orgsim` command: help, schema, list, validate, run, --set and extends."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

import sim
from sim.cli import bundled_scenarios_dir, cli

ERLANG_A = bundled_scenarios_dir() / "validation" / "erlang_a.yaml"
HEAVY = ("simpy", "numpy", "matplotlib", "pandas")


def _ok(result) -> str:
    assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"
    return result.output


def _summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text())


# --- help, schema, list --------------------------------------------------------------------


def test_help(runner):
    output = _ok(runner.invoke(cli, ["--help"]))
    for command in ("run", "validate", "list", "schema"):
        assert command in output


def test_help_imports_no_heavy_module():
    code = (
        "import sys\n"
        "from sim.cli import cli\n"
        "try:\n"
        "    cli(['--help'], prog_name='orgsim', standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Usage: orgsim" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_python_m_sim_help_imports_no_heavy_module():
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "sim", "--help"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Usage:" in done.stdout
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0]
                for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "click" in imported  # the check sees imports at all
    assert not imported & set(HEAVY)


def test_schema_is_draft_2020_12_and_accepts_the_bundled_scenario(runner, tiny_text):
    document = json.loads(_ok(runner.invoke(cli, ["schema"])))
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(document)
    validator = jsonschema.Draft202012Validator(document)
    data = yaml.safe_load(ERLANG_A.read_text())
    assert isinstance(data["horizon"], str)  # durations stay strings with units
    assert list(validator.iter_errors(data)) == []
    assert list(validator.iter_errors(yaml.safe_load(tiny_text))) == []


@pytest.mark.parametrize("change", [
    {"horizn": "1d"},
    {"horizon": 30},
    {"horizon": "30x"},
    {"teams": {"support": {"membrs": 6}}},
    {"support": {"arrivals": "-5/h", "handle_time": "exp(3m)"}},
])
def test_schema_rejects_what_the_loader_rejects(runner, tiny_text, change):
    validator = jsonschema.Draft202012Validator(json.loads(_ok(runner.invoke(cli, ["schema"]))))
    data = {**yaml.safe_load(tiny_text), **change}
    assert list(validator.iter_errors(data)), change


def test_schema_accepts_the_shorthands_and_long_forms(runner, tiny_text):
    validator = jsonschema.Draft202012Validator(json.loads(_ok(runner.invoke(cli, ["schema"]))))
    data = yaml.safe_load(tiny_text)
    data["extends"] = "base.yaml"
    data["horizon"] = "2 days"
    data["teams"]["night"] = {"shifts": [{"members": 2, "shift": "22:00-06:00"}]}
    data["support"]["arrivals"] = {"rate": "60/h", "daily_profile": {"08:00": 2, "20:00": 0.5}}
    assert list(validator.iter_errors(data)) == []
    sim.scenario_from_dict({k: v for k, v in data.items() if k != "extends"})


def test_list_shows_bundled_scenarios_with_descriptions(runner):
    output = _ok(runner.invoke(cli, ["list"]))
    description = yaml.safe_load(ERLANG_A.read_text())["description"]
    line = next(li for li in output.splitlines() if li.startswith("validation/erlang_a.yaml "))
    assert description in line


# --- validate, --set, extends --------------------------------------------------------------


def test_validate_a_valid_file(runner, write_scenario, tiny_text, tmp_path):
    path = write_scenario(tmp_path, tiny_text)
    output = _ok(runner.invoke(cli, ["validate", str(path)])).strip()
    assert output.startswith("tiny: valid; a run: about ") and "\n" not in output


def test_validate_the_bundled_scenario_by_path_and_by_name(runner):
    assert "valid" in _ok(runner.invoke(cli, ["validate", str(ERLANG_A)]))
    assert "valid" in _ok(runner.invoke(cli, ["validate", "erlang_a"]))


def test_set_members(runner, write_scenario, tiny_text, tmp_path):
    path = write_scenario(tmp_path, tiny_text)
    _ok(runner.invoke(cli, ["validate", str(path), "--set", "teams.support.members=7"]))
    scenario = sim.load_scenario(path, ["teams.support.members=7"])
    assert scenario.spec.teams["support"].headcount == 7
    assert scenario.resolved["teams"]["support"]["members"] == 7
    assert sim.load_scenario(path).spec.teams["support"].headcount == 4
    # the override reaches validation: a value that is wrong only after it is refused
    result = runner.invoke(cli, ["validate", str(path), "--set", "teams.support.members=-1"])
    assert result.exit_code == 2 and "teams.support.members: must be >= 0" in result.output


@pytest.mark.parametrize("argument", ["support.handle_time=exp(4m)",
                                      "support.handle_time='exp(4m)'"])
def test_set_handle_time(runner, write_scenario, tiny_text, tmp_path, argument):
    path = write_scenario(tmp_path, tiny_text)
    _ok(runner.invoke(cli, ["validate", str(path), "--set", argument]))
    assert sim.load_scenario(path, [argument]).spec.support.handle_time.mean == 4.0


def test_extends_deep_merges(write_scenario, tiny_text, tmp_path):
    write_scenario(tmp_path, tiny_text, "base.yaml")
    child = write_scenario(tmp_path, """\
        extends: base.yaml
        name: child
        support:
          handle_time: exp(4m)
        """, "child.yaml")
    spec = sim.load_scenario(child).spec
    assert spec.name == "child"
    assert spec.support.handle_time.mean == 4.0
    assert spec.support.patience.mean == 2.0  # kept from the base
    assert spec.support.arrivals.rate == 1.0  # 60/h, kept from the base
    assert spec.teams["support"].headcount == 4
    assert spec.horizon == 1440


def test_extends_chain_of_three(runner, write_scenario, tiny_text, tmp_path):
    write_scenario(tmp_path, tiny_text, "base.yaml")
    write_scenario(tmp_path, "extends: ../base.yaml\nname: middle\n"
                   "support:\n  handle_time: exp(4m)\n", "sub/middle.yaml")
    top = write_scenario(tmp_path, "extends: sub/middle.yaml\nname: top\n"
                         "teams:\n  support:\n    members: 7\n", "top.yaml")
    scenario = sim.load_scenario(top, ["support.patience=exp(5m)"])
    spec = scenario.spec
    assert spec.name == "top"
    assert spec.teams["support"].headcount == 7
    assert spec.support.handle_time.mean == 4.0
    assert spec.support.patience.mean == 5.0
    assert spec.support.arrivals.rate == 1.0
    assert "extends" not in scenario.resolved
    assert _ok(runner.invoke(cli, ["validate", str(top)])).startswith("top: valid;")


# --- run -----------------------------------------------------------------------------------


def _run(runner: CliRunner, path: Path, out: Path, *extra: str) -> str:
    return _ok(runner.invoke(cli, ["run", str(path), "--out", str(out), "--no-plots", *extra]))


@pytest.fixture(scope="module")
def first_run(tmp_path_factory, tiny_text):
    """One run with --reps 2 --seed 5, shared by the tests that only read what it wrote."""
    folder = tmp_path_factory.mktemp("first")
    path = folder / "tiny.yaml"
    path.write_text(tiny_text)
    out = folder / "out"
    output = _run(CliRunner(), path, out, "--reps", "2", "--seed", "5")
    return path, out, output


def test_run_writes_summary_json(first_run):
    _, out, _ = first_run
    summary = _summary(out)
    assert summary["scenario"] == "tiny"
    assert summary["seed"] == 5
    assert summary["replications"] == 2
    entry = summary["metrics"]["support.wait.mean"]
    assert entry["unit"] == "min"
    assert isinstance(entry["mean"], float)
    low, high = entry["ci95"]
    assert low <= entry["mean"] <= high
    for name, entry in summary["metrics"].items():
        assert set(entry) == {"mean", "ci95", "unit", "kind", "n"}, name
        assert entry["n"] == 2, name  # every replication of the tiny desk defines every metric
        assert entry["ci95"] is None or len(entry["ci95"]) == 2


def test_run_writes_replications_csv(first_run):
    _, out, _ = first_run
    with open(out / "replications.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    metrics = _summary(out)["metrics"]
    assert list(rows[0]) == ["replication", "metric", "value", "unit"]
    assert len(rows) == 2 * len(metrics)
    assert {(r["replication"], r["metric"]) for r in rows} == {
        (str(rep), name) for rep in (0, 1) for name in metrics}
    waits = [float(r["value"]) for r in rows if r["metric"] == "support.wait.mean"]
    assert sum(waits) / 2 == pytest.approx(metrics["support.wait.mean"]["mean"])


def test_run_writes_a_scenario_that_reproduces_it(runner, first_run, tmp_path):
    _, out, _ = first_run
    recorded = yaml.safe_load((out / "scenario.yaml").read_text())
    assert recorded["seed"] == 5 and recorded["replications"] == 2
    again = tmp_path / "again"
    _ok(runner.invoke(cli, ["run", str(out / "scenario.yaml"), "--out", str(again),
                            "--no-plots"]))
    assert _summary(again)["metrics"] == _summary(out)["metrics"]
    assert (_summary(again)["seed"], _summary(again)["replications"]) == (5, 2)


def test_same_seed_same_numbers_other_seed_other_numbers(runner, first_run, tmp_path):
    path, out, _ = first_run
    _run(runner, path, tmp_path / "same", "--reps", "2", "--seed", "5")
    _run(runner, path, tmp_path / "other", "--reps", "2", "--seed", "6")
    assert _summary(tmp_path / "same")["metrics"] == _summary(out)["metrics"]
    assert _summary(tmp_path / "other")["metrics"] != _summary(out)["metrics"]


def test_printed_table_uses_readable_units(first_run):
    _, out, output = first_run
    assert "tiny: 2 replication(s), seed 5" in output
    row = next(li for li in output.splitlines() if li.startswith("support.wait.mean "))
    assert " s" in row or " min" in row
    assert f"results written to {out}" in output


def test_set_changes_the_run(runner, first_run, tmp_path):
    path, out, _ = first_run
    _run(runner, path, tmp_path / "more", "--reps", "2", "--seed", "5",
         "--set", "teams.support.members=7")
    more = _summary(tmp_path / "more")["metrics"]["support.wait.mean"]["mean"]
    assert more < _summary(out)["metrics"]["support.wait.mean"]["mean"]
    recorded = yaml.safe_load((tmp_path / "more" / "scenario.yaml").read_text())
    assert recorded["teams"]["support"]["members"] == 7


def test_one_replication_has_no_interval(runner, write_scenario, tiny_text, tmp_path):
    path = write_scenario(tmp_path, tiny_text)
    output = _run(runner, path, tmp_path / "out", "--reps", "1")
    summary = _summary(tmp_path / "out")
    assert summary["replications"] == 1
    assert all(entry["ci95"] is None for entry in summary["metrics"].values())
    assert "1 replication(s)" in output


def test_rerun_into_the_same_folder_replaces_its_files_only(runner, write_scenario, tiny_text,
                                                             tmp_path):
    path = write_scenario(tmp_path, tiny_text)
    out = tmp_path / "out"
    _run(runner, path, out, "--reps", "1", "--seed", "1")
    (out / "notes.txt").write_text("the user's, not orgsim's\n")
    _run(runner, path, out, "--reps", "1", "--seed", "2")
    assert _summary(out)["seed"] == 2
    assert (out / "notes.txt").read_text() == "the user's, not orgsim's\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "scenario.yaml"]


def test_run_into_an_empty_folder(runner, write_scenario, tiny_text, tmp_path):
    path = write_scenario(tmp_path, tiny_text)
    (tmp_path / "out").mkdir()
    _run(runner, path, tmp_path / "out", "--reps", "1")
    assert (tmp_path / "out" / "summary.json").is_file()


def test_saved_scenario_inlines_empirical_data_of_both_kinds(runner, write_scenario, tmp_path):
    """Counts and durations from CSV files are inlined as what they are, and rerun the same."""
    (tmp_path / "handle.csv").write_text("minutes\n2\n3\n4\n")
    (tmp_path / "lines.csv").write_text("h\n1\n2\n")  # a header that looks like a unit
    scenario = write_scenario(tmp_path, """\
        name: empirical-both
        horizon: 2d
        replications: 2
        teams: {warehouse: {members: 3}, support: {members: 2}}
        demand: {orders: 100/d, lines_per_order: empirical(lines.csv)}
        fulfilment: {stages: [{name: pick, time_per_order: exp(5m)}]}
        support: {arrivals: 10/h, handle_time: empirical(handle.csv)}
        """)
    first, second = tmp_path / "first", tmp_path / "second"
    assert runner.invoke(cli, ["run", str(scenario), "--out", str(first), "--no-plots"]
                         ).exit_code == 0
    result = runner.invoke(cli, ["run", str(first / "scenario.yaml"), "--out", str(second),
                                 "--no-plots"])
    assert result.exit_code == 0, result.output
    a = json.loads((first / "summary.json").read_text())["metrics"]
    b = json.loads((second / "summary.json").read_text())["metrics"]
    assert a == b
