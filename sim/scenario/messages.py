"""Turn pydantic's validation errors into plain problems with the user's own field paths."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.scenario.errors import Problem


def problems_from_validation(error: ValidationError, data: Any) -> list[Problem]:
    from sim.scenario.schema import ScenarioSpec

    problems: list[Problem] = []
    seen: set[tuple] = set()
    missing: list[Problem] = []
    suggested: set[tuple] = set()  # (parent path, key) that an unknown key's hint points to
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        path = _user_path(loc, data)
        message = _message(item, loc, ScenarioSpec)
        if (path, message) in seen:
            continue
        seen.add((path, message))
        problem = Problem(message, path)
        if item["type"] == "missing":
            missing.append(problem)
        elif item["type"] == "extra_forbidden" and "did you mean '" in message:
            suggested.add((path[:-1], message.rsplit("did you mean '", 1)[1].rstrip("'?")))
        problems.append(problem)
    # A misspelt key is one problem, not two: drop "missing 'horizon'" when 'horizn' is there.
    return [p for p in problems
            if not (p in missing and p.path and (p.path[:-1], p.path[-1]) in suggested)]


def _user_path(loc: tuple, data: Any) -> tuple:
    """The path as the user wrote it: shorthands (`members:` for `shifts: [...]`, a bare rate
    for `arrivals:`) are expanded by validators, so skip parts the user's data does not have."""
    path: list[Any] = []
    node = data
    remaining = list(loc)
    while remaining:
        part = remaining.pop(0)
        if isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and remaining and isinstance(remaining[0], int):
            continue  # a list written for a section (`catalog: [...]` for `products:`)
        elif isinstance(node, dict):
            # a shorthand: look ahead for a later part the user did write here
            later = [p for p in remaining if isinstance(node, dict) and p in node]
            if later:
                remaining = remaining[remaining.index(later[0]):]
                continue
            if not remaining:  # an unknown or missing key at this level
                path.append(part)
            elif isinstance(remaining[-1], str):
                # a key missing inside a shorthand (`members` of a team): name it as written
                path.append(remaining[-1])
            break
        else:
            break
    return tuple(path)


def _message(item: dict[str, Any], loc: tuple, root: type[BaseModel]) -> str:
    kind = item["type"]
    given = item.get("input")
    if kind == "extra_forbidden":
        name = str(loc[-1])
        options = _fields_at(root, loc[:-1])
        text = f"unknown key '{name}'"
        if name.rstrip().endswith(")"):  # YAML split "uniform(5, 50)" at its comma
            return (f"{text}: inside {{...}} a value with a comma, such as a distribution "
                    "with two parameters, must be quoted: 'uniform(5, 50)'")
        close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
        if close:
            text += f"; did you mean '{close[0]}'?"
        elif options:
            text += f"; expected one of: {', '.join(sorted(options))}"
        return text
    if kind == "missing":
        return "this required key is missing"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number, got {given!r}"
    if kind in ("float_type", "float_parsing"):
        return f"expected a number, got {given!r}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected a section of key: value pairs, got {given!r}"
    if kind in ("string_type",):
        return f"expected text, got {given!r}"
    if kind == "string_pattern_mismatch":
        return f"expected a short name of letters, digits, '_', '-' or '.', got {given!r}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        limit = item.get("ctx", {})
        sign = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=",
                "less_than": "<"}[kind]
        bound = next(iter(limit.values()), "?")
        return f"must be {sign} {bound}, got {given!r}"
    text = item["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        if text.startswith(prefix):
            text = text[len(prefix):]
    if kind in ("value_error", "assertion_error"):
        return text
    return f"{text[0].lower()}{text[1:]}, got {given!r}"


def _fields_at(root: type[BaseModel], loc: tuple) -> list[str]:
    """The keys allowed at `loc`, found by following field annotations from the root spec."""
    model: Any = root
    for part in loc:
        model = _child(model, part)
        if model is None:
            return []
    model = _unwrap(model)
    if isinstance(model, type) and issubclass(model, BaseModel):
        names = list(model.model_fields)
        # shorthand keys that before-validators accept
        if "shifts" in names:
            names += ["members", "shift"]
        return names
    return []


def _child(model: Any, part: Any) -> Any:
    model = _unwrap(model)
    if isinstance(model, type) and issubclass(model, BaseModel):
        field = model.model_fields.get(str(part))
        return field.annotation if field else None
    origin = typing.get_origin(model)
    args = typing.get_args(model)
    if origin is dict and len(args) == 2:
        return args[1]
    if origin in (list, tuple) and args:
        return args[0]
    return None


def _unwrap(annotation: Any) -> Any:
    """Optional[X] / X | None / Annotated[X, ...] -> X."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = options[0] if len(options) == 1 else annotation
            if len(options) != 1:
                return annotation
        else:
            return annotation
