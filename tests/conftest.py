"""Shared fixtures: a click CliRunner and a helper that writes scenario files."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

# A scenario small enough that one replication takes a fraction of a second. The line numbers
# matter: tests/test_bad_input.py expects errors on the lines written here.
TINY_SCENARIO = """\
name: tiny
description: A tiny support desk for the command-line tests.
horizon: 1d
warmup: 1h
replications: 2
seed: 1
teams:
  support:
    members: 4
    shift: always
support:
  team: support
  arrivals: 60/h
  handle_time: exp(3m)
  patience: exp(2m)
  service_level_target: 20s
"""


@pytest.fixture
def runner() -> CliRunner:
    """Runs `orgsim` commands in-process; `result.output` holds stdout and stderr."""
    return CliRunner()


@pytest.fixture
def write_scenario() -> Callable[..., Path]:
    """write_scenario(directory, text, name="scenario.yaml") -> the path written.

    The text is dedented, so scenarios can be written indented inside a test.
    """

    def write(directory: str | Path, text: str, name: str = "scenario.yaml") -> Path:
        path = Path(directory) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def tiny_text() -> str:
    """TINY_SCENARIO: a valid scenario that runs 2 replications of 1 day in about a second."""
    return TINY_SCENARIO
