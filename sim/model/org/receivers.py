"""Who of a team receives a hand-off, where some of its members have their own trust.

A named member may trust a team more or less than the rest of its own team does
(`trust: {members: {alice->warehouse: 0.9}}`). A hand-off from that team is read by one
member of the receiving team: drawn uniformly among its members on shift when it first
arrives (among all its members when none is on shift). When the draw falls on a member with
its own trust, that member's trust decides the check (`verification x (1 - trust)`, worked by
the team as any check) and whether to ask back, and the hand-off's outcome moves that
member's trust; otherwise the team's trust does, as without overrides.

Only pairs with an override draw (from their own stream, so every other draw is unchanged);
the others keep the team-level path.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import Any

from sim.model.org.pool import PoolLevels
from sim.model.org.team import group_intervals


class Receivers:
    """The members of `team` with their own trust in one sending team, and the draw."""

    __slots__ = ("team", "pool", "headcount", "_pool_of", "_members", "_uniform")

    def __init__(self, team: str, pool_of: Callable[[str], PoolLevels], headcount: int,
                 members: list[tuple[str, list[tuple[float, float]]]],
                 uniform: Callable[[], float]) -> None:
        """`members`: (name, on-shift intervals) of each member with its own trust;
        `headcount`: the team's members, for a hand-off that arrives with nobody on shift;
        `pool_of`: the team's pool, looked up at the first draw (when the run has made it)."""
        self.team = team
        self.pool: PoolLevels | None = None
        self._pool_of = pool_of
        self.headcount = headcount
        self._members = [(name, [lo for lo, _ in spans], [hi for _, hi in spans])
                         for name, spans in members]
        self._uniform = uniform

    def draw(self, now: float) -> str:
        """The receiving member's name if it has its own trust, else the team's name."""
        on_shift = [name for name, starts, ends in self._members
                    if _within(starts, ends, now)]
        if self.pool is None:
            self.pool = self._pool_of(self.team)
        present = int(self.pool.on_shift_level.value)
        if present > 0:
            candidates, among = on_shift, max(present, len(on_shift))
        else:
            candidates = [name for name, _, _ in self._members]
            among = max(self.headcount, len(candidates))
        pick = int(self._uniform() * among)
        return candidates[pick] if pick < len(candidates) else self.team


def _within(starts: list[float], ends: list[float], now: float) -> bool:
    i = bisect.bisect_right(starts, now) - 1
    return i >= 0 and now < ends[i]


def build_receivers(ctx: Any) -> dict[tuple[str, str], Receivers]:
    """(receiving team, sending team) -> its Receivers, for each pair where a member of the
    receiving team has its own trust in the sender (the validator made each member's name
    unique and no team's)."""
    spec = ctx.spec
    if spec.trust is None or not spec.trust.members:
        return {}
    groups = {group.name: (team_name, group) for team_name, team in spec.teams.items()
              for group in team.shifts if group.name is not None}
    own: dict[tuple[str, str], list[tuple[str, list[tuple[float, float]]]]] = {}
    for member, trusted in spec.trust.member_overrides():
        team_name, group = groups[member]
        own.setdefault((team_name, trusted), []).append(
            (member, group_intervals(group, ctx.horizon)))
    uniform = ctx.uniform("collab.receiver")
    return {(team, trusted): Receivers(team, ctx.pool, spec.teams[team].headcount, members,
                                       uniform)
            for (team, trusted), members in sorted(own.items())}
