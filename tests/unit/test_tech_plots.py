"""The tech and site figures build from a run's results: the DORA panels, a split bar per
kind of work whose parts add up to its mean, and the site's latency and lost orders."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.plots import figures_for


@pytest.fixture(scope="module")
def results():
    data = {"name": "figures", "horizon": "20d", "warmup": "2d",
            "teams": {"tech": {"members": 2}}, "demand": {"orders": "500/d"},
            "site": {"capacity": "3000/h", "servers": 4},
            "tech": {"incidents": {"sev2": {"rate": "1/d", "fix_time": "exp(2h)",
                                            "site": 0.5}},
                     "features": {"arrivals": "1/d", "effort": "exp(8h)"},
                     "deploys": {"change_failure": 0.2, "severity": "sev2"}}}
    return sim.run(sim.scenario_from_dict(data), reps=2, jobs=1)


def test_a_tech_run_has_its_figures(results):
    figures = figures_for(results)
    assert {"tech_dora", "tech_time_split", "site"} <= set(figures)
    assert len(figures["tech_dora"].axes) == 4
    assert len(figures["site"].axes) == 2


def test_each_split_bar_adds_up_to_its_mean(results):
    ax = figures_for(results)["tech_time_split"].axes[0]
    ends = {}
    for patch in ax.patches:
        y = round(patch.get_y() + patch.get_height() / 2)
        ends[y] = max(ends.get(y, 0.0), patch.get_x() + patch.get_width())
    labels = [t.get_text() for t in ax.get_yticklabels()]
    unit = ax.get_xlabel()
    size = {"(h)": 60.0, "(d)": 1440.0, "(min)": 1.0, "(s)": 1 / 60}[unit.split()[-1]]
    means = {"mean incident": "tech.incident.time_to_restore.mean",
             "mean feature item": "tech.feature_lead_time.mean"}
    for y, label in enumerate(labels):
        parts = sum(np.nanmean(v) for k, v in results.metrics.items()
                    if k.startswith("tech.incident.time_split." if "incident" in label
                                    else "tech.feature.time_split."))
        assert ends[y] * size == pytest.approx(parts)
        assert parts == pytest.approx(np.nanmean(results.metrics[means[label]]), rel=1e-9)
