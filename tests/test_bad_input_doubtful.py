"""Doubtful values: each gets an `error:` (exit 2, nothing written) or, where it may be meant,
a `warning:` naming the field path. Counts are whole numbers, not yes or '7'; a work time
takes some time while a delay may be 0; a normal whose truncation moves its mean says so;
no empty pickup list, no zero promise, no bin longer than the horizon; unused teams and
suppliers are named."""

from __future__ import annotations

import typing

import numpy as np
import pytest
from pydantic import BaseModel

from sim.cli import bundled_scenarios_dir, cli
from sim.distributions import Distribution
from sim.scenario import load_scenario
from sim.scenario.base import Spec
from sim.scenario.schema import ScenarioSpec
from tests.test_bad_input import COMMANDS, _edit, assert_bad_input, invoke
from tests.test_bad_input_commerce import BASE as SHOP

# --- errors in the tiny desk (tests/conftest.py: the line numbers are those of its text) ---

DESK_ERRORS = [
    ("members-yes", "members: 4", "members: yes", 9, "teams.support.members",
     ["expected a whole number, got yes"]),
    ("members-quoted", "members: 4", "members: '7'", 9, "teams.support.members",
     ["expected a whole number, got the text '7'", "without quotes"]),
    ("replications-no", "replications: 2", "replications: no", 5, "replications",
     ["expected a whole number, got no"]),
    ("seed-quoted", "seed: 1", 'seed: "1"', 6, "seed", ["expected a whole number"]),
    ("handle-time-const-zero", "handle_time: exp(3m)", "handle_time: const(0s)", 14,
     "support.handle_time", ["is a work time and must take some time", "const(0s)"]),
    ("handle-time-plain-zero", "handle_time: exp(3m)", "handle_time: 0m", 14,
     "support.handle_time", ["is a work time and must take some time"]),
    ("handle-time-exp-zero", "handle_time: exp(3m)", "handle_time: exp(0m)", 14,
     "support.handle_time", ["exp with a mean of 0 can only draw 0", "const(0s)"]),
    ("handle-time-lognormal-zero", "handle_time: exp(3m)", "handle_time: lognormal(0m, 1m)", 14,
     "support.handle_time", ["lognormal with a mean of 0 can only draw 0"]),
    ("patience-exp-zero", "patience: exp(2m)", "patience: exp(0m)", 15,
     "support.patience", ["exp with a mean of 0 can only draw 0"]),
    ("bin-longer-than-horizon", "seed: 1", "seed: 1\noutput: {bin: 2d}", 7, "output.bin",
     ["longer than the horizon (1 d)"]),
    ("bin-zero", "seed: 1", "seed: 1\noutput: {bin: 0s}", 7, "output.bin",
     ["must be longer than 0"]),
    ("share-yes", "service_level_target: 20s\n",
     "service_level_target: 20s\n  inquiry_types:\n    order: {share: yes}\n", 18,
     "support.inquiry_types.order.share", ["expected a number, got yes"]),
]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("old,new,line,dotted,phrases", [c[1:] for c in DESK_ERRORS],
                         ids=[c[0] for c in DESK_ERRORS])
def test_doubtful_desk_value_is_refused(runner, write_scenario, tiny_text, tmp_path, command,
                                        old, new, line, dotted, phrases):
    path = write_scenario(tmp_path, _edit(tiny_text, old, new))
    result, out = invoke(runner, command, path)
    output = assert_bad_input(result, out, f"{path}, line {line}: {dotted}: ", *phrases)
    assert output.count("error: ") == 1, output


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("horizon", ["0s", "0d"])
def test_zero_horizon_blames_the_horizon_not_the_warmup(runner, write_scenario, tiny_text,
                                                        tmp_path, command, horizon):
    text = _edit(tiny_text, "warmup: 1h\n", "")  # the user wrote no warmup
    path = write_scenario(tmp_path, _edit(text, "horizon: 1d", f"horizon: {horizon}"))
    result, out = invoke(runner, command, path)
    output = assert_bad_input(result, out, f"{path}, line 3: horizon: must be longer than 0")
    assert "warmup" not in output
    assert output.count("error: ") == 1, output


# --- errors in the shop (tests/test_bad_input_commerce.py's BASE) ---------------------------

