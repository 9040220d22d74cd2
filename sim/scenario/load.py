"""Load a scenario: YAML with line numbers, `extends` chains, `--set` overrides, validation.

Every problem becomes a `Problem` naming the file, the line, the dotted field path and what
was expected; all of them are raised together as one `ScenarioError`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.distributions import Empirical
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.limits import check_data
from sim.scenario.references import check_references, distributions_in
from sim.scenario.schema import ScenarioSpec
from sim.scenario.yaml_reader import Where, YamlProblem, parse_yaml, problem_from, read_yaml_file

SET_SOURCE = "--set"


def _yaml_value(text: str) -> Any:
    return parse_yaml(text)[0]


@dataclass(frozen=True)
class Override:
    """One --set (or overrides={...}) value: the field path it sets and how it was written."""

    path: tuple
    text: str  # KEY=VALUE as given
    value: Any


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
    """Read, merge, override and validate a scenario file; raise ScenarioError on problems.

    Relative data files in --set values are read from the current folder."""
    path = Path(path)
    problems: list[Problem] = []
    data, where = _read_with_extends(path, problems)
    if problems:
        raise ScenarioError(problems)
    return _finish(data, where, overrides, path, Path.cwd())


def scenario_from_dict(
    data: Mapping[str, Any],
    overrides: Iterable[str] | Mapping[str, Any] = (),
    base_dir: str | Path = ".",
) -> Scenario:
    """Validate a scenario given as a Python dict (for notebooks); data files are read from
    `base_dir` and the folders below it."""
    refusal = check_data(data)  # before anything copies or walks it
    if refusal is not None:
        raise ScenarioError([Problem(refusal.message, refusal.path, "<scenario>")])
    data = copy.deepcopy(dict(data))
    base = Path(base_dir)
    problems = _absolutise_empirical(data, base, "base_dir, the folder given")
    if problems:
        raise ScenarioError([_locate(p, {}, "<scenario>") for p in problems])
    return _finish(data, {}, overrides, None, base)


def with_overrides(scenario: Scenario, overrides: Iterable[str] | Mapping[str, Any]) -> Scenario:
    """The scenario re-validated with overrides applied to its resolved data; relative data
    files in the overrides are read from the scenario file's folder."""
    if not overrides:
        return scenario
    base_dir = scenario.source.parent if scenario.source else Path.cwd()
    data = copy.deepcopy(scenario.resolved)
    return _finish(data, {}, overrides, scenario.source, base_dir)


def _finish(
    data: dict[str, Any],
    where: dict[tuple, Where],
    overrides: Iterable[str] | Mapping[str, Any],
    path: Path | None,
    set_dir: Path,
) -> Scenario:
    main_source = str(path) if path else "<scenario>"
    problems: list[Problem] = []
    before = copy.deepcopy(data) if overrides else data
    applied = _apply_overrides(data, where, overrides, problems, set_dir)
    if problems:
        raise ScenarioError(problems)
    refusal = check_data(data)  # --set can nest deeper than any file
    if refusal is not None:
        raise ScenarioError([_locate(Problem(refusal.message, refusal.path), where, main_source)])
    spec, found, warnings = _validate(data)
    if found:
        if applied:
            found = _blame_overrides(found, before, applied, where)
        raise ScenarioError([_locate(p, where, main_source) for p in found])
    assert spec is not None
    return Scenario(spec, _inline_empirical(data, spec), path, tuple(warnings))


def _validate(data: dict[str, Any]) -> tuple[ScenarioSpec | None, list[Problem], list[str]]:
    try:
        spec = ScenarioSpec.model_validate(data)
    except ValidationError as error:
        from sim.scenario.messages import problems_from_validation  # only for bad input

        return None, problems_from_validation(error, data), []
    found, warnings = check_references(spec, data)
    return spec, found, warnings


def _blame_overrides(found: list[Problem], before: dict[str, Any], applied: list[Override],
                     where: dict[tuple, Where]) -> list[Problem]:
    """A problem that the scenario without its overrides does not have is caused by them: say
    so, and name them, instead of pointing at the file line of the nearest parent section."""
    from sim.scenario.messages import override_hint

    _, without, _ = _validate(copy.deepcopy(before))
    own = {(p.path, p.message) for p in without}
    blamed = []
    for problem in found:
        path = problem.path
        if (path, problem.message) in own or _set_here(path, where):
            blamed.append(problem)
            continue
        related = [o for o in applied if _related(o.path, path)] or applied
        message = f"{problem.message} (after --set {', '.join(o.text for o in related)})"
        hints = [h for o in related if (h := override_hint(o.path, o.value, before, where))]
        if hints:
            message += "; " + "; ".join(hints)
        blamed.append(Problem(message, path, SET_SOURCE))
    return blamed


