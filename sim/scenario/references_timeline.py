"""Cross-section checks of the timeline: windows that make sense within the horizon, flows,
teams and suppliers that exist, and rosters that never go below zero members."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from sim.scenario.errors import Problem
from sim.scenario.schema import ScenarioSpec, TeamSpec, preempting_teams
from sim.scenario.timeline import SCALED_FLOWS, ChangeSpec, staff_steps
from sim.units import format_duration

UnknownName = Callable[[str, str, list[str]], str]


def check_timeline(spec: ScenarioSpec, unknown_name: UnknownName
                   ) -> tuple[list[Problem], list[str]]:
    problems: list[Problem] = []
    warnings: list[str] = []
    horizon = format_duration(spec.horizon)
    for index, change in enumerate(spec.timeline):
        where = ("timeline", index)
        dotted = f"timeline.{index}"
        if change.ends_at is not None and change.ends_at <= change.starts_at:
            problems.append(Problem(
                f"must be after 'from' ({format_duration(change.starts_at)}), got "
                f"{format_duration(change.ends_at)}", (*where, "to")))
        elif change.starts_at >= spec.horizon:
            warnings.append(f"{dotted}.from: starts at or after the horizon ({horizon}): this "
                            "change never happens")
        elif change.ends_at is not None and change.ends_at > spec.horizon:
            warnings.append(f"{dotted}.to: ends after the horizon ({horizon}): the run stops "
                            "before the window does")
        _check_names(spec, change, where, unknown_name, problems, warnings)
    if not problems:
        problems += _rosters_below_zero(spec)
    return problems, warnings


def _check_names(spec: ScenarioSpec, change: ChangeSpec, where: tuple,
                 unknown_name: UnknownName, problems: list[Problem], warnings: list[str]
                 ) -> None:
    for flow in change.scale:
        known = SCALED_FLOWS.get(flow)
        if known is None:
            problems.append(Problem(unknown_name("flow", flow, list(SCALED_FLOWS)),
                                    (*where, "scale", flow)))
        elif not known.has_stream(spec):
            warnings.append(f"timeline.{where[1]}.scale.{flow}: this scenario has no "
                            f"{known.meaning}: the factor changes nothing")
    for team, extra in change.staff.items():
        if team not in spec.teams:
            problems.append(Problem(unknown_name("team", team, list(spec.teams)),
                                    (*where, "staff", team)))
        elif _agents(spec, team):
            _check_agent_staff(spec.teams[team], team, extra, where, problems, warnings)
    if change.outage is not None and change.outage.supplier not in spec.suppliers:
        problems.append(Problem(unknown_name("supplier", change.outage.supplier,
                                             list(spec.suppliers)),
                                (*where, "outage", "supplier")))


def _agents(spec: ScenarioSpec, team: str) -> bool:
    """Is the team built as members as agents (sim/model/org/team.py: staff_pool)?"""
    return not spec.teams[team].plain or team in preempting_teams(spec)


def _check_agent_staff(team: TeamSpec, name: str, extra: int, where: tuple,
                       problems: list[Problem], warnings: list[str]) -> None:
    """Extra members of a team of agents join its first group; none can be taken away
    (which member would go is not for the timeline to guess)."""
    if extra < 0:
        problems.append(Problem(
            f"team '{name}' is made of members as agents (skills, speeds or pre-emption): a "
            "window can only add members to it (change its shifts to remove some)",
            (*where, "staff", name)))
        return
    kinds = {(frozenset(group.skills), group.speed) for group in team.shifts}
    if len(kinds) > 1:
        first = team.shifts[0]
        skills = ", ".join(first.skills) or "none"
        warnings.append(f"timeline.{where[1]}.staff.{name}: the {extra} extra member(s) join "
                        f"the team's first group (shifts.0: skills {skills}, speed "
                        f"{first.speed:g})")


def _rosters_below_zero(spec: ScenarioSpec) -> list[Problem]:
    """Fewer members (negative staff) may not take a team below nobody on shift."""
    problems = []
    cut = {team for change in spec.timeline for team, n in change.staff.items() if n < 0}
    for team in sorted(cut):
        steps: dict[float, int] = defaultdict(int)
        for group in spec.teams[team].shifts:
            for start, end in group.shift.intervals(spec.horizon):
                steps[start] += group.members
                steps[end] -= group.members
        for at, extra in staff_steps(spec.timeline, team, spec.horizon):
            steps[at] += extra
        on_shift = 0
        for at in sorted(steps):
            on_shift += steps[at]
            if on_shift < 0 and at < spec.horizon:
                index = _first_cut(spec, team, at)
                problems.append(Problem(
                    f"takes team '{team}' below zero members on shift at "
                    f"{format_duration(at)} ({on_shift}): a window can only remove members "
                    "who are on shift", ("timeline", index, "staff", team)))
                break
    return problems


def _first_cut(spec: ScenarioSpec, team: str, at: float) -> int:
    """The entry to blame: the last window cutting `team` that is open at `at`."""
    open_cuts = [i for i, c in enumerate(spec.timeline)
                 if c.staff.get(team, 0) < 0 and c.starts_at <= at < c.end]
    return open_cuts[-1] if open_cuts else 0
