"""The slow validation suite as one family of statistical assertions, judged together.

Each slow check (`pytest -m slow`) makes statistical assertions: a theory row (|simulated
mean - theory| within k standard errors) or a coverage count (within a binomial band). Run
one at a time, each at a small error rate, some of many would fail by chance. So, as in
`orgsim check` (sim/check.py), the assertions of the whole slow suite form ONE family with a
stated family-wise error rate alpha = FAMILY_ERROR_RATE (1%): a correct model fails at least
one of the M assertions with probability at most alpha. By Bonferroni (whatever the
dependence between assertions), each assertion is tested at alpha / M:

- a theory row passes when |simulated - theory| <= t_(R-1)(1 - alpha / 2M) x s.e.
  (sim.check.ToleranceRule over M rows: `tolerance_rule()`);
- a coverage count passes unless it falls in a binomial tail of probability alpha / 2M on
  either side (`tail_each_side()`).

M counts every member's assertions, whichever tests a run selects, so the rule is fixed
before any data are seen. A slow test joins with the `@slow_member(count)` decorator,
`count()` giving its statistical assertions over all its parametrizations (derived from its
cases, not written by hand); tests/validation/test_family.py checks that every slow test in
tests/validation is a member and that the theory rows are counted right.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TypeVar

from sim.check import FAMILY_ERROR_RATE, ToleranceRule

HERE = Path(__file__).resolve().parent
Test = TypeVar("Test", bound=Callable)

_MEMBERS: dict[str, Callable[[], int]] = {}


def key(test: Callable) -> str:
    """'module::test' by file name: the same whichever name the module was imported under."""
    return f"{Path(inspect.getfile(test)).stem}::{test.__name__}"


def slow_member(count: Callable[[], int]) -> Callable[[Test], Test]:
    """Decorator: the slow test joins the family with `count()` statistical assertions."""

    def register(test: Test) -> Test:
        _MEMBERS[key(test)] = count
        return test

    return register


@cache
def members() -> dict[str, int]:
    """Every member of the family (every validation module imported) with its assertions."""
    for path in sorted(HERE.glob("test_*.py")):
        importlib.import_module(f"tests.validation.{path.stem}")
    return {name: count() for name, count in sorted(_MEMBERS.items())}


def size() -> int:
    """M: the statistical assertions of the whole slow suite."""
    return sum(members().values())


def alpha_each() -> float:
    """The error rate each assertion is tested at: alpha / M (Bonferroni)."""
    return FAMILY_ERROR_RATE / size()


def tolerance_rule() -> ToleranceRule:
    """The theory rows' rule: each a two-sided t test at level 1 - alpha / M."""
    return ToleranceRule(FAMILY_ERROR_RATE, size())


def tail_each_side() -> float:
    """A coverage count's tail on each side of its band: alpha / 2M."""
    return alpha_each() / 2


def theory_rows(scenario) -> int:
    """The rows sim.check.measure makes for a run of `scenario`: one per predicted metric,
    and Little's law where the support desk reports its queue."""
    import sim.replication  # noqa: F401  (importing the flows declares their metrics)
    from sim.analysis.theory import predict
    from sim.metrics.declare import reported_names

    little = "support.queue_length.mean" in reported_names(scenario.spec)
    return len(predict(scenario.spec).values) + little