SHOP_ERRORS = [
    ("promise-zero", "promise: 3d", "promise: 0s", 22, "delivery.promise",
     ["must be longer than 0"]),
    ("pickups-empty", "transit_time: 1d}", "transit_time: 1d, pickups: []}", 21,
     "delivery.carriers.post.pickups", ["nothing is ever collected", "leave 'pickups' out"]),
    ("time-per-order-zero", "{name: pick, time_per_order: exp(2m)}",
     "{name: pick, time_per_order: const(0s)}", 17,
     "fulfilment.stages.0.time_per_order", ["is a work time"]),
    ("time-per-line-zero", "{name: pack, time_per_order: exp(1m)}",
     "{name: pack, time_per_order: exp(1m), time_per_line: 0s}", 18,
     "fulfilment.stages.1.time_per_line", ["is a work time"]),
    ("minimum-order-yes", "main: {lead_time: 2d}", "main: {lead_time: 2d, minimum_order: yes}",
     14, "suppliers.main.minimum_order", ["expected a whole number, got yes"]),
    ("initial-stock-quoted", "initial_stock: 10", "initial_stock: '10'", 10,
     "catalog.0.initial_stock", ["got the text '10'"]),
    ("warehouse-members-quoted", "warehouse: {members: 2}", "warehouse: {members: '2'}", 4,
     "teams.warehouse.members", ["expected a whole number"]),
    ("review-period-zero", "{type: sS, min: 5, max: 20}",
     "{type: base_stock, order_up_to: 20, review_period: 0d}", 12,
     "catalog.0.policy.review_period", ["must be longer than 0"]),
]


@pytest.mark.parametrize("old,new,line,dotted,phrases", [c[1:] for c in SHOP_ERRORS],
                         ids=[c[0] for c in SHOP_ERRORS])
def test_doubtful_shop_value_is_refused(runner, write_scenario, tmp_path, old, new, line,
                                        dotted, phrases):
    path = write_scenario(tmp_path, _edit(SHOP, old, new))
    result, out = invoke(runner, "run", path)
    output = assert_bad_input(result, out, f"{path}, line {line}: {dotted}: ", *phrases)
    assert output.count("error: ") == 1, output


# --- accepted: what may be meant ------------------------------------------------------------


def _validate(runner, write_scenario, tmp_path, text: str, *extra: str) -> str:
    path = write_scenario(tmp_path, text)
    result = runner.invoke(cli, ["validate", str(path), *extra])
    assert result.exit_code == 0, result.output
    assert "error:" not in result.output
    return result.output


@pytest.mark.parametrize("old,new", [
    ("members: 4", "members: 4.0"),                    # a whole number written as a float
    ("patience: exp(2m)", "patience: const(0s)"),      # a delay may be 0: nobody waits
    ("patience: exp(2m)", "patience: 0s"),
])
def test_meant_values_are_accepted_without_a_warning(runner, write_scenario, tiny_text,
                                                     tmp_path, old, new):
    output = _validate(runner, write_scenario, tmp_path, _edit(tiny_text, old, new))
    assert "warning:" not in output


def test_whole_float_counts_become_ints(write_scenario, tiny_text, tmp_path):
    path = write_scenario(tmp_path, _edit(tiny_text, "members: 4", "members: 4.0"))
    members = load_scenario(path).spec.teams["support"].headcount
    assert members == 4 and type(members) is int


def test_set_members_still_works(runner, write_scenario, tiny_text, tmp_path):
    output = _validate(runner, write_scenario, tmp_path, tiny_text,
                       "--set", "teams.support.members=7")
    assert "warning:" not in output
    path = tmp_path / "scenario.yaml"
    assert load_scenario(path, ["teams.support.members=7"]).spec.teams["support"].headcount == 7


def test_numpy_numbers_from_a_notebook_are_counts(write_scenario, tiny_text, tmp_path):
    path = write_scenario(tmp_path, tiny_text)
    spec = load_scenario(path, {"teams.support.members": np.int64(5),
                                "replications": np.float64(3.0)}).spec
    assert spec.teams["support"].headcount == 5 and spec.replications == 3


@pytest.mark.parametrize("command", COMMANDS)
def test_set_of_a_quoted_count_is_refused_naming_set(runner, write_scenario, tiny_text,
                                                    tmp_path, command):
    path = write_scenario(tmp_path, tiny_text)
    result, out = invoke(runner, command, path, "--set", "teams.support.members='7'")
    assert_bad_input(result, out, "--set: teams.support.members: expected a whole number")


def test_zero_delays_in_the_shop_are_accepted(runner, write_scenario, tmp_path):
    text = _edit(_edit(SHOP, "main: {lead_time: 2d}", "main: {lead_time: 0s}"),
                 "transit_time: 1d}", "transit_time: const(0s)}")
    output = _validate(runner, write_scenario, tmp_path, text)
    assert "warning:" not in output


# --- warnings --------------------------------------------------------------------------------


def test_truncated_normal_warns_with_its_effective_mean(runner, write_scenario, tiny_text,
                                                       tmp_path):
    text = _edit(tiny_text, "handle_time: exp(3m)", "handle_time: normal(1m, 5m)")
    output = _validate(runner, write_scenario, tmp_path, text)
    assert "warning: support.handle_time: normal(1m, 5m) redraws its negative values, so its " \
           "mean is 4.4 min, not 1 min" in output
    assert output.count("warning:") == 1


def test_mildly_truncated_normal_does_not_warn(runner, write_scenario, tiny_text, tmp_path):
    text = _edit(tiny_text, "handle_time: exp(3m)", "handle_time: normal(3m, 1m)")
    assert "warning:" not in _validate(runner, write_scenario, tmp_path, text)


