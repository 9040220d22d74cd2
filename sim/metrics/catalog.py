"""Units and kinds of metrics, from their names (files keep minutes; tables format them)."""

from __future__ import annotations

DURATION_WORDS = ("wait", "lead_time", "time_split", "response", "resolve", "transit")
SHARE_WORDS = ("_share", "service_level", "utilisation", "fill_rate", "on_time")
MONEY_PREFIXES = ("cost.", "revenue")


def metric_unit(name: str) -> str:
    """'min' for durations, 'share' for proportions, '/d' for daily rates, else a count unit."""
    if name.startswith(MONEY_PREFIXES):
        return "money"
    if name.endswith("_per_day"):
        return "/d"
    if any(word in name for word in SHARE_WORDS):
        return "share"
    if any(word in name for word in DURATION_WORDS):
        return "min"
    if name.startswith("inventory."):
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
