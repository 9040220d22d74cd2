"""Work one team asks another to do, passed over the seam: a campaign's prerequisites (a page
for tech, a forecast for supply, extra staff for support), an escalated question.

A sender passes a `WorkRequest` with `org.send(work_kind(team), request, source)`. Whoever
takes that kind queues it on the team's pool at the request's priority; a member works its
`effort` (minutes at speed 1) and the taker calls `request.on_done(request, now)`. A flow that
has its own way of working requests (tech's feature work, which is deployed after it is
built) takes its team's kind itself, with `org.on`; any other team gets a `TeamDesk`.

Wiring: a flow that will send work to a team says so when it is built
(`ctx.wants_work(team)`); after every flow is built, `sim/model/build.py` gives each such team
that no flow serves a desk (`serve_work_requests`). So the build order of flows never decides
who takes a team's work.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sim.metrics.output import Balance, FlowOutput
from sim.model.org.pool import PoolLevels

WORK_PREFIX = "work."


def work_kind(team: str) -> str:
    """The hand-off kind of work requests to `team`."""
    return WORK_PREFIX + team


class WorkRequest:
    """One piece of work asked of a team, and what became of it.

    `priority` is the pool's (0 is served first); `due` an absolute time in minutes or None;
    `on_done(request, now)` is called when the work is finished (for tech: deployed);
    `after`: names of the receiving team's planned work to finish first (a taker that plans
    no work, the desk, has none to wait for); `change`: False for work that is not a change
    to deploy (an escalated question: tech answers it when it is worked); `questions`: how
    many the taker asks the sender while working it, each a round trip between the two teams
    (tech's flow asks them, as for its own feature items; the scenario sends questions to no
    other taker)."""

    __slots__ = ("name", "source", "effort", "priority", "due", "skill", "on_done", "payload",
                 "created_at", "started_at", "done_at", "in_queue", "after", "collab_times",
                 "change", "questions")

    def __init__(self, name: str, source: str, effort: float, created_at: float,
                 priority: int = 0, due: float | None = None, skill: str | None = None,
                 on_done: Callable[[WorkRequest, float], None] | None = None,
                 payload: Any = None, after: tuple[str, ...] = (), change: bool = True,
                 questions: int = 0) -> None:
        if effort < 0:
            raise ValueError(f"work request '{name}': effort {effort} is negative")
        self.name = name
        self.source = source
        self.effort = effort
        self.priority = priority
        self.due = due
        self.skill = skill
        self.on_done = on_done
        self.payload = payload  # what the sender attaches (a forecast, a question)
        self.after = after
        self.change = change
        self.questions = questions
        self.created_at = created_at
        self.started_at: float | None = None
        self.done_at: float | None = None
        self.in_queue = False  # kept by the pool
        # the entity's collaboration times, when the sender keeps a split (sim/metrics/
        # split.py): the collaboration layer charges what it costs the hand-off here
        self.collab_times: list[float] | None = None

    @property
    def late(self) -> bool:
        """Finished after its due time (an unfinished request is not judged)."""
        return self.due is not None and self.done_at is not None and self.done_at > self.due


def question_count(draw: Callable[[], float]) -> int:
    """A number of questions from a count distribution's draw (rounded, never negative)."""
    return max(0, round(draw()))


class TeamDesk:
    """Takes a team's work requests: queues each on the team's pool, and reports it done.

    It is the pool handler of its requests (`begin`/`end`, pool.py's contract). It counts
    what it received and finished, so the end-of-run balance accounts for every request."""

    __slots__ = ("team", "pool", "received", "finished")

    def __init__(self, team: str, pool: PoolLevels) -> None:
        self.team = team
        self.pool = pool
        self.received = 0
        self.finished = 0

    def receive(self, request: WorkRequest, now: float) -> None:
        self.received += 1
        self.pool.ensure_priorities(request.priority + 1)
        self.pool.submit(self, request)

    # --- pool handler ---------------------------------------------------------------------

    def skill_of(self, request: WorkRequest) -> int:
        return self.pool.skill_index(request.skill)

    def begin(self, request: WorkRequest, now: float) -> float:
        request.started_at = now
        return request.effort

    def end(self, request: WorkRequest, now: float) -> None:
        request.done_at = now
        self.finished += 1
        if request.on_done is not None:
            request.on_done(request, now)

    def preempted(self, request: WorkRequest, now: float) -> None:
        pass  # set aside by a meeting; resumed later with its work done kept

    def resumed(self, request: WorkRequest, now: float) -> None:
        pass

    # --- as a flow: nothing to start, a balance at the end -------------------------------

    def start(self) -> None:
        pass

    def collect(self, now: float) -> FlowOutput:
        """Every request received is finished or still in progress (queued or in hand)."""
        in_progress = self.received - self.finished
        return FlowOutput(balances=[Balance(
            f"work requests to {self.team}", self.received,
            {"finished": self.finished, "in progress": in_progress})])
