"""Cross-section checks of the collaboration sections: the teams that channels, trust pairs
and escalations name exist, and meetings attended by members the teams have."""

from __future__ import annotations

from collections.abc import Callable

from sim.scenario.collab import split_pair
from sim.scenario.errors import Problem
from sim.scenario.schema import ScenarioSpec

UnknownName = Callable[[str, str, list[str]], str]


def check_collab(spec: ScenarioSpec, unknown_name: UnknownName
                 ) -> tuple[list[Problem], list[str]]:
    problems: list[Problem] = []
    warnings: list[str] = []
    teams = list(spec.teams)
    if spec.channels is not None:
        for key, channel in spec.channels.root.items():
            if key != "default":
                _check_pair(key, ("channels", key), teams, unknown_name, problems)
            for team, count in (channel.attendees or {}).items():
                where = ("channels", key, "attendees", team)
                if team not in spec.teams:
                    problems.append(Problem(unknown_name("team", team, teams), where))
                elif count > spec.teams[team].headcount:
                    problems.append(Problem(
                        f"{count} attendees, but team {team} has "
                        f"{spec.teams[team].headcount} members", where))
    if spec.trust is not None:
        for key in spec.trust.pairs:
            _check_pair(key, ("trust", "pairs", key), teams, unknown_name, problems)
        if spec.trust.dynamics is not None and spec.trust.dynamics.loss < spec.trust.dynamics.gain:
            warnings.append("trust.dynamics: loss is below gain; trust is usually lost faster "
                            "than it is gained")
    if spec.support is not None:
        for name, kind in spec.support.inquiry_types.items():
            if kind.escalate is None:
                continue
            where = ("support", "inquiry_types", name, "escalate", "to")
            to = kind.escalate.to
            if to not in spec.teams:
                problems.append(Problem(unknown_name("team", to, teams), where))
            elif to == spec.support.team:
                problems.append(Problem(f"escalates to the desk's own team '{to}': name "
                                        "another team", where))
    return problems, warnings


def _check_pair(key: str, where: tuple, teams: list[str], unknown_name: UnknownName,
                problems: list[Problem]) -> None:
    source, target = split_pair(key)
    for team in (source, target):
        if team not in teams:
            problems.append(Problem(unknown_name("team", team, teams), where))
            return
    if source == target:
        problems.append(Problem(f"a pair names two teams; passes within team {source} "
                                "travel over no channel", where))
