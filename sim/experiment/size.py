"""The size of a whole run (events, memory, wall time), estimated from the validated spec
before anything runs, and the limits beyond which a run is refused unless forced.

Flows size one replication each (`sim.model.sizes`); this module adds what the run as a
whole holds: every replication's binned series until the end, the replications that run at
once on the executor chosen, and the per-bin upkeep of levels and series.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from sim.metrics.output import SAMPLE_CAP
from sim.model.sizes import FLOAT_BYTES, SAMPLER_BYTES, FlowSize, RunShape, flow_sizes
from sim.progress import format_span
from sim.scenario.schema import ScenarioSpec
from sim.units import format_duration

EVENTS_VARIABLE = "ORGSIM_MAX_EVENTS"
MEMORY_VARIABLE = "ORGSIM_MAX_MEMORY"
DEFAULT_MAX_EVENTS = 1e9  # about an hour of simulation at the measured costs
# A tenth of this machine's physical memory: the bundled scenarios need tens of MiB, so a run
# that needs more is unusual enough to be confirmed with --force (and leaves the machine room).
DEFAULT_MEMORY_SHARE = 0.1
FALLBACK_MEMORY = 4 * 2**30  # where the physical memory cannot be read
BIN_COST = 0.05e-6  # s per bin per levelled or counted series (closing bins, copying; measured)


@dataclass(frozen=True)
class RunEstimate:
    name: str
    reps: int
    concurrent: int  # replications running at once
    shape: RunShape
    flows: tuple[FlowSize, ...]
    events: float  # over all replications
    memory: float  # bytes at the peak, beyond the interpreter and imports
    seconds: float  # wall time on this kind of machine, start-up excluded
    record_bytes: float = 0.0  # of `memory`: one copy of every replication's entity records

    @property
    def series(self) -> int:
        return sum(f.series for f in self.flows)

    def line(self) -> str:
        """One line: `about 240,000 events, 12 MiB of memory, about 3s (10 replications)`."""
        return (f"about {format_count(self.events)} events, {format_bytes(self.memory)} of "
                f"memory, about {format_span(self.seconds)} ({self.reps} replication"
                f"{'s' if self.reps != 1 else ''}, {self.shape.bins:,} bins of "
                f"{format_duration(self.shape.bin_width)})")


def estimate_run(spec: ScenarioSpec, reps: int | None = None, jobs: int | None = 1,
                 dask_scheduler: str | None = None, records: bool = False) -> RunEstimate:
    """Events, peak memory and wall time of `reps` replications on the executor given
    (`jobs` None: as many at once as local cores, the most the default may use);
    `records`: the run keeps entity records (`--records`)."""
    reps = spec.replications if reps is None else reps
    if jobs is None:
        from sim.experiment.executors import local_cores

        jobs = local_cores()
    shape, flows = flow_sizes(spec)
    if dask_scheduler is not None:
        concurrent = min(reps, os.cpu_count() or 1)
    else:
        concurrent = min(reps, max(jobs, 1))
    bins = shape.bins
    series = sum(f.series for f in flows)
    bin_arrays = sum(f.bin_arrays for f in flows)
    # while a replication runs: its own state, its per-bin arrays, its series being built
    running = (sum(f.kept_bytes + f.samplers * SAMPLER_BYTES for f in flows)
               + bins * FLOAT_BYTES * (bin_arrays + series))
    # after it: its series and sketches, until every replication is in; at the end they are
    # stacked into one array per series (a second copy)
    kept = bins * FLOAT_BYTES * series + sum(
        f.samples * min(f.entities, SAMPLE_CAP) * FLOAT_BYTES for f in flows)
    # Entity records: a replication appends them to compact arrays and copies them into a
    # table at its end (two copies while it runs); the run keeps every replication's, copies
    # them once more to join the replications, and once more per kind to write Parquet.
    records_per_rep = (sum(f.entities * f.record_columns for f in flows) * FLOAT_BYTES
                       if records else 0.0)
    running += 2 * records_per_rep
    kept += records_per_rep
    memory = max(concurrent * running + reps * kept, 2 * reps * kept + reps * records_per_rep)
    per_rep = sum(f.seconds for f in flows) + bins * (bin_arrays + series) * BIN_COST
    seconds = per_rep * math.ceil(reps / concurrent)
    events = reps * sum(f.events for f in flows)
    return RunEstimate(spec.name, reps, concurrent, shape, tuple(flows), events, memory,
                       seconds, reps * records_per_rep)


# --- limits ------------------------------------------------------------------------------


class LimitError(ValueError):
    """A limit written wrongly (a flag or an environment variable); one line for the user."""


@dataclass(frozen=True)
class Limits:
    max_events: float
    max_memory: float

    @classmethod
    def resolve(cls, max_events: str | float | None = None,
                max_memory: str | float | None = None,
                environ: Mapping[str, str] | None = None) -> Limits:
        """Explicit values first, then ORGSIM_MAX_EVENTS / ORGSIM_MAX_MEMORY, then defaults:
        1e9 events and a tenth of this machine's physical memory."""
        environ = os.environ if environ is None else environ
        events = _pick(max_events, environ, EVENTS_VARIABLE, "--max-events", parse_count)
        memory = _pick(max_memory, environ, MEMORY_VARIABLE, "--max-memory", parse_bytes)
        return cls(DEFAULT_MAX_EVENTS if events is None else events,
                   default_memory_limit() if memory is None else memory)


