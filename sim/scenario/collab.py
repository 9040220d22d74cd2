"""Scenario sections of the collaboration layer: `channels:`, `trust:` and support's
`escalate:` (issue 10). Team `clarity` lives on TeamSpec (schema.py), next to the members.

A pair of teams is written `FROM->TO`. Which pairs hand work to each other is known from the
spec alone: a section registers a function `spec -> {(from, to), ...}` with
`register_handoff_pairs` (support's escalations do below; tech and marketing will), and the
collaboration metrics per pair are declared for those pairs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, RootModel, model_validator

from sim.calendar import WEEKDAYS
from sim.distributions import parse_distribution
from sim.scenario.base import NAME_PATTERN, Spec
from sim.scenario.types import Count, Delay, Duration, Number, PositiveDuration, WorkTime
from sim.units import DAY, UnitError, parse_clock

ScenarioSpec = Any  # sim.scenario.schema.ScenarioSpec (which imports this module)
_TEAM = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
PAIR_PATTERN = rf"^(default|{_TEAM}->{_TEAM})$"
ARROW = "->"
ZERO = parse_distribution("const(0s)", quantity="duration")


def pair_key(source: str, target: str) -> str:
    return f"{source}{ARROW}{target}"


def split_pair(key: str) -> tuple[str, str]:
    source, _, target = key.partition(ARROW)
    return source, target


def parse_meeting_time(value: str) -> float:
    """'mon 10:00' -> minutes since Monday 00:00; '10:00' -> minutes since midnight."""
    text = value.strip().lower()
    day, _, clock = text.rpartition(" ")
    offset = 0.0
    if day:
        key = day.strip()[:3]
        if key not in WEEKDAYS:
            raise UnitError(f"expected a time like 'mon 10:00' or '10:00', got {value!r}")
        offset = WEEKDAYS.index(key) * DAY
    return offset + parse_clock(clock)


class ChannelSpec(Spec):
    """How hand-offs between two teams travel."""

    kind: Literal["chat", "email", "meeting", "ticket"] = Field(
        description="chat/email: noticed after `notice` of the receiver's shift time; "
        "meeting: waits for the next occurrence; ticket: joins the receiver's work queue.")
    notice: Delay = Field(ZERO, description="chat/email: time to notice a message, counted "
                          "only while a member of the receiving team is on shift.")
    every: PositiveDuration | None = Field(None, description="meeting: its period (1d, 1w).")
    at: str | None = Field(None, description="meeting: first start, 'mon 10:00' or '10:00' "
                           "(time-0 clock), repeated every `every`.")
    duration: Duration = Field(0.0, description="meeting: how long it takes the attendees "
                               "off their work (the meeting tax).")
    attendees: dict[str, Count] | None = Field(
        None, description="meeting: members per team who attend (absent: every member of "
        "both teams on shift).")
    priority: Count = Field(1, ge=1, description="ticket: the queue's priority (1 first).")
    error: Number = Field(0.0, ge=0, lt=1, description="Probability a hand-off is wrong: "
                          "the receiver finds out after part of the work and sends it back "
                          "(rework).")

    @model_validator(mode="after")
    def _meeting_needs_times(self) -> ChannelSpec:
        if self.kind == "meeting":
            if self.every is None or self.at is None:
                raise ValueError("a meeting channel needs 'every' (1w) and 'at' ('mon 10:00')")
            parse_meeting_time(self.at)
        elif self.every is not None or self.at is not None or self.attendees is not None:
            raise ValueError(f"'every', 'at' and 'attendees' are for meetings, not {self.kind}")
        return self

    @property
    def first_start(self) -> float:
        """The first meeting's start in [0, every)."""
        return parse_meeting_time(self.at) % self.every


