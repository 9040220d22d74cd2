"""Checks across sections of a validated spec: names that must exist, shares that must sum,
and warnings for scenarios that run but may not mean what the user thinks."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from sim.distributions import Distribution
from sim.scenario.campaigns import check_campaigns
from sim.scenario.errors import Problem
from sim.scenario.references_collab import check_collab
from sim.scenario.references_commerce import check_commerce
from sim.scenario.references_timeline import check_timeline
from sim.scenario.schema import ScenarioSpec, SupportSpec
from sim.scenario.tech import check_tech
from sim.units import format_duration

SHARE_TOLERANCE = 1e-6


def unknown_name(kind: str, name: str, known: list[str]) -> str:
    text = f"unknown {kind} '{name}'"
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f"{text}; did you mean '{close[0]}'?"
    if known:
        return f"{text}; {kind}s in this scenario: {', '.join(sorted(known))}"
    return f"{text}; this scenario defines no {kind}s"


def check_references(spec: ScenarioSpec, data: dict | None = None
                     ) -> tuple[list[Problem], list[str]]:
    """Problems and warnings that span sections; `data` is the user's own mapping (to name
    paths the way they were written)."""
    problems: list[Problem] = []
    warnings: list[str] = []
    # The horizon itself is checked by its type (above 0), so a bad horizon never gets here
    # to blame the warm-up the user did not write.
    if spec.warmup >= spec.horizon:
        problems.append(Problem(
            f"must be shorter than the horizon ({format_duration(spec.horizon)})", ("warmup",)))
    else:
        _check_bin(spec, problems, warnings)
    if spec.support is None and spec.demand is None and spec.tech is None:
        problems.append(Problem("nothing to simulate: add a 'support', a 'demand' or a "
                                "'tech' section", ()))
    if spec.support is not None:
        _check_support(spec, spec.support, problems, warnings)
    problems += check_commerce(spec, data or {}, unknown_name)
    problems += check_tech(spec, unknown_name)
    timeline_problems, timeline_warnings = check_timeline(spec, unknown_name)
    problems += timeline_problems
    warnings += timeline_warnings
    campaign_problems, campaign_warnings = check_campaigns(spec, unknown_name)
    problems += campaign_problems
    warnings += campaign_warnings
    collab_problems, collab_warnings = check_collab(spec, unknown_name)
    problems += collab_problems
    warnings += collab_warnings
    if not problems:
        warnings += _unused_names(spec)
        warnings += [f"{_dotted(path)}: {caveat}"
                     for path, dist in distributions_in(spec) for caveat in dist.caveats()]
    return problems, warnings


def _dotted(path: tuple) -> str:
    return ".".join(str(part) for part in path)


def distributions_in(node: Any, path: tuple = ()) -> Iterator[tuple[tuple, Distribution]]:
    """Every distribution the user wrote in a spec, with its field path (walks any spec, so
    a new section's distributions are found without being listed)."""
    if isinstance(node, Distribution):
        yield path, node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from distributions_in(getattr(node, name), (*path, name))
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from distributions_in(value, (*path, key))
    elif isinstance(node, tuple | list):
        for index, value in enumerate(node):
            yield from distributions_in(value, (*path, index))


def names_used(spec: ScenarioSpec, kind: str) -> set[str]:
    """The teams or suppliers that the scenario's sections use. A section registers by
    having a method `teams_used()` or `suppliers_used()` (see schema.py, commerce.py)."""
    used: set[str] = set()
    for name in type(spec).model_fields:
        report = getattr(getattr(spec, name), f"{kind}_used", None)
        if report is not None:
            used |= report()
    return used


def _unused_names(spec: ScenarioSpec) -> list[str]:
    warnings = []
    teams = names_used(spec, "teams")
    for name in spec.teams:
        if name not in teams:
            warnings.append(f"teams.{name}: no flow uses this team; name it as a flow's "
                            "'team' or remove it")
    suppliers = names_used(spec, "suppliers")
    for name in spec.suppliers:
        if name not in suppliers:
            warnings.append(f"suppliers.{name}: no product is ordered from this supplier; name "
                            "it as a product's 'supplier' or remove it")
    return warnings


def _check_bin(spec: ScenarioSpec, problems: list[Problem], warnings: list[str]) -> None:
    width = spec.output.bin
    if width is None:
        return
    window = spec.horizon - spec.warmup
    if width > spec.horizon:
        problems.append(Problem(
            f"a bin of {format_duration(width)} is longer than the horizon "
            f"({format_duration(spec.horizon)}): the plots would have no complete bin; choose "
            "a bin that fits several times into the horizon", ("output", "bin")))
    elif width > window:
        warnings.append(
            f"output.bin: a bin of {format_duration(width)} is longer than the observed window "
            f"(horizon - warmup = {format_duration(window)}): the plots show less than one bin "
            "of results")


def _check_support(
    spec: ScenarioSpec, support: SupportSpec, problems: list[Problem], warnings: list[str]
) -> None:
    if support.team not in spec.teams:
        problems.append(Problem(unknown_name("team", support.team, list(spec.teams)),
                                ("support", "team")))
    types = support.inquiry_types
    if not types and support.handle_time is None:
        problems.append(Problem("this required key is missing (or give inquiry_types, each "
                                "with a handle_time)", ("support", "handle_time")))
    for name, kind in types.items():
        if kind.handle_time is None and support.handle_time is None:
            problems.append(Problem("needs a handle_time (or set support.handle_time for all)",
                                    ("support", "inquiry_types", name, "handle_time")))
    if support.team in spec.teams:
        have = spec.teams[support.team].skills
        for name, kind in types.items():
            if kind.skill is not None and kind.skill not in have:
                known = (f"skills in the team: {', '.join(sorted(have))}" if have
                         else "give a group of the team 'skills: [...]'")
                problems.append(Problem(
                    f"inquiry type '{name}' asks for skill '{kind.skill}', which no member of "
                    f"team '{support.team}' has; {known}",
                    ("support", "inquiry_types", name, "skill")))
    if support.arrivals is not None and types:
        total = sum(k.share for k in types.values())
        if abs(total - 1.0) > SHARE_TOLERANCE:
            problems.append(Problem(
                f"the shares of the inquiry types must sum to 1, they sum to {total:.6g}",
                ("support", "inquiry_types")))
    if problems or support.arrivals is None:
        return
    team = spec.teams[support.team]
    if types:
        mixes = [(k.share, k.handle_time or support.handle_time, k.patience or support.patience)
                 for k in types.values() if k.share > 0]
    else:
        mixes = [(1.0, support.handle_time, support.patience)]
    load = support.arrivals.rate * sum(share * handle.mean for share, handle, _ in mixes)
    capacity = team.mean_capacity()
    impatient = all(patience is not None for _, _, patience in mixes)
    if not impatient and load >= capacity:
        warnings.append(
            f"support: the offered load ({load:.2f} agents busy on average) reaches the "
            f"capacity of team '{support.team}' ({capacity:.2f} agents on shift on average) "
            "and some customers never give up: the queue will grow for as long as it runs"
        )
