"""The loader refuses runaway input fast and says where: alias bombs, deep nesting, tags, long
extends chains, deep --set keys and values, deep or shared Python data; data files outside
the scenario's folder; and the problems a --set value causes are blamed on --set."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

import sim
from sim.cli import cli
from sim.scenario import ScenarioError, load_scenario, scenario_from_dict
from sim.scenario.limits import MAX_ALIAS_EXPANSION, MAX_DEPTH
from sim.scenario.load import with_overrides

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
GUARD_S = 5.0  # a generous guard against hangs, not a timing test


def _bomb(levels: int = 9, width: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def _merge_bomb(levels: int = 9) -> str:
    lines = ["m0: &m0 {x: 1}"]
    for i in range(1, levels + 1):
        refs = ", ".join(f"{{<<: *m{i - 1}, k{j}: 1}}" for j in range(9))
        lines.append(f"m{i}: &m{i} {{<<: *m{i - 1}, list: [{refs}]}}")
    return "\n".join(lines) + "\n"


def _alias_chain(levels: int) -> str:
    """Each section holds the previous one: deep only once the aliases are followed."""
    lines = ["c0: &c0 [1]"] + [f"c{i}: &c{i} [*c{i - 1}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


RUNAWAY = {
    "alias-bomb-9x9": _bomb(),
    "merge-key-bomb": _merge_bomb(),
    "alias-chain-depth": _alias_chain(MAX_DEPTH * 3),
    "flow-lists-500": "x: " + "[" * 500 + "]" * 500 + "\n",
    "flow-lists-1000": "x: " + "[" * 1000 + "]" * 1000 + "\n",
    "flow-maps-1000": "x: " + "{a: " * 1000 + "1" + "}" * 1000 + "\n",
    "block-maps-600": "".join(" " * i + f"k{i}:\n" for i in range(600)) + " " * 600 + "v: 1\n",
    "block-lists-1000": "x:\n" + "".join(" " * i + "-\n" for i in range(1000)) + " " * 1000 + "1\n",
}


def _refused(result, path: Path, elapsed: float, *phrases: str) -> str:
    output = result.output
    assert result.exit_code == 2, output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in output and "RecursionError" not in output
    assert output.startswith(f"error: {path}"), output
    for phrase in phrases:
        assert phrase in output, f"{phrase!r} not in:\n{output}"
    assert elapsed < GUARD_S, f"took {elapsed:.1f} s"
    return output


@pytest.mark.parametrize("body", RUNAWAY.values(), ids=RUNAWAY.keys())
def test_runaway_yaml_is_refused_fast(runner, tmp_path, tiny_text, body):
    path = tmp_path / "runaway.yaml"
    path.write_text(tiny_text + body, encoding="utf-8")
    started = time.perf_counter()
    result = runner.invoke(cli, ["validate", str(path)])
    output = _refused(result, path, time.perf_counter() - started)
    assert ", line " in output.splitlines()[0], "the line that shows the problem"
    assert output.count("error: ") == 1


def test_alias_bomb_names_the_limit_and_where(runner, tmp_path, tiny_text):
    path = tmp_path / "bomb.yaml"
    path.write_text(tiny_text + _bomb(), encoding="utf-8")
    output = _refused(runner.invoke(cli, ["validate", str(path)]), path, 0.0)
    assert f"{MAX_ALIAS_EXPANSION:,}" in output and "aliases" in output
    # the smallest section that alone expands too far: a5 (9^5 * 10 values), on its line
    first_alias_line = tiny_text.count("\n") + 1
    assert f"line {first_alias_line + 5}:" in output


def test_alias_bomb_from_the_command_line_in_a_process(tmp_path, tiny_text):
    """The whole program, as a user starts it: exit 2 and one error line, quickly."""
    path = tmp_path / "bomb.yaml"
    path.write_text(tiny_text + _bomb(), encoding="utf-8")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "sim", "validate", str(path)],
                          capture_output=True, text=True, timeout=60)
    elapsed = time.perf_counter() - started
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"error: {path}, line "), done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert elapsed < GUARD_S + 5, f"took {elapsed:.1f} s"  # + interpreter start-up


def test_aliases_within_the_limit_still_load(tmp_path, tiny_text):
    """Shared sections are a fine YAML habit: a real use of aliases loads as before."""
    text = tiny_text.replace("    members: 4\n    shift: always\n",
                             "    members: 4\n    shift: &day always\n")
    text += "  inquiry_types:\n" + "".join(
        f"    t{i}: {{share: 0.25, handle_time: &h{i} exp(3m)}}\n" for i in range(4))
    path = tmp_path / "aliases.yaml"
    path.write_text(text, encoding="utf-8")
    assert len(load_scenario(path).spec.support.inquiry_types) == 4


def test_depth_at_the_limit_is_not_refused_by_the_depth_check(tmp_path, tiny_text):
    nested = "{a: " * (MAX_DEPTH - 1) + "1" + "}" * (MAX_DEPTH - 1)
    path = tmp_path / "deep.yaml"
    path.write_text(tiny_text + f"x: {nested}\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    (problem,) = caught.value.problems
    assert problem.path == ("x",) and problem.message.startswith("unknown key 'x'")


TAGS = {
    "python-object": "x: !!python/object/apply:os.system ['echo pwned']\n",
    "python-name": "x: !!python/name:os.system\n",
    "custom-tag": "x: !include other.yaml\n",
    "binary": "x: !!binary aGVsbG8=\n",
    "set": "x: !!set {a: null}\n",
    "tag-on-a-section": "x: !custom {a: 1}\n",
}


@pytest.mark.parametrize("body", TAGS.values(), ids=TAGS.keys())
def test_no_yaml_tag_is_honoured(runner, tmp_path, tiny_text, body):
    path = tmp_path / "tagged.yaml"
    path.write_text(tiny_text + body, encoding="utf-8")
    output = _refused(runner.invoke(cli, ["validate", str(path)]), path, 0.0,
                      "is not supported", "remove the tag")
    line = tiny_text.count("\n") + 1
    assert output.startswith(f"error: {path}, line {line}: x: ")


def test_plain_standard_tags_still_mean_their_values(tmp_path, tiny_text):
    path = tmp_path / "tagged.yaml"
    path.write_text(tiny_text.replace("seed: 1", "seed: !!int '3'"), encoding="utf-8")
    assert load_scenario(path).spec.seed == 3


def test_a_long_extends_chain_does_not_exhaust_the_stack(tmp_path, tiny_text):
    links = sys.getrecursionlimit() + 50
    (tmp_path / f"f{links}.yaml").write_text(tiny_text, encoding="utf-8")
    for i in range(links):
        (tmp_path / f"f{i}.yaml").write_text(f"extends: f{i + 1}.yaml\nseed: {i}\n")
    scenario = load_scenario(tmp_path / "f0.yaml")
    assert scenario.spec.seed == 0 and scenario.spec.name == "tiny"


def test_a_deep_set_key_is_refused(runner, write_scenario, tiny_text, tmp_path):
    path = write_scenario(tmp_path, tiny_text)
    key = ".".join(["support"] + ["x"] * 2000)
    started = time.perf_counter()
    result = runner.invoke(cli, ["validate", str(path), "--set", f"{key}=1"])
    output = result.output
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), output
    assert output.startswith("error: --set: support.x.x"), output
    assert "nested more than" in output and "Traceback" not in output
    assert time.perf_counter() - started < GUARD_S


def _flow_bomb(levels: int = 9) -> str:
    """The alias bomb on one line, as a --set value."""
    items = ["&a0 [" + ", ".join(["lol"] * 9) + "]"]
    items += [f"&a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels + 1)]
    return "[" + ", ".join(items) + "]"


@pytest.mark.parametrize("value", ["[" * 1000 + "]" * 1000, _flow_bomb(),
                                   "!!python/object/apply:os.system ['echo pwned']"],
                         ids=["deep", "alias-bomb", "tag"])
def test_runaway_set_values_are_refused(runner, write_scenario, tiny_text, tmp_path, value):
    path = write_scenario(tmp_path, tiny_text)
    started = time.perf_counter()
    result = runner.invoke(cli, ["validate", str(path), "--set", f"support.patience={value}"])
    output = result.output
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), output
    assert output.startswith("error: --set: the value of support.patience: "), output
    assert "Traceback" not in output and str(path) not in output
    assert time.perf_counter() - started < GUARD_S


def _tiny_dict(tiny_text: str) -> dict:
    import yaml

    return yaml.safe_load(tiny_text)


def test_deep_python_data_is_refused(tiny_text):
    data = _tiny_dict(tiny_text)
    deep: dict = {}
    node = deep
    for _ in range(5000):
        node["a"] = {}
        node = node["a"]
    data["support"]["x"] = deep
    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict(data)
    (problem,) = caught.value.problems
    assert "nested more than" in problem.message and problem.path[:2] == ("support", "x")


def test_shared_python_lists_are_refused_like_aliases(tiny_text):
    data = _tiny_dict(tiny_text)
    shared: list = ["lol"] * 9
    for _ in range(9):
        shared = [shared] * 9
    data["support"]["x"] = shared
    started = time.perf_counter()
    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict(data)
    assert "more than written" in str(caught.value)
    assert time.perf_counter() - started < GUARD_S


def test_cyclic_python_data_is_refused(tiny_text):
    data = _tiny_dict(tiny_text)
    data["support"]["x"] = data["support"]
    with pytest.raises(ScenarioError, match="refers to a section that contains it"):
        scenario_from_dict(data)


def test_deep_set_through_the_api_is_refused(write_scenario, tiny_text, tmp_path):
    path = write_scenario(tmp_path, tiny_text)
    with pytest.raises(ScenarioError, match="nested more than"):
        load_scenario(path, {".".join(["x"] * 3000): 1})


# --- --set is blamed for what it causes -----------------------------------------------------


@pytest.mark.parametrize("name,team", [("support_desk", "support"),
                                       ("ecommerce_week", "support"),
                                       ("ecommerce_week", "warehouse")])
def test_set_members_on_a_team_with_shifts_blames_set(runner, name, team):
    result = runner.invoke(cli, ["validate", name, "--set", f"teams.{team}.members=7"])
    output = result.output
    assert result.exit_code == 2, output
    assert output.startswith(f"error: --set: teams.{team}: "), output
    assert f"after --set teams.{team}.members=7" in output
    assert f"--set teams.{team}.shifts.0.members=7" in output
    assert f"teams.{team}.shifts.1: " in output, "the groups are listed"
    assert "yaml, line 13:" not in output and output.count("error: ") == 1


def test_the_suggested_shift_override_works(name="support_desk"):
    scenario = load_scenario(SCENARIOS / f"{name}.yaml", ["teams.support.shifts.0.members=7"])
    assert scenario.spec.teams["support"].shifts[0].members == 7


def test_a_file_problem_stays_the_files_despite_an_override(runner, write_scenario, tiny_text,
                                                            tmp_path):
    path = write_scenario(tmp_path, tiny_text.replace("members: 4", "members: 4\n    x: 1"))
    result = runner.invoke(cli, ["validate", str(path), "--set", "teams.support.members=7"])
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {path}, line 10: teams.support.x: "), result.output


def test_a_cross_field_problem_caused_by_set_names_it(runner, write_scenario, tiny_text,
                                                      tmp_path):
    path = write_scenario(tmp_path, tiny_text)
    result = runner.invoke(cli, ["validate", str(path), "--set", "horizon=30m"])
    assert result.exit_code == 2
    for line in result.output.splitlines():
        assert line.startswith("error: --set: "), result.output


# --- sim.run(scenario, overrides=...) on a loaded scenario ---------------------------------


@pytest.mark.parametrize("overrides", [{"teams.support.members": 7},
                                       ["teams.support.members=7"]], ids=["dict", "list"])
def test_overrides_apply_to_a_loaded_scenario(write_scenario, tiny_text, tmp_path, overrides):
    scenario = load_scenario(write_scenario(tmp_path, tiny_text))
    changed = with_overrides(scenario, overrides)
    assert changed.spec.teams["support"].headcount == 7
    assert scenario.spec.teams["support"].headcount == 4, "the original is left alone"
    assert changed.source == scenario.source
    results = sim.run(scenario, reps=1, overrides=overrides)
    assert results.resolved["teams"]["support"]["members"] == 7


def test_bad_overrides_on_a_loaded_scenario_raise(write_scenario, tiny_text, tmp_path):
    scenario = load_scenario(write_scenario(tmp_path, tiny_text))
    with pytest.raises(ScenarioError, match="must be >= 0"):
        sim.run(scenario, reps=1, overrides={"teams.support.members": -1})


def test_relative_data_in_overrides_of_a_loaded_scenario(write_scenario, tiny_text, tmp_path,
                                                         monkeypatch):
    folder = tmp_path / "study"
    scenario = load_scenario(write_scenario(folder, tiny_text))
    (folder / "times.csv").write_text("minutes\n2\n4\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # not the scenario's folder
    changed = with_overrides(scenario, {"support.handle_time": "empirical(times.csv)"})
    assert changed.spec.support.handle_time.mean == pytest.approx(3.0)


# --- data files stay inside the scenario's folder tree -------------------------------------


def _secret(tmp_path: Path) -> Path:
    secret = tmp_path / "secret.csv"
    secret.write_text("token\ns3cr3t-value\n", encoding="utf-8")
    return secret


@pytest.mark.parametrize("written", ["empirical(/etc/passwd)", "empirical(../secret.csv)",
                                     "{dist: empirical, file: ../secret.csv}",
                                     "{dist: empirical, file: /etc/passwd}"])
def test_data_files_outside_the_tree_are_refused(runner, write_scenario, tiny_text, tmp_path,
                                                 written):
    _secret(tmp_path)
    path = write_scenario(tmp_path / "study", tiny_text.replace("exp(3m)", written))
    result = runner.invoke(cli, ["validate", str(path)])
    output = result.output
    assert result.exit_code == 2, output
    assert output.startswith(f"error: {path}, line 14: support.handle_time"), output
    assert "is outside" in output and "root:" not in output and "s3cr3t" not in output


def test_a_link_leading_outside_counts_as_outside(runner, write_scenario, tiny_text, tmp_path):
    secret = _secret(tmp_path)
    (tmp_path / "study").mkdir()
    (tmp_path / "study" / "times.csv").symlink_to(secret)
    path = write_scenario(tmp_path / "study", tiny_text.replace("exp(3m)", "empirical(times.csv)"))
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2 and "is outside" in result.output, result.output
    assert "s3cr3t" not in result.output


def test_data_files_inside_the_tree_are_read(write_scenario, tiny_text, tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "times.csv").write_text("m\n1\n3\n", encoding="utf-8")
    path = write_scenario(tmp_path, tiny_text.replace("exp(3m)", "empirical(data/times.csv)"))
    assert load_scenario(path).spec.support.handle_time.mean == pytest.approx(2.0)


def test_set_data_files_stay_in_the_current_folder(runner, write_scenario, tiny_text, tmp_path,
                                                   monkeypatch):
    _secret(tmp_path)
    path = write_scenario(tmp_path / "study", tiny_text)
    monkeypatch.chdir(tmp_path / "study")
    result = runner.invoke(cli, ["validate", str(path), "--set",
                                 "support.handle_time=empirical(../secret.csv)"])
    output = result.output
    assert result.exit_code == 2, output
    assert output.startswith("error: --set: support.handle_time: "), output
    assert "current folder" in output and "s3cr3t" not in output


def test_dict_data_files_stay_under_base_dir(tiny_text, tmp_path):
    _secret(tmp_path)
    data = _tiny_dict(tiny_text)
    data["support"]["handle_time"] = {"dist": "empirical", "file": "../secret.csv"}
    (tmp_path / "base").mkdir()
    with pytest.raises(ScenarioError, match="is outside") as caught:
        scenario_from_dict(data, base_dir=tmp_path / "base")
    assert caught.value.problems[0].path == ("support", "handle_time", "file")
    assert "s3cr3t" not in str(caught.value)


@pytest.mark.parametrize("quantity_field,rows,expected", [
    ("handle_time", "minutes\n2\nroot:x:0:0:s3cr3t\n", "line 3"),
    ("handle_time", "90s\n-s3cr3t\n", "line 2: values must not be negative"),
    ("handle_time", "4\n", "line 1: expected a duration with a unit"),
])
def test_a_bad_data_row_is_named_not_quoted(runner, write_scenario, tiny_text, tmp_path,
                                            quantity_field, rows, expected):
    (tmp_path / "times.csv").write_text(rows, encoding="utf-8")
    path = write_scenario(tmp_path, tiny_text.replace("exp(3m)", "empirical(times.csv)"))
    result = runner.invoke(cli, ["validate", str(path)])
    output = result.output
    assert result.exit_code == 2, output
    assert "times.csv" in output and expected in output, output
    assert "s3cr3t" not in output and "root:x" not in output


def test_thousands_of_bad_items_give_a_short_report(runner, write_scenario, tiny_text, tmp_path):
    types = "".join(f"    t{i}: {{share: 2}}\n" for i in range(500))
    path = write_scenario(tmp_path, tiny_text + "  inquiry_types:\n" + types)
    result = runner.invoke(cli, ["validate", str(path)])
    lines = result.output.splitlines()
    assert result.exit_code == 2 and 1 < len(lines) <= 40, len(lines)
    assert "more problems" in lines[-1]


def test_the_readme_states_the_limits():
    readme = (SCENARIOS.parent / "README.md").read_text(encoding="utf-8")
    assert f"nested more than {MAX_DEPTH} levels" in readme
    assert f"beyond {MAX_ALIAS_EXPANSION:,} values" in readme
    assert "--set teams.support.shifts.0.members=7" in readme
