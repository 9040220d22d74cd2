"""Read YAML safely: no tags honoured, nesting and alias expansion limited, line numbers kept.

The document is composed into nodes first (with a depth limit, as PyYAML's composer
recurses), then checked (tags, keys given twice, size limits) and only then constructed,
so nothing expands or recurses before the limits hold.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable
from typing import Any

import yaml

from sim.scenario.errors import Problem
from sim.scenario.limits import MAX_DEPTH, measure

Where = tuple[str, int | None]  # (source, line)

# Tags of plain YAML values; anything else (!!python/object, !custom, !!set, !!binary) is
# refused instead of being constructed.
_PLAIN_TAGS = {f"tag:yaml.org,2002:{name}" for name in
               ("str", "int", "float", "bool", "null", "seq", "map", "merge", "timestamp")}


class _NestedTooDeep(yaml.MarkedYAMLError):
    pass


class _Loader(yaml.SafeLoader):
    """SafeLoader for YAML 1.1 without base-60 numbers (an unquoted 09:30 stays the text
    '09:30', not 570) and with a nesting limit while composing."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        # a scalar is one level below its section, so a section MAX_DEPTH deep still composes
        if self._depth > MAX_DEPTH:
            mark = self.peek_event().start_mark
            raise _NestedTooDeep(problem=_too_deep_text(), problem_mark=mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers
            if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
                           "tag:yaml.org,2002:value")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"""^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$""",
               re.X),
    list("-+0123456789"))
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    # YAML 1.2 numbers too: 1e3 and 2.5e-3 are floats, not the texts YAML 1.1 makes of them
    re.compile(r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
                |[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+
                |\.[0-9_]+(?:[eE][-+]?[0-9]+)?
                |[-+]?\.(?:inf|Inf|INF)
                |\.(?:nan|NaN|NAN))$""", re.X),
    list("-+0123456789."))


def _too_deep_text() -> str:
    return f"nested more than {MAX_DEPTH} levels deep; a scenario needs fewer than 10"


class YamlProblem(ValueError):
    """A text that cannot be read as YAML within the limits; `line` counts from 1."""

    def __init__(self, message: str, path: tuple = (), line: int | None = None,
                 syntax: bool = False) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.syntax = syntax  # not YAML at all (rather than YAML beyond the limits)


def parse_yaml(text: str) -> tuple[Any, yaml.Node | None]:
    """The data of a YAML text, and its root node (None for an empty document)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check_nodes(node)
        return loader.construct_document(node), node
    except _NestedTooDeep as error:
        raise YamlProblem(_too_deep_text(), (), _line(error.problem_mark)) from None
    except yaml.MarkedYAMLError as error:
        raise YamlProblem(f"YAML syntax error: {_describe(error)}", (),
                          _line(error.problem_mark or error.context_mark), syntax=True) from None
    except yaml.YAMLError as error:
        raise YamlProblem(f"YAML error: {error}", syntax=True) from None
    finally:
        loader.dispose()


def _line(mark: Any) -> int | None:
    return mark.line + 1 if mark is not None else None


def _describe(error: yaml.MarkedYAMLError) -> str:
    line = _line(error.problem_mark or error.context_mark)
    context = error.context
    if context and error.context_mark and error.context_mark.line + 1 != line:
        # e.g. an unclosed quote: the problem shows at the end, the cause where it began
        context += f" (from line {error.context_mark.line + 1})"
    return " ".join(p for p in (context, error.problem) if p)


# --- checks on the node graph, before construction ------------------------------------------


def _children(node: yaml.Node) -> Iterable[tuple[Hashable, yaml.Node]]:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                yield "<key>", key_node  # a complex key: measured, then refused at construction
            yield _key(key_node), value_node
    elif isinstance(node, yaml.SequenceNode):
        yield from enumerate(node.value)


def _key(key_node: yaml.Node) -> Hashable:
    return key_node.value if isinstance(key_node, yaml.ScalarNode) else "<key>"


def _is_collection(node: Any) -> bool:
    return isinstance(node, yaml.MappingNode | yaml.SequenceNode)


def _check_nodes(root: yaml.Node) -> None:
    """Raise YamlProblem for what PyYAML lets through: structures without end, too deep or
    expanding too far through aliases, tags, and a key given twice (the last would win)."""
    refusal = measure(root, _children, _is_collection)
    if refusal is not None:
        line = line_of(root, refusal.path)
        raise YamlProblem(refusal.message, refusal.path, line)
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, tuple]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.tag not in _PLAIN_TAGS:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            raise YamlProblem(f"the YAML tag '{tag}' is not supported: orgsim reads plain "
                              "values only; remove the tag", path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            first_line: dict[str, int] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    continue  # a complex key: the constructor reports it
                key, key_line = key_node.value, key_node.start_mark.line + 1
                if key in first_line and key_node.tag != "tag:yaml.org,2002:merge":
                    raise YamlProblem(f"the key '{key}' is given twice (first on line "
                                      f"{first_line[key]}); keep one", (*path, key), key_line)
                first_line.setdefault(key, key_line)
        stack.extend((child, (*path, part)) for part, child in _children(node))


def line_of(root: yaml.Node, path: tuple) -> int | None:
    """The line where `path` is written: its key in a mapping, its item in a list."""
    node, line = root, root.start_mark.line + 1
    for part in path:
        if isinstance(node, yaml.MappingNode):
            pairs = [(k, v) for k, v in node.value if _key(k) == part]
            if not pairs:
                break
            key_node, node = pairs[0]
            line = key_node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def record_lines(root: yaml.Node, source: str) -> dict[tuple, Where]:
    """The file and line of every field path (aliases followed: they are bounded by now)."""
    where: dict[tuple, Where] = {(): (source, None)}
    stack: list[tuple[yaml.Node, tuple]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key_path = (*path, _key(key_node))
                where[key_path] = (source, key_node.start_mark.line + 1)
                stack.append((value_node, key_path))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                item_path = (*path, index)
                where[item_path] = (source, item.start_mark.line + 1)
                stack.append((item, item_path))
    return where


def read_yaml_file(text: str, source: str) -> tuple[Any, dict[tuple, Where]]:
    """Data and line numbers of a scenario file's text; raise a Problem-ready YamlProblem."""
    data, node = parse_yaml(text)
    return data, (record_lines(node, source) if node is not None else {(): (source, None)})


def problem_from(error: YamlProblem, source: str) -> Problem:
    return Problem(str(error), error.path, source, error.line)
