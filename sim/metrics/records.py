"""Entity records: one row per entity (order, inquiry, ...) with its time split.

Each kind of entity is declared once, by the flow that makes it, with the named components
its response time splits into, each tagged `operations` or `collaboration`:

    INQUIRY_RECORDS = entity_kind("support", "inquiries", {"queue": OPERATIONS,
                                  "work": OPERATIONS}, ("answered", "abandoned", "open"),
                                  active=lambda spec: spec.support is not None)

Records are opt-in (`orgsim run --records`). While a replication runs, a flow that keeps
them appends each finished entity to a `RecordLog`: compact columns (array('d') and
friends), never the entity itself, so memory grows by a few dozen bytes per entity. At the
horizon it appends the entities still open, with the time split so far. Per finished entity
the components add up to `finished - created` (to floating-point rounding).

Every entity is kept, warm-up included, so that saved records can be re-windowed: warm-up
is a filter on `created` or `finished` (`window`), not a decision made while running.
Tables and Parquet live in `sim.metrics.record_table`.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.metrics.record_table import BASE_COLUMNS, SPLIT_PREFIX, RecordTable

if TYPE_CHECKING:
    from sim.scenario.schema import ScenarioSpec

OPERATIONS = "operations"  # time the flow's own work and queues took
COLLABORATION = "collaboration"  # time spent on hand-offs, channels, meetings between teams
TAGS = (OPERATIONS, COLLABORATION)
OPEN = "open"  # the outcome of an entity still under way at the horizon


@dataclass(frozen=True)
class EntityKind:
    """A kind of entity a flow records: `name` is its file stem (`records/<name>.parquet`)
    and the `flow` argument of `Results.records`; `components` maps each component of the
    time split to its tag; `outcomes` lists how an entity can end, `open` last; `metrics`
    is the prefix of its metrics (`<metrics>.time_split.<component>`), its name if empty."""

    name: str
    plural: str
    components: Mapping[str, str]
    outcomes: tuple[str, ...]
    active: Callable[[ScenarioSpec], bool]
    metrics: str = ""

    @property
    def metric_prefix(self) -> str:
        return self.metrics or self.name

    def __post_init__(self) -> None:
        bad = {c: t for c, t in self.components.items() if t not in TAGS}
        if bad:
            raise ValueError(f"{self.name}: components tagged neither {' nor '.join(TAGS)}: "
                             f"{bad}")
        if not self.outcomes or self.outcomes[-1] != OPEN:
            raise ValueError(f"{self.name}: outcomes must end with {OPEN!r}")

    @property
    def columns(self) -> tuple[str, ...]:
        return BASE_COLUMNS + tuple(SPLIT_PREFIX + c for c in self.components)

    @property
    def file(self) -> str:
        """Where `orgsim run --records` writes the kind, inside the output folder."""
        return f"records/{self.name}.parquet"


_KINDS: dict[str, EntityKind] = {}


def entity_kind(name: str, plural: str, components: Mapping[str, str],
                outcomes: Sequence[str], active: Callable[[ScenarioSpec], bool],
                metrics: str = "") -> EntityKind:
    """Declare (once, at import of the flow's module) a kind of entity that keeps records;
    `metrics`: the prefix of its metrics when it is not `name` (tech's "tech.incident")."""
    kind = EntityKind(name, plural, dict(components), tuple(outcomes), active, metrics)
    if name in _KINDS and _KINDS[name] != kind:
        raise ValueError(f"entity kind {name!r} declared twice")
    _KINDS[name] = kind
    return kind


def entity_kinds() -> list[EntityKind]:
    """Every declared kind (importing `sim.replication` imports every flow)."""
    return list(_KINDS.values())


def recorded_kinds(spec: ScenarioSpec) -> list[EntityKind]:
    """The kinds a run of `spec` with records writes."""
    return [kind for kind in _KINDS.values() if kind.active(spec)]


class RecordLog:
    """One replication's records of one kind, as compact columns appended in finish order.

    `add` is called once per entity (when it finishes, or at the horizon for the open ones);
    `split` gives the components in the kind's declared order.
    """

    __slots__ = ("kind", "ids", "types", "created", "finished", "outcomes", "splits",
                 "_type_codes", "_outcome_codes")

    def __init__(self, kind: EntityKind) -> None:
        self.kind = kind
        self.ids = array("q")
        self.types = array("l")  # codes into the type names, in order of first appearance
        self.created = array("d")
        self.finished = array("d")  # nan while open
        self.outcomes = array("b")  # codes into kind.outcomes
        self.splits = [array("d") for _ in kind.components]
        self._type_codes: dict[str, int] = {}
        self._outcome_codes = {name: i for i, name in enumerate(kind.outcomes)}

    def add(self, entity_id: int, type_name: str, created: float, finished: float | None,
            outcome: str, split: Sequence[float]) -> None:
        """One entity; `finished` None while open (its split is then the time so far)."""
        codes = self._type_codes
        code = codes.get(type_name)
        if code is None:
            code = codes[type_name] = len(codes)
        self.ids.append(entity_id)
        self.types.append(code)
        self.created.append(created)
        self.finished.append(np.nan if finished is None else finished)
        self.outcomes.append(self._outcome_codes[outcome])
        for column, part in zip(self.splits, split, strict=True):
            column.append(part)

    def __len__(self) -> int:
        return len(self.ids)

    def table(self, replication: int) -> RecordTable:
        """The records as a picklable table of numpy columns, in id (creation) order."""
        order = np.argsort(np.frombuffer(self.ids, dtype=np.int64), kind="stable")
        n = len(order)
        columns = {
            "replication": np.full(n, replication, dtype=np.int32),
            "id": np.frombuffer(self.ids, dtype=np.int64)[order],
            "type": np.asarray(self.types, dtype=np.int32)[order],
            "created": np.frombuffer(self.created, dtype=float)[order],
            "finished": np.frombuffer(self.finished, dtype=float)[order],
            "outcome": np.frombuffer(self.outcomes, dtype=np.int8)[order].astype(np.int32),
        }
        for name, column in zip(self.kind.components, self.splits, strict=True):
            columns[SPLIT_PREFIX + name] = np.frombuffer(column, dtype=float)[order]
        return RecordTable(self.kind.name, columns,
                           {"type": list(self._type_codes), "outcome": list(self.kind.outcomes)},
                           dict(self.kind.components))


class RecordBook:
    """The logs of one replication, one per kind a flow asked for (when records are on)."""

    __slots__ = ("logs",)

    def __init__(self) -> None:
        self.logs: dict[str, RecordLog] = {}

    def log(self, kind: EntityKind) -> RecordLog:
        if kind.name not in self.logs:
            self.logs[kind.name] = RecordLog(kind)
        return self.logs[kind.name]

    def tables(self, replication: int) -> dict[str, RecordTable]:
        return {name: log.table(replication) for name, log in self.logs.items()}
