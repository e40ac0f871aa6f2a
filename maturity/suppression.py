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

import numpy as np

MIN_K = 3
# How many of the smallest candidate cells are tried before simply hiding the smallest one.
MAX_TRIALS = 4

Equation = tuple[Hashable, Sequence[Hashable]]


def effective_k(k: int) -> int:
    """k as configured, never below 3."""
    return max(int(k), MIN_K)


def _matrix(equations: Sequence[Equation], unknown: list[Hashable]):
    """One row per equation (whole = Σ parts), one column per unknown cell; known cells drop out."""
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


def _null_space(matrix) -> np.ndarray:
    """A basis of the unknowns' freedom: the sum over a set S of unknown cells can be derived exactly when
    every basis vector sums to 0 over S.

    Gauss–Jordan elimination with partial pivoting on element-wise operations only: the systems are small
    (tens of rows and columns, coefficients 0 and ±1), and LAPACK's multi-threaded SVD is slower than this
    and far slower on a busy server."""
    n_rows, n_cols = matrix.shape
    work = matrix.astype(float, copy=True)
    pivots: list[int] = []
    row = 0
    for col in range(n_cols):
        if row == n_rows:
            break
        best = row + int(np.argmax(np.abs(work[row:, col])))
        if abs(work[best, col]) < _TOLERANCE:
            continue
        if best != row:
            work[[row, best]] = work[[best, row]]
        work[row] = work[row] / work[row, col]
        factors = work[:, col].copy()
        factors[row] = 0.0
        work -= factors[:, None] * work[row][None, :]
        pivots.append(col)
        row += 1
    pivot_set = set(pivots)
    free = [col for col in range(n_cols) if col not in pivot_set]
    null = np.zeros((n_cols, len(free)))
    for j, col in enumerate(free):
        null[col, j] = 1.0
        for i, pivot in enumerate(pivots):
            null[pivot, j] = -work[i, col]
    return null


_TOLERANCE = 1e-9
_DERIVABLE = 1e-7


class _System:
    def __init__(self, equations: Sequence[Equation], unknown: Iterable[Hashable]):
        self.unknown = sorted(set(unknown), key=repr)
        matrix, self.index = _matrix(equations, self.unknown)
        self.null = _null_space(matrix)

    def derivable(self, cells: Iterable[Hashable]) -> bool:
        rows = [self.index[c] for c in cells]
        if self.null.shape[1] == 0:
            return True
        return bool(np.abs(self.null[rows].sum(axis=0)).max() < _DERIVABLE)


def _find_leak(counts, equations, hidden, k) -> tuple[set | None, set]:
    """A set of hidden cells with 1..k−1 respondents in all whose total can be derived from the shown
    cells, and the hidden cells that can each be derived (they are as good as shown).

    Every set of hidden cells with fewer than k respondents in total is tried (each cell has at least one
    respondent, so such a set has at most k − 1 cells); the search is pruned on the running total."""
    unknown = [c for c in hidden if counts.get(c, 0) > 0]
    if not unknown:
        return None, set()
    system = _System(equations, unknown)
    determined = {c for c in system.unknown if system.derivable([c])}
    small = sorted((c for c in system.unknown if counts[c] < k), key=lambda c: (counts[c], repr(c)))
    if not small:
        return None, determined
    null = system.null
    if null.shape[1] == 0:  # everything hidden can be derived
        return {small[0]}, determined
    vectors = [null[system.index[c]] for c in small]
    sizes = [counts[c] for c in small]

    def search(start: int, total: int, acc, chosen: list[int]):
        for position in range(start, len(small)):
            if total + sizes[position] >= k:
                break  # sorted by size: every later cell is at least as big
            vector = acc + vectors[position]
            if np.abs(vector).max() < _DERIVABLE:
                return [*chosen, position]
            found = search(position + 1, total + sizes[position], vector, [*chosen, position])
            if found:
                return found
        return None

    found = search(0, 0, np.zeros(null.shape[1]), [])
    if found is None:
        return None, determined
    return {small[position] for position in found}, determined


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
            if touching & ({whole} | set(parts)):
                candidates.update(c for c in [whole, *parts] if c not in hidden and counts.get(c, 0) > 0)
        if not candidates:  # cannot happen for a consistent system; hide everything rather than leak
            return hidden | set(counts)
        ordered = sorted(candidates, key=lambda c: (c in roots, counts[c], repr(c)))
        for candidate in ordered[:MAX_TRIALS]:
            trial = _System(equations, [c for c in hidden | {candidate} if counts.get(c, 0) > 0])
            if not trial.derivable(leak):
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
