"""Records as a table: numpy columns that travel between processes, concatenate across
replications, and become a Parquet file (or a pandas DataFrame: `sim.results`).

`type` and `outcome` are small integer codes into their names (`categories`); a DataFrame
shows them as pandas categoricals, a Parquet file as dictionary-encoded strings. `finished`
is nan in memory and in pandas, null in Parquet, while an entity is open.

pyarrow is imported only here, and only by the functions that read or write Parquet, so a
run without records never loads it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# the fixed columns of every kind, before its `split.<component>` columns
BASE_COLUMNS = ("replication", "id", "type", "created", "finished", "outcome")
SPLIT_PREFIX = "split."
CATEGORICAL = ("type", "outcome")
_METADATA_KEY = b"orgsim.records"  # the kind and its components' tags, in the Parquet schema


@dataclass
class RecordTable:
    """One kind's records: `columns` in BASE_COLUMNS order, then `split.<component>`."""

    kind: str
    columns: dict[str, np.ndarray]
    categories: dict[str, list[str]]  # 'type', 'outcome' -> names by code
    components: dict[str, str]  # component -> tag (operations, collaboration)

    def __len__(self) -> int:
        return len(self.columns["id"])

    def write_parquet(self, path: str | Path) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        arrays = []
        for name, values in self.columns.items():
            if name in CATEGORICAL:
                arrays.append(pa.DictionaryArray.from_arrays(
                    _arrow_numbers(values.astype(np.int32, copy=False)),
                    _arrow_strings(self.categories[name])))
            else:
                arrays.append(_arrow_numbers(values, nulls=name == "finished"))
        metadata = {_METADATA_KEY: json.dumps({"kind": self.kind, "components": self.components,
                                               "categories": self.categories}).encode()}
        table = pa.Table.from_arrays(arrays, names=list(self.columns), metadata=metadata)
        # dictionary-encode only the categorical columns: trying it on unique floats is slow
        pq.write_table(table, path, use_dictionary=list(CATEGORICAL))

    @classmethod
    def read_parquet(cls, path: str | Path) -> RecordTable:
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        meta = json.loads((table.schema.metadata or {}).get(_METADATA_KEY, b"{}"))
        columns: dict[str, np.ndarray] = {}
        categories: dict[str, list[str]] = {}
        for name in table.column_names:
            column = table.column(name).combine_chunks()
            if name in CATEGORICAL:
                # the names saved in the metadata come first (an empty column keeps them too)
                found = column.dictionary.to_pylist()
                names = list(meta.get("categories", {}).get(name, []))
                names += [n for n in found if n not in names]
                remap = np.array([names.index(n) for n in found], dtype=np.int32)
                codes = column.indices.to_numpy(zero_copy_only=False).astype(np.int32)
                categories[name] = names
                columns[name] = remap[codes] if len(codes) else codes
            elif name == "finished":
                columns[name] = column.to_numpy(zero_copy_only=False).astype(float)  # null->nan
            else:
                columns[name] = column.to_numpy(zero_copy_only=False)
        components = meta.get("components") or {
            name[len(SPLIT_PREFIX):]: "operations" for name in columns
            if name.startswith(SPLIT_PREFIX)}
        return cls(meta.get("kind", Path(path).stem), columns, categories, components)


# Arrow arrays from numpy buffers directly: pa.array() imports pandas on first use (about
# 0.15 s of CPU), which a command-line run has no other use for.

def _arrow_numbers(values: np.ndarray, nulls: bool = False):
    """A numpy column as an Arrow array (zero-copy); with `nulls`, nan becomes null."""
    import pyarrow as pa

    values = np.ascontiguousarray(values)
    validity, null_count = None, 0
    if nulls:
        valid = ~np.isnan(values)
        null_count = int(len(values) - valid.sum())
        if null_count:
            validity = pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), len(values),
                                 [validity, pa.py_buffer(values)], null_count=null_count)


def _arrow_strings(names: Sequence[str]):
    import pyarrow as pa

    encoded = [name.encode("utf-8") for name in names]
    offsets = np.cumsum([0] + [len(e) for e in encoded], dtype=np.int32)
    return pa.Array.from_buffers(pa.string(), len(names),
                                 [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))])


def concat(tables: Sequence[RecordTable]) -> RecordTable:
    """The tables of several replications as one (their type names merged, codes remapped)."""
    first = tables[0]
    names: dict[str, list[str]] = {}
    remaps: list[dict[str, np.ndarray]] = []
    for table in tables:
        remap = {}
        for column in CATEGORICAL:
            merged = names.setdefault(column, [])
            for name in table.categories[column]:
                if name not in merged:
                    merged.append(name)
            remap[column] = np.array([merged.index(n) for n in table.categories[column]],
                                     dtype=np.int32)
        remaps.append(remap)
    columns = {}
    for column in first.columns:
        parts = []
        for table, remap in zip(tables, remaps, strict=True):
            values = table.columns[column]
            parts.append(remap[column][values] if column in remap and len(values) else values)
        columns[column] = np.concatenate(parts)
    return RecordTable(first.kind, columns, names, dict(first.components))


def window(frame, start: float, end: float | None = None, by: str = "created"):
    """The rows of a records DataFrame whose `by` ('created' or 'finished') instant is in
    [start, end): warm-up as a filter (`window(frame, warmup)`), or any other window of a
    saved run. By `finished`, open entities are left out."""
    if by not in ("created", "finished"):
        raise ValueError(f"window by 'created' or 'finished', not {by!r}")
    instant = frame[by]
    keep = instant >= start
    if end is not None:
        keep &= instant < end
    return frame[keep]


__all__ = ["BASE_COLUMNS", "RecordTable", "concat", "window"]
