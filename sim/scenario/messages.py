"""Turn pydantic's validation errors into plain problems with the user's own field paths."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.scenario.errors import Problem

MAX_PROBLEMS = 30


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
        if message is None or (path, message) in seen:
            continue
        seen.add((path, message))
        problem = Problem(message, path)
        if item["type"] == "missing":
            missing.append(problem)
        elif item["type"] == "extra_forbidden" and "did you mean '" in message:
            suggested.add((path[:-1], message.rsplit("did you mean '", 1)[1].rstrip("'?")))
        problems.append(problem)
    # A misspelt key is one problem, not two: drop "missing 'horizon'" when 'horizn' is there.
    problems = [p for p in problems
                if not (p in missing and p.path and (p.path[:-1], p.path[-1]) in suggested)]
    if len(problems) > MAX_PROBLEMS:  # a list of thousands of bad items: the first say it
        more = len(problems) - MAX_PROBLEMS
        problems = [*problems[:MAX_PROBLEMS], Problem(f"... and {more} more problems")]
    return problems


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


# Plain words for every pydantic error type a scenario can raise (walked by
# tests/test_loader_limits.py); each takes the error's context and the value given.
_EXPECTED: dict[str, str] = {
    "int_type": "expected a whole number", "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number", "float_parsing": "expected a number",
    "finite_number": "expected a finite number",
    "bool_type": "expected true or false", "bool_parsing": "expected true or false",
    "string_type": "expected text", "string_unicode": "expected text",
    "dict_type": "expected a section of key: value pairs",
    "model_type": "expected a section of key: value pairs",
    "model_attributes_type": "expected a section of key: value pairs",
    "list_type": "expected a list (items on '- ' lines, or [a, b])",
    "tuple_type": "expected a list (items on '- ' lines, or [a, b])",
    "iterable_type": "expected a list (items on '- ' lines, or [a, b])",
    "set_type": "expected a list (items on '- ' lines, or [a, b])",
    "none_required": "expected nothing here",
    "is_instance_of": "expected a value of another kind here",
}
_BOUNDS = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=",
           "less_than": "<"}
MAX_SHOWN = 60  # characters of a given value quoted back in a message


def shown(value: Any) -> str:
    """A value as the user wrote it, cut short: a whole section quoted back helps nobody."""
    text = repr(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 4] + " ..."


def _message(item: dict[str, Any], loc: tuple, root: type[BaseModel]) -> str | None:
    """The problem in plain words, or None when another problem already says it."""
    kind = item["type"]
    given = item.get("input")
    ctx = item.get("ctx") or {}
    if kind == "extra_forbidden":
        return _unknown_key(loc, root)
    if kind == "missing":
        return "this required key is missing"
    if kind in _EXPECTED:
        return f"{_EXPECTED[kind]}, got {shown(given)}"
    if kind == "string_pattern_mismatch":
        return f"expected a short name of letters, digits, '_', '-' or '.', got {shown(given)}"
    if kind in _BOUNDS:
        bound = next(iter(ctx.values()), "?")
        return f"must be {_BOUNDS[kind]} {bound:g}, got {shown(given)}" \
            if isinstance(bound, int | float) else f"must be {_BOUNDS[kind]} {bound}"
    if kind == "multiple_of":
        return f"must be a multiple of {ctx.get('multiple_of')}, got {shown(given)}"
    if kind == "literal_error":
        return f"expected one of {ctx.get('expected', '?')}, got {shown(given)}"
    if kind in ("too_short", "string_too_short"):
        least = ctx.get("min_length", 1)
        if kind == "too_short" and _length(given) >= least:
            return None  # its items were refused (said for each item), not its length
        return f"needs at least {least} item{'s' if least != 1 else ''}, got {shown(given)}"
    if kind in ("too_long", "string_too_long"):
        return f"may have at most {ctx.get('max_length')} items, got {shown(given)}"
    if kind in ("value_error", "assertion_error"):
        error = ctx.get("error")
        text = str(error) if error is not None else item["msg"]
        for prefix in ("Value error, ", "Assertion failed, "):
            text = text.removeprefix(prefix)
        return text
    if kind == "recursion_loop":
        return "this repeats a section that contains it: a structure without end"
    return f"this value is not accepted here, got {shown(given)}"


def _length(value: Any) -> int:
    try:
        return len(value)
    except TypeError:
        return 0


def _unknown_key(loc: tuple, root: type[BaseModel]) -> str:
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


def _fields_at(root: type[BaseModel], loc: tuple) -> list[str]:
    """The keys allowed at `loc`, found by following field annotations from the root spec."""
    model: Any = root
    for part in loc:
        model = _child(model, part)
        if model is None:
            return []
    model = _unwrap(model)
    if isinstance(model, type) and issubclass(model, BaseModel):
        names = [field.alias or name for name, field in model.model_fields.items()]
        # shorthand keys that before-validators accept
        if "shifts" in names:
            names += ["members", "shift"]
        return names
    return []


def _child(model: Any, part: Any) -> Any:
    model = _unwrap(model)
    if isinstance(model, type) and issubclass(model, BaseModel):
        fields = {f.alias or n: f for n, f in model.model_fields.items()}  # YAML spelling
        field = fields.get(str(part))
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


# --- hints for overrides that clash with how the scenario is written -----------------------

OverrideHint = Callable[[tuple, Any, Any, Mapping[tuple, tuple]], "str | None"]
OVERRIDE_HINTS: list[OverrideHint] = []


def register_override_hint(hint: OverrideHint) -> OverrideHint:
    """Register hint(set path, value, data before the overrides, where) -> text or None,
    said when a --set value causes a problem; sections with shorthands register one."""
    OVERRIDE_HINTS.append(hint)
    return hint


def override_hint(path: tuple, value: Any, data: Any, where: Mapping[tuple, tuple]) -> str | None:
    for hint in OVERRIDE_HINTS:
        text = hint(path, value, data, where)
        if text:
            return text
    return None


@register_override_hint
def _team_by_shifts(path: tuple, value: Any, data: Any, where: Mapping[tuple, tuple]) -> str | None:
    """`--set teams.X.members=7` on a team written with `shifts:` (the shorthand clashes)."""
    if len(path) != 3 or path[0] != "teams" or path[2] not in ("members", "shift"):
        return None
    team = data.get("teams", {}).get(path[1]) if isinstance(data, dict) else None
    shifts = team.get("shifts") if isinstance(team, dict) else None
    if not isinstance(shifts, list) or not shifts:
        return None
    prefix = f"teams.{path[1]}.shifts"
    groups = "; ".join(
        f"{prefix}.{i}: {g.get('members', '?')} members, {g.get('shift', 'always')}"
        for i, g in enumerate(shifts) if isinstance(g, dict))
    source, line = where.get(("teams", path[1], "shifts"), (None, None))
    written = f" ({source}, line {line})" if source and line else ""
    return (f"this team gives its members by shift{written}, so set one group's "
            f"{path[2]}, e.g. --set {prefix}.0.{path[2]}={value}; the groups are {groups}")
