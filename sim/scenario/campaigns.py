"""The `campaigns:` section: marketing's promotions and the work they need from other teams.

A campaign raises demand by an `uplift` over a window (`start`, `length`), optionally more
for some products. At `brief` (or at its own `brief`, later or earlier), marketing hands each
prerequisite to its team as a work item with an effort and a due time before the start:
- `page` (tech): the campaign page; without it (not briefed, or not done by the start) the
  old page runs at `uplift_without_page`; with `if_late: delay` the campaign waits for it;
- `capacity` (tech): the site scaled by `factor` for the window;
  both are tech's feature work, and may ask the campaign's team `questions` while built;
- `forecast` (supply): a one-off purchase of the expected extra units, off by `error`;
- `staffing` (by team): extra members on shift for the window.
A prerequisite not done by the start is left out (it is not applied later in the window).

Times are instants since the start of the run, like the timeline's `from` and `to`.
Cross-section checks (teams, products, items a page waits for) are in `check_campaigns`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, RootModel

from sim.scenario.base import NAME_PATTERN, Spec
from sim.scenario.collab import register_handoff_pairs
from sim.scenario.errors import Problem
from sim.scenario.types import Count, Duration, Number, NumberDist, PositiveDuration
from sim.units import format_duration

Factor = Annotated[Number, Field(gt=0)]
Name = Annotated[str, Field(pattern=NAME_PATTERN)]
PAGE, CAPACITY, FORECAST, STAFFING = "page", "capacity", "forecast", "staffing"


class PrerequisiteSpec(Spec):
    """A work item marketing hands to a team: its effort and when it is due."""

    effort: PositiveDuration = Field(description="Work it takes at speed 1 (8h: one member "
                                     "for eight hours).")
    due: Duration | None = Field(None, description="When it is due (an instant before the "
                                 "campaign's start; absent: at the start).")
    brief_at: Duration | None = Field(None, alias="brief", description="When marketing hands "
                                      "this one over, if not with the others at the "
                                      "campaign's brief (a page waits for the final offer).")
    team: str | None = Field(None, description="The team that does it (default by kind: "
                             "tech for page and capacity, supply for the forecast).")
    briefed: bool = Field(True, description="false: marketing never hands it over.")


_QUESTIONS = ("Questions tech asks the campaign's team (its 'by', marketing) while building "
              "it, e.g. 6 or poisson(6) (rounded): each is a round trip over the channels, at "
              "points spread over the effort, the item set aside meanwhile, as for a feature's "
              "questions (absent: none; without channels they are answered at once).")


class TechWorkSpec(PrerequisiteSpec):
    """A prerequisite tech builds as feature work: it may ask the campaign's team questions."""

    questions: NumberDist | None = Field(None, description=_QUESTIONS)


class PageSpec(TechWorkSpec):
    if_late: Literal["run", "delay"] = Field(
        "run", description="run: a campaign whose page is not done by the start runs on the "
        "old page (uplift_without_page); delay: the campaign starts when the page is done.")
    after: tuple[Name, ...] = Field((), description="Items the page waits for: other "
                                    "prerequisites of this campaign, or tech's planned work.")


class CapacitySpec(TechWorkSpec):
    factor: Factor = Field(description="The site's capacity is multiplied by it for the window.")


class ForecastSpec(PrerequisiteSpec):
    error: NumberDist | None = Field(
        None, description="A factor the forecast of extra units is off by, drawn per product "
        "(e.g. normal(1, 0.2)); absent: the forecast is exact.")


class StaffingSpec(PrerequisiteSpec):
    members: Count = Field(ge=1, description="Extra members on shift from the start.")
    length: PositiveDuration | None = Field(
        None, description="How long they stay (absent: the campaign's window); support may "
        "want them for the questions in the days after a sale.")


