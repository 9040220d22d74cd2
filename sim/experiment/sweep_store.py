"""A sweep's folder: `sweep.json` (what the sweep is), one Parquet file per finished point
under `points/`, and at the end `points.parquet` and `summary.parquet`.

Everything goes through the output folder's manifest, so the user's files stay. A folder
holding a sweep resumes only when its record equals the new one (same resolved scenario,
varies, design, replications, seed, orgsim version); otherwise the sweep is refused with
what changed, unless restarted (which replaces orgsim's own files only).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from sim.output_folder import Content, OutputError, OutputFolder

RECORD = "sweep.json"
POINTS_FOLDER = "points"
RECORD_FORMAT = 1


class SweepChanged(OutputError):
    """The folder holds another sweep; the message says what changed and how to go on."""


def scenario_hash(resolved: Mapping[str, Any]) -> str:
    text = json.dumps(plain(resolved), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def plain(data: Any) -> Any:
    """JSON's view of the resolved scenario (what is stored and compared)."""
    return json.loads(json.dumps(data, default=str))


def point_file(point: int, count: int) -> str:
    return f"{POINTS_FOLDER}/{point:0{max(4, len(str(count - 1)))}d}.parquet"


class SweepStore:
    """The folder of one sweep."""

    def __init__(self, path: str | Path) -> None:
        self.folder = OutputFolder(path)
        self.path = self.folder.path

    def begin(self, record: dict[str, Any], restart: bool) -> list[int]:
        """Claim the folder for the sweep `record` describes; the points already done.

        A fresh folder (or `restart`) gets the record and loses orgsim's earlier files; a
        folder of the same sweep keeps its finished points; another sweep is refused."""
        count = len(record["parameters"])
        previous = None if restart else self._read_record()
        if previous is not None:
            changes = describe_changes(previous, record)
            if changes:
                raise SweepChanged(
                    f"{self.path}: {'; '.join(changes)}; rerun with --restart to start "
                    "afresh (it replaces orgsim's files there) or choose another --out folder")
            owned = self.folder.ownership().files
            return [p for p in range(count)
                    if point_file(p, count) in owned and (self.path / point_file(p, count))
                    .is_file()]
        # the record alone: write() removes every other file orgsim wrote here before
        self.folder.write({RECORD: _record_text(record)})
        return []

    def _read_record(self) -> dict[str, Any] | None:
        if RECORD not in self.folder.ownership().files:
            self.folder.plan([RECORD])  # refuses a sweep.json of the user's
            return None
        try:
            return json.loads((self.path / RECORD).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # orgsim's but unreadable (cut short): start afresh

    def plan(self, paths: list[str]) -> None:
        """Refuse, before any work, a folder where these paths are taken by the user."""
        self.folder.plan(paths)

    def write_point(self, point: int, count: int, table: dict[str, np.ndarray]) -> None:
        self.folder.add({point_file(point, count): parquet_writer(table)})

    def read_point(self, point: int, count: int) -> dict[str, np.ndarray]:
        import pyarrow.parquet as pq

        table = pq.read_table(self.path / point_file(point, count))
        return {name: table.column(name).to_numpy() for name in table.column_names}

    def finish(self, outputs: Mapping[str, Content]) -> None:
        self.folder.add(outputs)


def _record_text(record: dict[str, Any]) -> str:
    return json.dumps(record, indent=1) + "\n"


def parquet_writer(columns: Mapping[str, np.ndarray]) -> Content:
    """Content that writes `columns` (name -> array, in order) as one Parquet table."""

    def write(path: Path) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        arrays = [pa.array(np.asarray(v)) for v in columns.values()]
        pq.write_table(pa.Table.from_arrays(arrays, names=list(columns)), path)

    return write


# --- what changed ------------------------------------------------------------------------

_DESIGN_FIELDS = (("design", "--design"), ("points", "--points"), ("reps", "--reps"),
                  ("seed", "--seed"), ("version", "orgsim version"))


def describe_changes(before: Mapping[str, Any], now: Mapping[str, Any]) -> list[str]:
    """What differs between two sweeps' records, in words; nothing for the same sweep."""
    changes = []
    if before.get("format") != now.get("format"):
        changes.append(f"the sweep record's format changed: {before.get('format')} -> "
                       f"{now.get('format')}")
    old_scenario, new_scenario = before.get("scenario", {}), now["scenario"]
    if old_scenario.get("hash") != new_scenario["hash"]:
        diff = diff_paths(old_scenario.get("resolved", {}), new_scenario["resolved"])
        shown = ", ".join(diff[:3]) + (f" and {len(diff) - 3} more" if len(diff) > 3 else "")
        changes.append(f"the scenario changed since the sweep began: {shown or 'its content'}")
    old_varies = [f"{v['key']}={v['spec']}" for v in before.get("varies", [])]
    new_varies = [f"{v['key']}={v['spec']}" for v in now["varies"]]
    if old_varies != new_varies:
        changes.append(f"--vary changed: {' '.join(old_varies) or 'none'} -> "
                       f"{' '.join(new_varies)}")
    for field, name in _DESIGN_FIELDS:
        if before.get(field) != now[field]:
            changes.append(f"{name} changed: {before.get(field)} -> {now[field]}")
    return changes


def diff_paths(before: Any, now: Any, path: str = "") -> list[str]:
    """`teams.support.members 4 -> 5` for each leaf that differs."""
    if isinstance(before, dict) and isinstance(now, dict):
        found = []
        for key in list(before) + [k for k in now if k not in before]:
            where = f"{path}.{key}" if path else str(key)
            if key not in now:
                found.append(f"{where} removed")
            elif key not in before:
                found.append(f"{where} added")
            else:
                found.extend(diff_paths(before[key], now[key], where))
        return found
    if isinstance(before, list) and isinstance(now, list) and len(before) == len(now):
        return [line for i, (a, b) in enumerate(zip(before, now, strict=True))
                for line in diff_paths(a, b, f"{path}.{i}")]
    if before != now:
        return [f"{path} {_short(before)} -> {_short(now)}"]
    return []


def _short(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else value
    return text if len(text) <= 40 else text[:37] + "..."
