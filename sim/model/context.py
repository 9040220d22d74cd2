"""What flows receive when they are built: the clock, random streams, teams and the seam."""

from __future__ import annotations

from collections.abc import Callable

from simpy import Environment

from sim.distributions import Uniform
from sim.metrics.bins import bin_count, choose_bin_width
from sim.metrics.load import LoadWatch
from sim.metrics.records import EntityKind, RecordBook, RecordLog
from sim.model.org.handoff import Org
from sim.model.org.pool import PoolLevels
from sim.model.org.roster import add_staff
from sim.model.org.team import staff_pool
from sim.model.wakeup import Wakeup, call_later
from sim.random import RandomStreams
from sim.scenario.schema import ScenarioSpec, preempting_teams
from sim.scenario.timeline import staff_windows

UNIT_UNIFORM = Uniform(low=0.0, high=1.0, quantity="number")


class Context:
    __slots__ = ("env", "streams", "spec", "horizon", "warmup", "bin_width", "bins", "org",
                 "pools", "load_watch", "records", "work_targets", "services", "added_staff",
                 "_window_starts", "_preempting", "_staff_listeners")

    def __init__(self, env: Environment, streams: RandomStreams, spec: ScenarioSpec,
                 records: bool = False) -> None:
        self.env = env
        self.streams = streams
        self.spec = spec
        self.horizon = spec.horizon
        self.warmup = spec.warmup
        self.bin_width = choose_bin_width(spec.horizon, spec.output.bin)
        self.bins = bin_count(spec.horizon, self.bin_width)
        self.org = Org(env)
        self.pools: dict[str, PoolLevels] = {}
        self.load_watch = LoadWatch()  # every team's queue, judged for overload at the end
        self.records = RecordBook() if records else None  # entity records: opt-in
        self.work_targets: set[str] = set()  # teams some flow sends work requests to
        # read-only views flows register for others to read at run time (flows/signals.py)
        self.services: dict[str, object] = {}
        # (team, start, end, members) put on shift at run time (a campaign's staffing), for
        # the staff cost; the timeline's windows are in the spec
        self.added_staff: list[tuple[str, float, float, int]] = []
        self._staff_listeners: list[Callable[[str, float, float, int], None]] = []
        self._window_starts: list[Callable[[float], None]] = []
        self._preempting = preempting_teams(spec)

    def pool(self, team: str) -> PoolLevels:
        """The pool of the team's members (one per team, shared by every flow it works for)."""
        if team not in self.pools:
            pool = staff_pool(self.env, team, self.spec.teams[team], self.horizon,
                              self.bin_width, self.bins, team in self._preempting,
                              staff_windows(self.spec.timeline, team, self.horizon))
            self.pools[team] = pool
            self.at_window_start(pool.start_window)
            self.load_watch.register(pool.observe)
        return self.pools[team]

    def add_staff(self, team: str, members: int, start: float, end: float, label: str) -> None:
        """Put `members` more on `team`'s shift from `start` to `end`, decided at run time (a
        campaign's staffing; the timeline's windows are built in): the roster, the staff
        cost and whoever reads the roster (`on_staff_added`) all hear of it here."""
        add_staff(self.pool(team), self.spec.teams[team], members, start, end, label)
        self.added_staff.append((team, start, end, members))
        if members > 0 and end > start:
            for listener in self._staff_listeners:
                listener(team, start, end, members)

    def on_staff_added(self, listener: Callable[[str, float, float, int], None]) -> None:
        """Call `listener(team, start, end, members)` whenever staff is added at run time
        (e.g. channels: a message waits only until someone of the team is on shift)."""
        self._staff_listeners.append(listener)

    def wants_work(self, team: str) -> None:
        """A flow will send work requests to `team` (`sim/model/org/requests.py`): after the
        flows are built, a team no flow takes work for gets a desk."""
        self.work_targets.add(team)

    def record_log(self, kind: EntityKind) -> RecordLog | None:
        """Where a flow appends its entities of `kind`; None when the run keeps no records
        (the flow then keeps only its compact accumulators)."""
        return self.records.log(kind) if self.records is not None else None

    def uniform(self, name: str):
        """A batched U(0, 1) sampler on the named stream (a scalar numpy draw costs ~1 us, a
        batched one ~0.15 us: these decide every routing and probability on hot paths)."""
        return UNIT_UNIFORM.sampler(self.streams.stream(name))

    def at_window_start(self, callback: Callable[[float], None]) -> None:
        """Call `callback(now)` when warm-up ends (time averages start there)."""
        self._window_starts.append(callback)

    def schedule_window_start(self) -> None:
        def start(_event: Wakeup) -> None:
            for callback in self._window_starts:
                callback(self.env._now)
        if self.warmup > 0:
            call_later(self.env, self.warmup, start)