class PrerequisitesSpec(Spec):
    page: PageSpec | None = None
    capacity: CapacitySpec | None = None
    forecast: ForecastSpec | None = None
    staffing: dict[str, StaffingSpec] = Field(default_factory=dict, description="Extra staff "
                                              "by team ({support: {members: 4, effort: 2h}}).")

    def items(self) -> list[tuple[str, PrerequisiteSpec, str]]:
        """(name, spec, team) of each prerequisite, named as in metrics: page, capacity,
        forecast, staffing.<team>."""
        found: list[tuple[str, PrerequisiteSpec, str]] = []
        for kind, default in ((PAGE, "tech"), (CAPACITY, "tech"), (FORECAST, "supply")):
            item = getattr(self, kind)
            if item is not None:
                found.append((kind, item, item.team or default))
        for team, item in self.staffing.items():
            found.append((f"{STAFFING}.{team}", item, item.team or team))
        return found


class CampaignSpec(Spec):
    """One campaign: a window of raised demand and the work it needs beforehand."""

    starts_at: Duration = Field(alias="start", description="When the campaign starts.")
    length: PositiveDuration = Field(description="How long it runs (1d).")
    uplift: Factor = Field(description="Demand multiplier over the window (5: five times).")
    uplift_by_product: dict[str, Factor] = Field(
        default_factory=dict, description="A different uplift for some products, by SKU; the "
        "order rate rises by the demand-weighted mean of the uplifts.")
    uplift_without_page: Factor = Field(
        1.0, description="The multiplier when the campaign runs on the old page (1: the "
        "campaign brings no extra orders without its page).")
    brief_at: Duration = Field(0.0, alias="brief", description="When marketing briefs the "
                               "teams.")
    briefed: bool = Field(True, description="false: nobody is briefed (the campaign runs "
                          "unprepared).")
    by: str = Field("marketing", description="The team that runs the campaign.")
    prerequisites: PrerequisitesSpec = Field(default_factory=PrerequisitesSpec)

    @property
    def ends_at(self) -> float:
        """When the planned window ends (a delayed campaign ends later)."""
        return self.starts_at + self.length

    def briefed_items(self) -> list[tuple[str, PrerequisiteSpec, str]]:
        """The prerequisites marketing hands over (none when the campaign is not briefed)."""
        if not self.briefed:
            return []
        return [item for item in self.prerequisites.items() if item[1].briefed]

    def due_of(self, item: PrerequisiteSpec) -> float:
        return self.starts_at if item.due is None else item.due

    def brief_of(self, item: PrerequisiteSpec) -> float:
        """When marketing hands `item` over: its own brief, else the campaign's."""
        return self.brief_at if item.brief_at is None else item.brief_at


def _campaigns_json_schema(schema: dict[str, Any]) -> None:
    schema["description"] = "Campaigns by name."


class CampaignsSpec(RootModel[dict[str, CampaignSpec]]):
    """Campaigns by name (`campaigns: {summer_sale: {start: 14d, ...}}`)."""

    model_config = ConfigDict(frozen=True, defer_build=True,
                              json_schema_extra=_campaigns_json_schema)
    root: dict[str, CampaignSpec] = Field(default_factory=dict)

    def __iter__(self) -> Iterator[tuple[str, CampaignSpec]]:  # type: ignore[override]
        return iter(self.root.items())

    def __len__(self) -> int:
        return len(self.root)

    def __bool__(self) -> bool:
        return bool(self.root)

    def teams_used(self) -> set[str]:
        """The teams campaigns put to work or brief (for the unused-team warning)."""
        teams: set[str] = set()
        for _name, campaign in self:
            teams.add(campaign.by)
            teams |= {team for _, _, team in campaign.prerequisites.items()}
        return teams

    def readiness_names(self) -> list[tuple[str, str]]:
        """(campaign, prerequisite) for every prerequisite defined, briefed or not: the
        metrics report a readiness margin for each."""
        return [(name, item) for name, campaign in self
                for item, _, _ in campaign.prerequisites.items()]


def campaign_names(spec: Any) -> list[str]:
    return [name for name, _ in spec.campaigns]


