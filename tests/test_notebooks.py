"""The notebooks run: their code cells are executed in order, with few replications."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, monkeypatch):
    matplotlib.use("Agg")  # no screen in tests; notebooks draw inline
    monkeypatch.setenv("ORGSIM_NOTEBOOK_REPS", "2")
    monkeypatch.chdir(path.parent)  # notebooks use paths relative to their folder
    cells = json.loads(path.read_text())["cells"]
    namespace: dict = {"__name__": "__notebook__"}
    for cell in cells:
        if cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), f"{path.name}", "exec"), namespace)
    if path.stem == "support_staffing":
        table = namespace["table"]
        level = table[table.metric == "support.service_level"].set_index("early shift agents")
        # 12 agents on the early shift answer clearly more customers in time than 6
        assert level.loc[12, "mean"] > level.loc[6, "mean"] + 0.05
