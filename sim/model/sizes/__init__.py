"""How big one replication will be, estimated from the spec alone, before anything is built.

Each flow registers an estimator with `@size_estimator(name)` in a module of this package
(modules here are found and imported on first use, so a new flow adds a module and nothing
else). An estimator is a pure function of the spec and the run's shape: it never imports
simpy or builds model objects, so a run that would take a day is sized in milliseconds.

The per-event costs and bytes per entity are measured, not guessed: see
`benchmarks/size_calibration.py`, which runs the bundled scenarios and prints the estimate
next to the measured events, memory and time.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

from sim.distributions import Constant
from sim.metrics.bins import bin_count, choose_bin_width
from sim.scenario.schema import ScenarioSpec

FLOAT_BYTES = 8
# A duration kept per finished entity (array('d'), over-allocated by ~1/8) is copied twice at
# the end of a replication (percentiles partition a copy; the plotted sketch sorts another).
KEPT_VALUE_BYTES = 3 * FLOAT_BYTES
# A batched sampler holds its next 4096 draws as a Python list of floats (sim/distributions).
SAMPLER_BYTES = 4096 * 32


@dataclass(frozen=True)
class RunShape:
    """What every estimator needs besides the spec: time span and bins of one replication."""

    horizon: float
    warmup: float
    bin_width: float
    bins: int

    @property
    def observed_share(self) -> float:
        return (self.horizon - self.warmup) / self.horizon if self.horizon > 0 else 0.0


@dataclass(frozen=True)
class FlowSize:
    """One flow's share of one replication."""

    flow: str
    entities: float  # entities the flow creates (inquiries, orders, products)
    entity_name: str  # plural, for messages: "inquiries"
    events: float  # events on the simulation's heap
    event_cost: float  # seconds per event, model work included (measured, see module doc)
    setup_seconds: float = 0.0  # building the flow's state (e.g. per-product)
    kept_bytes: float = 0.0  # memory that grows with the run (per-entity arrays, products)
    series: int = 0  # bins-long series handed back (kept for every replication)
    bin_arrays: int = 0  # bins-long counters and levels held while the replication runs
    samples: int = 0  # distribution sketches handed back (at most SAMPLE_CAP values each)
    samplers: int = 0  # random streams drawn from (each holds a batch of draws)
    reduce: tuple[str, ...] = ()  # what makes this flow smaller, beyond horizon and reps
    # columns of an entity record (sim/metrics/records.py) per entity, when the run keeps
    # records (0: the flow keeps none); each is a float or an integer of 8 bytes
    record_columns: int = 0

    @property
    def seconds(self) -> float:
        return self.setup_seconds + self.events * self.event_cost


Estimator = Callable[[ScenarioSpec, RunShape], "FlowSize | None"]
_ESTIMATORS: dict[str, Estimator] = {}
_loaded = False


def size_estimator(name: str) -> Callable[[Estimator], Estimator]:
    """Register `estimator(spec, shape) -> FlowSize | None` (None: the flow is off)."""

    def register(estimator: Estimator) -> Estimator:
        _ESTIMATORS[name] = estimator
        return estimator

    return register


def batched(*dists: object) -> int:
    """How many of `dists` draw through a batched sampler (constants and absent ones do not)."""
    return sum(1 for d in dists if d is not None and not isinstance(d, Constant))


def run_shape(spec: ScenarioSpec) -> RunShape:
    width = choose_bin_width(spec.horizon, spec.output.bin)
    return RunShape(spec.horizon, spec.warmup, width, bin_count(spec.horizon, width))


def flow_sizes(spec: ScenarioSpec) -> tuple[RunShape, list[FlowSize]]:
    """The run's shape and every switched-on flow's size, for one replication."""
    _load_estimators()
    shape = run_shape(spec)
    sizes = [estimator(spec, shape) for estimator in _ESTIMATORS.values()]
    return shape, [size for size in sizes if size is not None]


def _load_estimators() -> None:
    """Import every module of this package once: importing one registers its estimators."""
    global _loaded
    if _loaded:
        return
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        importlib.import_module(f"{__name__}.{module.name}")
    _loaded = True
