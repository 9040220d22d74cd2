"""Size of the teams: shift changes, and the time-weighted levels of each team's pool."""

from __future__ import annotations

from sim.model.sizes import FlowSize, RunShape, size_estimator
from sim.scenario.schema import ScenarioSpec, preempting_teams
from sim.units import DAY

POOL_LEVELS = 3  # queue length, busy and present members, each kept per bin
SHIFT_EVENT_COST = 2e-6


@size_estimator("teams")
def teams_size(spec: ScenarioSpec, shape: RunShape) -> FlowSize | None:
    if not spec.teams:
        return None
    days = shape.horizon / DAY + 1
    agents = {name for name, team in spec.teams.items() if not team.plain}
    agents |= preempting_teams(spec)
    # a counter pool changes once per group and shift edge, members as agents one by one
    changes = sum(2 * days * (group.members if name in agents else 1)
                  for name, team in spec.teams.items() for group in team.shifts
                  if group.members and not group.shift.always)
    members = sum(team.headcount for team in spec.teams.values())
    return FlowSize("teams", members, "members", changes, SHIFT_EVENT_COST,
                    bin_arrays=POOL_LEVELS * len(spec.teams))
