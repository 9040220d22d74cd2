"""Marketing's campaigns: each is a SimPy process (a low-rate story of a few steps).

At the brief (the campaign's, or the prerequisite's own), marketing hands each prerequisite
to its team as a `WorkRequest` over the seam (page and capacity to tech, the forecast to
supply, staffing to the team that gets the staff); a page that waits for other
prerequisites is handed over when they are done. The sender is the campaign's `by:` team
(marketing), so with channels the briefs travel over marketing->X and the prerequisites'
ready margins include that time. A prerequisite with
`questions` (tech's page or capacity) carries their number, drawn at the hand-over; tech asks
them of the sender while building it (sim/model/flows/tech.py), so with channels their round
trips delay it too. At the start, what is done by then is applied, for the window:
- the page: the full uplift (by product too), else `uplift_without_page`; with `if_late:
  delay` the campaign waits for the page and its window moves;
- capacity: the site scaled (`SITE_CAPACITY`, when the model has a site);
- staffing: extra members on shift (`sim/model/org/roster.py`);
- the forecast acts earlier, when it is done: supply's purchase (`FORECAST_PURCHASE`), if
  done by the planned start, blended by supply's trust in marketing (`blended_uplift`).
The uplift goes to the orders flow as a `DEMAND_FACTOR`; it is removed when the window ends.
"""

from __future__ import annotations

import math
from collections.abc import Generator

import numpy as np
from simpy import Event

from sim.metrics.output import Balance, FlowOutput, safe_ratio
from sim.metrics.split import new_times
from sim.model.context import Context
from sim.model.flows.signals import (
    DEMAND_FACTOR,
    FORECAST_PURCHASE,
    SITE_CAPACITY,
    DemandFactor,
    ForecastPurchase,
    SiteCapacity,
)
from sim.model.org.requests import WorkRequest, question_count, work_kind
from sim.scenario.campaigns import CAPACITY, FORECAST, PAGE, CampaignSpec, PrerequisiteSpec
from sim.scenario.timeline import expected_arrivals, factor_steps

SOURCE = "campaigns"  # the sender when the campaign's team is not a team of the scenario


def sender_of(spec: CampaignSpec, teams) -> str:
    """Who hands a campaign's briefs over: its `by:` team (default marketing) when the scenario
    has it, so the briefs travel over that team's channels; else the campaigns themselves."""
    return spec.by if spec.by in teams else SOURCE


class CampaignRun:
    """One campaign's state: what was handed over, when each item was done, its window."""

    __slots__ = ("name", "spec", "sender", "done_at", "done", "requests", "started_at",
                 "ended_at", "page_ready", "units_at_start", "units_at_end")

    def __init__(self, name: str, spec: CampaignSpec, sender: str = SOURCE) -> None:
        self.name = name
        self.spec = spec
        self.sender = sender
        self.done_at: dict[str, float] = {}
        self.done: dict[str, Event] = {}
        self.requests: dict[str, WorkRequest] = {}
        self.started_at: float | None = None
        self.ended_at: float | None = None
        self.page_ready = False
        self.units_at_start: tuple[int, int] | None = None
        self.units_at_end: tuple[int, int] | None = None

    def ready(self, item: str) -> bool:
        """Done by the moment the campaign starts (by now, while it is starting)."""
        return item in self.done_at


