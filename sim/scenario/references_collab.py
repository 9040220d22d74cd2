"""Cross-section checks of the collaboration sections: the teams that channels, trust pairs
and escalations name exist, and meetings attended by members the teams have."""

from __future__ import annotations

from collections.abc import Callable

from sim.scenario.collab import handoff_pairs, split_pair
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
        pairs = set(handoff_pairs(spec))
        members = named_members(spec) if spec.trust.members else {}
        for key in spec.trust.members:
            home = _check_member_pair(spec, key, members, unknown_name, problems)
            trusted = split_pair(key)[1]
            if home is not None and (trusted, home) not in pairs and spec.trust.help is None:
                warnings.append(f"trust.members.{key}: {home} receives no hand-offs from "
                                f"{trusted} and teams do not help each other, so this trust "
                                "changes nothing")
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


def named_members(spec: ScenarioSpec) -> dict[str, list[str]]:
    """Each named member (a group with `name:`) and the teams that have one by that name."""
    found: dict[str, list[str]] = {}
    for team_name, team in spec.teams.items():
        for group in team.shifts:
            if group.name is not None:
                found.setdefault(group.name, []).append(team_name)
    return found


def _check_member_pair(spec: ScenarioSpec, key: str, members: dict[str, list[str]],
                       unknown_name: UnknownName, problems: list[Problem]) -> str | None:
    """`MEMBER->TEAM`: a named member of one team (`members`: `named_members(spec)`), and
    another team it trusts. Its metrics are `trust.MEMBER.TEAM`, so the member's name must not
    be a team's. Returns the member's team when the pair is sound."""
    where = ("trust", "members", key)
    member, trusted = split_pair(key)
    if trusted not in spec.teams:
        problems.append(Problem(unknown_name("team", trusted, list(spec.teams)), where))
        return None
    homes = members.get(member)
    if member in spec.teams:
        text = (f"'{member}' is a team: a team's trust goes under trust.pairs"
                if homes is None else
                f"member '{member}' has a team's name: trust.{member}.{trusted} would mean "
                "both; rename the member")
        problems.append(Problem(text, where))
    elif homes is None:
        text = unknown_name("named member", member, list(members))
        if not members:
            text += " (name one with a group of members: 1 and name: ...)"
        problems.append(Problem(text, where))
    elif len(homes) > 1:
        problems.append(Problem(f"member '{member}' is named in teams {', '.join(homes)}: "
                                "give them different names", where))
    elif homes[0] == trusted:
        problems.append(Problem(f"'{member}' is a member of {trusted} itself: trust is "
                                "in another team's hand-offs", where))
    else:
        return homes[0]
    return None
