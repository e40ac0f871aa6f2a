"""The one walker of department trees (issue 13): every "units under", "departments above" and "in tree
order" in the apps goes through here. Pure Python on ids and parent ids (no Django, the purity contract in
pyproject.toml), so the stored result trees (``maturity.models.ResultTree``) and the live departments are
walked alike. A cycle (which the services never write) ends a walk instead of looping."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol, TypeVar


class _Node(Protocol):
    pk: Any
    parent_id: int | None
    name: str


N = TypeVar("N", bound=_Node)


def children_map(parents: Mapping[int, int | None]) -> dict[int | None, list[int]]:
    """Each parent id (None: the top) with its children's ids, in the order given."""
    children: dict[int | None, list[int]] = {}
    for node, parent in parents.items():
        children.setdefault(parent, []).append(node)
    return children


def descendants_and_self(parents: Mapping[int, int | None], roots: Iterable[int]) -> set[int]:
    """The roots and every node under them."""
    children = children_map(parents)
    found: set[int] = set()
    stack = list(roots)
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack.extend(children.get(current, ()))
    return found


def ancestors_and_self(parents: Mapping[int, int | None], node: int) -> list[int]:
    """The node, its parent, … up to the top."""
    chain: list[int] = []
    current: int | None = node
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    return chain


def tree_ordered(departments: Iterable[N]) -> list[tuple[N, int]]:
    """Departments in tree order (siblings by name) with their depth, from one list (no extra queries)."""
    by_parent: dict[int | None, list[N]] = {}
    for department in departments:
        by_parent.setdefault(department.parent_id, []).append(department)
    ordered: list[tuple[N, int]] = []

    def walk(parent_id, depth):
        for child in sorted(by_parent.get(parent_id, []), key=lambda d: d.name.lower()):
            ordered.append((child, depth))
            walk(child.pk, depth + 1)

    walk(None, 0)
    return ordered