def extra_orders(spec: Any) -> float:
    """Extra orders the campaigns bring at their full uplift, at the mean order rate (for the
    run-size estimate)."""
    if spec.demand is None:
        return 0.0
    rate = spec.demand.orders.rate
    return sum(max(c.uplift, *c.uplift_by_product.values(), 0.0) * rate * c.length
               - rate * c.length for _, c in spec.campaigns
               if c.starts_at < spec.horizon)


# --- cross-section checks (called by references.py) ------------------------------------------

UnknownName = Callable[[str, str, list[str]], str]


def check_campaigns(spec: Any, unknown_name: UnknownName) -> tuple[list[Problem], list[str]]:
    """Teams that exist, due times before the start, items a page waits for, products that
    exist; warnings for windows past the horizon and prerequisites that change nothing."""
    problems: list[Problem] = []
    warnings: list[str] = []
    if spec.campaigns and spec.demand is None:
        problems.append(Problem("campaigns raise the order rate: add a 'demand' section",
                                ("campaigns",)))
        return problems, warnings
    for name, campaign in spec.campaigns:
        where = ("campaigns", name)
        _check_times(spec, name, campaign, problems, warnings)
        if campaign.by not in spec.teams and "by" in campaign.model_fields_set:
            problems.append(Problem(unknown_name("team", campaign.by, list(spec.teams)),
                                    (*where, "by")))
        for item, prerequisite, team in campaign.prerequisites.items():
            path = (*where, "prerequisites", *item.split(".", 1))
            if team not in spec.teams:
                message = unknown_name("team", team, list(spec.teams))
                where_team = path
                if prerequisite.team is not None:
                    where_team = (*path, "team")
                elif "." not in item:  # the kind's default team
                    message += f" (a {item} goes to '{team}' unless it names its 'team')"
                problems.append(Problem(message, where_team))
            due = campaign.due_of(prerequisite)
            if due > campaign.starts_at:
                problems.append(Problem(
                    f"is due at {format_duration(due)}, after the campaign's start "
                    f"({format_duration(campaign.starts_at)}): a prerequisite is due before "
                    "the campaign starts", (*path, "due")))
            elif (campaign.briefed and prerequisite.briefed
                  and due < campaign.brief_of(prerequisite)):
                warnings.append(f"{'.'.join(map(str, path))}.due: due before marketing "
                                "briefs the team "
                                f"({format_duration(campaign.brief_of(prerequisite))}): "
                                "it is late from the moment it is handed over")
            if prerequisite.brief_at is not None and prerequisite.brief_at > campaign.starts_at:
                problems.append(Problem(
                    f"must be at or before the campaign's start "
                    f"({format_duration(campaign.starts_at)}), got "
                    f"{format_duration(prerequisite.brief_at)}", (*path, "brief")))
        _check_page(spec, campaign, where, problems)
        _check_questions(spec, campaign, where, problems)
        _check_products(spec, campaign, where, unknown_name, problems)
        _check_effects(spec, campaign, name, warnings)
    return problems, warnings


def _check_times(spec: Any, name: str, campaign: CampaignSpec, problems: list[Problem],
                 warnings: list[str]) -> None:
    where = ("campaigns", name)
    if campaign.brief_at > campaign.starts_at:
        problems.append(Problem(f"must be at or before the start "
                                f"({format_duration(campaign.starts_at)}), got "
                                f"{format_duration(campaign.brief_at)}", (*where, "brief")))
    if campaign.starts_at >= spec.horizon:
        warnings.append(f"campaigns.{name}.start: starts at or after the horizon "
                        f"({format_duration(spec.horizon)}): this campaign never runs")
    elif campaign.ends_at > spec.horizon:
        warnings.append(f"campaigns.{name}.length: ends after the horizon "
                        f"({format_duration(spec.horizon)}): the run stops before it does")
    if campaign.starts_at < spec.warmup:
        warnings.append(f"campaigns.{name}.start: starts in the warm-up "
                        f"({format_duration(spec.warmup)}): its fill rate counts only units "
                        "ordered after the warm-up")


