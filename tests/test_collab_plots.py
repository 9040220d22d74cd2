"""The collaboration figures: operations against collaboration per flow, trust over time,
and the team-to-team heatmap; none without collaboration settings."""

from __future__ import annotations

import pytest

import sim
from sim.plots import figures_for
from sim.plots.collab import split_by_flow
from tests.model.test_channels import escalations


@pytest.fixture(scope="module")
def collaborative():
    data = escalations("09:00-17:00", {"default": {"kind": "chat", "notice": "exp(10m)"},
                                       "warehouse->support": {"kind": "email",
                                                              "notice": "exp(1h)",
                                                              "error": 0.2}},
                       horizon="6d", trust={"default": 0.7, "verification": "10m",
                                            "dynamics": {"gain": 0.1, "loss": 0.3}})
    return sim.run(sim.scenario_from_dict(data), reps=2, jobs=1)


def test_the_bars_split_each_flow_s_mean_response_time(collaborative):
    split = split_by_flow(collaborative)
    ops, collab = split["support"]
    assert collab > 0 and ops > 0
    assert ops + collab == pytest.approx(
        collaborative.metrics["support.time_to_resolve.mean"].mean(), rel=1e-9)
    figure = figures_for(collaborative)["collab_time_split"]
    gids = {patch.get_gid() for patch in figure.axes[0].patches}
    assert {"orgsim-split:support:operations", "orgsim-split:support:collaboration"} <= gids


def test_trust_and_the_heatmap_are_drawn(collaborative):
    figures = figures_for(collaborative)
    trust = figures["collab_trust"].axes[0]
    labels = [line.get_label() for line in trust.get_lines()]
    assert "support trusts warehouse" in labels and "warehouse trusts support" in labels
    heatmap = figures["collab_handoffs"].axes[0]
    texts = [t.get_text() for t in heatmap.texts]
    assert len(texts) == 2  # support -> warehouse and back
    assert [t.get_text() for t in heatmap.get_xticklabels()] == ["support", "warehouse"]


def test_no_collaboration_figures_without_the_sections():
    data = escalations(horizon="3d")
    del data["channels"]
    results = sim.run(sim.scenario_from_dict(data), reps=1, jobs=1)
    assert not any(name.startswith("collab_") for name in figures_for(results))
