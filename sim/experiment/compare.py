"""Compare two runs made on the same seed and replications (common random numbers).

`Comparison` pairs replication r of the base run with replication r of the alternative, and
for every metric gives both means, the paired difference (alt - base) with its Student-t
interval, the relative change (difference / base mean) with a delta-method interval, and
whether the difference is significant after Holm's correction across the metrics shown.
`sim.compare` (sim/api.py) makes the two runs; the command `orgsim compare` wraps it.
"""

from __future__ import annotations

import dataclasses
import difflib
import fnmatch
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path
from typing import Any

import numpy as np

from sim.analysis.paired import (
    Interval,
    holm,
    paired_difference,
    paired_ratio_change,
    paired_ratio_difference,
    relative_change,
)
from sim.analysis.statistics import MeanCI
from sim.metrics.estimate import estimate, ratio_parts
from sim.output_folder import Content, OutputFolder
from sim.results import RESULT_FILES, Results, metric_declaration
from sim.scenario import Scenario, ScenarioError
from sim.scenario.load import SET_SOURCE, with_overrides

LEVEL = 0.95
ALPHA = 1 - LEVEL
CORRECTION = "holm"
CHANGE_SOURCE = "--change"
COMPARISON_FILES = ("comparison.json", "comparison.csv")
PLOT_FILE = "comparison.png"
RUN_FOLDERS = ("base", "alt")


# --- before running ------------------------------------------------------------------------


def apply_changes(scenario: Scenario, changes: Iterable[str] | dict[str, Any]) -> Scenario:
    """The scenario with `changes` (the --set syntax) applied; a bad change raises
    ScenarioError whose problems name --change."""
    try:
        return with_overrides(scenario, changes)
    except ScenarioError as error:
        raise ScenarioError([_as_change(p) for p in error.problems]) from None


def _as_change(problem):
    if problem.source != SET_SOURCE:
        return problem
    return dataclasses.replace(problem, source=CHANGE_SOURCE, message=problem.message.replace(
        f"(after {SET_SOURCE} ", f"(after {CHANGE_SOURCE} "))


def select_metrics(patterns: Sequence[str], available: Sequence[str]) -> list[str]:
    """The metrics `patterns` name (exact names, or shell patterns like 'support.*'), in the
    order `available` lists them; ValueError naming a pattern that matches nothing."""
    chosen: set[str] = set()
    for pattern in patterns:
        found = [name for name in available if fnmatch.fnmatchcase(name, pattern)]
        if not found:
            close = difflib.get_close_matches(pattern, available, n=1)
            guess = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(f"no metric {pattern!r} in these runs{guess}; `orgsim metrics "
                             "SCENARIO` lists them")
        chosen.update(found)
    return [name for name in available if name in chosen]


def reported_metrics(*specs) -> list[str]:
    """Every metric runs of these specs report, derived without running them."""
    import sim.replication  # noqa: F401  (importing the flows declares their metrics)
    from sim.metrics.declare import reported_names

    return list(dict.fromkeys(name for spec in specs for name in reported_names(spec)))


def plan_output(directory: str | Path) -> None:
    """Refuse (OutputError), before anything runs, a folder where the comparison or either
    run's results would overwrite a user's file."""
    folder = Path(directory)
    OutputFolder(folder).plan(COMPARISON_FILES + (PLOT_FILE,))
    for name in RUN_FOLDERS:
        OutputFolder(folder / name).plan(RESULT_FILES)


# --- the comparison ------------------------------------------------------------------------


@dataclass(frozen=True)
class MetricComparison:
    """One metric of a comparison."""

    name: str
    flow: str
    unit: str
    kind: str
    base: MeanCI | None  # None: the base run does not report it
    alt: MeanCI | None
    diff: Interval | None  # alt - base, paired; None unless both runs report it
    relative: Interval | None  # diff / base mean
    p_holm: float = math.nan  # Holm-adjusted p-value; nan when not tested
    note: str = ""

    @property
    def significant(self) -> bool:
        return self.p_holm == self.p_holm and self.p_holm < ALPHA


