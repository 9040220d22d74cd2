"""Fuzzing the whole input surface: every scenario file either runs to the end (conservation
is checked inside every run) or is refused with exit 2, `error:` lines and nothing written.
None may give a traceback, and none may take longer than a per-case time limit.

The default suite runs a few hundred derandomised cases (the same ones on every machine);
`pytest -m slow tests/fuzz` runs 10,000 or more random ones (ORGSIM_FUZZ_EXAMPLES sets how
many per strategy).
"""

from __future__ import annotations

import json
import os
import signal
import tempfile
import traceback
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli import cli
from sim.metrics.declare import reported_names
from sim.scenario import load_scenario

from .strategies import damaged_texts, documents, dump, mutated_scenarios

CASE_SECONDS = float(os.environ.get("ORGSIM_FUZZ_CASE_SECONDS", "20"))
CI_EXAMPLES = 200  # per strategy: three strategies, 600 cases in the default suite
SLOW_EXAMPLES = int(os.environ.get("ORGSIM_FUZZ_EXAMPLES", "3400"))  # x3 strategies > 10,000

# The run-size limit, set explicitly so that fuzzing behaves the same on every machine: a
# mutation that blows up the horizon, the rate or the catalogue is refused, not run.
LIMITS = {"ORGSIM_MAX_EVENTS": "2000000", "ORGSIM_MAX_MEMORY": "512MiB"}


class CaseTooSlow(Exception):
    pass


@contextmanager
def time_limit(seconds: float):
    """Raise CaseTooSlow in the middle of whatever runs longer than `seconds`."""
    def expire(_signum, _frame):
        raise CaseTooSlow(f"took longer than {seconds:g} s")
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_case(text: str) -> None:
    """`orgsim run` on one scenario text: exit 0 with results, or exit 2 with errors only."""
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as folder:
        path, out = Path(folder) / "scenario.yaml", Path(folder) / "out"
        path.write_text(text, encoding="utf-8")
        with time_limit(CASE_SECONDS):
            result = runner.invoke(cli, ["run", str(path), "--reps", "1", "--no-plots",
                                         "--out", str(out)], env=LIMITS)
        output = result.output
        context = f"\n--- scenario ---\n{text}\n--- output ---\n{output}"
        if isinstance(result.exception, CaseTooSlow):
            raise AssertionError(f"hang: {result.exception}{context}")
        if result.exit_code not in (0, 2) or not isinstance(result.exception, (SystemExit,
                                                                             type(None))):
            trace = "".join(traceback.format_exception(*result.exc_info)) \
                if result.exc_info else ""
            raise AssertionError(f"exit {result.exit_code}: {result.exception!r}\n{trace}"
                                 f"{context}")
        assert "Traceback" not in output, context
        if result.exit_code == 0:
            assert (out / "summary.json").is_file(), context
            # the metrics the declarations derive from the scenario (`orgsim metrics`) are
            # exactly those the run reported
            reported = list(json.loads((out / "summary.json").read_text())["metrics"])
            assert reported == reported_names(load_scenario(path).spec), context
        else:
            lines = [line for line in output.splitlines() if line.strip()]
            errors = [line for line in lines if line.startswith("error: ")]
            assert errors, f"exit 2 without an error line{context}"
            assert all(line.startswith(("error: ", "warning: ")) for line in lines), context
            assert not out.exists(), f"a refused scenario wrote output{context}"


def fuzz_settings(examples: int):
    return settings(max_examples=examples, deadline=None, database=None,
                    derandomize=examples == CI_EXAMPLES,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


STRATEGIES = {
    "mutated": mutated_scenarios().map(dump),
    "random-document": documents.map(dump),
    "damaged-text": damaged_texts(),
}


@pytest.mark.parametrize("kind", sorted(STRATEGIES))
def test_fuzzed_scenarios_run_or_are_refused(kind):
    @fuzz_settings(CI_EXAMPLES)
    @given(STRATEGIES[kind])
    def check(text):
        run_case(text)
    check()


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(STRATEGIES))
def test_fuzzed_scenarios_many(kind):
    @fuzz_settings(SLOW_EXAMPLES)
    @given(STRATEGIES[kind])
    def check(text):
        run_case(text)
    check()


def test_the_time_limit_stops_a_hang():
    """The per-case limit is real: it interrupts a loop that would never end."""
    with pytest.raises(CaseTooSlow), time_limit(0.2):
        while True:
            pass


@given(st.just("name: x\n"))
@fuzz_settings(1)
def test_the_harness_accepts_a_refusal(text):
    """A scenario with nothing to simulate is refused the way the harness expects."""
    run_case(text)
