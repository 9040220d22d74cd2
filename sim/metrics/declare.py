"""Declared metrics: each flow declares, once, the metrics it reports.

A declaration gives a metric's name (a family holds placeholders, as in
`support.type.<type>.wait.mean`), its kind, its bounds and a one-line meaning, and says
which names a scenario makes it report (without running it). Tables, `summary.json`, the
confidence-interval truncation, `orgsim metrics` and the README's reference all read them.

A flow module declares its list at import:

    SUPPORT_METRICS = declare("support", [Metric("support.utilisation", SHARE, "..."), ...],
                              active=lambda spec: spec.support is not None, order=10)

The registry fills as the flow modules are imported: importing `sim.replication` (which
builds every flow) declares everything a run can report.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

# kinds: how a value is read and written
DURATION = "duration"  # minutes, written as s/min/h/d
RATE = "rate"  # per day
SHARE = "share"  # a proportion, written in percent
COUNT = "count"  # a number of things over the observed window
MONEY = "money"  # in the scenario's currency, over the observed window
LEVEL = "level"  # a time-average number of things
KINDS = (DURATION, RATE, SHARE, COUNT, MONEY, LEVEL)

# the unit each kind writes in summary.json and replications.csv (as before declarations)
_UNITS = {DURATION: "min", RATE: "/d", SHARE: "share", COUNT: "items", MONEY: "money",
          LEVEL: "items"}
_KIND_OF_UNIT = {"min": DURATION, "/d": RATE, "share": SHARE, "money": MONEY}

_PLACEHOLDER = re.compile(r"<([a-z_]+)>")

if TYPE_CHECKING:
    from sim.scenario.schema import ScenarioSpec as Spec


@dataclass(frozen=True)
class Metric:
    """One metric, or a family of them (`fulfilment.<stage>.wait.mean`; with several
    placeholders, `values` gives a tuple per name: `campaign.<name>.ready_margin.<item>`).

    `low`/`high`: what the metric can be (None: unbounded); a confidence interval is
    truncated to them. `unit` names what a count or level counts ('units', 'items').
    `values(spec)`: the placeholder's values a scenario reports (families only).
    `when(spec)`: whether a scenario reports it, beyond its flow being on; `condition`
    says so in words (required with `when`, and for a family some scenarios leave empty).
    `per`: the metric is a ratio, each replication's value being its own count over the
    count the metric `per` is proportional to (abandoned over arrived: per
    'support.arrivals_per_day'; a family names its placeholder). Across replications it is
    then estimated as a ratio of means, value x per summed over per, with a delta-method
    interval (sim/metrics/estimate.py), not as the mean of the replications' ratios.
    """

    name: str
    kind: str
    meaning: str
    low: float | None = 0.0
    high: float | None = None
    unit: str | None = None
    values: Callable[[Spec], Sequence[str | tuple[str, ...]]] | None = None
    when: Callable[[Spec], bool] | None = None
    condition: str = ""
    per: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.name}: unknown kind {self.kind!r} (one of {KINDS})")
        if self.kind == SHARE and self.high is None:  # a share is at most 1 unless declared
            object.__setattr__(self, "high", 1.0)
        holes = _PLACEHOLDER.findall(self.name)
        if bool(holes) != (self.values is not None):
            raise ValueError(f"{self.name}: a family has <placeholders> and their values")
        if self.when is not None and not self.condition:
            raise ValueError(f"{self.name}: say when it is reported (condition)")
        if self.per is not None and _PLACEHOLDER.findall(self.per) != holes:
            raise ValueError(f"{self.name}: per={self.per} must hold the same placeholder")

    @property
    def is_family(self) -> bool:
        return self.values is not None

    @property
    def unit_name(self) -> str:
        """The unit written to summary.json: 'min', '/d', 'share', 'money' or a counted noun."""
        return self.unit or _UNITS[self.kind]

    @property
    def bounds_text(self) -> str:
        low = "-inf" if self.low is None else f"{self.low:g}"
        high = "inf" if self.high is None else f"{self.high:g}"
        return f"[{low}, {high}]"

    def names(self, spec: Spec) -> list[str]:
        """The names a scenario reports for this declaration (none when it does not apply)."""
        if self.when is not None and not self.when(spec):
            return []
        if self.values is None:
            return [self.name]
        parts = self._parts
        names = []
        for value in self.values(spec):
            holes = value if isinstance(value, tuple) else (value,)
            if len(holes) != len(parts) - 1:
                raise ValueError(f"{self.name}: {value!r} does not fill every placeholder")
            names.append(parts[0] + "".join(h + p for h, p in zip(holes, parts[1:],
                                                                  strict=True)))
        return names

    def denominator(self, name: str) -> str | None:
        """For a ratio (`per`), the metric its reported `name` is a ratio over; else None."""
        if self.per is None or not self.is_family:
            return self.per
        head, tail = self._parts
        value = name[len(head): len(name) - len(tail)]
        return _PLACEHOLDER.sub(lambda _: value, self.per)

    def matches(self, name: str) -> bool:
        if self.values is None:
            return name == self.name
        return self._pattern.fullmatch(name) is not None

    @property
    def _parts(self) -> list[str]:
        """A family's fixed text around its placeholders."""
        return _PLACEHOLDER.split(self.name)[::2]

    @property
    def _pattern(self) -> re.Pattern[str]:
        return re.compile(r".+".join(re.escape(part) for part in self._parts))

    def truncate(self, low: float, high: float) -> tuple[float, float]:
        """An interval cut to what the metric can be: its coverage can only grow."""
        if self.low is not None:
            low, high = max(low, self.low), max(high, self.low)
        if self.high is not None:
            low, high = min(low, self.high), min(high, self.high)
        return low, high


