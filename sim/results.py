"""Results of a run: metrics per replication, summaries with confidence intervals, series and
samples for plots, provenance; saved to a folder and loaded back without re-running."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.analysis.statistics import mean_ci
from sim.metrics.catalog import metric_unit

MARKER = ".orgsim-result"  # marks a folder orgsim may replace


class OutputError(Exception):
    """An output folder orgsim must not touch (it holds something that is not a result)."""


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

    @property
    def replications(self) -> int:
        return len(next(iter(self.metrics.values()))) if self.metrics else 0

    # --- summaries ---------------------------------------------------------------------------

    def summary_dict(self) -> dict[str, Any]:
        """{'scenario', 'seed', 'replications', 'metrics': {name: {mean, ci95, unit}},
        'warnings': [...], 'provenance': {...}}."""
        metrics = {}
        for name, values in self.metrics.items():
            mean, low, high = mean_ci(values)
            unit = metric_unit(name)
            # every metric orgsim reports is >= 0, and shares <= 1: truncating the interval to
            # what the metric can be keeps its coverage at least 95%
            if low is not None:
                low, high = max(low, 0.0), (min(high, 1.0) if unit == "share" else high)
            metrics[name] = {
                "mean": _json_float(mean),
                "ci95": [low, high] if low is not None else None,
                "unit": unit,
            }
        return {"scenario": self.scenario_name, "seed": self.seed,
                "replications": self.replications, "metrics": metrics,
                "warnings": list(self.warnings), "provenance": self.provenance}

    def summary(self):
        """A tidy pandas table: metric, mean, ci_low, ci_high, unit."""
        import pandas as pd

        rows = [
            {"metric": name, "mean": entry["mean"],
             "ci_low": entry["ci95"][0] if entry["ci95"] else None,
             "ci_high": entry["ci95"][1] if entry["ci95"] else None,
             "unit": entry["unit"]}
            for name, entry in self.summary_dict()["metrics"].items()
        ]
        return pd.DataFrame(rows).set_index("metric")

    def table(self):
        """Long form, one row per replication and metric (what replications.csv holds)."""
        import pandas as pd

        return pd.DataFrame(self._rows(), columns=["replication", "metric", "value", "unit"])

    def _rows(self) -> list[tuple]:
        return [(rep, name, float(values[rep]), metric_unit(name))
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
        """Write everything to a temporary folder, then move it into place in one step.

        An existing folder is replaced only when it holds an earlier orgsim result.
        """
        target = Path(directory)
        check_output_dir(target)
        try:
            staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        except OSError as error:
            raise OutputError(f"cannot write results beside {target}: {error}") from None
        staging.chmod(0o755)  # mkdtemp makes it private; results are for sharing
        try:
            self._write(staging, plots)
            if target.exists():
                trash = target.parent / f".{target.name}.old-{os.getpid()}-{time.time_ns()}"
                target.rename(trash)
                staging.rename(target)
                shutil.rmtree(trash, ignore_errors=True)
            else:
                staging.rename(target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return target

    def _write(self, folder: Path, plots: bool) -> None:
        import yaml

        (folder / MARKER).write_text("orgsim results\n")
        (folder / "summary.json").write_text(json.dumps(self.summary_dict(), indent=2) + "\n")
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["replication", "metric", "value", "unit"])
        writer.writerows((rep, name, repr(value), unit) for rep, name, value, unit in self._rows())
        (folder / "replications.csv").write_text(buffer.getvalue())
        (folder / "scenario.yaml").write_text(
            yaml.safe_dump(self.resolved, sort_keys=False, allow_unicode=True))
        arrays = {f"series/{k}": v for k, v in self.series.items()}
        arrays.update({f"samples/{k}": v for k, v in self.samples.items()})
        arrays["bin_width"] = np.array(self.bin_width)
        arrays["warmup"] = np.array(self.warmup)
        np.savez_compressed(folder / "series.npz", **arrays)
        if plots:
            for stem, figure in self.plots().items():
                figure.savefig(folder / f"{stem}.png", dpi=110)

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
                                    summary.get("provenance", {}).get("warnings", []))))


def check_output_dir(target: Path) -> None:
    """Refuse, before any work, a folder orgsim must not replace or cannot write."""
    if target.exists() and not target.is_dir():
        raise OutputError(f"{target} is a file, not a folder; choose another --out folder")
    if target.exists() and not (target / MARKER).is_file() and any(target.iterdir()):
        raise OutputError(
            f"{target} exists and does not hold an earlier orgsim result; "
            "choose another --out folder or remove it")
    blocking = next((p for p in [target.parent, *target.parent.parents]
                     if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise OutputError(f"{blocking} is a file, so {target} cannot be made")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        probe = tempfile.mkdtemp(prefix=f".{target.name}.probe.", dir=target.parent)
        os.rmdir(probe)
    except OSError as error:
        raise OutputError(f"cannot write results beside {target}: {error.strerror or error}"
                          ) from None


def _json_float(value: float) -> float | None:
    return None if value != value else value
