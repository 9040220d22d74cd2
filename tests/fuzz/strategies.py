"""Hypothesis strategies for scenario files: mutations of the bundled scenarios (shrunk to a
short horizon so each case runs in a fraction of a second), random documents built from the
schema's own vocabulary, and text-level damage that the YAML parser has to survive."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = sorted((ROOT / "scenarios").glob("*.yaml")) + sorted(
    (ROOT / "scenarios" / "validation").glob("*.yaml"))

# Each base is cut to one short replication: the fuzzing is about input handling, and the
# run-size limit (set by the test) refuses whatever a mutation blows up.
SHRINK = {"horizon": "2d", "warmup": "12h", "replications": 1}


def _shrunk(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    data.update(SHRINK)
    return data


def _with_timeline(data: dict[str, Any]) -> dict[str, Any]:
    """The base with a timeline naming its own flows, first team and first supplier, so the
    mutations reach the timeline's windows, names and factors too."""
    data = copy.deepcopy(data)
    scale = {flow: factor for flow, factor in (("support", 0), ("demand", 3)) if flow in data}
    timeline: list[dict[str, Any]] = [{"from": "6h", "to": "12h", "scale": scale}] if scale \
        else []
    if data.get("teams"):
        timeline.append({"from": "1d", "to": "30h", "staff": {next(iter(data["teams"])): 2}})
    if data.get("suppliers"):
        timeline.append({"from": "10h", "outage": {"supplier": next(iter(data["suppliers"]))}})
    data["timeline"] = timeline
    return data


BASES = {path.stem: _shrunk(path) for path in BUNDLED}
BASES.update({f"{name}+timeline": _with_timeline(data) for name, data in list(BASES.items())})

# Values a user (or a careless edit) might put anywhere: wrong types, wrong units, zeros,
# negatives, huge numbers, not-a-number, distribution texts with doubtful parameters.
ODD_SCALARS = [
    None, True, False, "yes", "", " ", 0, 1, -1, 7, 2**31, 10**12, 0.0, -0.5, 6.5, 1e308,
    float("nan"), float("inf"), float("-inf"), "7", "nan", "inf",
    "0s", "1s", "-5m", "30", "30x", "1e9d", "100000d", "3w", "1.5h", "12:00", "25:61",
    "0/h", "5/h", "-5/h", "1000000/s", "2000/d", "1/w",
    "always", "never", "08:00-17:00", "22:00-06:00 mon-fri", "17:00-17:00", "mon",
    "exp(3m)", "exp(0m)", "exp(-1m)", "const(0s)", "const(5m)", "normal(1m, 5m)",
    "lognormal(0m, 1m)", "lognormal(8m, 5m)", "uniform(5m, 1m)", "uniform(1m, 5m)",
    "gamma(2h, 1h)", "triangular(1m, 2m, 3m)", "poisson(2)", "exp(3)", "expo(3m)",
    "empirical(nosuch.csv)", "empirical(/etc/passwd)", "{dist: exp}", "[1, 2",
    "main", "support", "warehouse", "overseas", "nosuch", "down", "tech", "sev2",
    "delay", "run", "marketing", "supply",
]

VOCABULARY = sorted({
    "name", "description", "horizon", "warmup", "replications", "seed", "teams", "members",
    "shift", "shifts", "cost_per_hour", "support", "team", "arrivals", "rate", "handle_time",
    "patience", "service_level_target", "inquiry_types", "share", "priority",
    "daily_profile", "weekly_profile", "demand", "orders", "catalog", "products", "generate",
    "suppliers", "lead_time", "policy", "kind", "min", "max", "reorder_point", "quantity",
    "stockout", "fulfilment", "stages", "time_per_order", "time_per_line", "rework",
    "cutoff", "delivery", "carriers", "transit", "pickups", "promise", "contacts", "costs",
    "output", "bin", "extends", "supplier", "on_time", "late_delay", "price", "count",
    "timeline", "from", "to", "scale", "staff", "outage",
    "site", "capacity", "visits_per_order", "servers", "base_latency", "timeout", "tech",
    "incidents", "fix_time", "triage", "second_engineer", "load_rate", "detect", "on_call",
    "page", "off_shift_page", "features", "effort", "deadline", "work", "depends_on", "due",
    "deploys", "days", "change_failure", "severity", "at", "inquiries",
    "campaigns", "start", "length", "uplift", "uplift_by_product", "uplift_without_page",
    "brief", "briefed", "by", "prerequisites", "forecast", "staffing", "if_late", "after",
    "factor", "error",
})