def _pick(value, environ, variable, flag, parse):
    if value is not None:
        return parse(value, flag)
    text = environ.get(variable, "").strip()
    return parse(text, variable) if text else None


def default_memory_limit() -> float:
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return FALLBACK_MEMORY
    return physical * DEFAULT_MEMORY_SHARE if physical > 0 else FALLBACK_MEMORY


_BYTE_UNITS = {"": 1, "b": 1, "k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9,
               "t": 1e12, "tb": 1e12, "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}
_COUNT_UNITS = {"": 1, "k": 1e3, "m": 1e6, "g": 1e9, "b": 1e9}
_NUMBER = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*([a-z]*)\s*$", re.IGNORECASE)


def _parse(value: str | float, where: str, units: dict[str, float], example: str) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number, unit = float(value), ""
    else:
        match = _NUMBER.match(str(value))
        if not match or match.group(2).lower() not in units:
            raise LimitError(f"{where}: expected {example}, got {value!r}")
        number, unit = float(match.group(1)), match.group(2).lower()
    result = number * units[unit]
    if not math.isfinite(result) or result <= 0:
        raise LimitError(f"{where}: expected a positive limit like {example}, got {value!r}")
    return result


def parse_bytes(value: str | float, where: str = "memory limit") -> float:
    """'2GiB', '512MiB', '1.5GB', '800M' or a number of bytes."""
    return _parse(value, where, _BYTE_UNITS, "a size like 2GiB or 512MiB")


def parse_count(value: str | float, where: str = "event limit") -> float:
    """'1e9', '500M', '2000000'."""
    return _parse(value, where, _COUNT_UNITS, "a count like 1e8 or 500M")


# --- refusal -----------------------------------------------------------------------------


class RunTooLarge(Exception):
    """A run beyond the limits; `problems` are the lines the command line prints."""

    def __init__(self, problems: list[str], estimate: RunEstimate) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems
        self.estimate = estimate


def size_problems(estimate: RunEstimate, limits: Limits, where: str | None = None) -> list[str]:
    """Nothing when the run is within the limits; else lines saying why and what to change,
    the first naming `where` (the scenario file; by default the scenario's name)."""
    over_events = estimate.events > limits.max_events
    over_memory = estimate.memory > limits.max_memory
    if not (over_events or over_memory):
        return []
    events = f"about {format_count(estimate.events)} events"
    if over_events:
        events += f" (limit {format_count(limits.max_events)})"
    memory = f"{format_bytes(estimate.memory)} of memory"
    if over_memory:
        memory += f" (limit {format_bytes(limits.max_memory)})"
    lines = [f"{where or estimate.name}: the run is too large: {events}, {memory}, about "
             f"{format_span(estimate.seconds)} of computing"]
    for flow in _biggest(estimate):
        held = (f", {format_bytes(flow.kept_bytes)} held"
                if flow.kept_bytes >= 0.1 * estimate.memory else "")
        lines.append(f"  {flow.flow}: {format_count(flow.entities)} {flow.entity_name}, "
                     f"{format_count(flow.events)} events per replication{held}")
    if _series_bytes(estimate) >= 0.1 * estimate.memory:
        lines.append(f"  series: {estimate.shape.bins:,} bins of "
                     f"{format_duration(estimate.shape.bin_width)} x {estimate.series} series "
                     f"x {estimate.reps} replications")
    lines.append("to make it smaller: " + "; ".join(_hints(estimate, over_memory)))
    lines.append(f"or run it anyway with --force (limits: --max-events or {EVENTS_VARIABLE}, "
                 f"--max-memory or {MEMORY_VARIABLE})")
    return lines


def check_run_size(spec: ScenarioSpec, reps: int | None = None, jobs: int | None = 1,
                   dask_scheduler: str | None = None, limits: Limits | None = None,
                   force: bool = False, where: str | None = None, records: bool = False
                   ) -> RunEstimate:
    """The run's estimate; raises RunTooLarge beyond the limits unless `force`."""
    estimate = estimate_run(spec, reps, jobs, dask_scheduler, records)
    if not force:
        problems = size_problems(estimate, limits or Limits.resolve(), where)
        if problems:
            raise RunTooLarge(problems, estimate)
    return estimate


def _biggest(estimate: RunEstimate) -> list[FlowSize]:
    """The flows that make most of the events or the memory."""
    events = sum(f.events for f in estimate.flows) or 1.0
    kept = sum(f.kept_bytes for f in estimate.flows) or 1.0
    return [f for f in estimate.flows
            if f.events >= 0.1 * events or f.kept_bytes >= 0.1 * kept]


def _series_bytes(estimate: RunEstimate) -> float:
    return 2 * estimate.shape.bins * FLOAT_BYTES * estimate.series * estimate.reps


def _hints(estimate: RunEstimate, over_memory: bool) -> list[str]:
    """What to change, the change that helps most first."""
    shape = estimate.shape
    hints = [f"a shorter horizon (now {format_duration(shape.horizon)})",
             f"fewer replications (--reps, now {estimate.reps})"]
    bin_hint = (f"a coarser output bin (output.bin, now {format_duration(shape.bin_width)}: "
                f"{shape.bins:,} bins)")
    if over_memory and _series_bytes(estimate) >= 0.3 * estimate.memory:
        hints.insert(0, bin_hint)
    elif shape.bins > 1000:
        hints.append(bin_hint)
    for flow in estimate.flows:
        if over_memory and flow.kept_bytes >= 0.3 * estimate.memory:
            hints[:0] = flow.reduce
        else:
            hints.extend(flow.reduce)
    if over_memory and estimate.record_bytes >= 0.3 * estimate.memory:
        hints.insert(0, f"no entity records (without --records; one copy of them is about "
                        f"{format_bytes(estimate.record_bytes)})")
    if estimate.concurrent > 1 and over_memory:
        hints.append(f"fewer replications at once (--jobs, now {estimate.concurrent})")
    return hints


# --- numbers for people ------------------------------------------------------------------


def format_count(value: float) -> str:
    """240,000 below ten million; 2.4e9 above (the digits beyond two are noise here)."""
    return f"{value:,.0f}" if value < 1e7 else f"{value:.2g}".replace("e+0", "e").replace(
        "e+", "e")


def format_bytes(value: float) -> str:
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if value >= size:
            return f"{value / size:.1f} {unit}"
    return f"{value:.0f} B"
