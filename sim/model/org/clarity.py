"""Role clarity of a team: work handed to it without a clear owner is started twice
(probability `(1 - clarity) x duplicate`, the copy wasted) or left unowned until the team's
next meeting or stand-up (probability `(1 - clarity) x orphan`)."""

from __future__ import annotations

import math

from sim.scenario.schema import TeamSpec
from sim.units import DAY

DEFAULT_STANDUP = 9 * 60.0  # 09:00, for a team always on shift


class Clarity:
    """One team's role clarity: its two probabilities and when its stand-ups are."""

    __slots__ = ("duplicate", "orphan", "_standup")

    def __init__(self, team: TeamSpec) -> None:
        unclear = 1.0 - team.clarity
        self.duplicate = unclear * team.duplicate
        self.orphan = unclear * team.orphan
        first = team.shifts[0]
        local = team.standup
        if local is None:
            local = DEFAULT_STANDUP if first.shift.always else first.shift.start
        self._standup = (local - first.timezone) % DAY  # on the simulation clock

    @property
    def clear(self) -> bool:
        return self.duplicate == 0.0 and self.orphan == 0.0

    def next_standup(self, now: float) -> float:
        """The first daily stand-up at or after `now`."""
        days = math.ceil((now - self._standup) / DAY)
        return self._standup + max(days, 0) * DAY
