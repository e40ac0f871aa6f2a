"""Anonymity on output (DESIGN.md, "Anonymity"): which figures may be shown. Pure Python, no Django.

Applied when stored results are READ for display or export, so changing k needs no recomputation.

The input is a set of *cells* (an organisation, a department, a group, a department × group …) with the
number of respondents behind each, and the *equations* that tie them together: a whole equals the sum of
its parts (an organisation = its top-level departments = its groups; a department = its units + the
responses filed directly on it; …). Every figure we publish is a mean, and mean × n is additive, so a
hidden cell can be worked out by subtraction exactly when it is determined by the linear system of the
equations with the shown cells as known values.

Rule (DESIGN.md, made exact):
1. a cell with fewer than k respondents is hidden (primary suppression);
2. while some hidden cell with fewer than k respondents – or a sum of hidden cells with fewer than k
   respondents in total – can be derived from the shown cells through the equations, hide one more cell:
   the smallest shown part of an equation that involves the leaking cells ("next-smallest sibling").
DESIGN.md's "exactly one hidden part of a shown whole → hide the next-smallest part too" is the commonest
case of rule 2. ``virtual`` cells (remainders that are never shown, e.g. responses filed directly on a
department that has units) take part in the equations but are never displayed.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from fractions import Fraction

import numpy as np

MIN_K = 3

Equation = tuple[Hashable, Sequence[Hashable]]


def effective_k(k: int) -> int:
    """k as configured, never below 3."""
    return max(int(k), MIN_K)


def _rref(rows: list[list[Fraction]]) -> list[list[Fraction]]:
    if not rows:
        return []
    matrix = [row[:] for row in rows]
    n_cols = len(matrix[0])
    pivot_row = 0
    for col in range(n_cols):
        found = next((r for r in range(pivot_row, len(matrix)) if matrix[r][col] != 0), None)
        if found is None:
            continue
        matrix[pivot_row], matrix[found] = matrix[found], matrix[pivot_row]
        pivot = matrix[pivot_row][col]
        matrix[pivot_row] = [v / pivot for v in matrix[pivot_row]]
        for r in range(len(matrix)):
            if r != pivot_row and matrix[r][col] != 0:
                factor = matrix[r][col]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[pivot_row], strict=True)]
        pivot_row += 1
        if pivot_row == len(matrix):
            break
    return [row for row in matrix if any(v != 0 for v in row)]


def derivable_sets(
    counts: Mapping[Hashable, int], equations: Sequence[Equation], unknown: Iterable[Hashable]
) -> list[list[Hashable]]:
    """The sets of unknown cells whose total can be derived from the known cells: one list per row of the
    reduced system whose non-zero coefficients are all equal (a single cell, or a plain sum of cells)."""
    unknown = sorted(set(unknown), key=repr)
    index = {cell: i for i, cell in enumerate(unknown)}
    rows = []
    for whole, parts in equations:
        row = [Fraction(0)] * len(unknown)
        if whole in index:
            row[index[whole]] -= 1
        for part in parts:
            if part in index:
                row[index[part]] += 1
        if any(row):
            rows.append(row)
    found = []
    for row in _rref(rows):
        nonzero = [(unknown[i], v) for i, v in enumerate(row) if v != 0]
        if len({v for _c, v in nonzero}) == 1:
            found.append([cell for cell, _v in nonzero])
    return found


def _matrix(equations: Sequence[Equation], unknown: list[Hashable]):
    index = {cell: i for i, cell in enumerate(unknown)}
    rows = []
    for whole, parts in equations:
        row = np.zeros(len(unknown))
        if whole in index:
            row[index[whole]] -= 1
        for part in parts:
            if part in index:
                row[index[part]] += 1
        if row.any():
            rows.append(row)
    return (np.array(rows) if rows else np.zeros((0, len(unknown)))), index


def _rank(matrix) -> int:
    return int(np.linalg.matrix_rank(matrix)) if matrix.size else 0


def _sum_is_determined(matrix, rank: int, index: dict, cells: Iterable[Hashable]) -> bool:
    """Whether the sum of these unknown cells follows from the equations and the known cells."""
    vector = np.zeros(matrix.shape[1])
    for cell in cells:
        vector[index[cell]] = 1
    return _rank(np.vstack([matrix, vector])) == rank


def _find_leak(counts, equations, hidden, k) -> tuple[set | None, set]:
    """A set of hidden cells with 1..k−1 respondents in all whose sum can be derived, and the hidden cells
    that can each be derived (they are as good as shown)."""
    unknown = sorted((c for c in hidden if counts.get(c, 0) > 0), key=repr)
    if not unknown:
        return None, set()
    matrix, index = _matrix(equations, unknown)
    rank = _rank(matrix)
    determined = {c for c in unknown if _sum_is_determined(matrix, rank, index, [c])}
    for cell in sorted(determined, key=repr):
        if counts[cell] < k:
            return {cell}, determined
    candidates_sets = derivable_sets(counts, equations, unknown)
    for whole, parts in equations:
        hidden_parts = [p for p in parts if p in index]
        if hidden_parts and whole not in index:
            candidates_sets.append(hidden_parts)
    for cells in candidates_sets:
        total = sum(counts.get(c, 0) for c in cells)
        if 0 < total < k and _sum_is_determined(matrix, rank, index, cells):
            return set(cells), determined
    return None, determined


def suppress(
    counts: Mapping[Hashable, int],
    equations: Sequence[Equation],
    k: int,
    *,
    virtual: Iterable[Hashable] = (),
) -> set[Hashable]:
    """The cells that must not be shown. ``counts`` holds the number of respondents of every cell (cells
    with 0 respondents are empty, not secret); ``virtual`` cells are never shown."""
    k = effective_k(k)
    virtual = set(virtual)
    hidden = {cell for cell, n in counts.items() if n < k} | virtual
    equations = [(whole, list(parts)) for whole, parts in equations]
    roots = {whole for whole, _parts in equations} - {p for _whole, parts in equations for p in parts}
    while True:
        leak, determined = _find_leak(counts, equations, hidden, k)
        if leak is None:
            return hidden
        touching = leak | determined
        candidates = set()
        for whole, parts in equations:
            if not touching & ({whole} | set(parts)):
                continue
            candidates.update(c for c in [whole, *parts] if c not in hidden and counts.get(c, 0) > 0)
        if not candidates:  # cannot happen for a consistent system; hide everything rather than leak
            return hidden | set(counts)
        ordered = sorted(candidates, key=lambda c: (c in roots, counts[c], repr(c)))
        for candidate in ordered:
            trial = hidden | {candidate}
            unknown = sorted((c for c in trial if counts.get(c, 0) > 0), key=repr)
            matrix, index = _matrix(equations, unknown)
            if not _sum_is_determined(matrix, _rank(matrix), index, leak):
                hidden.add(candidate)
                break
        else:
            hidden.add(ordered[0])


# --- The scopes of a round ----------------------------------------------------------------------------------


def scope_equations(
    n_by_key: Mapping[str, int], parents: Mapping[int, int | None]
) -> tuple[list[Equation], dict[str, int]]:
    """whole = Σ parts for the stored scopes of one round, keyed like the stored results ("organisation",
    "department:<id>", "group:<id>", "department:<id>/group:<id>"), plus the never-shown remainders
    (e.g. responses filed directly on a department that has units) with their counts."""
    departments = {
        int(key.split(":")[1]) for key in n_by_key if key.startswith("department:") and "/" not in key
    }
    groups = {int(key.split(":")[1]) for key in n_by_key if key.startswith("group:")}
    children: dict[int | None, list[int]] = {}
    for dept in sorted(departments):
        parent = parents.get(dept)
        children.setdefault(parent if parent in departments else None, []).append(dept)
    equations: list[Equation] = []
    virtual: dict[str, int] = {}

    def n(key: str) -> int:
        return n_by_key.get(key, 0)

    def tree(whole_key: str, part_keys: list[str], remainder: str) -> None:
        parts = [p for p in part_keys if n(p) > 0]
        rest = n(whole_key) - sum(n(p) for p in parts)
        if rest > 0:
            virtual[remainder] = rest
            parts.append(remainder)
        if n(whole_key) > 0 and parts:
            equations.append((whole_key, parts))

    top = children.get(None, [])
    tree("organisation", [f"department:{d}" for d in top], "rest:organisation")
    tree("organisation", [f"group:{g}" for g in sorted(groups)], "rest:organisation/groups")
    for g in sorted(groups):
        tree(f"group:{g}", [f"department:{d}/group:{g}" for d in top], f"rest:organisation/group:{g}")
    for dept in sorted(departments):
        units = children.get(dept, [])
        if units:
            tree(f"department:{dept}", [f"department:{c}" for c in units], f"rest:department:{dept}")
            for g in sorted(groups):
                tree(
                    f"department:{dept}/group:{g}",
                    [f"department:{c}/group:{g}" for c in units],
                    f"rest:department:{dept}/group:{g}",
                )
        tree(
            f"department:{dept}",
            [f"department:{dept}/group:{g}" for g in sorted(groups)],
            f"rest:department:{dept}/groups",
        )
    return equations, virtual


def hidden_scope_keys(n_by_key: Mapping[str, int], parents: Mapping[int, int | None], k: int) -> set[str]:
    """The scope keys of one round whose figures must not be shown."""
    equations, virtual = scope_equations(n_by_key, parents)
    counts = dict(n_by_key)
    counts.update(virtual)
    return suppress(counts, equations, k, virtual=virtual) & set(n_by_key)