@dataclass(frozen=True)
class MetricGroup:
    """The metrics one flow reports, in the order it reports them; `order` places the group
    among the others in tables and listings (arrivals first, money last)."""

    flow: str
    metrics: tuple[Metric, ...]
    active: Callable[[Spec], bool]
    order: int

    def names(self, spec: Spec) -> list[str]:
        """The names a scenario reports. Consecutive families over the same values are
        listed value by value (all of one inquiry type's metrics, then the next type's), as
        a flow reports them."""
        if not self.active(spec):
            return []
        names: list[str] = []
        run: list[Metric] = []  # consecutive families over the same values
        for metric in (*self.metrics, None):
            if metric is not None and metric.is_family and (
                    not run or metric.values is run[0].values):
                run.append(metric)
                continue
            if run:
                expanded = [family.names(spec) for family in run]
                names += [name for per_value in zip(*expanded, strict=True)
                          for name in per_value]
                run = [metric] if metric is not None and metric.is_family else []
            if metric is not None and not metric.is_family:
                names += metric.names(spec)
        return names


_GROUPS: dict[str, MetricGroup] = {}


def declare(flow: str, metrics: Iterable[Metric], active: Callable[[Spec], bool],
            order: int) -> MetricGroup:
    """Register the metrics of `flow` (a re-import replaces the flow's own group)."""
    group = MetricGroup(flow, tuple(metrics), active, order)
    for other in _GROUPS.values():
        if other.flow == flow:
            continue
        for metric in group.metrics:
            if any(m.name == metric.name for m in other.metrics):
                raise ValueError(f"{metric.name} is declared by {other.flow} and {flow}")
    _GROUPS[flow] = group
    _LOOKUPS.clear()  # a new declaration may be the best match of a name looked up before
    return group


def groups() -> list[MetricGroup]:
    """Every declared group, in table order."""
    return sorted(_GROUPS.values(), key=lambda group: group.order)


def declared() -> list[Metric]:
    return [metric for group in groups() for metric in group.metrics]


def reported_names(spec: Spec) -> list[str]:
    """The metrics a run of `spec` reports, derived from the spec alone."""
    return [name for group in groups() for name in group.names(spec)]


_LOOKUPS: dict[str, Metric | None] = {}  # name -> its declaration: a summary asks hundreds


def lookup(name: str) -> Metric | None:
    """The declaration of a reported name: an exact name first, then the family whose fixed
    parts are longest (so `fulfilment.<stage>.wait.mean` never takes `fulfilment.wait.mean`)."""
    if name not in _LOOKUPS:
        _LOOKUPS[name] = _find(name)
    return _LOOKUPS[name]


def _find(name: str) -> Metric | None:
    best: Metric | None = None
    for metric in declared():
        if metric.values is None and metric.name == name:
            return metric
        if metric.is_family and metric.matches(name) and (
                best is None or len(metric.name) > len(best.name)):
            best = metric
    return best


def from_unit(name: str, unit: str) -> Metric:
    """A stand-in declaration for a metric known only by the unit a saved file gives it (a
    metric renamed or dropped since): bounds as the summary then had them, at least 0."""
    kind = kind_of_unit(unit)
    return Metric(name, kind, "(from a saved summary)", 0.0, 1.0 if kind == SHARE else None,
                  unit=None if unit in _KIND_OF_UNIT else unit)


def undeclared(name: str) -> Metric:
    """A stand-in for a derived row that no flow reports (a check's Little's-law gap):
    a plain number, unbounded."""
    return Metric(name, COUNT, "(not a reported metric)", None, None, unit="")


STATISTICS = (("mean", "mean"), ("p50", "median"), ("p90", "90th percentile"),
              ("p99", "99th percentile"))


def durations(prefix: str, meaning: str, **options: Any) -> list[Metric]:
    """The mean and percentiles `describe_durations` reports for a sample of durations."""
    return [Metric(f"{prefix}.{stat}", DURATION, f"{meaning}: {words}", **options)
            for stat, words in STATISTICS]


def kind_of_unit(unit: str) -> str:
    """The kind a unit written by an older summary.json stands for (a noun: a count)."""
    return _KIND_OF_UNIT.get(unit, COUNT)
