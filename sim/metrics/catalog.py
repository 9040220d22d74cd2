"""How declared metrics read: values formatted by their kind, and the reference of every
declared metric (`orgsim metrics`, the README). Files keep minutes; tables format them."""

from __future__ import annotations

from collections.abc import Iterable

from sim.metrics.declare import COUNT, DURATION, MONEY, RATE, SHARE, Metric, groups


def format_value(value: float, kind: str) -> str:
    """A readable value for tables: durations in s/min/h/d, shares in percent."""
    from sim.units import format_duration

    if value != value:  # nan
        return "n/a"
    if kind == DURATION:
        return format_duration(value)
    if kind == SHARE:
        return f"{value * 100:.1f}%" if abs(value) >= 0.001 or value == 0 else f"{value:.2e}"
    if kind == MONEY:
        return f"{value:,.0f}"
    if kind == RATE:
        return f"{value:,.1f} /d"
    return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def unit_words(metric: Metric) -> str:
    """The unit as a reader says it: 'duration', 'per day', 'share', 'money', 'units'..."""
    if metric.kind == DURATION:
        return "duration"
    if metric.kind == RATE:
        return "per day"
    if metric.kind in (SHARE, MONEY):
        return metric.kind
    noun = metric.unit_name
    return f"{noun} (time-average)" if metric.kind != COUNT else noun


def reference_rows(metrics: Iterable[Metric], conditions: bool = True
                   ) -> list[tuple[str, str, str]]:
    """(name, unit, meaning) per metric; with `conditions`, a conditional metric says when it
    is reported (a scenario's own list leaves that out: there, it is)."""
    return [(m.name, unit_words(m),
             m.meaning + (f" ({m.condition})" if conditions and m.condition else ""))
            for m in metrics]


def reference_markdown() -> str:
    """Every declared metric as a Markdown table per flow (the README's metric reference)."""
    parts = []
    for group in groups():
        if not group.metrics:
            continue
        lines = [f"**{group.flow}**", "", "| metric | unit | bounds | meaning |",
                 "|---|---|---|---|"]
        lines += [f"| `{name}` | {unit} | {metric.bounds_text} | {meaning} |"
                  for metric, (name, unit, meaning)
                  in zip(group.metrics, reference_rows(group.metrics), strict=True)]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"