@dataclass
class Comparison:
    """Two runs on the same seed and replications, compared metric by metric.

    `changes`: what turned the base into the alternative (--change); `metrics`: the names
    (or shell patterns) the table and Holm's family are narrowed to (None: every metric).
    """

    base: Results
    alt: Results
    changes: tuple[str, ...] = ()
    metrics: tuple[str, ...] | None = None
    base_source: str | None = None
    alt_source: str | None = None
    level: float = field(default=LEVEL)

    def __post_init__(self) -> None:
        if self.base.seed != self.alt.seed or self.base.replications != self.alt.replications:
            raise ValueError("a comparison pairs runs on the same seed and replications; got "
                             f"seed {self.base.seed} with {self.base.replications} replications "
                             f"and seed {self.alt.seed} with {self.alt.replications}")
        if self.metrics is not None:
            self.metrics = tuple(self.metrics)
            select_metrics(self.metrics, self.available)  # fails early on an unknown name

    @property
    def replications(self) -> int:
        return self.base.replications

    @property
    def available(self) -> list[str]:
        """Every metric either run reports: the base's order, then the alternative's own."""
        return list(dict.fromkeys([*self.base.metrics, *self.alt.metrics]))

    @cached_property
    def rows(self) -> list[MetricComparison]:
        names = (self.available if self.metrics is None
                 else select_metrics(self.metrics, self.available))
        rows = [self._compare(name) for name in names]
        adjusted = holm([row.diff.p_value if row.diff else math.nan for row in rows])
        return [dataclasses.replace(row, p_holm=p) for row, p in zip(rows, adjusted, strict=True)]

    @property
    def family(self) -> int:
        """How many differences Holm's correction is taken over (those with a p-value)."""
        return sum(1 for row in self.rows if row.p_holm == row.p_holm)

    def _compare(self, name: str) -> MetricComparison:
        declared = metric_declaration(name, self.base.saved_units.get(name)
                                      or self.alt.saved_units.get(name))
        flow = flow_of(name)
        base_values = self.base.metrics.get(name)
        alt_values = self.alt.metrics.get(name)
        # a ratio metric (abandoned per arrival): ratios of means, their paired change by the
        # delta method, when both runs hold its denominator
        base_per = ratio_parts(name, self.base.metrics)
        alt_per = ratio_parts(name, self.alt.metrics)
        base = None if base_values is None else estimate(base_values, base_per, self.level)
        alt = None if alt_values is None else estimate(alt_values, alt_per, self.level)
        if base_values is None or alt_values is None:
            only = "base" if alt_values is None else "alternative"
            return MetricComparison(name, flow, declared.unit_name, declared.kind, base, alt,
                                    None, None, note=f"only the {only} reports it")
        if base_per is not None and alt_per is not None:
            parts = (np.multiply(base_values, base_per), base_per,
                     np.multiply(alt_values, alt_per), alt_per)
            diff = paired_ratio_difference(*parts, self.level)
            relative = paired_ratio_change(*parts, self.level)
        else:
            diff = paired_difference(base_values, alt_values, self.level)
            relative = relative_change(base_values, alt_values, self.level)
        notes = []
        if diff.n >= 2 and diff.std_error == 0 and diff.estimate == 0:
            # the change does not reach it (the runs share its random numbers): no test
            diff = diff._replace(p_value=math.nan)
            notes.append("identical in every replication (not tested)")
        if diff.n < self.replications:
            notes.append(f"paired over the {diff.n} of {self.replications} replications "
                         "both define")
        if diff.n < 2:
            notes.append("too few for an interval")
        elif relative.estimate != relative.estimate:
            notes.append("no relative change: the base mean is 0")
        return MetricComparison(name, flow, declared.unit_name, declared.kind, base, alt,
                                diff, relative, note="; ".join(notes))

    # --- views -------------------------------------------------------------------------

    def table(self):
        """A tidy pandas DataFrame, one row per metric: the means and intervals of both runs,
        the paired difference, the relative change, p-values (raw and Holm) and the flag."""
        import pandas as pd

        return pd.DataFrame([_row(row) for row in self.rows], columns=TABLE_COLUMNS)

    def scenario_diff(self) -> list[tuple[str, Any, Any]]:
        """(path, base value, alt value) for every resolved input that differs; a value one
        scenario lacks is MISSING."""
        return resolved_diff(self.base.resolved, self.alt.resolved)

    def to_dict(self) -> dict[str, Any]:
        """What comparison.json holds."""
        metrics = {}
        for row in self.rows:
            metrics[row.name] = {
                "flow": row.flow, "unit": row.unit, "kind": row.kind,
                "base": _estimate(row.base, self._declared(row)),
                "alt": _estimate(row.alt, self._declared(row)),
                "diff": _interval(row.diff),
                "relative": _number(row.relative.estimate) if row.relative else None,
                "relative_ci95": _bounds(row.relative) if row.relative else None,
                "p_value": _number(row.diff.p_value) if row.diff else None,
                "p_holm": _number(row.p_holm),
                "significant": row.significant,
                "note": row.note,
            }
        return {
            "base": {"scenario": self.base.scenario_name, "source": self.base_source,
                     "results": "base/"},
            "alt": {"scenario": self.alt.scenario_name, "source": self.alt_source,
                    "results": "alt/"},
            "replications": self.replications,
            "seed": self.base.seed,
            "changes": list(self.changes),
            "scenario_diff": [{"path": path, "base": _plain(a), "alt": _plain(b)}
                              for path, a, b in self.scenario_diff()],
            "correction": {"method": CORRECTION, "family": self.family, "level": self.level,
                           "metrics": list(self.metrics) if self.metrics else "all"},
            "metrics": metrics,
        }

    def _declared(self, row: MetricComparison):
        return metric_declaration(row.name, self.base.saved_units.get(row.name))

    def plot(self):
        """The forest plot: each metric's relative change with its interval, by flow."""
        from sim.plots.compare import forest_figure

        return forest_figure(self.table(), family=self.family, replications=self.replications)

    def save(self, directory: str | Path, plots: bool = True) -> Path:
        """comparison.json, comparison.csv and comparison.png in `directory`, listed in its
        manifest; the runs as ordinary results in base/ and alt/. A user's files stay; one
        where orgsim writes is refused (OutputError) before anything is written."""
        folder = Path(directory)
        plan_output(folder)
        for name, results in zip(RUN_FOLDERS, (self.base, self.alt), strict=True):
            results.save(folder / name, plots=plots)
        return OutputFolder(folder).write(self._outputs(plots))

    def _outputs(self, plots: bool) -> dict[str, Content]:
        outputs: dict[str, Content] = {
            "comparison.json": json.dumps(self.to_dict(), indent=2) + "\n",
            "comparison.csv": self.table().to_csv(index=False),
        }
        if plots:
            outputs[PLOT_FILE] = partial(self.plot().savefig, dpi=110)
        return outputs