# Plausible values of each kind, so that most tweaked scenarios still run to the end and the
# fuzzing reaches the model (conservation is checked at the end of every run), not only the
# validator.
PLAUSIBLE = {
    "distribution": ["exp(2m)", "const(1m)", "lognormal(5m, 2m)", "uniform(1m, 3m)",
                     "gamma(20m, 10m)", "triangular(1m, 2m, 4m)", "normal(10m, 2m)"],
    "rate": ["1/h", "30/h", "200/d", "2000/d", "0/h"],
    "duration": ["0s", "30s", "5m", "2h", "1d", "3d"],
    "clock": ["00:00", "06:00", "12:30", "17:00", "23:59"],
    "number": [0, 1, 2, 3, 5, 10, 0.5, 0.05, 0.95, 100, 1000],
}


def kind_of(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return "number"
    if not isinstance(value, str):
        return None
    if "(" in value:
        return "distribution"
    if "/" in value:
        return "rate"
    if ":" in value and len(value) <= 5:
        return "clock"
    if value[:1].isdigit() and value[-1:] in "smhdw":
        return "duration"
    return None


scalars = st.sampled_from(ODD_SCALARS)
keys = st.sampled_from(VOCABULARY) | st.text(min_size=1, max_size=8)

documents = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(keys, children, max_size=6),
    max_leaves=40,
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path into the document (mapping keys and list indices), parents first."""
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


def _parent(doc: Any, path: tuple) -> Any:
    for part in path[:-1]:
        doc = doc[part]
    return doc


@st.composite
def mutated_scenarios(draw) -> dict[str, Any]:
    """A bundled scenario with one to four things changed: mostly a value swapped for another
    plausible one of its kind (the run goes on), sometimes something odd (it is refused).

    Places and actions are picked by a seeded Random that hypothesis draws: picking them with
    sampled_from would bias every case towards the first keys (name, horizon) of a file."""
    rnd = draw(st.randoms(use_true_random=False))
    doc = copy.deepcopy(BASES[rnd.choice(sorted(BASES))])
    for _ in range(rnd.randint(1, 4)):
        paths = _paths(doc)
        if not paths:
            break
        path = rnd.choice(paths)
        parent, last = _parent(doc, path), path[-1]
        action = rnd.choice(["tweak"] * 7 + ["replace", "replace", "delete", "rename", "graft",
                                            "wrap", "document"])
        kind = kind_of(parent[last])
        if action == "tweak" and kind is not None:
            parent[last] = rnd.choice(PLAUSIBLE[kind])
        elif action == "tweak" and isinstance(parent, dict) and len(path) > 1:
            del parent[last]  # an optional key or section left out
        elif action == "replace":
            parent[last] = rnd.choice(ODD_SCALARS)
        elif action == "delete":
            del parent[last]
        elif action == "rename" and isinstance(parent, dict):
            parent[draw(keys)] = parent.pop(last)
        elif action == "graft":  # another section's subtree where this one was
            other = rnd.choice(paths)
            parent[last] = copy.deepcopy(_parent(doc, other)[other[-1]])
        elif action == "wrap":
            parent[last] = [parent[last]]
        elif action == "document":
            parent[last] = draw(documents)
    return doc


def dump(doc: Any) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


@st.composite
def damaged_texts(draw) -> str:
    """A bundled scenario's text cut short, or with a few characters changed or inserted."""
    text = dump(BASES[draw(st.sampled_from(sorted(BASES)))])
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        change = draw(st.sampled_from(["cut", "insert", "replace"]))
        piece = draw(st.sampled_from([":", "-", "{", "}", "[", "]", "'", '"', "&a", "*a",
                                      "!!python/object:os.system", "\t", "  ", "\n", "#",
                                      "? ", "|", ">", "%YAML 1.1\n", "<<: *a"]))
        if change == "cut":
            text = text[:at]
        elif change == "insert":
            text = text[:at] + piece + text[at:]
        else:
            text = text[:at] + piece + text[at + len(piece):]
    return text
