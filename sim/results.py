"""Results of a run: metrics per replication, summaries with confidence intervals, series and
samples for plots, provenance; saved to a folder and loaded back without re-running."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from sim.metrics.declare import Metric, from_unit, lookup, undeclared
from sim.metrics.estimate import metric_estimate
from sim.metrics.record_table import CATEGORICAL, RecordTable, window
from sim.output_folder import Content, OutputError, OutputFolder

__all__ = ["RESULT_FILES", "OutputError", "Results", "RunFacts", "check_output_dir"]

# the files every save writes, whatever flows ran; the plots come on top, and with entity
# records one file per kind under records/
RESULT_FILES = ("summary.json", "replications.csv", "scenario.yaml", "series.npz")
RECORDS_FOLDER = "records"


@dataclass(frozen=True)
class RunFacts:
    """What the plots need to know about the scenario a run came from, typed (minutes), so
    they never read the resolved YAML. Add a field here when a plot needs one more fact; an
    older summary.json without it then loads with the field's default."""

    horizon: float  # one replication's simulated time
    warmup: float  # left out of the statistics
    promise: float | None = None  # the delivery promise, placed to delivered
    # SKU -> replenishment policy type ('rQ', 'sS', 'base_stock', 'forecast') of every
    # product that has a policy, listed or generated
    policy_types: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, spec) -> RunFacts:
        """The facts of a validated `ScenarioSpec`."""
        from sim.scenario.catalog_plan import policy_types

        promise = spec.delivery.promise if spec.delivery is not None else None
        return cls(spec.horizon, spec.warmup, promise, policy_types(spec.catalog))

    def to_json(self) -> dict[str, Any]:
        return {"horizon": self.horizon, "warmup": self.warmup, "promise": self.promise,
                "policy_types": dict(self.policy_types)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunFacts:
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        return cls(**known)

    @classmethod
    def of_resolved(cls, resolved: Any) -> RunFacts | None:
        """The facts of a saved scenario.yaml (results saved before summary.json held them);
        None when it no longer validates (a field renamed since, a data file gone)."""
        from sim.scenario import ScenarioError, scenario_from_dict

        if not isinstance(resolved, dict):
            return None
        try:
            return cls.of(scenario_from_dict(resolved).spec)
        except (ScenarioError, ValueError, TypeError, OSError):
            return None


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
    # entity records by kind, every replication (when the run kept them); a loaded result
    # holds the Parquet file's path until the records are asked for
    record_tables: dict[str, RecordTable | Path] = field(default_factory=dict)
    # typed facts of the scenario for the plots (horizon, promise, policy types); None for a
    # folder saved by an older version whose scenario.yaml no longer validates
    facts: RunFacts | None = None

    @property
    def replications(self) -> int:
        return len(next(iter(self.metrics.values()))) if self.metrics else 0

    # --- summaries ---------------------------------------------------------------------------

    def declaration(self, name: str) -> Metric:
        """What the flow that reports `name` declared about it (its kind, unit, bounds)."""
        return metric_declaration(name, self.saved_units.get(name))

    def summary_dict(self) -> dict[str, Any]:
        """{'scenario', 'seed', 'replications', 'metrics': {name: {mean, ci95, unit, kind,
        n}}, 'warnings': [...], 'provenance': {...}, 'facts': {...}}; `n` counts the
        replications that defined the metric (a mean over fewer replications than the run
        had says so); `facts` are the run's `RunFacts` (absent when it has none)."""
        metrics = {}
        for name in self.metrics:
            metric = self.declaration(name)  # (declares every flow's metrics first)
            estimate = metric_estimate(name, self.metrics)  # a ratio: ratio of means
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
        summary = {"scenario": self.scenario_name, "seed": self.seed,
                   "replications": self.replications, "metrics": metrics,
                   "warnings": list(self.warnings), "provenance": self.provenance}
        if self.facts is not None:
            summary["facts"] = self.facts.to_json()
        return summary

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
        """A metric's estimate across replications: the mean, or a ratio metric's ratio of
        means (as the summary gives it)."""
        self.declaration(metric)  # (declares every flow's metrics first)
        return metric_estimate(metric, self.metrics).mean

    # --- entity records ------------------------------------------------------------------

    def records(self, flow: str, after_warmup: str | None = None):
        """The entity records of `flow` ('support': inquiries, 'orders') as a pandas
        DataFrame: one row per entity per replication, finished or open at the horizon,
        with `replication`, `id`, `type`, `created`, `finished` (nan while open), `outcome`
        and `split.<component>` (minutes); `attrs['components']` tags each component
        operations or collaboration.

        Every entity is kept, warm-up included. `after_warmup='created'` keeps those created
        after warm-up, `'finished'` those finished after it (the windows the metrics use:
        waits count inquiries arriving after warm-up, lead times orders delivered after it).
        """
        if not self.record_tables:
            raise LookupError("this run kept no entity records: run it with records=True "
                              "(orgsim run --records)")
        if flow not in self.record_tables:
            raise LookupError(f"no records of {flow!r}; this run kept records of "
                              f"{', '.join(sorted(self.record_tables))}")
        frame = records_frame(self._record_table(flow))
        if after_warmup is None:
            return frame
        return window(frame, self.warmup, by=after_warmup).reset_index(drop=True)

    def _record_table(self, flow: str) -> RecordTable:
        table = self.record_tables[flow]
        if isinstance(table, Path):  # saved: read on first use
            table = self.record_tables[flow] = RecordTable.read_parquet(table)
        return table

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
        for flow in self.record_tables:
            outputs[f"{RECORDS_FOLDER}/{flow}.parquet"] = self._record_table(flow).write_parquet
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
        facts = (RunFacts.from_json(summary["facts"]) if "facts" in summary
                 else RunFacts.of_resolved(resolved))  # saved before summary.json held them
        records = {Path(name).stem: folder / name
                   for name in sorted(OutputFolder(folder).ownership().files)
                   if name.startswith(f"{RECORDS_FOLDER}/") and name.endswith(".parquet")}
        return cls(summary["scenario"], summary["seed"], resolved,
                   {k: np.asarray(v) for k, v in metrics.items()}, series, samples,
                   bin_width, warmup, summary.get("provenance", {}),
                   list(summary.get("warnings",  # results saved before warnings moved out
                                    summary.get("provenance", {}).get("warnings", []))),
                   {name: entry["unit"] for name, entry in summary["metrics"].items()
                    if "unit" in entry}, records, facts)


def check_output_dir(target: Path, record_kinds: tuple[str, ...] = ()) -> None:
    """Refuse, before any work, a folder where a result file would overwrite a user's file
    (`record_kinds`: the entity records the run will write under records/).

    The plots are named only at save time, so `save` checks again with every file.
    """
    OutputFolder(target).plan(RESULT_FILES + tuple(f"{RECORDS_FOLDER}/{kind}.parquet"
                                                   for kind in record_kinds))


def records_frame(table: RecordTable):
    """A record table as a pandas DataFrame with the same columns (`type` and `outcome`
    categorical); `attrs` hold the kind and each component's tag."""
    import pandas as pd

    data = {name: (pd.Categorical.from_codes(values, table.categories[name])
                   if name in CATEGORICAL else values)
            for name, values in table.columns.items()}
    frame = pd.DataFrame(data)
    frame.attrs["kind"] = table.kind
    frame.attrs["components"] = dict(table.components)
    return frame


def record_kinds(spec) -> tuple[str, ...]:
    """The kinds of entity records a run of `spec` keeps (and writes under records/)."""
    import sim.replication  # noqa: F401  (importing the flows declares their entity kinds)
    from sim.metrics.records import recorded_kinds

    return tuple(kind.name for kind in recorded_kinds(spec))


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