def _set_here(path: tuple, where: dict[tuple, Where]) -> bool:
    """Whether the path, or a section holding it, was written by --set."""
    return any(where.get(path[:depth], (None,))[0] == SET_SOURCE
               for depth in range(len(path), 0, -1))


def _related(a: tuple, b: tuple) -> bool:
    return a[: len(b)] == b or b[: len(a)] == a


def _locate(problem: Problem, where: dict[tuple, Where], main_source: str) -> Problem:
    """Attach the file and line that defined the problem's path (or its nearest parent)."""
    if problem.source is not None:
        return problem
    path = problem.path
    for depth in range(len(path), -1, -1):
        found = where.get(tuple(path[:depth]))
        if found:
            return Problem(problem.message, path, found[0], found[1])
    return Problem(problem.message, path, main_source, None)


# --- reading files -------------------------------------------------------------------------


def _read_with_extends(
    path: Path, problems: list[Problem]
) -> tuple[dict[str, Any], dict[tuple, Where]]:
    """The file merged over the chain of files it extends (read in a loop: a long chain
    cannot exhaust the stack)."""
    layers: list[tuple[dict[str, Any], dict[tuple, Where]]] = []  # this file first
    chain: list[Path] = []
    current = path
    while True:
        data, where = _read_yaml(current, problems)
        if data is None:
            break
        problems += [_locate(p, where, str(current)) for p in
                     _absolutise_empirical(data, current.parent,
                                           "the folder of the file that names it")]
        chain.append(current.resolve())
        base_name = data.pop("extends", None)
        layers.append((data, where))
        if base_name is None:
            break
        line = where.get(("extends",), (None, None))[1]
        if not isinstance(base_name, str):
            problems.append(Problem(f"expected a file name, got {base_name!r}", ("extends",),
                                    str(current), line))
            break
        base_path = current.parent / base_name
        if not base_path.is_file():
            problems.append(Problem(f"extends a file that does not exist: {base_path}",
                                    ("extends",), str(current), line))
            break
        if base_path.resolve() in chain:
            # reported where the loop closes: this file's `extends` line
            cycle = " -> ".join(str(p) for p in [*chain, base_path.resolve()])
            problems.append(Problem(f"'extends' makes a cycle: {cycle}", ("extends",),
                                    str(current), line))
            break
        current = base_path
    merged: dict[str, Any] = {}
    merged_where: dict[tuple, Where] = {}
    for data, where in reversed(layers):  # the base first; each file's values win over it
        merged = _deep_merge(merged, data)
        merged_where.update(where)
    return merged, merged_where


def _read_yaml(path: Path, problems: list[Problem]) -> tuple[dict[str, Any] | None, dict]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(Problem("scenario file not found", (), str(path)))
        return None, {}
    except (OSError, UnicodeDecodeError) as error:
        problems.append(Problem(f"cannot read the file: {error}", (), str(path)))
        return None, {}
    try:
        data, where = read_yaml_file(text, str(path))
    except YamlProblem as error:
        problems.append(problem_from(error, str(path)))
        return None, {}
    if not isinstance(data, dict):
        problems.append(Problem("expected a mapping of keys (name, horizon, ...)", (), str(path)))
        return None, {}
    return data, where