class Campaigns:
    """Every campaign of the scenario, each run by its own process."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.env = ctx.env
        spec = ctx.spec
        self.runs = [CampaignRun(name, campaign, sender_of(campaign, spec.teams))
                     for name, campaign in spec.campaigns]
        self._profile = spec.demand.orders.profile()
        self._steps = factor_steps(spec.timeline, "demand")  # the rate without campaigns
        self._errors = {}
        self._questions = {}  # (campaign, item): the draw of its number of questions
        for run in self.runs:
            forecast = run.spec.prerequisites.forecast
            if forecast is not None and forecast.error is not None:
                stream = ctx.streams.stream(f"campaign.{run.name}.forecast_error")
                self._errors[run.name] = forecast.error.sampler(stream)
            for item, prerequisite, team in run.spec.briefed_items():
                ctx.wants_work(team)
                questions = getattr(prerequisite, "questions", None)
                if questions is not None:
                    stream = ctx.streams.stream(f"campaign.{run.name}.{item}.questions")
                    self._questions[run.name, item] = questions.sampler(stream)

    def start(self) -> None:
        for run in self.runs:
            self.env.process(self._run(run))

    # --- the story ---------------------------------------------------------------------------

    def _run(self, run: CampaignRun) -> Generator[Event, object, None]:
        env = self.env
        spec = run.spec
        items = spec.briefed_items()
        for item, _prerequisite, _team in items:
            run.done[item] = Event(env)
        # one brief for all, or some handed over later (a page briefed once the offer is final)
        briefs = sorted({spec.brief_of(prerequisite) for _, prerequisite, _ in items})
        for brief in briefs or [spec.brief_at]:
            yield env.timeout(max(0.0, brief - env.now))
            for item, prerequisite, team in items:
                if spec.brief_of(prerequisite) != brief:
                    continue
                if item == PAGE:
                    env.process(self._hand_page(run, prerequisite, team))
                else:
                    self._hand_over(run, item, prerequisite, team)
        yield env.timeout(max(0.0, spec.starts_at - env.now))
        page = spec.prerequisites.page
        if (page is not None and page.if_late == "delay" and PAGE in run.done
                and not run.ready(PAGE)):
            yield run.done[PAGE]
        self._open_window(run)
        yield env.timeout(spec.length)
        self._close_window(run)

    def _hand_page(self, run: CampaignRun, page: PrerequisiteSpec, team: str
                   ) -> Generator[Event, object, None]:
        """The page is handed over once the prerequisites it waits for are done; for tech's
        own planned work it names, the tech flow holds it (WorkRequest.after)."""
        waits = [run.done[item] for item in run.spec.prerequisites.page.after
                 if item in run.done]
        if waits:
            yield self.env.all_of(waits)
        self._hand_over(run, PAGE, page, team)

    def _hand_over(self, run: CampaignRun, item: str, prerequisite: PrerequisiteSpec,
                   team: str) -> None:
        now = self.env.now
        after = getattr(prerequisite, "after", ())  # a page's: tech's planned work among them
        questions = self._questions.get((run.name, item))
        request = WorkRequest(f"{run.name}.{item}", run.sender, prerequisite.effort, now,
                              due=run.spec.due_of(prerequisite), on_done=self._finished,
                              payload=(run, item), after=tuple(after),
                              questions=question_count(questions) if questions else 0)
        request.collab_times = new_times()  # its time on the way (the taker's split)
        run.requests[item] = request
        self.ctx.org.send(work_kind(team), request, run.sender)

    def _finished(self, request: WorkRequest, now: float) -> None:
        run, item = request.payload
        run.done_at[item] = now
        run.done[item].succeed()
        if item == FORECAST and now <= run.spec.starts_at:
            self._buy(run, now)

    def _buy(self, run: CampaignRun, now: float) -> None:
        org = self.ctx.org
        if not org.receives(FORECAST_PURCHASE):
            return  # no catalog: stock never limits orders
        spec = run.spec
        expected = self.expected_orders(spec.starts_at, spec.ends_at)
        trust = self._supply_trust(run)
        by_product = tuple((sku, blended_uplift(uplift, trust))
                           for sku, uplift in spec.uplift_by_product.items())
        org.send(FORECAST_PURCHASE, ForecastPurchase(
            run.name, expected, blended_uplift(spec.uplift, trust), spec.starts_at, by_product,
            self._errors.get(run.name)), SOURCE)

    def _supply_trust(self, run: CampaignRun) -> float:
        """How much the team that made the forecast trusts what the campaign's team sends
        (1 without trust, or when the campaign's sender is not a team)."""
        trust = self.ctx.services.get("trust")
        if trust is None or run.sender == SOURCE:
            return 1.0
        team = next(team for item, _spec, team in run.spec.prerequisites.items()
                    if item == FORECAST)
        return trust.value(team, run.sender)

    def _open_window(self, run: CampaignRun) -> None:
        env = self.env
        spec = run.spec
        org = self.ctx.org
        now = env.now
        run.started_at = now
        end = now + spec.length
        run.page_ready = spec.prerequisites.page is None or run.ready(PAGE)
        if run.page_ready:
            change = DemandFactor(_factor(run), spec.uplift,
                                  tuple(spec.uplift_by_product.items()))
        else:
            change = DemandFactor(_factor(run), spec.uplift_without_page)
        org.send(DEMAND_FACTOR, change, SOURCE)
        capacity = spec.prerequisites.capacity
        if capacity is not None and run.ready(CAPACITY) and org.receives(SITE_CAPACITY):
            org.send(SITE_CAPACITY, SiteCapacity(run.name, capacity.factor, now, end), SOURCE)
        for team, staffing in spec.prerequisites.staffing.items():
            if run.ready(f"staffing.{team}"):
                target = staffing.team or team
                stay = staffing.length if staffing.length is not None else spec.length
                self.ctx.add_staff(target, staffing.members, now, now + stay,
                                   f"campaign.{run.name}")
        stock = self.ctx.services.get("inventory")
        run.units_at_start = stock.units_so_far() if stock is not None else None

    def _close_window(self, run: CampaignRun) -> None:
        run.ended_at = self.env.now
        self.ctx.org.send(DEMAND_FACTOR, DemandFactor(_factor(run), None), SOURCE)
        stock = self.ctx.services.get("inventory")
        run.units_at_end = stock.units_so_far() if stock is not None else None

    def expected_orders(self, start: float, end: float) -> float:
        """Orders expected over [start, end] without any campaign (profile and timeline)."""
        return expected_arrivals(self._profile, self._steps, start, end)

    # --- results -----------------------------------------------------------------------------

    def collect(self, now: float) -> FlowOutput:
        out = FlowOutput()
        m = out.metrics
        orders = self.ctx.services.get("orders")
        site = self.ctx.services.get("site")
        stock = self.ctx.services.get("inventory")
        for run in self.runs:
            key = f"campaign.{run.name}"
            start = run.started_at
            end = min(run.ended_at if run.ended_at is not None else now, now)
            if start is None:  # never started (a page it waits for is not done)
                placed, lost, realised, fill = 0, 0.0, math.nan, math.nan
            else:
                placed = orders.placed(start, end)
                lost = site.lost_orders(start, end) if site is not None else 0.0
                realised = safe_ratio(placed, self.expected_orders(start, end))
                after = run.units_at_end or (stock.units_so_far() if stock else None)
                fill = _fill_rate(run.units_at_start, after)
                out.balances.append(Balance(f"{key} orders", placed,
                                            orders.outcomes(start, end)))
            out.series[f"{key}.active"] = self._window_series(start, end)
            m[f"{key}.orders"] = float(placed)
            m[f"{key}.lost_orders"] = float(lost)
            m[f"{key}.uplift_realised"] = realised
            m[f"{key}.fill_rate"] = fill
            for item, _spec, _team in run.spec.prerequisites.items():
                done = run.done_at.get(item)
                m[f"{key}.ready_margin.{item}"] = (run.spec.starts_at - done
                                                    if done is not None else math.nan)
        return out


    def _window_series(self, start: float | None, end: float) -> np.ndarray:
        """The share of each bin inside the campaign's window (for the run's timeline)."""
        ctx = self.ctx
        lows = np.arange(ctx.bins) * ctx.bin_width
        if start is None:
            return np.zeros(ctx.bins)
        covered = np.minimum(lows + ctx.bin_width, end) - np.maximum(lows, start)
        return np.clip(covered, 0.0, None) / ctx.bin_width


def blended_uplift(uplift: float, trust: float) -> float:
    """The uplift supply buys for: it orders against `trust x F_marketing + (1 - trust) x
    F_own`, where F_marketing = expected orders x uplift and F_own = expected orders (its own
    forecast, without the campaign), so only the extra marketing expects is scaled by trust."""
    return trust * uplift + (1.0 - trust) * 1.0


def _factor(run: CampaignRun) -> str:
    return f"campaign.{run.name}"


def _fill_rate(before: tuple[int, int] | None, after: tuple[int, int] | None) -> float:
    if before is None or after is None:
        return math.nan
    return safe_ratio(after[1] - before[1], after[0] - before[0])


# --- declared metrics (sim/metrics/declare.py); one block, kept apart from the model code ---

from sim.metrics.declare import COUNT, DURATION, SHARE, Metric, declare  # noqa: E402
from sim.scenario.campaigns import campaign_names  # noqa: E402


def _readiness(spec) -> list[tuple[str, str]]:
    return spec.campaigns.readiness_names()


CAMPAIGN_METRICS = declare("campaigns", [
    Metric("campaign.<name>.orders", COUNT, "orders placed in the campaign's window",
           unit="orders", values=campaign_names),
    Metric("campaign.<name>.lost_orders", COUNT, "intended orders in the window lost to a "
           "slow or down site (0 without a site)", unit="orders", values=campaign_names),
    Metric("campaign.<name>.uplift_realised", COUNT, "orders in the window over the orders "
           "expected there without the campaign", unit="ratio", values=campaign_names),
    Metric("campaign.<name>.fill_rate", SHARE, "units ordered in the window that were served "
           "from stock on hand (nan without a catalog)", values=campaign_names),
    Metric("campaign.<name>.ready_margin.<prerequisite>", DURATION, "how long before the "
           "planned start the prerequisite was done (negative: late; nan: not briefed or not "
           "done within the run)", low=None, values=_readiness),
], active=lambda spec: bool(spec.campaigns) and spec.demand is not None, order=25)
