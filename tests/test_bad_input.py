"""Bad input: one clear message per problem, naming the file, the line, the dotted field path
and what was expected; exit code 2, no traceback, nothing written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import cli
from sim.scenario import ScenarioError, load_scenario

COMMANDS = ["run", "validate"]


def _edit(text: str, old: str, new: str) -> str:
    assert old in text, f"{old!r} is not in the scenario"
    return text.replace(old, new, 1)


def invoke(runner, command: str, path: Path, *extra: str):
    """Run `orgsim run PATH --out OUT` or `orgsim validate PATH`; return (result, OUT)."""
    out = path.parent / "out"
    args = [command, str(path), *extra]
    if command == "run":
        args += ["--out", str(out), "--no-plots"]
    return runner.invoke(cli, args), out


def assert_bad_input(result, out: Path, *phrases: str) -> str:
    """Exit 2 from our own check (not a crash), every phrase in the output, nothing written."""
    output = result.output
    assert result.exit_code == 2, output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in output
    assert output.startswith("error: "), output
    for phrase in phrases:
        assert phrase in output, f"{phrase!r} not in:\n{output}"
    assert not out.exists(), "a bad scenario must not create the output folder"
    assert list(out.parent.glob(".out*")) == [], "no staging folder may be left behind"
    return output


# (id, old text, new text, line, dotted path, phrases of what was expected)
FILE_CASES = [
    ("unit-typo", "horizon: 1d", "horizon: 30x", 3, "horizon",
     ["expected a duration with a unit", "30x"]),
    ("dist-param-without-unit", "handle_time: exp(3m)", "handle_time: exp(3)", 14,
     "support.handle_time", ["expected a duration with a unit"]),
    ("bare-number-duration", "horizon: 1d", "horizon: 30", 3, "horizon",
     ["expected a duration with a unit", "got 30"]),
    ("negative-rate", "arrivals: 60/h", "arrivals: -5/h", 13, "support.arrivals",
     ["must not be negative", "-5/h"]),
    ("unknown-key-in-team", "members: 4", "membrs: 4", 9, "teams.support.membrs",
     ["unknown key 'membrs'", "did you mean 'members'?"]),
    ("unknown-key-flow-style", "teams:\n  support:\n    members: 4\n    shift: always\n",
     "teams: {support: {membrs: 6}}\n", 7, "teams.support.membrs",
     ["unknown key 'membrs'", "did you mean 'members'?"]),
    ("unknown-top-level-key", "horizon: 1d", "horizn: 1d", 3, "horizn",
     ["unknown key 'horizn'", "did you mean 'horizon'?"]),
    ("unknown-distribution", "handle_time: exp(3m)", "handle_time: expo(3m)", 14,
     "support.handle_time", ["unknown distribution 'expo'", "did you mean 'exp'?"]),
    ("unknown-team", "team: support", "team: suport", 12, "support.team",
     ["unknown team 'suport'", "did you mean 'support'?"]),
    ("shares-do-not-sum-to-1", "service_level_target: 20s\n",
     "service_level_target: 20s\n  inquiry_types:\n    order: {share: 0.5}\n"
     "    refund: {share: 0.3}\n", 17, "support.inquiry_types",
     ["must sum to 1", "0.8"]),
    ("warmup-not-shorter-than-horizon", "warmup: 1h", "warmup: 1d", 4, "warmup",
     ["must be shorter than the horizon"]),
    ("non-integer-members", "members: 4", "members: 6.5", 9, "teams.support.members",
     ["expected a whole number", "6.5"]),
    ("empirical-csv-missing", "handle_time: exp(3m)", "handle_time: empirical(nosuch.csv)", 14,
     "support.handle_time", ["empirical data file not found", "nosuch.csv"]),
    ("key-given-twice", "seed: 1", "seed: 1\nseed: 2", 7, "seed", ["given twice"]),
]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    "old,new,line,dotted,phrases", [c[1:] for c in FILE_CASES], ids=[c[0] for c in FILE_CASES])
def test_bad_scenario_file(runner, write_scenario, tiny_text, tmp_path, command,
                           old, new, line, dotted, phrases):
    path = write_scenario(tmp_path, _edit(tiny_text, old, new))
    result, out = invoke(runner, command, path)
    output = assert_bad_input(result, out, f"{path}, line {line}: {dotted}: ", *phrases)
    assert output.count("error: ") == 1, f"one problem, one message:\n{output}"


@pytest.mark.parametrize("command", COMMANDS)
def test_yaml_syntax_error_names_its_line(runner, write_scenario, tiny_text, tmp_path, command):
    path = write_scenario(tmp_path, _edit(tiny_text, "horizon: 1d", "horizon: 1d: 2d"))
    result, out = invoke(runner, command, path)
    assert_bad_input(result, out, f"{path}, line 3: ", "YAML syntax error")


@pytest.mark.parametrize("command", COMMANDS)
def test_unclosed_quote_points_at_where_it_began(runner, write_scenario, tiny_text, tmp_path,
                                                 command):
    path = write_scenario(tmp_path, _edit(tiny_text, "horizon: 1d", 'horizon: "1d'))
    result, out = invoke(runner, command, path)
    assert_bad_input(result, out, str(path), "YAML syntax error", "from line 3")


@pytest.mark.parametrize("command", COMMANDS)
def test_several_problems_are_all_reported(runner, write_scenario, tiny_text, tmp_path, command):
    text = _edit(_edit(tiny_text, "horizon: 1d", "horizon: 30"), "members: 4", "members: 6.5")
    path = write_scenario(tmp_path, text)
    result, out = invoke(runner, command, path)
    output = assert_bad_input(result, out, f"{path}, line 3: horizon: ",
                              f"{path}, line 9: teams.support.members: ")
    assert output.count("error: ") == 2


@pytest.mark.parametrize("command", COMMANDS)
def test_scenario_file_that_does_not_exist(runner, tmp_path, command):
    path = tmp_path / "nosuch.yaml"
    result, out = invoke(runner, command, path)
    assert_bad_input(result, out, str(path), "scenario file not found")


@pytest.mark.parametrize("command", COMMANDS)
def test_not_a_mapping(runner, write_scenario, tmp_path, command):
    path = write_scenario(tmp_path, "- just\n- a list\n")
    result, out = invoke(runner, command, path)
    assert_bad_input(result, out, str(path), "expected a mapping of keys")


@pytest.mark.parametrize("command", COMMANDS)
def test_recursive_alias_is_refused(runner, write_scenario, tmp_path, command):
    path = write_scenario(tmp_path, "name: x\nhorizon: 1d\nteams: &loop\n  support: *loop\n")
    result, out = invoke(runner, command, path)
    assert_bad_input(result, out, f"{path}, line 4: teams.support: ", "refers to a section")


# --- extends -------------------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
def test_extends_a_missing_file(runner, write_scenario, tmp_path, command):
    path = write_scenario(tmp_path, "name: child\nextends: nosuch.yaml\n", "child.yaml")
    result, out = invoke(runner, command, path)
    assert_bad_input(result, out, f"{path}, line 2: extends: ", "does not exist", "nosuch.yaml")


@pytest.mark.parametrize("command", COMMANDS)
def test_extends_cycle(runner, write_scenario, tmp_path, command):
    a = write_scenario(tmp_path, "extends: b.yaml\nname: a\n", "a.yaml")
    b = write_scenario(tmp_path, "name: b\nextends: a.yaml\n", "b.yaml")
    result, out = invoke(runner, command, a)
    # reported where the loop closes: b.yaml's `extends`, which names a.yaml again
    output = assert_bad_input(result, out, f"{b}, line 2: extends: ", "cycle")
    assert output.count("error: ") == 1


@pytest.mark.parametrize("command", COMMANDS)
def test_extends_itself(runner, write_scenario, tmp_path, command):
    path = write_scenario(tmp_path, "extends: self.yaml\nname: a\n", "self.yaml")
    result, out = invoke(runner, command, path)
    assert_bad_input(result, out, f"{path}, line 1: extends: ", "cycle")


@pytest.mark.parametrize("command", COMMANDS)
def test_error_in_a_base_file_names_the_base(runner, write_scenario, tiny_text, tmp_path,
                                             command):
    base = write_scenario(tmp_path, _edit(tiny_text, "members: 4", "members: 6.5"), "base.yaml")
    child = write_scenario(tmp_path, """\
        extends: base.yaml
        name: child
        support:
          handle_time: expo(3m)
        """, "child.yaml")
    result, out = invoke(runner, command, child)
    assert_bad_input(
        result, out,
        f"{base}, line 9: teams.support.members: expected a whole number",
        f"{child}, line 4: support.handle_time: unknown distribution 'expo'",
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_syntax_error_in_a_base_file(runner, write_scenario, tiny_text, tmp_path, command):
    base = write_scenario(tmp_path, _edit(tiny_text, "seed: 1", "seed: [1"), "base.yaml")
    child = write_scenario(tmp_path, "extends: base.yaml\nname: child\n", "child.yaml")
    result, out = invoke(runner, command, child)
    assert_bad_input(result, out, str(base), "YAML syntax error", "line ")


def test_a_child_value_replaces_a_bad_base_value(write_scenario, tiny_text, tmp_path):
    write_scenario(tmp_path, _edit(tiny_text, "horizon: 1d", "horizon: 30x"), "base.yaml")
    child = write_scenario(tmp_path, "extends: base.yaml\nname: child\nhorizon: 2d\n", "c.yaml")
    assert load_scenario(child).spec.horizon == 2 * 1440


# --- --set ---------------------------------------------------------------------------------


SET_CASES = [
    ("misspelt-key", "support.handle_tme=exp(4m)", "support.handle_tme",
     ["unknown key 'handle_tme'", "did you mean 'handle_time'?"]),
    ("unknown-key", "support.nosuch=1", "support.nosuch",
     ["unknown key 'nosuch'", "expected one of:", "handle_time"]),
    ("inside-a-value", "teams.support.members.x=3", "teams.support.members",
     ["not a section", "'x'"]),
    ("misspelt-section", "suport.handle_time=exp(4m)", "suport",
     ["unknown key 'suport'", "did you mean 'support'?"]),
    ("bare-number-duration", "horizon=30", "horizon", ["expected a duration with a unit"]),
    ("bad-distribution", "support.handle_time=expo(4m)", "support.handle_time",
     ["unknown distribution 'expo'"]),
]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("override,dotted,phrases", [c[1:] for c in SET_CASES],
                         ids=[c[0] for c in SET_CASES])
def test_bad_set(runner, write_scenario, tiny_text, tmp_path, command, override, dotted,
                 phrases):
    path = write_scenario(tmp_path, tiny_text)
    result, out = invoke(runner, command, path, "--set", override)
    output = assert_bad_input(result, out, f"--set: {dotted}: ", *phrases)
    assert str(path) not in output, "the problem is in --set, not in the file"
    assert output.count("error: ") == 1


@pytest.mark.parametrize("command", COMMANDS)
def test_set_without_equals(runner, write_scenario, tiny_text, tmp_path, command):
    path = write_scenario(tmp_path, tiny_text)
    result, out = invoke(runner, command, path, "--set", "teams.support.members")
    assert_bad_input(result, out, "--set", "expected KEY=VALUE")


def test_set_of_a_new_team_is_legal(write_scenario, tiny_text, tmp_path):
    path = write_scenario(tmp_path, tiny_text)
    spec = load_scenario(path, ["teams.backoffice.members=3"]).spec
    assert spec.teams["backoffice"].headcount == 3


def test_problems_carry_file_line_and_path(write_scenario, tiny_text, tmp_path):
    path = write_scenario(tmp_path, _edit(tiny_text, "members: 4", "members: 6.5"))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    (problem,) = caught.value.problems
    assert (problem.source, problem.line, problem.dotted_path) == (
        str(path), 9, "teams.support.members")


# --- output folder -------------------------------------------------------------------------


def test_foreign_output_folder_is_refused_and_left_alone(runner, write_scenario, tiny_text,
                                                         tmp_path):
    path = write_scenario(tmp_path, tiny_text)
    out = tmp_path / "precious"
    out.mkdir()
    (out / "thesis.txt").write_text("years of work\n")
    (out / "scenario.yaml").write_text("my own scenario\n")  # where orgsim would write
    result = runner.invoke(cli, ["run", str(path), "--out", str(out), "--no-plots"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"{out / 'scenario.yaml'} was not written by orgsim" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["scenario.yaml", "thesis.txt"]
    assert (out / "thesis.txt").read_text() == "years of work\n"
    assert (out / "scenario.yaml").read_text() == "my own scenario\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["precious", "scenario.yaml"]


# --- a real terminal -----------------------------------------------------------------------


def _orgsim(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("old,new,phrase", [
    ("horizon: 1d", "horizon: 30", "line 3: horizon: expected a duration"),
    ("members: 4", "membrs: 4", "did you mean 'members'?"),
    ("horizon: 1d", "horizon: 1d: 2d", "YAML syntax error"),
])
def test_no_traceback_reaches_the_terminal(write_scenario, tiny_text, tmp_path, old, new,
                                           phrase):
    path = write_scenario(tmp_path, _edit(tiny_text, old, new))
    out = tmp_path / "out"
    done = _orgsim("run", str(path), "--out", str(out), "--no-plots", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert phrase in done.stderr and str(path) in done.stderr
    assert done.stdout == ""
    assert not out.exists()


def test_no_traceback_for_a_missing_file_or_bad_set(write_scenario, tiny_text, tmp_path):
    done = _orgsim("validate", str(tmp_path / "nosuch.yaml"), cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "scenario file not found" in done.stderr
    path = write_scenario(tmp_path, tiny_text)
    done = _orgsim("run", str(path), "--out", "out", "--set", "support.handle_tme=exp(4m)",
                   cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "did you mean 'handle_time'?" in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_problem_is_one_printable_line_whatever_the_user_wrote():
    """A key or value holding a control character or a line separator is escaped, so one
    problem stays on one `error:` line."""
    from sim.scenario.errors import Problem

    for key in ("\r", "\x1c", "\x85", "\u2028", "a\nb", "\t", "\x00"):
        text = str(Problem(f"unknown key '{key}'", ("support", key), "s.yaml", 3))
        assert text.isprintable() and len(text.splitlines()) == 1, repr(text)
    assert str(Problem("unknown key 'é'", ("é",), "s.yaml")) == "s.yaml: é: unknown key 'é'"


def test_text_that_looks_like_a_data_file_is_left_alone_where_no_distribution_goes(
        runner, tmp_path, write_scenario, tiny_text):
    """Only the data files the spec read as distributions are inlined into the resolved
    scenario; `description: empirical(nosuch.csv)` is just a description (found by fuzzing:
    the inliner read it as a file and crashed)."""
    text = tiny_text.replace("description: A tiny", "description: empirical(nosuch.csv) A tiny")
    (tmp_path / "waits.csv").write_text("minutes\n2\n4\n")
    text = text.replace("handle_time: exp(3m)", "handle_time: empirical(waits.csv)")
    scenario = load_scenario(write_scenario(tmp_path, text))
    assert scenario.resolved["description"].startswith("empirical(nosuch.csv)")
    inlined = scenario.resolved["support"]["handle_time"]
    assert inlined["dist"] == "empirical" and "file" not in inlined, inlined
