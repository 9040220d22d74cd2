"""Units and kinds of metrics, from their names (files keep minutes; tables format them)."""

from __future__ import annotations

# their .mean/.p50/.p90/.p99 are minutes
DURATION_STATS = {"wait", "wait_all", "lead_time", "time_to_resolve", "preempted_wait",
                  "wait_window"}
SHARES = {"service_level", "utilisation", "fill_rate"}
STATISTICS = {"mean", "p50", "p90", "p99"}


def metric_unit(name: str) -> str:
    """'min' for durations, 'share' for proportions, '/d' for daily rates, 'money', or a count
    unit. Decided from the structure of the name (its last segments), never from words that
    a user's own names (inquiry types, stages, SKUs) in the middle of it could contain."""
    parts = name.split(".")
    last = parts[-1]
    if parts[0] == "cost" or name == "revenue":
        return "money"
    if last.endswith("_per_day"):
        return "/d"
    if last.endswith("_share") or last in SHARES or (len(parts) == 3 and parts[1] in SHARES):
        # ... or one per member group: support.utilisation.<group>
        return "share"
    if len(parts) >= 2 and parts[-2] == "time_split":
        return "min"
    if len(parts) >= 2 and last in STATISTICS and parts[-2] in DURATION_STATS:
        return "min"
    if parts[0] == "inventory":
        return "units"
    return "items"


def format_value(value: float, unit: str) -> str:
    """A readable value for tables: durations in s/min/h/d, shares in percent."""
    from sim.units import format_duration

    if value != value:  # nan
        return "n/a"
    if unit == "min":
        return format_duration(value)
    if unit == "share":
        return f"{value * 100:.1f}%" if abs(value) >= 0.001 or value == 0 else f"{value:.2e}"
    if unit == "money":
        return f"{value:,.0f}"
    if unit == "/d":
        return f"{value:,.1f} /d"
    return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