class ChannelsSpec(RootModel[dict[Annotated[str, Field(pattern=PAIR_PATTERN)], ChannelSpec]]):
    """Channels per pair of teams, `FROM->TO: {...}`, with a `default` for other pairs
    (absent: hand-offs between teams are passed directly, as without this section)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    def channel(self, source: str, target: str) -> ChannelSpec | None:
        return self.root.get(pair_key(source, target), self.root.get("default"))

    def pairs(self) -> list[tuple[str, str]]:
        return [split_pair(key) for key in self.root if key != "default"]

    def teams_preempting(self) -> set[str]:
        """Teams attending meetings: the meeting tax sets their work aside (as members)."""
        teams: set[str] = set()
        for key, channel in self.root.items():
            if channel.kind != "meeting":
                continue
            if key == "default":
                return {"*"}  # every team may meet: resolved by the caller
            teams |= set(split_pair(key))
        return teams


class DynamicsSpec(Spec):
    """How trust moves with outcomes: success `t += gain (1 - t)`, failure `t -= loss t`."""

    gain: Number = Field(0.1, ge=0, le=1, description="Share of the distance to 1 regained "
                         "on a successful hand-off.")
    loss: Number = Field(0.3, ge=0, le=1, description="Share of trust lost on a failed "
                         "(wrong) hand-off.")


class HelpSpec(Spec):
    """Idle members take work from an overloaded team that trusts their team enough."""

    threshold: Number = Field(0.5, ge=0, le=1, description="The helped team's trust in the "
                              "helper's team must be at least this.")
    waiting: Count = Field(3, ge=1, description="A team is overloaded while this many items "
                           "wait in its queue.")


class TrustSpec(Spec):
    """How much each team trusts what another sends (`A->B`: A's trust in B). A named member
    may have its own trust in a team (`members:`), used for what it receives from that team
    in place of its team's (sim/model/org/receivers.py says who receives a hand-off)."""

    default: Number = Field(1.0, ge=0, le=1, description="Starting trust of every pair not "
                            "listed (1: full trust).")
    pairs: dict[Annotated[str, Field(pattern=rf"^{_TEAM}->{_TEAM}$")], Annotated[
        float, Field(ge=0, le=1)]] = Field(default_factory=dict, description="Starting trust "
                                           "per pair, 'support->warehouse': 0.4.")
    members: dict[Annotated[str, Field(pattern=rf"^{_TEAM}->{_TEAM}$")], Annotated[
        float, Field(ge=0, le=1)]] = Field(default_factory=dict, description="A named "
                                           "member's own starting trust in what a team sends, "
                                           "'alice->warehouse': 0.9 (alice is a named member "
                                           "of another team; absent: its team's trust).")
    verification: Duration = Field(0.0, description="Time the receiver spends checking a "
                                   "hand-off at trust 0 (times 1 - trust).")
    dynamics: DynamicsSpec | None = Field(None, description="How trust moves with outcomes "
                                          "(absent: it stays where it starts).")
    help: HelpSpec | None = Field(None, description="Help across teams: idle members with "
                                  "the skill take work from an overloaded team that trusts "
                                  "them (absent: a team works only its own queue).")

    def start(self, truster: str, trusted: str) -> float:
        """Starting trust of a team, or of a member with its own (member names never clash
        with team names: the validator refuses that)."""
        key = pair_key(truster, trusted)
        return self.members.get(key, self.pairs.get(key, self.default))

    def member_overrides(self) -> list[tuple[str, str]]:
        """(member, trusted team) for every member with its own trust."""
        return [split_pair(key) for key in self.members]


class EscalationSpec(Spec):
    """Part of an inquiry type's inquiries are passed to another team, and the answer comes
    back to support as a follow-up."""

    to: str = Field(pattern=NAME_PATTERN, description="The team that answers the question.")
    share: Number = Field(ge=0, le=1, description="Share of the type's answered inquiries "
                          "that are escalated.")
    work: WorkTime = Field(description="The receiving team's work on the question.")
    follow_up: Delay = Field(ZERO, description="A support member's time to pass the answer "
                             "on to the customer.")


# --- which pairs hand work to each other (for declared per-pair metrics) ---------------------

PairsOf = Callable[[Any], set[tuple[str, str]]]
_PAIR_SOURCES: list[PairsOf] = []


def register_handoff_pairs(pairs_of: PairsOf) -> None:
    """A section whose flows hand work between teams says which pairs it uses."""
    if pairs_of not in _PAIR_SOURCES:
        _PAIR_SOURCES.append(pairs_of)


def handoff_pairs(spec: ScenarioSpec) -> list[tuple[str, str]]:
    """Every (from, to) pair of distinct teams some flow hands work over, sorted."""
    pairs: set[tuple[str, str]] = set()
    for pairs_of in _PAIR_SOURCES:
        pairs |= pairs_of(spec)
    return sorted((a, b) for a, b in pairs if a != b)


def _escalation_pairs(spec: ScenarioSpec) -> set[tuple[str, str]]:
    support = spec.support
    if support is None:
        return set()
    pairs = set()
    for kind in support.inquiry_types.values():
        if kind.escalate is not None:
            pairs |= {(support.team, kind.escalate.to), (kind.escalate.to, support.team)}
    return pairs


register_handoff_pairs(_escalation_pairs)


def meeting_teams(spec: ScenarioSpec) -> set[str]:
    """Teams built as members for the collaboration layer: those attending some meeting
    channel (the meeting tax sets their work aside), every team when teams help each other."""
    if spec.trust is not None and spec.trust.help is not None:
        return set(spec.teams)
    if spec.channels is None:
        return set()
    teams = spec.channels.teams_preempting()
    if "*" in teams:
        return set(spec.teams)
    return teams & set(spec.teams)


def collaboration_on(spec: ScenarioSpec) -> bool:
    """Whether the collaboration layer is built: channels, trust or unclear roles."""
    return (spec.channels is not None or spec.trust is not None
            or any(team.clarity < 1 for team in spec.teams.values()))


def channel_key(source: str, target: str) -> str:
    """The metric name part of a pair: `support.warehouse`."""
    return f"{source}.{target}"


def reported_channel_pairs(spec: ScenarioSpec) -> list[str]:
    return [channel_key(a, b) for a, b in handoff_pairs(spec)] if spec.channels else []


def trust_pairs(spec: ScenarioSpec) -> list[tuple[str, str]]:
    """(truster, trusted): the receiver of each hand-off pair and its sender, the pairs the
    `trust:` section names, and each member with its own trust and the team it trusts."""
    if spec.trust is None:
        return []
    pairs = {(b, a) for a, b in handoff_pairs(spec)}
    pairs |= {split_pair(key) for key in spec.trust.pairs}
    pairs |= set(spec.trust.member_overrides())  # a member's own trust: MEMBER.TEAM
    return sorted(pairs)


def reported_trust_pairs(spec: ScenarioSpec) -> list[str]:
    return [channel_key(a, b) for a, b in trust_pairs(spec)]



def _incident_status_pairs(spec: ScenarioSpec) -> set[tuple[str, str]]:
    """Tech tells support about incidents that raise inquiries (open and fixed)."""
    tech, support = spec.tech, spec.support
    if tech is None or support is None or not any(
            severity.inquiries > 0 for severity in tech.incidents.values()):
        return set()
    return {(tech.team, support.team)}


register_handoff_pairs(_incident_status_pairs)
