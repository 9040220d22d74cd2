"""Load a scenario: YAML with line numbers, `extends` chains, `--set` overrides, validation.

Every problem becomes a `Problem` naming the file, the line, the dotted field path and what
was expected; all of them are raised together as one `ScenarioError`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.distributions import parse_distribution
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.references import check_references
from sim.scenario.schema import ScenarioSpec

SET_SOURCE = "--set"


class _Loader(yaml.SafeLoader):
    """YAML 1.1 without base-60 numbers: an unquoted 09:30 stays the text '09:30', not 570."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers
            if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"""^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$""",
               re.X),
    list("-+0123456789"))
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
                |\.[0-9_]+(?:[eE][-+][0-9]+)?
                |[-+]?\.(?:inf|Inf|INF)
                |\.(?:nan|NaN|NAN))$""", re.X),
    list("-+0123456789."))


def _yaml_value(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)
Where = tuple[str, int | None]  # (source, line)


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: the typed spec, and the resolved data that reproduces it."""

    spec: ScenarioSpec
    resolved: dict[str, Any]  # extends and overrides applied, empirical data inlined
    source: Path | None = None
    warnings: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        return self.spec.name


def load_scenario(path: str | Path, overrides: Iterable[str] | Mapping[str, Any] = ()) -> Scenario:
    """Read, merge, override and validate a scenario file; raise ScenarioError on problems."""
    path = Path(path)
    problems: list[Problem] = []
    data, where = _read_with_extends(path, [], problems)
    if problems:
        raise ScenarioError(problems)
    return _finish(data, where, overrides, path, problems)


def scenario_from_dict(
    data: Mapping[str, Any],
    overrides: Iterable[str] | Mapping[str, Any] = (),
    base_dir: str | Path = ".",
) -> Scenario:
    """Validate a scenario given as a Python dict (for notebooks)."""
    data = copy.deepcopy(dict(data))
    _absolutise_empirical(data, Path(base_dir))
    return _finish(data, {}, overrides, None, [])


def _finish(
    data: dict[str, Any],
    where: dict[tuple, Where],
    overrides: Iterable[str] | Mapping[str, Any],
    path: Path | None,
    problems: list[Problem],
) -> Scenario:
    main_source = str(path) if path else "<scenario>"
    _apply_overrides(data, where, overrides, problems)
    if problems:
        raise ScenarioError(problems)
    try:
        spec = ScenarioSpec.model_validate(data)
    except ValidationError as error:
        from sim.scenario.messages import problems_from_validation  # only for bad input

        found = problems_from_validation(error, data)
        raise ScenarioError([_locate(p, where, main_source) for p in found]) from None
    found, warnings = check_references(spec, data)
    if found:
        raise ScenarioError([_locate(p, where, main_source) for p in found])
    return Scenario(spec, _inline_empirical(data), path, tuple(warnings))


def _locate(problem: Problem, where: dict[tuple, Where], main_source: str) -> Problem:
    """Attach the file and line that defined the problem's path (or its nearest parent)."""
    path = problem.path
    for depth in range(len(path), -1, -1):
        found = where.get(tuple(path[:depth]))
        if found:
            return Problem(problem.message, path, found[0], found[1])
    return Problem(problem.message, path, main_source, None)


# --- reading files -------------------------------------------------------------------------


def _read_with_extends(
    path: Path, chain: list[Path], problems: list[Problem]
) -> tuple[dict[str, Any], dict[tuple, Where]]:
    resolved = path.resolve()
    data, where = _read_yaml(path, problems)
    if data is None:
        return {}, {}
    _absolutise_empirical(data, path.parent)
    base_name = data.pop("extends", None)
    if base_name is None:
        return data, where
    line = where.get(("extends",), (None, None))[1]
    if not isinstance(base_name, str):
        problems.append(
            Problem(f"expected a file name, got {base_name!r}", ("extends",), str(path), line))
        return data, where
    base_path = path.parent / base_name
    if not base_path.is_file():
        problems.append(
            Problem(f"extends a file that does not exist: {base_path}", ("extends",), str(path),
                    line)
        )
        return data, where
    if base_path.resolve() in [*chain, resolved]:
        # reported where the loop closes: this file's `extends` line
        cycle = " -> ".join(str(p) for p in [*chain, resolved, base_path.resolve()])
        problems.append(
            Problem(f"'extends' makes a cycle: {cycle}", ("extends",), str(path), line))
        return data, where
    base, base_where = _read_with_extends(base_path, [*chain, resolved], problems)
    merged_where = {**base_where, **where}
    return _deep_merge(base, data), merged_where


def _read_yaml(path: Path, problems: list[Problem]) -> tuple[dict[str, Any] | None, dict]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(Problem("scenario file not found", (), str(path)))
        return None, {}
    except (OSError, UnicodeDecodeError) as error:
        problems.append(Problem(f"cannot read the file: {error}", (), str(path)))
        return None, {}
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            before = len(problems)
            _check_nodes(node, (), str(path), problems, node.start_mark.line + 1)
            if len(problems) > before:
                return None, {}
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        context = error.context
        if context and error.context_mark and error.context_mark.line + 1 != line:
            # e.g. an unclosed quote: the problem shows at the end, the cause where it began
            context += f" (from line {error.context_mark.line + 1})"
        what = " ".join(p for p in (context, error.problem) if p)
        problems.append(Problem(f"YAML syntax error: {what}", (), str(path), line))
        return None, {}
    except yaml.YAMLError as error:
        problems.append(Problem(f"YAML error: {error}", (), str(path)))
        return None, {}
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        problems.append(Problem("expected a mapping of keys (name, horizon, ...)", (), str(path)))
        return None, {}
    where: dict[tuple, Where] = {(): (str(path), None)}
    _record_lines(node, (), str(path), where)
    return data, where


