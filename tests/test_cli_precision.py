"""`orgsim run --precision`, `--max-reps` and `--quiet`."""

from __future__ import annotations

import json

from sim.cli import cli


def _run(runner, write_scenario, tiny_text, tmp_path, *args):
    path = write_scenario(tmp_path, tiny_text)
    return runner.invoke(cli, ["run", str(path), "--out", str(tmp_path / "out"), "--no-plots",
                               *args])


def test_precision_runs_until_the_target_and_says_so(runner, write_scenario, tiny_text,
                                                     tmp_path):
    result = _run(runner, write_scenario, tiny_text, tmp_path,
                  "--precision", "support.wait.mean=20%", "--max-reps", "30")
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    reached = summary["provenance"]["precision"]
    assert reached["met"] and summary["replications"] == reached["replications"] >= 3
    assert f"after {reached['replications']} replications" in result.output


def test_the_cap_is_a_warning(runner, write_scenario, tiny_text, tmp_path):
    result = _run(runner, write_scenario, tiny_text, tmp_path,
                  "--precision", "support.wait.mean=0.1s", "--max-reps", "3")
    assert result.exit_code == 0, result.output
    assert "warning: support.wait.mean: the 95% interval's half-width" in result.output
    assert "--max-reps" in result.output


def test_quiet_prints_only_the_table_and_keeps_warnings_in_the_summary(
        runner, write_scenario, tiny_text, tmp_path):
    result = _run(runner, write_scenario, tiny_text, tmp_path,
                  "--precision", "support.wait.mean=0.1s", "--max-reps", "3", "--quiet")
    assert result.exit_code == 0, result.output
    assert "warning:" not in result.output and "progress" not in result.output
    assert "results written" not in result.output
    assert result.output.splitlines()[0].startswith("tiny: 3 replication(s)")
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert any("--max-reps" in w for w in summary["warnings"])


def test_bad_precision_is_one_error_line(runner, write_scenario, tiny_text, tmp_path):
    for args, words in ((["--precision", "support.wait.mean=soon"], "a duration"),
                        (["--precision", "nope=5%"], "no such metric"),
                        (["--precision", "support.wait.mean=5%", "--reps", "4"],
                         "give one")):
        result = _run(runner, write_scenario, tiny_text, tmp_path, *args)
        assert result.exit_code == 2
        [line] = result.output.strip().splitlines()
        assert line.startswith("error:") and words in line
        assert not (tmp_path / "out").exists()
