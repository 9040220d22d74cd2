"""Size limits of a scenario's structure, checked before anything expands or recurses into it.

A YAML alias (or a Python object used twice) repeats a section without writing it again, so
nine levels of nine aliases describe 387 million values in a few lines; deep nesting breaks
every recursive walk. `measure` walks each distinct node once, iteratively, and reports a
cycle, nesting deeper than MAX_DEPTH, or aliases that add more than MAX_ALIAS_EXPANSION
values beyond those written. The same walk serves YAML node graphs and plain Python data.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

# A real scenario nests about 7 levels (catalog.products.0.policy.reorder_point); 50 leaves
# room for anything written by hand and keeps every recursive walk far from Python's limit.
MAX_DEPTH = 50
# Values that aliases may add beyond the written ones: shared shifts, profiles and policies
# of a large catalog stay far below; a "billion laughs" file is refused at once.
MAX_ALIAS_EXPANSION = 100_000

Children = Callable[[Any], Iterable[tuple[Hashable, Any]]]  # node -> (path part, child)


@dataclass(frozen=True)
class Refusal:
    """Why a structure is refused, and where: the path of the node that shows it."""

    message: str
    path: tuple
    node: Any


def measure(root: Any, children: Children, is_container: Callable[[Any], bool]) -> Refusal | None:
    """Walk `root` once per distinct container (memoised by identity), never recursively."""
    size: dict[int, int] = {}  # expanded values under each container, itself included
    height: dict[int, int] = {}
    written = 0  # values as written: each distinct container and its direct leaves
    visiting: set[int] = set()
    stack: list[tuple[Any, tuple, bool]] = [(root, (), False)]
    while stack:
        node, path, done = stack.pop()
        key = id(node)
        kids = [(part, child) for part, child in children(node)]
        if done:
            inner = [child for _, child in kids if is_container(child)]
            size[key] = 1 + len(kids) - len(inner) + sum(size[id(c)] for c in inner)
            height[key] = 1 + max((height[id(c)] for c in inner), default=0)
            written += 1 + len(kids) - len(inner)
            visiting.discard(key)
            continue
        if key in size:
            continue
        if key in visiting:
            return Refusal("this refers to a section that contains it (a YAML alias or a "
                           "shared object): a structure without end", path, node)
        if len(path) > MAX_DEPTH:
            return Refusal(_too_deep(), path, node)
        visiting.add(key)
        stack.append((node, path, True))
        for part, child in reversed(kids):
            if is_container(child):
                stack.append((child, (*path, part), False))
    if height[id(root)] > MAX_DEPTH:
        # the node at the first level beyond the limit, along the deepest branch
        path, node = _descend(root, children, is_container, height,
                              lambda depth, _: depth <= MAX_DEPTH)
        return Refusal(_too_deep(), path, node)
    added = size[id(root)] - written
    if added > MAX_ALIAS_EXPANSION:
        # the smallest section that alone expands beyond the limit
        path, node = _descend(root, children, is_container, size,
                              lambda _, child_size: child_size > MAX_ALIAS_EXPANSION)
        return Refusal(f"repeated sections (YAML aliases) expand this to {size[id(root)]:,} "
                       f"values, {added:,} more than written; at most "
                       f"{MAX_ALIAS_EXPANSION:,} may be added this way", path, node)
    return None


def _too_deep() -> str:
    return f"nested more than {MAX_DEPTH} levels deep; a scenario needs fewer than 10"


def _descend(root: Any, children: Children, is_container: Callable[[Any], bool],
             metric: dict[int, int], go_on: Callable[[int, int], bool]) -> tuple[tuple, Any]:
    """Follow the child with the largest metric while go_on(its depth, its metric)."""
    node, path = root, ()
    while True:
        inner = [(part, child) for part, child in children(node) if is_container(child)]
        if not inner:
            return path, node
        part, child = max(inner, key=lambda pc: metric[id(pc[1])])
        if not go_on(len(path) + 1, metric[id(child)]):
            return path, node
        node, path = child, (*path, part)


# --- plain Python data (scenario_from_dict, --set values, merged files) ---------------------


def _data_children(node: Any) -> Iterable[tuple[Hashable, Any]]:
    if isinstance(node, dict):
        return node.items()
    if isinstance(node, list | tuple):
        return enumerate(node)
    return ()


def _is_data_container(node: Any) -> bool:
    return isinstance(node, dict | list | tuple)


def check_data(data: Any) -> Refusal | None:
    """`measure` for dicts, lists and tuples; anything else is a single value."""
    return measure(data, _data_children, _is_data_container)
