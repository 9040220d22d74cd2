"""`orgsim warmup` and `sim.warmup`: MSER-5 on the flows' series, a plot, slow flows named."""

from __future__ import annotations

import json

import sim
from sim.cli import cli
from sim.experiment.warmup import readable_ceiling
from sim.units import DAY, HOUR

# One agent at load 1.5 with patient customers: the queue grows all along (a trend MSER
# cannot cut away within half the run); at load 0.5 it settles within minutes.
DESK = {
    "name": "desk", "horizon": "12h", "warmup": "0h", "seed": 5,
    "output": {"bin": "5m"},
    "teams": {"support": {"members": 1}},
    "support": {"arrivals": "90/h", "handle_time": "exp(1m)"},
}


def _desk(arrivals: str):
    return sim.scenario_from_dict(dict(DESK, support={"arrivals": arrivals,
                                                      "handle_time": "exp(1m)"}))


def test_a_growing_queue_is_named_as_not_settled():
    found = sim.warmup(_desk("90/h"), reps=3, jobs=1)
    [cut] = found.headline
    assert cut.series == "support.queue_length"
    assert not cut.settled and found.slow == [cut]
    assert cut.limit == 14 * 5 * 5  # 144 bins make 28 batches of 5; the first 14 searched
    assert found.minutes == readable_ceiling(cut.minutes) >= cut.minutes
    [line] = found.slow_lines()
    assert line.startswith("support: support.queue_length has not settled")
    assert len(found.plot().axes) == 1  # one panel per headline series


def test_a_light_queue_settles():
    found = sim.warmup(_desk("30/h"), reps=3, jobs=1)
    assert found.headline and not found.slow


def test_readable_ceiling():
    assert readable_ceiling(0) == 0
    assert readable_ceiling(7) == 10
    assert readable_ceiling(61) == 2 * HOUR
    assert readable_ceiling(1.2 * DAY) == 1.5 * DAY
    assert readable_ceiling(6.9 * DAY) == 7 * DAY


def test_the_command_prints_writes_and_names_slow_flows(runner, write_scenario, tiny_text,
                                                       tmp_path):
    path = write_scenario(tmp_path, tiny_text)
    out = tmp_path / "w"
    result = runner.invoke(cli, ["warmup", str(path), "--reps", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("tiny: suggested warm-up")
    saved = json.loads((out / "warmup.json").read_text())
    assert saved["series"]["support.queue_length"]["headline"]
    assert (out / "warmup.png").stat().st_size > 0
    slow = [name for name, s in saved["series"].items() if s["headline"] and not s["settled"]]
    for name in slow:
        assert f"warning: support: {name} has not settled" in result.output


def test_a_bad_scenario_is_one_error_line(runner, tmp_path):
    result = runner.invoke(cli, ["warmup", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2
    assert result.output.startswith("error:")