def test_normal_in_a_shop_field_warns_with_its_path(runner, write_scenario, tmp_path):
    text = _edit(SHOP, "main: {lead_time: 2d}", "main: {lead_time: 'normal(2d, 3d)'}")
    output = _validate(runner, write_scenario, tmp_path, text)
    assert "warning: suppliers.main.lead_time: normal(2d, 3d) redraws" in output


def test_bin_longer_than_the_observed_window_warns(runner, write_scenario, tiny_text, tmp_path):
    # horizon 1d, warmup 1h: a 23.5h bin fits the horizon but not the 23h window
    text = _edit(tiny_text, "seed: 1", "seed: 1\noutput: {bin: 23.5h}")
    output = _validate(runner, write_scenario, tmp_path, text)
    assert "warning: output.bin: " in output and "longer than the observed window" in output


def test_unused_team_warns_naming_it(runner, write_scenario, tiny_text, tmp_path):
    text = _edit(tiny_text, "support:\n  team:", "  backoffice: {members: 2}\nsupport:\n  team:")
    output = _validate(runner, write_scenario, tmp_path, text)
    assert "warning: teams.backoffice: no flow uses this team" in output
    assert output.count("warning:") == 1


def test_unused_supplier_and_team_in_the_shop_warn(runner, write_scenario, tmp_path):
    text = _edit(SHOP, "main: {lead_time: 2d}", "main: {lead_time: 2d}\n  spare: {lead_time: 5d}")
    text = _edit(text, "  support: {members: 2}", "  support: {members: 2}\n  idle: {members: 1}")
    output = _validate(runner, write_scenario, tmp_path, text)
    assert "warning: suppliers.spare: no product is ordered from this supplier" in output
    assert "warning: teams.idle: no flow uses this team" in output
    assert output.count("warning:") == 2


def test_warnings_reach_a_run_and_it_still_runs(runner, write_scenario, tiny_text, tmp_path):
    text = _edit(tiny_text, "support:\n  team:", "  spare: {members: 1}\nsupport:\n  team:")
    path = write_scenario(tmp_path, _edit(text, "replications: 2", "replications: 1"))
    out = tmp_path / "out"
    result = runner.invoke(cli, ["run", str(path), "--out", str(out), "--no-plots"])
    assert result.exit_code == 0, result.output
    assert "warning: teams.spare: no flow uses this team" in result.output
    assert out.is_dir()


# --- the mechanism: every number field of every spec is strict ------------------------------


def _spec_classes() -> list[type[BaseModel]]:
    seen: list[type[BaseModel]] = []
    stack: list[type] = [ScenarioSpec]
    while stack:
        model = stack.pop()
        if model in seen:
            continue
        seen.append(model)
        for info in model.model_fields.values():
            stack += [t for t in _types_in(info.annotation)
                      if isinstance(t, type) and issubclass(t, Spec)]
    return seen


def _types_in(annotation) -> list:
    found = [annotation]
    for arg in typing.get_args(annotation):
        found += _types_in(arg)
    return found


def _bare_numbers(annotation) -> bool:
    """True if int, float or Distribution appears other than as the base of an Annotated
    type (Count, Number, WorkTime, Delay, NumberDist)."""
    if annotation in (int, float, Distribution):
        return True
    if typing.get_origin(annotation) is typing.Annotated:
        return any(_bare_numbers(a) for a in typing.get_args(annotation)[1:]
                   if isinstance(a, type))
    return any(_bare_numbers(a) for a in typing.get_args(annotation))


def test_every_number_field_uses_a_strict_type():
    classes = _spec_classes()
    assert len(classes) > 15  # the walk found the commerce specs too
    # pydantic's FieldInfo drops Annotated's metadata: read the hints as written
    loose = [f"{model.__name__}.{name}" for model in classes
             for name, hint in typing.get_type_hints(model, include_extras=True).items()
             if name in model.model_fields and _bare_numbers(hint)]
    assert loose == [], "use types.Count, Number, WorkTime or Delay: they refuse yes and '7', " \
        "and say whether a time may be 0"


# --- the bundled scenarios raise none of these doubts ---------------------------------------

BUNDLED = sorted(bundled_scenarios_dir().glob("*.yaml")) + sorted(
    bundled_scenarios_dir().glob("validation/*.yaml"))


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_bundled_scenarios_load_without_warnings(path):
    assert load_scenario(path).warnings == ()


def test_the_bundled_scenarios_were_found():
    assert len(BUNDLED) >= 10


def test_a_float_too_large_to_be_a_whole_number_is_no_count():
    """1e308 reads as a float whose digits are not a count anyone wrote (found by fuzzing:
    `members: 1.0e+308` ran and overflowed the utilisation arithmetic)."""
    from sim.scenario.types import whole_number

    assert whole_number(7.0) == 7 and whole_number(2.0**53) == 2**53
    for value in (1e308, 2.0**53 * 2, -1e300):
        with pytest.raises(ValueError, match="not a whole number exactly"):
            whole_number(value)
