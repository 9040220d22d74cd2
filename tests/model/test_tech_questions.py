"""Feature work requested by a team (`requested_by`) and its questions (`questions`): the
request's way and each question's round trip are collaboration in the item's split, which
still adds up to its lead time; without channels they pass at once."""

from __future__ import annotations

import math

import sim

SCENARIO = """
name: questions
horizon: 28d
warmup: 7d
replications: 2
teams:
  tech: {{members: 2, shift: "08:00-18:00", timezone: "+08:00"}}
  marketing: {{members: 1, shift: "09:00-17:00"}}
tech:
  features: {{arrivals: 3/w, effort: exp(8h), requested_by: marketing, questions: {questions}}}
{channels}
"""
CHANNELS = """channels:
  marketing->tech: {kind: email, notice: exp(1h)}
  tech->marketing: {kind: email, notice: exp(1h)}
"""
SPLIT = "tech.feature.time_split."
LEAD = "tech.feature_lead_time.mean"


def run(tmp_path, questions: int, channels: str):
    path = tmp_path / f"q{questions}{bool(channels)}.yaml"
    path.write_text(SCENARIO.format(questions=questions, channels=channels))
    return sim.run(path, jobs=1).metrics


def mean(values) -> float:
    finite = [v for v in values if math.isfinite(v)]
    return sum(finite) / len(finite)


def test_questions_wait_for_the_answers_and_the_split_adds_up(tmp_path):
    metrics = run(tmp_path, 3, CHANNELS)
    assert mean(metrics[SPLIT + "ask_back"]) > 0.0
    assert mean(metrics[SPLIT + "channel"]) > 0.0
    parts = [name for name in metrics if name.startswith(SPLIT)]
    for rep, lead in enumerate(metrics[LEAD]):
        total = sum(metrics[name][rep] for name in parts)
        assert math.isclose(total, lead, rel_tol=1e-9), (rep, total, lead)


def test_more_questions_take_longer(tmp_path):
    few, many = run(tmp_path, 1, CHANNELS), run(tmp_path, 6, CHANNELS)
    assert mean(many[SPLIT + "ask_back"]) > mean(few[SPLIT + "ask_back"])
    assert mean(many[LEAD]) > mean(few[LEAD])


BUSY = """
name: busy
horizon: 40d
warmup: 5d
replications: 2
teams:
  tech: {members: 1, shift: always}
  marketing: {members: 1, shift: always}
tech:
  features: {arrivals: 8/w, effort: exp(16h), requested_by: marketing, questions: 4}
channels:
  default: {kind: chat, notice: const(0s)}
"""


def test_answers_at_once_cost_no_collaboration_time_on_a_busy_team(tmp_path):
    """Zero collaboration (issue 10): a chat channel with no notice to a team always on
    shift answers at once. The item still goes back to the pool, and on a busy team waits
    for its member again: that wait is the team's capacity (queue), not the question's."""
    path = tmp_path / "busy.yaml"
    path.write_text(BUSY)
    result = sim.run(path, jobs=1, records=True)
    assert list(result.metrics["tech.feature.collaboration_share"]) == [0.0, 0.0]
    items = result.records("features")
    assert len(items) > 40
    assert (items["split.ask_back"] == 0.0).all()
    assert (items["split.queue"] > 0.0).mean() > 0.5  # most wait after answers: a busy team