def _check_page(spec: Any, campaign: CampaignSpec, where: tuple, problems: list[Problem]
                ) -> None:
    page = campaign.prerequisites.page
    if page is None:
        return
    known = [item for item, _, _ in campaign.prerequisites.items() if item != PAGE]
    tech = getattr(spec, "tech", None)
    known += list(getattr(tech, "work", None) or {})
    for index, item in enumerate(page.after):
        if item not in known:
            problems.append(Problem(
                unknown_name_item(item, known),
                (*where, "prerequisites", PAGE, "after", index)))


def _check_questions(spec: Any, campaign: CampaignSpec, where: tuple, problems: list[Problem]
                     ) -> None:
    """Questions are asked by tech's flow (the team of `tech:`) of the campaign's team."""
    tech = getattr(spec, "tech", None)
    for item, prerequisite, team in campaign.prerequisites.items():
        if getattr(prerequisite, "questions", None) is None:
            continue
        path = (*where, "prerequisites", item, "questions")
        if tech is None:
            problems.append(Problem(f"questions are asked by tech's feature work, and this "
                                    f"scenario has no 'tech' section to build the {item}",
                                    path))
        elif team != tech.team:
            problems.append(Problem(f"questions are asked by tech's feature work: the {item} "
                                    f"goes to '{team}', not to tech's team '{tech.team}'", path))
        if campaign.by not in spec.teams and "by" not in campaign.model_fields_set:
            problems.append(Problem(f"questions go to the campaign's team '{campaign.by}', "
                                    "which this scenario does not have: add it under teams or "
                                    "name another in the campaign's 'by'", path))


def unknown_name_item(item: str, known: list[str]) -> str:
    if known:
        return (f"unknown item '{item}': the page can wait for {', '.join(sorted(known))} "
                "(this campaign's prerequisites and tech's planned work)")
    return (f"unknown item '{item}': the page can wait for this campaign's other "
            "prerequisites or tech's planned work, and there are none")


def _check_products(spec: Any, campaign: CampaignSpec, where: tuple, unknown_name: UnknownName,
                    problems: list[Problem]) -> None:
    if not campaign.uplift_by_product:
        return
    if spec.catalog is None:
        problems.append(Problem("products need a 'catalog' section",
                                (*where, "uplift_by_product")))
        return
    from sim.scenario.catalog_plan import generated_skus  # pure; only when products are named
    skus = [p.sku for p in spec.catalog.products]
    if spec.catalog.generate is not None:
        skus += generated_skus(spec.catalog.generate)
    known = set(skus)
    for sku in campaign.uplift_by_product:
        if sku not in known:
            problems.append(Problem(unknown_name("product", sku, skus[:50]),
                                    (*where, "uplift_by_product", sku)))


def _check_effects(spec: Any, campaign: CampaignSpec, name: str, warnings: list[str]) -> None:
    prerequisites = campaign.prerequisites
    if prerequisites.capacity is not None and getattr(spec, "site", None) is None:
        warnings.append(f"campaigns.{name}.prerequisites.capacity: this scenario has no "
                        "'site': scaling it changes nothing")
    if prerequisites.forecast is not None and not spec.catalog:
        warnings.append(f"campaigns.{name}.prerequisites.forecast: this scenario has no "
                        "'catalog': there is no stock to buy")
    if (prerequisites.page is None and campaign.uplift_without_page != 1.0
            and "uplift_without_page" in campaign.model_fields_set):
        warnings.append(f"campaigns.{name}.uplift_without_page: the campaign has no page "
                        "prerequisite, so it always runs at its full uplift")


def _brief_pairs(spec: Any) -> set[tuple[str, str]]:
    """(campaign team, prerequisite's team) for every brief handed over between two teams,
    and back for a prerequisite that asks questions."""
    pairs = set()
    for _name, campaign in spec.campaigns:
        if campaign.by not in spec.teams:
            continue
        for _item, prerequisite, team in campaign.briefed_items():
            pairs.add((campaign.by, team))
            if getattr(prerequisite, "questions", None) is not None:
                pairs.add((team, campaign.by))
    return pairs


register_handoff_pairs(_brief_pairs)
