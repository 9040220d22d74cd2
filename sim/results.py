"""Results of a run: metrics per replication, summaries with confidence intervals, series and
samples for plots, provenance; saved to a folder and loaded back without re-running."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from sim.analysis.statistics import mean_ci
from sim.metrics.declare import Metric, from_unit, lookup, undeclared
from sim.output_folder import Content, OutputError, OutputFolder

__all__ = ["RESULT_FILES", "OutputError", "Results", "check_output_dir"]

# the files every save writes, whatever flows ran; the plots come on top
RESULT_FILES = ("summary.json", "replications.csv", "scenario.yaml", "series.npz")


@dataclass
class Results:
    scenario_name: str
    seed: int
    resolved: dict[str, Any]  # the resolved scenario, with the seed and replications used
    metrics: dict[str, np.ndarray]  # metric -> value per replication
    series: dict[str, np.ndarray]  # name -> (replications, bins)
    samples: dict[str, np.ndarray]  # name -> pooled sample (sketch) across replications
    bin_width: float
    warmup: float
    provenance: dict[str, Any] = field(default_factory=dict)
    # the scenario's warnings and the run's (overloaded queues, load lost to abandonment)
    warnings: list[str] = field(default_factory=list)
    # units a loaded summary.json gave its metrics: they stand in for a metric no flow
    # declares any more (renamed since the run)
    saved_units: dict[str, str] = field(default_factory=dict)

    @property
    def replications(self) -> int:
        return len(next(iter(self.metrics.values()))) if self.metrics else 0

    # --- summaries ---------------------------------------------------------------------------

    def declaration(self, name: str) -> Metric:
        """What the flow that reports `name` declared about it (its kind, unit, bounds)."""
        return metric_declaration(name, self.saved_units.get(name))

    def summary_dict(self) -> dict[str, Any]:
        """{'scenario', 'seed', 'replications', 'metrics': {name: {mean, ci95, unit, kind,
        n}}, 'warnings': [...], 'provenance': {...}}; `n` counts the replications that
        defined the metric (a mean over fewer replications than the run had says so)."""
        metrics = {}
        for name, values in self.metrics.items():
            estimate = mean_ci(values)
            metric = self.declaration(name)
            interval = None
            if estimate.low is not None:
                # truncated to what the metric can be: its coverage stays at least 95%
                interval = list(metric.truncate(estimate.low, estimate.high))
            metrics[name] = {
                "mean": _json_float(estimate.mean),
                "ci95": interval,
                "unit": metric.unit_name,
                "kind": metric.kind,
                "n": estimate.n,
            }
        return {"scenario": self.scenario_name, "seed": self.seed,
                "replications": self.replications, "metrics": metrics,
                "warnings": list(self.warnings), "provenance": self.provenance}

    def summary(self):
        """A tidy pandas table: metric, mean, ci_low, ci_high, unit, n (replications that
        defined the metric)."""
        import pandas as pd

        rows = [
            {"metric": name, "mean": entry["mean"],
             "ci_low": entry["ci95"][0] if entry["ci95"] else None,
             "ci_high": entry["ci95"][1] if entry["ci95"] else None,
             "unit": entry["unit"], "n": entry["n"]}
            for name, entry in self.summary_dict()["metrics"].items()
        ]
        return pd.DataFrame(rows).set_index("metric")

    def table(self):
        """Long form, one row per replication and metric (what replications.csv holds)."""
        import pandas as pd

        return pd.DataFrame(self._rows(), columns=["replication", "metric", "value", "unit"])

    def _rows(self) -> list[tuple]:
        units = {name: self.declaration(name).unit_name for name in self.metrics}
        return [(rep, name, float(values[rep]), units[name])
                for name, values in self.metrics.items() for rep in range(len(values))]

    def __getitem__(self, metric: str) -> float:
        """The mean of a metric across replications."""
        return mean_ci(self.metrics[metric])[0]

    # --- plots -----------------------------------------------------------------------------

    def plots(self) -> dict[str, Any]:
        """Matplotlib figures by file stem."""
        from sim.plots import figures_for

        return figures_for(self)

    # --- files ---------------------------------------------------------------------------

    def save(self, directory: str | Path, plots: bool = True) -> Path:
        """Write the result files into `directory`, each atomically, and list them in its manifest.

        The user's own files in the folder stay; a file of theirs where a result file goes
        is refused (OutputError) before anything is written. See `sim.output_folder`.
        """
        return OutputFolder(directory).write(self._outputs(plots))

    def _outputs(self, plots: bool) -> dict[str, Content]:
        """Relative path -> content of every file a save writes."""
        import yaml

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["replication", "metric", "value", "unit"])
        writer.writerows((rep, name, repr(value), unit) for rep, name, value, unit in self._rows())
        arrays = {f"series/{k}": v for k, v in self.series.items()}
        arrays.update({f"samples/{k}": v for k, v in self.samples.items()})
        arrays["bin_width"] = np.array(self.bin_width)
        arrays["warmup"] = np.array(self.warmup)
        outputs: dict[str, Content] = {
            "summary.json": json.dumps(self.summary_dict(), indent=2) + "\n",
            "replications.csv": buffer.getvalue(),
            "scenario.yaml": yaml.safe_dump(self.resolved, sort_keys=False, allow_unicode=True),
            "series.npz": lambda path: np.savez_compressed(path, **arrays),
        }
        if plots:
            for stem, figure in self.plots().items():
                outputs[f"{stem}.png"] = partial(figure.savefig, dpi=110)
        return outputs

    @classmethod
    def load(cls, directory: str | Path) -> Results:
        """Results saved by `save`, for re-analysis and re-plotting without re-running."""
        import yaml

        folder = Path(directory)
        summary = json.loads((folder / "summary.json").read_text())
        metrics: dict[str, list[float]] = {}
        with open(folder / "replications.csv", newline="") as handle:
            for row in csv.DictReader(handle):
                metrics.setdefault(row["metric"], []).append(float(row["value"]))
        with np.load(folder / "series.npz") as arrays:
            series = {k[len("series/"):]: arrays[k] for k in arrays.files
                      if k.startswith("series/")}
            samples = {k[len("samples/"):]: arrays[k] for k in arrays.files
                       if k.startswith("samples/")}
            bin_width, warmup = float(arrays["bin_width"]), float(arrays["warmup"])
        resolved = yaml.safe_load((folder / "scenario.yaml").read_text())
        return cls(summary["scenario"], summary["seed"], resolved,
                   {k: np.asarray(v) for k, v in metrics.items()}, series, samples,
                   bin_width, warmup, summary.get("provenance", {}),
                   list(summary.get("warnings",  # results saved before warnings moved out
                                    summary.get("provenance", {}).get("warnings", []))),
                   {name: entry["unit"] for name, entry in summary["metrics"].items()
                    if "unit" in entry})


def check_output_dir(target: Path) -> None:
    """Refuse, before any work, a folder where a result file would overwrite a user's file.

    The plots are named only at save time, so `save` checks again with every file.
    """
    OutputFolder(target).plan(RESULT_FILES)


def metric_declaration(name: str, saved_unit: str | None = None) -> Metric:
    """The declaration of a reported metric; for a name no flow declares, a stand-in from the
    unit a saved summary gave it, else an unbounded plain number."""
    import sim.replication  # noqa: F401  (importing the flows declares their metrics)

    metric = lookup(name)
    if metric is not None:
        return metric
    return from_unit(name, saved_unit) if saved_unit else undeclared(name)


def _json_float(value: float) -> float | None:
    return None if value != value else value
