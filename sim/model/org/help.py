"""Help across teams (bottom-up flexibility): an idle member takes work from another team
whose queue is long, if they have the skill the work asks for and that team trusts theirs.

A team is overloaded while `waiting` or more items wait in its queue. Then an idle, on-shift
member of another team helps when the overloaded team's trust in the helper's team is at
least `threshold` (`trust.value(helped, helper)`): they take the most urgent waiting work
that names a skill they have (work any member of the team may do stays with the team).
Checked when work queues at an overloaded team and when a member runs out of their own
team's work; both teams are built as members (`preempting_teams`). The work keeps its own
handler, so the flow that owns it sees it finished as usual; the helper's team counts the
time as busy.

A named member with its own trust in the overloaded team (`trust: {members: {alice->B: ..}}`)
helps B only if that trust is at least `threshold` too: help needs trust both ways, B's in
the helper's team (as for everyone) and, where the member states its own, the member's in B,
whose work it would take on. Members without their own trust in B follow the team rule.
"""

from __future__ import annotations

from sim.model.org.members import ANY_SKILL, Member, MemberPool, Work
from sim.model.org.trust import TrustBook


class Help:
    __slots__ = ("pools", "trust", "threshold", "waiting", "warmup", "helped", "_keys", "_own")

    def __init__(self, pools: list[MemberPool], trust: TrustBook, threshold: float,
                 waiting: int, warmup: float,
                 own: frozenset[tuple[str, str]] = frozenset()) -> None:
        """`own`: (member, team) for each member with its own trust in a team."""
        self.pools = pools
        self._own = own
        self.trust = trust
        self.threshold = threshold
        self.waiting = waiting
        self.warmup = warmup
        self.helped = 0  # work items taken by members of another team, in the window
        self._keys: dict[tuple[str, str, tuple[int, ...]], tuple[int, ...]] = {}
        for pool in pools:
            pool.on_queued = self._overloaded
            pool.on_idle = self._idle

    def _keys_in(self, helper: MemberPool, helped: MemberPool, member: Member
                 ) -> tuple[int, ...]:
        """The member's skills as the helped pool numbers them (no 'anyone' key)."""
        key = (helper.name, helped.name, member.keys)
        keys = self._keys.get(key)
        if keys is None:
            names = [helper.skills[k] for k in member.keys if k != ANY_SKILL]
            keys = self._keys[key] = tuple(helped.skills.index(n) for n in names
                                           if n in helped.skills)
        return keys

    def _trusted(self, helped: MemberPool, helper: MemberPool) -> bool:
        return self.trust.value(helped.name, helper.name) >= self.threshold

    def _willing(self, member: Member, helped: MemberPool) -> bool:
        """A member with its own trust in the helped team needs it above the threshold."""
        return (member.name, helped.name) not in self._own or (
            self.trust.value(member.name, helped.name) >= self.threshold)

    def _take(self, helper: MemberPool, helped: MemberPool, member: Member) -> Work | None:
        if self._own and not self._willing(member, helped):
            return None
        keys = self._keys_in(helper, helped, member)
        work = helped.take_for(keys) if keys else None
        if work is not None and helper.env.now >= self.warmup:
            self.helped += 1
        return work

    def _overloaded(self, helped: MemberPool) -> None:
        """Work queued at `helped`: idle members of trusted teams take some while it is
        overloaded."""
        if helped.waiting < self.waiting:
            return
        for helper in self.pools:
            if helper is helped or not self._trusted(helped, helper):
                continue
            for member in helper.members:
                if member.on_shift and member.work is None:
                    work = self._take(helper, helped, member)
                    if work is not None:
                        helper.lend(member, work, helped)
                        if helped.waiting < self.waiting:
                            return

    def _idle(self, helper: MemberPool, member: Member) -> Work | None:
        """A member with nothing of their own team's: work of an overloaded, trusting team."""
        for helped in self.pools:
            if (helped is helper or helped.waiting < self.waiting
                    or not self._trusted(helped, helper)):
                continue
            work = self._take(helper, helped, member)
            if work is not None:
                helper.adopt(work, helped)
                return work
        return None
