"""A comparison as text for the terminal: what was compared, how the scenarios differ, and the
table of differences with the correction it was flagged under."""

from __future__ import annotations

import math
from typing import Any

from sim.experiment.compare import CORRECTION, MISSING, Comparison, MetricComparison
from sim.metrics.catalog import format_value
from sim.metrics.declare import SHARE

MAX_VALUE_TEXT = 60  # a long value (a whole section) is cut in the scenario diff


def render_comparison(comparison: Comparison) -> str:
    base, alt = comparison.base, comparison.alt
    alt_name = alt.scenario_name + (f" with {', '.join(comparison.changes)}"
                                    if comparison.changes else "")
    lines = [f"base: {base.scenario_name}", f"alt:  {alt_name}",
             f"{comparison.replications} replication(s) each on seed {base.seed}: replication "
             "r of one is paired with replication r of the other (common random numbers)", "",
             "scenario differences (base -> alt):"]
    differences = comparison.scenario_diff()
    lines += [f"  {path}: {_value(a)} -> {_value(b)}" for path, a, b in differences]
    if not differences:
        lines.append("  none: the two scenarios are the same")
    lines += ["", *_table(comparison.rows), ""]
    family = comparison.family
    scope = "the metrics shown" if comparison.metrics else "every metric"
    lines.append(f"* significant: the paired 95% interval excludes 0 after {CORRECTION.title()}'s "
                 f"correction over {family} metric(s) ({scope}, family-wise error 5%)")
    lines.append("difference: alt - base per replication; relative: difference / base mean "
                 "(delta-method interval)")
    notes = [f"  {row.name}: {row.note}" for row in comparison.rows if row.note]
    if notes:
        lines += ["notes:", *notes]
    return "\n".join(lines)


def _table(rows: list[MetricComparison]) -> list[str]:
    table = [("metric", "base", "alt", "difference (95% CI)", "relative (95% CI)", "")]
    for row in rows:
        kind = row.kind
        base = format_value(row.base.mean, kind) if row.base else "-"
        alt = format_value(row.alt.mean, kind) if row.alt else "-"
        diff = relative = ""
        if row.diff is not None and row.diff.n:
            diff = _signed(row.diff.estimate, kind)
            if row.diff.low is not None:
                diff += f" ({_signed(row.diff.low, kind)} .. {_signed(row.diff.high, kind)})"
        if row.relative is not None and _finite(row.relative.estimate):
            relative = _percent(row.relative.estimate)
            if row.relative.low is not None:
                relative += (f" ({_percent(row.relative.low)} .. "
                             f"{_percent(row.relative.high)})")
        table.append((row.name, base, alt, diff, relative, "*" if row.significant else ""))
    widths = [max(len(r[i]) for r in table) for i in range(6)]
    lines = []
    for i, row in enumerate(table):
        lines.append(f"{row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]:>{widths[2]}}  "
                     f"{row[3]:<{widths[3]}}  {row[4]:<{widths[4]}}  {row[5]}".rstrip())
        if i == 0:
            lines.append("-" * (sum(widths) + 10))
    return lines


def _signed(value: float, kind: str) -> str:
    """A difference with its sign; a difference of shares in percentage points."""
    if kind == SHARE:
        return f"{value * 100:+.1f} pp"
    sign = "-" if value < 0 else "+"
    return sign + format_value(abs(value), kind)


def _percent(value: float) -> str:
    return f"{value * 100:+.1f}%"


def _finite(value: float) -> bool:
    return math.isfinite(value)


def _value(value: Any) -> str:
    text = "(absent)" if value is MISSING else repr(value) if isinstance(value, str) else str(
        value)
    return text if len(text) <= MAX_VALUE_TEXT else text[: MAX_VALUE_TEXT - 3] + "..."
