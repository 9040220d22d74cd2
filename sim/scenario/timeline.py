"""The scenario's timeline: changes over windows of time (pure; times in minutes from 0).

An entry of `timeline:` runs `from` one instant `to` another (no `to`: to the end of the run):
- `scale: {support: 0}` multiplies a flow's arrival rate by a named factor (`timeline.<i>`);
  the factors of overlapping windows multiply;
- `staff: {support: 3}` puts extra members on shift (negative: fewer);
- `outage: {supplier: overseas}` makes a supplier ship nothing: what is due in the window
  arrives when it ends.

The flows whose arrival rate can be scaled register here (`register_scaled_flow`), next to
the spec of their section, so a new flow adds itself and the validator knows its name.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field, model_validator

from sim.calendar import RateProfile
from sim.scenario.base import Spec
from sim.scenario.types import Count, Duration, Number


@dataclass(frozen=True)
class ScaledFlow:
    """A flow whose arrival rate the timeline can scale."""

    name: str
    meaning: str  # what the factor multiplies, for messages: "inquiry arrivals"
    has_stream: Callable[[Any], bool]  # is the stream on in this scenario spec?


SCALED_FLOWS: dict[str, ScaledFlow] = {}


def register_scaled_flow(name: str, meaning: str, has_stream: Callable[[Any], bool]) -> None:
    """Let `timeline: [{scale: {<name>: ...}}]` scale this flow's arrivals."""
    SCALED_FLOWS[name] = ScaledFlow(name, meaning, has_stream)


Factor = Annotated[Number, Field(ge=0)]


class OutageSpec(Spec):
    """A supplier that ships nothing for the window."""

    supplier: str = Field(description="The supplier (a key of `suppliers`).")


class ChangeSpec(Spec):
    """One change over a window of time: a rate factor, extra staff or an outage."""

    starts_at: Duration = Field(alias="from", description="When the change starts (time "
                                "since the start of the run: 6h, 2d).")
    ends_at: Duration | None = Field(None, alias="to", description="When it ends (absent: "
                                     "at the end of the run).")
    scale: dict[str, Factor] = Field(
        default_factory=dict, description="Arrival-rate factors by flow ({support: 0, demand: "
        "1.5}); factors of overlapping windows multiply.")
    staff: dict[str, Count] = Field(
        default_factory=dict, description="Extra members on shift by team ({support: 3}); "
        "negative for fewer, as long as the number on shift never drops below 0.")
    outage: OutageSpec | None = Field(None, description="A supplier that ships nothing: "
                                      "deliveries due in the window arrive when it ends.")

    @model_validator(mode="after")
    def _changes_something(self) -> ChangeSpec:
        if not (self.scale or self.staff or self.outage):
            raise ValueError("a timeline entry needs 'scale', 'staff' or 'outage'")
        return self

    @property
    def end(self) -> float:
        return math.inf if self.ends_at is None else self.ends_at


def factor_name(index: int) -> str:
    """The name of the rate factor of timeline entry `index`."""
    return f"timeline.{index}"


def factor_changes(timeline: tuple[ChangeSpec, ...], flow: str
                   ) -> list[tuple[float, str, float | None]]:
    """(instant, factor name, value) for `flow`, in time order: the factor is set when its
    window starts and removed (None) when it ends."""
    changes: list[tuple[float, str, float | None]] = []
    for index, change in enumerate(timeline):
        if flow in change.scale:
            changes.append((change.starts_at, factor_name(index), change.scale[flow]))
            if change.ends_at is not None:
                changes.append((change.ends_at, factor_name(index), None))
    return sorted(changes, key=lambda c: c[0])


def factor_steps(timeline: tuple[ChangeSpec, ...], flow: str) -> list[tuple[float, float]]:
    """The product of `flow`'s factors as (start, factor) steps, the first at time 0."""
    factors: dict[str, float] = {}
    steps = [(0.0, 1.0)]
    for at, name, value in factor_changes(timeline, flow):
        if value is None:
            factors.pop(name, None)
        else:
            factors[name] = value
        product = math.prod(factors.values())
        if steps[-1][0] == at:
            steps[-1] = (at, product)
        else:
            steps.append((at, product))
    return steps


def expected_arrivals(profile: RateProfile, steps: list[tuple[float, float]],
                      start: float, end: float) -> float:
    """Expected arrivals in [start, end] of a stream with `profile` scaled by `steps`: the
    integral of factor x rate, exact for piecewise-constant rates."""
    total = 0.0
    for i, (at, factor) in enumerate(steps):
        lo = max(at, start)
        hi = min(steps[i + 1][0] if i + 1 < len(steps) else math.inf, end)
        if hi > lo:
            total += factor * (profile.cumulative(hi) - profile.cumulative(lo))
    return total


def scaled_span(timeline: tuple[ChangeSpec, ...], flow: str, end: float) -> float:
    """The integral of `flow`'s factor over [0, end]: the run's length as a constant rate
    sees it (run-size estimates multiply the mean rate by it)."""
    return expected_arrivals(RateProfile(1.0), factor_steps(timeline, flow), 0.0, end)


def staff_windows(timeline: tuple[ChangeSpec, ...], team: str, horizon: float
                  ) -> list[tuple[float, float, int]]:
    """(start, end, extra members) of the timeline's staff windows for `team` that start
    before the horizon, in timeline order (end: inf without `to`)."""
    return [(change.starts_at, change.end, change.staff[team]) for change in timeline
            if change.staff.get(team, 0) and change.starts_at < horizon]


def window_steps(windows: list[tuple[float, float, int]], horizon: float
                 ) -> list[tuple[float, int]]:
    """Staff windows as (instant, change in members on shift) steps within [0, horizon)."""
    steps: list[tuple[float, int]] = []
    for start, end, extra in windows:
        steps.append((start, extra))
        if end < horizon:
            steps.append((end, -extra))
    return sorted(steps)


def staff_steps(timeline: tuple[ChangeSpec, ...], team: str, horizon: float
                ) -> list[tuple[float, int]]:
    """(instant, change in members on shift) steps that the timeline adds to `team`'s roster,
    within [0, horizon)."""
    return window_steps(staff_windows(timeline, team, horizon), horizon)


def outages(timeline: tuple[ChangeSpec, ...], supplier: str) -> tuple[tuple[float, float], ...]:
    """The supplier's outage windows, sorted, overlapping or touching ones merged."""
    windows = sorted((c.starts_at, c.end) for c in timeline
                     if c.outage is not None and c.outage.supplier == supplier)
    merged: list[tuple[float, float]] = []
    for lo, hi in windows:
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return tuple(merged)


def delivery_at(due: float, windows: tuple[tuple[float, float], ...]) -> float:
    """When a delivery due at `due` arrives: at once, or when the outage it falls in ends
    (windows from `outages`: sorted and merged, so one is enough). A window holds its start,
    not its end."""
    for lo, hi in windows:
        if due < lo:
            break
        if due < hi:
            return hi
    return due