def _check_nodes(
    node: yaml.Node, path: tuple, source: str, problems: list[Problem], line: int,
    parents: tuple[yaml.Node, ...] = (),
) -> None:
    """What PyYAML lets through: a key given twice (the last would silently win), and an
    alias to a section that holds it (a structure without end)."""
    if any(node is parent for parent in parents):
        problems.append(Problem("this YAML alias refers to a section that contains it",
                                path, source, line))
        return
    parents = (*parents, node)
    if isinstance(node, yaml.MappingNode):
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                continue  # a complex key: the constructor reports it
            key = key_node.value
            if key in first_line and key_node.tag != "tag:yaml.org,2002:merge":
                problems.append(Problem(f"the key '{key}' is given twice (first on line "
                                        f"{first_line[key]}); keep one",
                                        (*path, key), source, key_line))
            first_line.setdefault(key, key_line)
            _check_nodes(value_node, (*path, key), source, problems, key_line, parents)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _check_nodes(item, (*path, index), source, problems, item.start_mark.line + 1,
                         parents)


def _record_lines(node: yaml.Node, path: tuple, source: str, where: dict[tuple, Where]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key_path = (*path, key_node.value)
            where[key_path] = (source, key_node.start_mark.line + 1)
            _record_lines(value_node, key_path, source, where)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            item_path = (*path, index)
            where[item_path] = (source, item.start_mark.line + 1)
            _record_lines(item, item_path, source, where)


def _deep_merge(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; lists and scalars in the overlay replace the base's."""
    merged = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


# --- overrides -----------------------------------------------------------------------------


def parse_override(text: str) -> tuple[list[str], Any]:
    """'teams.support.members=7' -> (['teams', 'support', 'members'], 7); values read as YAML."""
    if "=" not in text:
        raise ValueError(f"expected KEY=VALUE, got {text!r}")
    key, _, raw = text.partition("=")
    parts = [p.strip() for p in key.strip().split(".")]
    if not all(parts):
        raise ValueError(f"expected a dotted key like support.handle_time, got {key!r}")
    try:
        value = _yaml_value(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return parts, value


def _apply_overrides(
    data: dict[str, Any],
    where: dict[tuple, Where],
    overrides: Iterable[str] | Mapping[str, Any],
    problems: list[Problem],
) -> None:
    items: list[tuple[list[str], Any]] = []
    if isinstance(overrides, Mapping):
        items = [(str(k).split("."), v) for k, v in overrides.items()]
    else:
        for text in overrides:
            try:
                items.append(parse_override(text))
            except ValueError as error:
                problems.append(Problem(str(error), (), SET_SOURCE))
    for parts, value in items:
        _set_path(data, parts, value, where, problems)


def _set_path(data: dict, parts: list[str], value: Any, where: dict, problems: list[Problem]):
    node: Any = data
    path: list[str | int] = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                problems.append(Problem(
                    f"no item {part!r} in this list of {len(node)}", (*path, part), SET_SOURCE))
                return
            key: str | int = int(part)
        elif isinstance(node, dict):
            key = part
        else:
            problems.append(Problem(f"is a value ({node!r}), not a section: cannot set "
                                    f"'{'.'.join(parts[i:])}' inside it",
                                    tuple(path), SET_SOURCE))
            return
        path.append(key)
        if last:
            if isinstance(value, str) and "empirical" in value:
                value = _absolutise_value(value, Path.cwd())
            node[key] = value
            for stale in [p for p in where if p[: len(path)] == tuple(path)]:
                del where[stale]
            where[tuple(path)] = (SET_SOURCE, None)
            return
        if isinstance(node, dict) and key not in node:
            node[key] = {}
            where[tuple(path)] = (SET_SOURCE, None)  # a section --set creates is its own
        node = node[key]


# --- empirical data files ------------------------------------------------------------------


def _absolutise_empirical(data: Any, base_dir: Path) -> None:
    """Make empirical file paths absolute, relative to the file that names them."""
    if isinstance(data, dict):
        if data.get("dist") == "empirical" and isinstance(data.get("file"), str):
            data["file"] = str((base_dir / data["file"]).resolve())
        for key, value in data.items():
            if isinstance(value, str):
                data[key] = _absolutise_value(value, base_dir)
            else:
                _absolutise_empirical(value, base_dir)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            if isinstance(value, str):
                data[i] = _absolutise_value(value, base_dir)
            else:
                _absolutise_empirical(value, base_dir)


def _absolutise_value(value: str, base_dir: Path) -> str:
    text = value.strip()
    if text.startswith("empirical(") and text.endswith(")"):
        inner = text[len("empirical("):-1].strip()
        if inner and not Path(inner).is_absolute():
            return f"empirical({(base_dir / inner).resolve()})"
    return value


# fields whose distributions draw plain numbers; every other distribution draws durations
NUMBER_FIELDS = {"lines_per_order", "units_per_line", "short_fill", "price"}


def _inline_empirical(data: Any, key: str | None = None) -> Any:
    """A copy of `data` with empirical file references replaced by their values inline."""
    if isinstance(data, dict):
        if data.get("dist") == "empirical" and "file" in data:
            return _inline_one(data, key)
        return {k: _inline_empirical(v, k) for k, v in data.items()}
    if isinstance(data, list):
        return [_inline_empirical(v, key) for v in data]
    if isinstance(data, str) and data.strip().startswith("empirical("):
        return _inline_one(data, key)
    return data


def _inline_one(value: Any, key: str | None) -> Any:
    quantity = "number" if key in NUMBER_FIELDS else "duration"
    return parse_distribution(value, quantity=quantity).to_config()