TABLE_COLUMNS = ["metric", "flow", "unit", "kind", "base_mean", "base_low", "base_high",
                 "alt_mean", "alt_low", "alt_high", "n", "diff_mean", "diff_low", "diff_high",
                 "relative", "relative_low", "relative_high", "p_value", "p_holm",
                 "significant", "note"]


def _row(row: MetricComparison) -> list[Any]:
    def three(estimate) -> list[Any]:
        if estimate is None:
            return [math.nan] * 3
        value = estimate.mean if isinstance(estimate, MeanCI) else estimate.estimate
        return [value, _nan(estimate.low), _nan(estimate.high)]

    n = row.diff.n if row.diff else 0
    return [row.name, row.flow, row.unit, row.kind, *three(row.base), *three(row.alt), n,
            *three(row.diff), *three(row.relative),
            row.diff.p_value if row.diff else math.nan, row.p_holm, row.significant, row.note]


def _nan(value: float | None) -> float:
    return math.nan if value is None else value


def _number(value: float) -> float | None:
    return None if value != value or math.isinf(value) else value


def _bounds(interval) -> list[float] | None:
    return None if interval.low is None else [interval.low, interval.high]


def _estimate(estimate: MeanCI | None, declared) -> dict[str, Any] | None:
    if estimate is None:
        return None
    ci = (list(declared.truncate(estimate.low, estimate.high))
          if estimate.low is not None else None)  # as summary.json: within the bounds
    return {"mean": _number(estimate.mean), "ci95": ci, "n": estimate.n}


def _interval(interval: Interval | None) -> dict[str, Any] | None:
    if interval is None:
        return None
    return {"mean": _number(interval.estimate), "ci95": _bounds(interval), "n": interval.n}


# --- which flow reports a metric -------------------------------------------------------------


def flow_of(name: str) -> str:
    """The flow whose declarations hold `name` ('other' for an undeclared name)."""
    import sim.replication  # noqa: F401  (importing the flows declares their metrics)
    from sim.metrics.declare import groups

    for group in groups():
        if any(metric.matches(name) for metric in group.metrics):
            return group.flow
    return "other"


# --- structured diff of two resolved scenarios ----------------------------------------------


class _Missing:
    def __repr__(self) -> str:
        return "(absent)"


MISSING: Any = _Missing()


def resolved_diff(base: Any, alt: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """The dotted paths where two resolved scenarios differ (list items by index), with the
    base and alternative values; a side that lacks the path has MISSING."""
    if isinstance(base, dict) and isinstance(alt, dict):
        keys = list(dict.fromkeys([*base, *alt]))
        return [d for key in keys for d in resolved_diff(
            base.get(key, MISSING), alt.get(key, MISSING), _join(path, key))]
    if isinstance(base, list) and isinstance(alt, list):
        width = max(len(base), len(alt))
        return [d for i in range(width) for d in resolved_diff(
            base[i] if i < len(base) else MISSING, alt[i] if i < len(alt) else MISSING,
            _join(path, i))]
    if base == alt and type(base) is type(alt):
        return []
    return [(path, base, alt)]


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _plain(value: Any) -> Any:
    """A JSON value: MISSING as None, the rest as the scenario had it."""
    return None if value is MISSING else value