def _deep_merge(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; lists and scalars in the overlay replace the base's.
    (Recursive, but only ever over data already checked against the nesting limit.)"""
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
    except YamlProblem as error:
        if not error.syntax:  # YAML, but too deep, too repetitive or with a tag
            raise ValueError(f"the value of {key.strip()}: {error}") from None
        value = raw
    return parts, value


def _apply_overrides(
    data: dict[str, Any],
    where: dict[tuple, Where],
    overrides: Iterable[str] | Mapping[str, Any],
    problems: list[Problem],
    set_dir: Path,
) -> list[Override]:
    """Set each value in place; return what was set, for blaming the problems it causes."""
    items: list[tuple[list[str], Any, str]] = []
    if isinstance(overrides, Mapping):
        items = [(str(k).split("."), v, f"{k}={v}") for k, v in overrides.items()]
    else:
        for text in overrides:
            try:
                parts, value = parse_override(text)
            except ValueError as error:
                problems.append(Problem(str(error), (), SET_SOURCE))
                continue
            items.append((parts, value, text.strip()))
    applied = []
    for parts, value, text in items:
        path = _set_path(data, parts, value, where, problems, set_dir)
        if path is not None:
            applied.append(Override(path, text, value))
    return applied


def _set_path(data: dict, parts: list[str], value: Any, where: dict, problems: list[Problem],
              set_dir: Path) -> tuple | None:
    node: Any = data
    path: list[str | int] = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                problems.append(Problem(
                    f"no item {part!r} in this list of {len(node)}", (*path, part), SET_SOURCE))
                return None
            key: str | int = int(part)
        elif isinstance(node, dict):
            key = part
        else:
            problems.append(Problem(f"is a value ({node!r}), not a section: cannot set "
                                    f"'{'.'.join(parts[i:])}' inside it",
                                    tuple(path), SET_SOURCE))
            return None
        path.append(key)
        if last:
            holder = [value]  # so that a bare string value is rewritten in place too
            outside = _absolutise_empirical(holder, set_dir, "the current folder (for --set)")
            problems += [Problem(p.message, tuple(path), SET_SOURCE) for p in outside]
            node[key] = holder[0]
            for stale in [p for p in where if p[: len(path)] == tuple(path)]:
                del where[stale]
            where[tuple(path)] = (SET_SOURCE, None)
            return tuple(path)
        if isinstance(node, dict) and key not in node:
            node[key] = {}
            where[tuple(path)] = (SET_SOURCE, None)  # a section --set creates is its own
        node = node[key]
    return None


# --- empirical data files ------------------------------------------------------------------


class _OutsideTree(ValueError):
    pass


def _absolutise_empirical(data: Any, base_dir: Path, tree: str) -> list[Problem]:
    """Make empirical file paths absolute, relative to the file that names them; refuse
    (as problems at their field paths) files outside `base_dir` and the folders below it."""
    problems: list[Problem] = []
    seen: set[int] = set()
    stack: list[tuple[Any, tuple]] = [(data, ())]
    while stack:
        node, path = stack.pop()
        if id(node) in seen:  # a section shared through a YAML alias: done once
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            keys: Iterable[Any] = list(node)
        elif isinstance(node, list):
            keys = range(len(node))
        else:
            continue
        if isinstance(node, dict) and node.get("dist") == "empirical" \
                and isinstance(node.get("file"), str):
            try:
                node["file"] = str(_data_file(node["file"], base_dir, tree))
            except _OutsideTree as error:
                problems.append(Problem(str(error), (*path, "file")))
        for key in keys:
            value = node[key]
            if isinstance(value, str):
                try:
                    node[key] = _absolutise_value(value, base_dir, tree)
                except _OutsideTree as error:
                    problems.append(Problem(str(error), (*path, key)))
            else:
                stack.append((value, (*path, key)))
    return problems


def _absolutise_value(value: str, base_dir: Path, tree: str) -> str:
    text = value.strip()
    if text.startswith("empirical(") and text.endswith(")"):
        inner = text[len("empirical("):-1].strip().strip("'\"").strip()
        if inner:
            return f"empirical({_data_file(inner, base_dir, tree)})"
    return value


def _data_file(name: str, base_dir: Path, tree: str) -> Path:
    """The absolute path of a data file; outside `base_dir`'s tree (links followed) it is
    refused, so a scenario cannot make orgsim read, or quote, any file on the machine."""
    root = base_dir.resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root):
        raise _OutsideTree(f"the data file {name} is outside {root}, {tree}: data files must "
                           "be in that folder or below it (a link leading outside counts as "
                           "outside)")
    return path


# The one field name that decides how a data file is read when the same file feeds a number
# field and a duration field (else the spec says: each parsed distribution knows its kind).
NUMBER_FIELDS = {"lines_per_order", "units_per_line", "short_fill", "price"}


def _inline_empirical(data: Any, spec: ScenarioSpec) -> Any:
    """A copy of `data` with every data file the validated spec read as an empirical
    distribution replaced by its values inline. Only those: a text that merely looks like
    `empirical(...)` in a field that takes no distribution (a name, a description) stays."""
    read: dict[str, dict[str, str]] = {}  # file -> quantity -> the values, inline
    for _path, dist in distributions_in(spec):
        if isinstance(dist, Empirical) and dist.source:
            read.setdefault(dist.source, {})[dist.quantity] = dist.to_config()
    return _inline(data, read) if read else data


def _inline(data: Any, read: dict[str, dict[str, str]], key: str | None = None) -> Any:
    configs = read.get(_data_file_named(data) or "")
    if configs:
        if len(configs) == 1:
            return next(iter(configs.values()))
        return configs["number" if key in NUMBER_FIELDS else "duration"]
    if isinstance(data, dict):
        return {k: _inline(v, read, k) for k, v in data.items()}
    if isinstance(data, list):
        return [_inline(v, read, key) for v in data]
    return data


def _data_file_named(value: Any) -> str | None:
    """The (absolutised) file an empirical reference names: `empirical(FILE)` or
    `{dist: empirical, file: FILE}`; None for anything else."""
    if isinstance(value, dict) and value.get("dist") == "empirical":
        return value.get("file") if isinstance(value.get("file"), str) else None
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("empirical(") and text.endswith(")"):
            return text[len("empirical("):-1].strip()
    return None
