"""No validation-library wording reaches the user: mutate the bundled scenarios field by field
into every kind of wrong value, and read every message that comes back."""

from __future__ import annotations

import copy
import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from sim.scenario import load_scenario
from sim.scenario.messages import problems_from_validation
from sim.scenario.schema import ScenarioSpec

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
WALKED = ["support_desk.yaml", "ecommerce_week.yaml", "validation/inventory_rq.yaml",
          "validation/fulfilment_jackson.yaml"]
# Every shape a YAML value can take, wrong in every way we could think of
WRONG = [None, True, 0, -1, 1.5, 10**30, float("nan"), "", "x", "1e999", "-3m", [], [1], [[]],
         {}, {"zz": 1}, {"dist": "exp"}, datetime.date(2026, 1, 1)]
JARGON = ["after validation", "Input should", "input should", "Value error", "value error",
          "model_type", "[type=", "For further information", "pydantic", "Assertion failed",
          "validation error", "instance of", "Field required", "Extra inputs"]
FALLBACK = "this value is not accepted here"


def _paths(data: object, path: tuple = ()) -> Iterator[tuple]:
    yield path
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, (*path, index))


def _mutations(data: dict) -> Iterator[dict]:
    """Each value replaced by each wrong one, each key dropped, an unknown key in each section."""
    for path in _paths(data):
        if not path:
            continue
        parent_path, last = path[:-1], path[-1]
        for wrong in [*WRONG, "drop"]:
            mutated = copy.deepcopy(data)
            parent = mutated
            for part in parent_path:
                parent = parent[part]
            if wrong == "drop":
                if isinstance(parent, dict):
                    del parent[last]
                else:
                    parent.pop(last)
            else:
                parent[last] = wrong
            yield mutated
        section = _at(data, path)
        if isinstance(section, dict):
            mutated = copy.deepcopy(data)
            _at(mutated, path)["handle_tme"] = 1
            yield mutated


def _at(data: object, path: tuple) -> object:
    for part in path:
        data = data[part]  # type: ignore[index]
    return data


@pytest.fixture(scope="module")
def messages_by_type() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for name in WALKED:
        base = load_scenario(SCENARIOS / name).resolved
        for mutated in _mutations(base):
            try:
                ScenarioSpec.model_validate(mutated)
            except ValidationError as error:
                messages = {p.message for p in problems_from_validation(error, mutated)}
                for item in error.errors(include_url=False):
                    found.setdefault(item["type"], set()).update(messages)
    return found


def test_the_walk_reaches_the_error_kinds_the_schema_raises(messages_by_type):
    # counts and numbers are strict types of our own (sim/scenario/types.py): their refusals
    # come as value_error, not pydantic's int_type/float_type
    expected = {"missing", "extra_forbidden", "string_type",
                "model_type", "dict_type", "tuple_type", "too_short", "literal_error",
                "greater_than_equal", "value_error", "finite_number"}
    assert expected <= set(messages_by_type), sorted(expected - set(messages_by_type))


def test_no_message_uses_the_validation_librarys_words(messages_by_type):
    for kind, messages in messages_by_type.items():
        for message in messages:
            assert not any(word in message for word in JARGON), (kind, message)


def test_every_error_kind_has_its_own_plain_wording(messages_by_type):
    """The general fallback exists for kinds the schema cannot raise today; any kind it can
    raise gets its own words."""
    for kind, messages in messages_by_type.items():
        assert not any(m.startswith(FALLBACK) for m in messages), kind


def test_values_quoted_back_are_short(messages_by_type):
    for messages in messages_by_type.values():
        for message in messages:
            assert len(message) < 400, message
