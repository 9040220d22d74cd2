"""The broken-input battery: hand-written scenarios in tests/broken/, each with the message a
user must get. A file's header says what it expects:

    # what the user did wrong (the first line)
    # args: --set teams.support.members=7     (extra command-line words, optional)
    # exit: 0                                  (default 2: refused)
    # expect: a phrase the output must hold    (one or more)

Refused (exit 2): every line is `error:` (or `warning:`), the file is named, nothing is
written, within 5 s. Accepted with a doubt (exit 0): a `warning:` line says what is doubtful.
"""

from __future__ import annotations

import shlex
import time
from pathlib import Path

import pytest

from sim.cli import cli

BROKEN = sorted((Path(__file__).parent / "broken").glob("*.yaml"))
LIMITS = {"ORGSIM_MAX_EVENTS": "2000000", "ORGSIM_MAX_MEMORY": "512MiB"}


def header(path: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"args": [], "exit": ["2"], "expect": []}
    for line in path.read_text().splitlines():
        if not line.startswith("#"):
            break
        key, sep, value = line[1:].strip().partition(":")
        if sep and key in ("args", "exit", "expect"):
            if key == "exit":
                found["exit"] = [value.strip()]
            elif key == "args":
                found["args"] += shlex.split(value)
            else:
                found["expect"].append(value.strip())
    return found


def test_the_battery_is_large_and_every_case_expects_something():
    assert len(BROKEN) >= 40
    for path in BROKEN:
        assert header(path)["expect"], f"{path.name} says nothing about the message expected"


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_broken_input_gets_its_message(runner, path, tmp_path):
    wanted = header(path)
    scenario = tmp_path / path.name
    scenario.write_text(path.read_text())
    out = tmp_path / "out"
    started = time.perf_counter()
    result = runner.invoke(cli, ["run", str(scenario), "--reps", "1", "--no-plots",
                                 "--out", str(out), *wanted["args"]], env=LIMITS)
    elapsed = time.perf_counter() - started
    output = result.output
    assert "Traceback" not in output
    assert isinstance(result.exception, (SystemExit, type(None))), repr(result.exception)
    assert result.exit_code == int(wanted["exit"][0]), output
    for phrase in wanted["expect"]:
        assert phrase in output, f"{phrase!r} not in:\n{output}"
    if result.exit_code == 2:
        lines = [line for line in output.splitlines() if line.strip()]
        assert lines and all(line.startswith(("error: ", "warning: ")) for line in lines), output
        assert any(line.startswith("error: ") for line in lines), output
        assert path.name in output or "--set" in output, "the message names the file"
        assert not out.exists(), "a refused scenario must not write anything"
        assert elapsed < 5, f"refusing took {elapsed:.1f} s"
    else:
        assert "warning: " in output, output
