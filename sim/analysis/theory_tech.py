"""Closed forms for the tech flow and the site, where the scenario has one (for `orgsim check`).

- Incidents: Poisson arrivals (background only), one exponential fix time, no detection,
  paging or triage delay, one engineer each, members always on shift at speed 1: incidents
  pre-empt feature work, so they see an M/M/c queue of their own and the time to restore is
  the Erlang C wait plus the mean fix (Gross et al. 2008, sec. 2.3).
- Feature lead time with one engineer, exponential effort, deploys at once: the low class of
  a pre-emptive-resume priority M/M/1 (incidents the high class). For class k of an M/G/1
  with pre-emptive-resume priorities (Kleinrock 1976, Queueing Systems vol. II, sec. 3.7;
  Harchol-Balter 2013, Performance Modeling and Design of Computer Systems, sec. 32.3):
      T_k = E[S_k] / (1 - s_(k-1)) + (sum_(i<=k) lambda_i E[S_i^2] / 2)
                                     / ((1 - s_(k-1)) (1 - s_k)),
  s_k = rho_1 + ... + rho_k; exponential service has E[S^2] = 2 E[S]^2.
- Site downtime, when every severity takes the site down: the site is down while at least
  one incident is open, so its share is 1 - P0 of that M/M/c.
- The site at a constant order rate and capacity (no incidents that touch it): its state is
  constant, so lost share, latency and utilisation are the curves' values at that load.
"""

from __future__ import annotations

from sim.analysis.prediction import NotApplicable, Prediction, combine_parts
from sim.analysis.queueing import erlang_c
from sim.analysis.site import ConversionCurve, order_factor
from sim.distributions import Exponential
from sim.scenario.schema import ScenarioSpec


def preemptive_priority_sojourn(lams: list[float], means: list[float], k: int) -> float:
    """Mean time in system of class `k` (0 first) of an M/M/1 with pre-emptive-resume
    priorities, exponential service of the given means."""
    sigma_before = sum(lam * mean for lam, mean in zip(lams[:k], means[:k], strict=True))
    sigma = sigma_before + lams[k] * means[k]
    if sigma >= 1:
        raise ValueError("unstable: the classes up to k load the server fully")
    residual = sum(lam * mean * mean for lam, mean in zip(lams[:k + 1], means[:k + 1],
                                                          strict=True))
    return means[k] / (1 - sigma_before) + residual / ((1 - sigma_before) * (1 - sigma))


def mmc_empty_probability(a: float, c: int) -> float:
    """P0 of M/M/c at offered load a < c: 1 / (sum_(k<c) a^k/k! + a^c / (c! (1 - a/c)))."""
    term, total = 1.0, 0.0
    for k in range(c):
        total += term
        term *= a / (k + 1)
    return 1.0 / (total + term / (1.0 - a / c))


def predict_tech(spec: ScenarioSpec) -> Prediction:
    """Theoretical values of the scenario's tech and site metrics (raises NotApplicable)."""
    return combine_parts(spec, (_incidents, _site))


def _incidents(spec: ScenarioSpec) -> tuple[str, dict[str, float]]:
    tech = spec.tech
    if tech is None or not tech.incidents:
        raise NotApplicable("no incidents")
    team = spec.teams[tech.team]
    if not (team.plain and all(g.shift.always for g in team.shifts)):
        raise NotApplicable("the tech team must be plain members always on shift")
    if tech.detect or tech.on_call.page or tech.deploys.change_failure > 0:
        raise NotApplicable("detection, paging or deploy failures are set")
    fixes = set()
    for severity in tech.incidents.values():
        if severity.load_rate or severity.triage or severity.second_engineer:
            raise NotApplicable("load incidents, triage or a second engineer are set")
        if not isinstance(severity.fix_time, Exponential):
            raise NotApplicable("fix times must be exponential")
        fixes.add(severity.fix_time.mean)
    if len(fixes) != 1:
        raise NotApplicable("every severity needs the same fix time")
    fix = fixes.pop()
    lam = sum(s.rate for s in tech.incidents.values())
    c = team.headcount
    try:
        wait = erlang_c(lam, 1.0 / fix, c).wait_all
    except ValueError as error:
        raise NotApplicable(str(error)) from None
    rows = {"tech.incident.time_to_restore.mean": wait + fix,
            "tech.incidents_per_day": lam * 1440.0}
    if spec.site is not None and all(s.site == 0.0 for s in tech.incidents.values()):
        # every incident takes the site down: down while at least one is open, 1 - P0
        rows["site.downtime_share"] = 1.0 - mmc_empty_probability(lam * fix, c)
    model = f"M/M/{c} incidents"
    features = tech.features
    if features is not None and c == 1 and not tech.work and tech.deploys.days is None \
            and isinstance(features.effort, Exponential) \
            and features.arrivals.profile().constant:
        rows["tech.feature_lead_time.mean"] = preemptive_priority_sojourn(
            [lam, features.arrivals.rate], [fix, features.effort.mean], 1)
        model += " + pre-emptive priority M/M/1 features"
    return model, rows


def _site(spec: ScenarioSpec) -> tuple[str, dict[str, float]]:
    site = spec.site
    if site is None or spec.demand is None:
        raise NotApplicable("no site with orders")
    if spec.timeline or not spec.demand.orders.profile().constant:
        raise NotApplicable("the order rate must be constant")
    if spec.tech is not None and any(s.site is not None or s.load_rate
                                     for s in spec.tech.incidents.values()):
        raise NotApplicable("incidents change the site's capacity")
    rho = spec.demand.orders.rate * site.visits_per_order / site.capacity
    curve = ConversionCurve(site.conversion_points(), site.loss_per_100ms, site.timeout)
    latency, factor = order_factor(rho, site.base_latency, site.timeout, site.servers, curve)
    return "site curves at constant load", {
        "site.lost_orders_share": 1.0 - factor,
        "site.latency.mean": latency,
        "site.utilisation": min(rho, 1.0),
        "orders.placed_per_day": spec.demand.orders.rate * factor * 1440.0,
    }
