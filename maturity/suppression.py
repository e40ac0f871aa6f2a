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

How it is computed (the result is the same as re-solving the whole system after every step would give;
fast enough for an organisation with a hundred departments):

- **One elimination, kept up to date.** Write the equations as a matrix A (one row per equation, one
  column per cell with respondents). With H the hidden cells, the sum over a set S ⊆ H can be derived
  exactly when the indicator of S lies in the row space of A restricted to H, i.e. when every vector of
  the null space of A_H sums to 0 over S. ``_System`` keeps T·A in reduced row echelon form over the
  hidden columns (T = the row operations so far, applied to *all* columns). Hiding one more cell c adds
  a column: if c's transformed column has a non-zero entry in a row without a pivot, c becomes a pivot
  (one elimination step; c is then determined by the others, the null space is unchanged); otherwise c
  is a free column and adds one null-space vector: 1 at c, −(T·a_c) at the pivots. Nothing is rebuilt.
- **Trying a candidate is a lookup.** By the same argument, hiding a shown cell c stops a derivable sum
  over S exactly when c would be a free column and Σ over the pivots in S of (T·a_c) ≠ 0 – read off the
  matrix for every shown cell at once.
- **The leak search meets in the middle.** A leaking set has fewer than k respondents and every cell at
  least one, so at most k − 1 members. Each small hidden cell gets two random (seeded) projections of its
  null-space row; a set can only be derivable when its projections sum to 0. A set S of two or more
  members (in size order) is split into its first ⌈|S|/2⌉ members A and the rest B; the possible halves
  (up to ⌈(k − 1)/2⌉ cells with at most k − |half| respondents) are listed once – the small hidden cells
  never change, every cell hidden later has k or more – and for every A the halves B with the opposite
  projection are found by binary search. Each hit is then checked exactly on the null-space rows (the
  projections only find candidates, they decide nothing). For k = 5 that is pairs of cells instead of
  every set of up to four.
- Which leak is repaired first, and how: the first derivable set in size order (as a depth-first search
  over the small cells, smallest first, would meet it); of the shown cells in an equation with a leaking
  cell or with a hidden cell that can be derived, ordered by size (parts before the organisation), the
  first of the MAX_TRIALS smallest that stops the leak is hidden, else the smallest. Then search again.

Over 400 lines on purpose: one algorithm (the linear-system leak search and its incremental
elimination), pure and tested as a unit; its parts are not used apart.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, Generic, TypeVar

import numpy as np
import numpy.typing as npt

from surveys.scope_keys import ORGANISATION, ScopeKey, parse_or_none

MIN_K = 3
# How many of the smallest candidate cells are tried before simply hiding the smallest one.
MAX_TRIALS = 4
# Entries smaller than this are zero (the equations have coefficients 0 and ±1; values stay small).
_TOLERANCE = 1e-9
# A sum of null-space rows smaller than this everywhere is zero: the set can be derived.
_DERIVABLE = 1e-7
_SEED = 20260529

Cell = TypeVar("Cell", bound=Hashable)
Part = TypeVar("Part", bound=Hashable)
Order = Callable[[Any], Any]
Equation = tuple[Hashable, Sequence[Hashable]]
Matrix = npt.NDArray[np.float64]


def effective_k(k: int) -> int:
    """k as configured, never below 3."""
    return max(int(k), MIN_K)


class _System:
    """The equations over every cell with respondents, in reduced row echelon form over the hidden cells.

    ``matrix`` is T·A: the equations (row: −1 for the whole, +1 for each part) after the row operations of
    the elimination so far, applied to every column, hidden or shown. ``pivot_row[c]`` is the row in which
    hidden cell c is the pivot (−1 for a free or shown cell)."""

    def __init__(self, cells: Sequence[Hashable], equations: Sequence[Equation]):
        self.cells = list(cells)
        self.column = {cell: i for i, cell in enumerate(self.cells)}
        self.matrix: Matrix = np.zeros((len(equations), len(self.cells)))
        self.equations_of: list[list[int]] = [[] for _ in self.cells]
        for row, (whole, parts) in enumerate(equations):
            for cell, sign in [(whole, -1.0), *((part, 1.0) for part in parts)]:
                if cell in self.column:
                    self.matrix[row, self.column[cell]] += sign
                    self.equations_of[self.column[cell]].append(row)
        self.hidden = np.zeros(len(self.cells), dtype=bool)
        self.pivot_row = np.full(len(self.cells), -1)
        self.open_rows = np.ones(len(equations), dtype=bool)  # rows without a pivot yet

    def hide(self, column: int) -> None:
        """Add a cell to the unknowns (see the module docstring)."""
        self.hidden[column] = True
        open_rows = np.flatnonzero(self.open_rows)
        if open_rows.size == 0:
            return
        entries = self.matrix[open_rows, column]
        best = int(np.argmax(np.abs(entries)))
        if abs(entries[best]) < _TOLERANCE:
            return  # a free column: one more degree of freedom
        row = int(open_rows[best])
        self.matrix[row] /= self.matrix[row, column]
        factors = self.matrix[:, column].copy()
        factors[row] = 0.0
        self.matrix -= np.outer(factors, self.matrix[row])
        self.open_rows[row] = False
        self.pivot_row[column] = row

    def copy(self) -> _System:
        """An independent copy of the elimination state (the cells and equations are shared)."""
        twin = object.__new__(_System)
        twin.cells, twin.column, twin.equations_of = self.cells, self.column, self.equations_of
        twin.matrix = self.matrix.copy()
        twin.hidden = self.hidden.copy()
        twin.pivot_row = self.pivot_row.copy()
        twin.open_rows = self.open_rows.copy()
        return twin

    def add_known(self, columns: Sequence[int]) -> None:
        """Add the knowledge that these hidden cells are empty (x_c = 0 for each), all at once: the unit
        rows are reduced by the pivots so far, brought to reduced echelon form among themselves over the
        free hidden cells, and each pivot found is eliminated from the matrix in one product."""
        if not len(columns):
            return
        known = np.asarray(columns, dtype=np.intp)
        # A unit row reduced by the pivots: for a pivot cell, minus its pivot row (without the cell itself);
        # for a free cell, the unit row as it is.
        rows = np.zeros((len(known), len(self.cells)))
        pivot_rows = self.pivot_row[known]
        is_pivot = pivot_rows >= 0
        rows[is_pivot] = -self.matrix[pivot_rows[is_pivot]]
        rows[np.flatnonzero(is_pivot), known[is_pivot]] = 0.0
        rows[np.flatnonzero(~is_pivot), known[~is_pivot]] = 1.0
        free = np.flatnonzero(self.hidden & (self.pivot_row < 0))
        # Rows that still touch a free cell can add a pivot; the others (and those left over after the
        # elimination below) are relations among shown cells, kept as open rows: hiding one of those cells
        # later must find it determined.
        touching = np.abs(rows[:, free]).max(axis=1) >= _TOLERANCE if free.size else np.zeros(len(rows), bool)
        relations = [rows[~touching]]
        rows = rows[touching]
        block = np.zeros((0, len(self.cells)))
        pivot_array = np.zeros(0, dtype=np.intp)
        if len(rows):
            # Only columns where a row is non-zero take part in the elimination.
            used = np.flatnonzero(np.abs(rows).max(axis=0) >= _TOLERANCE)
            work = rows[:, used]
            is_free = np.isin(used, free)
            chosen: list[int] = []
            pivot_columns: list[int] = []
            for i in range(len(work)):
                entries = np.where(is_free, np.abs(work[i]), 0.0)
                best = int(np.argmax(entries))
                if entries[best] < _TOLERANCE:
                    continue
                work[i] /= work[i, best]
                factors = work[:, best].copy()
                factors[i] = 0.0
                work -= np.outer(factors, work[i])
                is_free[best] = False
                chosen.append(i)
                pivot_columns.append(int(used[best]))
            full = np.zeros((len(work), len(self.cells)))
            full[:, used] = work
            full[np.abs(full) < _TOLERANCE] = 0.0
            left = np.ones(len(work), dtype=bool)
            left[chosen] = False
            relations.append(full[left])
            block = full[chosen]
            pivot_array = np.array(pivot_columns, dtype=np.intp)
        if len(pivot_array):
            # Eliminate the new pivot columns from every existing row in one product.
            self.matrix -= self.matrix[:, pivot_array] @ block
            start = len(self.matrix)
            self.matrix = np.vstack([self.matrix, block])
            self.open_rows = np.append(self.open_rows, np.zeros(len(block), dtype=bool))
            self.pivot_row[pivot_array] = np.arange(start, start + len(block))
        open_block = np.vstack(relations)
        open_block[:, self.hidden] = 0.0  # only shown cells are left (rounding residue aside)
        open_block = (
            open_block[np.abs(open_block).max(axis=1) >= _TOLERANCE] if len(open_block) else open_block
        )
        if len(open_block):
            self.matrix = np.vstack([self.matrix, open_block])
            self.open_rows = np.append(self.open_rows, np.ones(len(open_block), dtype=bool))

    def free_columns(self) -> npt.NDArray[np.intp]:
        return np.flatnonzero(self.hidden & (self.pivot_row < 0))

    def null_rows(self, columns: Sequence[int] | npt.NDArray[np.intp], free: npt.NDArray[np.intp]) -> Matrix:
        """The rows of the null-space basis (one basis vector per free column) for the given hidden cells:
        a free cell has 1 in its own column, a pivot cell −(its row of T·A) over the free columns."""
        columns = np.asarray(columns, dtype=np.intp)
        rows = np.zeros((len(columns), len(free)))
        pivot_rows = self.pivot_row[columns]
        pivot = pivot_rows >= 0
        rows[pivot] = -self.matrix[pivot_rows[pivot]][:, free]
        rows[np.flatnonzero(~pivot), np.searchsorted(free, columns[~pivot])] = 1.0
        return rows

    def derivable(self, columns: Sequence[int], free: npt.NDArray[np.intp]) -> bool:
        """Whether the sum over these hidden cells follows from the shown cells."""
        if len(free) == 0:
            return True
        total = self.null_rows(columns, free).sum(axis=0)
        return bool(np.abs(total).max() < _DERIVABLE)

    def stops(self, leak: Sequence[int]) -> npt.NDArray[np.bool_]:
        """Per cell: whether hiding it (if shown) would stop the sum over ``leak`` from being derivable: it
        becomes a free column, and its new null-space vector does not sum to 0 over the leak."""
        open_rows = np.flatnonzero(self.open_rows)
        frees: npt.NDArray[np.bool_] = ~self.hidden
        if open_rows.size:
            frees &= np.abs(self.matrix[open_rows]).max(axis=0) < _TOLERANCE
        pivots = [int(self.pivot_row[c]) for c in leak if self.pivot_row[c] >= 0]
        if not pivots:
            return np.zeros_like(frees)
        result: npt.NDArray[np.bool_] = frees & (np.abs(self.matrix[pivots].sum(axis=0)) > _DERIVABLE)
        return result


class _LeakSearch:
    """Finds sets of hidden cells with 1 … k − 1 respondents in all whose sum can be derived.

    The small hidden cells (fewer than k respondents) never change once primary suppression is done –
    every cell hidden later has k or more – so the candidate halves are listed once."""

    def __init__(self, small: Sequence[int], sizes: Sequence[int], k: int):
        self.small = np.asarray(small, dtype=np.intp)
        self.k = k
        self.members, self.totals = self._halves(np.asarray(sizes, dtype=np.intp))
        self.lengths = (self.members < len(self.small)).sum(axis=1)
        self.first = self.members[:, 0]
        self.last = self.members[np.arange(len(self.members)), np.maximum(self.lengths - 1, 0)]

    def _halves(self, sizes: npt.NDArray[np.intp]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
        """Sets of up to ⌈(k − 1)/2⌉ small cells (positions in size order) with at most k − |set|
        respondents: every half of a possible leak (see the module docstring). As a matrix of positions
        (one set per row, padded with the sentinel len(small), which points at a projection of 0) and the
        sets' totals; built level by level (sets of one cell, of two, …) with array operations."""
        longest = max(self.k // 2, 1)  # ⌈(k − 1)/2⌉
        n = len(sizes)
        sentinel = n
        level = np.flatnonzero(sizes <= self.k - 1)[:, None]
        totals = sizes[level[:, 0]] if n else np.zeros(0, dtype=np.intp)
        levels, level_totals = [level], [totals]
        for length in range(2, longest + 1):
            if not len(level):
                break
            # Extend every set by each later cell while the total stays within k − length.
            later = np.arange(n)[None, :] > level[:, -1:]
            fits = later & (totals[:, None] + sizes[None, :] <= self.k - length)
            rows, positions = np.nonzero(fits)
            level = np.hstack([level[rows], positions[:, None]])
            totals = totals[rows] + sizes[positions]
            levels.append(level)
            level_totals.append(totals)
        members = np.full((sum(len(x) for x in levels), longest), sentinel, dtype=np.intp)
        start = 0
        for level in levels:
            members[start : start + len(level), : level.shape[1]] = level
            start += len(level)
        return members, np.concatenate(level_totals) if level_totals else np.zeros(0, dtype=np.intp)

    @staticmethod
    def determined(system: _System) -> npt.NDArray[np.intp]:
        """The hidden cells that can each be derived (they are as good as shown)."""
        free = system.free_columns()
        hidden = np.flatnonzero(system.hidden)
        if len(free) == 0:
            return hidden
        pivots = hidden[system.pivot_row[hidden] >= 0]
        loose = np.abs(system.matrix[system.pivot_row[pivots]][:, free]).max(axis=1) >= _DERIVABLE
        return pivots[~loose]

    def find(self, system: _System) -> tuple[list[list[int]], bool]:
        """Every derivable set of small hidden cells (as columns), in the order of a depth-first search
        over the cells by size (as sets of positions in that order: lexicographically), and whether that
        list is complete. It is not when no hidden cell is free (every set is derivable then): only the
        first, the smallest cell, is returned, and the search runs again once it is repaired."""
        free = system.free_columns()
        if len(self.small) == 0:
            return [], True
        if len(free) == 0:
            return [[int(self.small[0])]], False
        # Two random projections of each small cell's null-space row (the last row pads ``members``).
        weights = np.random.default_rng(_SEED).uniform(1.0, 2.0, (len(system.cells), 2))[free]
        projection = np.zeros((len(self.small) + 1, 2))
        rows = system.pivot_row[self.small]
        pivot = rows >= 0
        projection[:-1][pivot] = -system.matrix[rows[pivot]][:, free] @ weights
        projection[:-1][~pivot] = weights[np.searchsorted(free, self.small[~pivot])]
        # A set that passes the exact check below (every coordinate of its sum below _DERIVABLE) projects
        # to less than this; exact arithmetic would give 0.
        tolerance = _DERIVABLE * weights.sum(axis=0) * 2
        # Sets that may be derivable: single cells, and pairs of halves whose projections cancel (found by
        # binary search on the first projection, confirmed on the second).
        found: list[tuple[int, ...]] = [
            (int(position),) for position in np.flatnonzero((np.abs(projection[:-1]) < tolerance).all(axis=1))
        ]
        sums = projection[self.members[:, 0]].copy()
        for position in range(1, self.members.shape[1]):
            sums += projection[self.members[:, position]]
        order = np.argsort(sums[:, 0])
        ordered = sums[order, 0]
        # The opposite of each sum, searched in increasing order (far faster than unsorted queries), then
        # put back in the order of the halves.
        needles = -ordered[::-1]
        low = np.empty(len(sums), dtype=np.intp)
        high = np.empty(len(sums), dtype=np.intp)
        low[order[::-1]] = np.searchsorted(ordered, needles - tolerance[0], side="left")
        high[order[::-1]] = np.searchsorted(ordered, needles + tolerance[0], side="right")
        hits = high - low
        a = np.repeat(np.arange(len(sums)), hits)
        b = order[np.repeat(low - np.cumsum(hits) + hits, hits) + np.arange(hits.sum())]
        keep = (
            (self.last[a] < self.first[b])
            & (self.lengths[b] <= self.lengths[a])
            & (self.lengths[a] <= self.lengths[b] + 1)
            & (self.totals[a] + self.totals[b] < self.k)
            & (np.abs(sums[a, 1] + sums[b, 1]) < tolerance[1])
        )
        found.extend(
            tuple(int(p) for p in self.members[i, : self.lengths[i]])
            + tuple(int(p) for p in self.members[j, : self.lengths[j]])
            for i, j in zip(a[keep], b[keep], strict=True)
        )
        # Checked exactly (the projections only find candidates; they decide nothing).
        leaks = []
        for positions in sorted(found):
            columns = [int(self.small[p]) for p in positions]
            if system.derivable(columns, free):
                leaks.append(columns)
        return leaks, True


class _Suppression(Generic[Cell]):
    """The hiding rule on one linear system, first for the respondent counts of the cells, then – starting
    from that result – for the answer counts of each part (statement): see ``suppress`` and
    ``suppress_parts``."""

    def __init__(
        self,
        counts: Mapping[Cell, int],
        equations: Sequence[tuple[Cell, Sequence[Cell]]],
        k: int,
        virtual: Iterable[Cell],
        order: Order,
    ):
        self.k = effective_k(k)
        self.order = order
        self.counts = dict(counts)
        self.virtual = set(virtual)
        self.equations = [(whole, list(parts)) for whole, parts in equations]
        self.cells = sorted((cell for cell, n in self.counts.items() if n > 0), key=order)
        self.system = _System(self.cells, self.equations)
        self.roots = {whole for whole, _parts in self.equations} - {
            p for _whole, parts in self.equations for p in parts
        }
        self.rows_of_equation = [
            [self.system.column[c] for c in [whole, *parts] if c in self.system.column]
            for whole, parts in self.equations
        ]
        # Per cell: the cells it shares an equation with (itself included), and whether it is a root.
        self.neighbour_columns = [
            np.unique(
                np.array(
                    [c for row in self.system.equations_of[column] for c in self.rows_of_equation[row]]
                    or [column],
                    dtype=np.intp,
                )
            )
            for column in range(len(self.cells))
        ]
        self.is_root = np.array([cell in self.roots for cell in self.cells], dtype=bool)
        hidden = {cell for cell, n in self.counts.items() if n < self.k} | self.virtual
        for column, cell in enumerate(self.cells):
            if cell in hidden:
                self.system.hide(column)
        self.hidden = self._close(self.system, hidden, [self.counts[c] for c in self.cells])

    def _neighbours(self, columns: Iterable[int]) -> npt.NDArray[np.intp]:
        arrays = [self.neighbour_columns[c] for c in columns]
        return np.unique(np.concatenate(arrays)) if arrays else np.zeros(0, dtype=np.intp)

    def _close(self, system: _System, hidden: set[Cell], sizes: Sequence[int]) -> set[Cell]:
        """Hide more cells until no set of hidden cells with 1 … k − 1 in ``sizes`` can be derived; returns
        the hidden cells. ``sizes`` per column: what the cells count in this run (respondents, or answers
        to one statement); a cell of size 0 is known (empty) and never a candidate."""
        k, cells = self.k, self.cells
        small = sorted(
            (c for c in range(len(cells)) if system.hidden[c] and 0 < sizes[c] < k),
            key=lambda column: (sizes[column], column),
        )
        search = _LeakSearch(small, [sizes[c] for c in small], k)

        size_of = np.asarray(sizes, dtype=np.intp)

        # Repaired in order, as if the search ran again after each repair: hiding a cell never makes a set
        # derivable that was not (and every cell hidden here has k or more), so the leaks still open after a
        # repair are those of a complete list that are still derivable – and none is left after the last.
        while True:
            leaks, complete = search.find(system)
            # The cells that can each be derived, kept up to date as cells are hidden: a cell hidden as a
            # pivot is derived itself; one hidden as a free cell loosens every pivot that depends on it.
            determined = np.zeros(len(cells), dtype=bool)
            if leaks:
                determined[search.determined(system)] = True
            for leak in leaks:
                while system.derivable(leak, system.free_columns()):
                    # The smallest shown cells of the equations with a leaking cell or a cell that can be
                    # derived: parts before the organisation, then the smallest set, then the natural order
                    # of the cells (their column). The first of the MAX_TRIALS smallest that stops the leak
                    # is hidden, else the smallest (the leak can be derived in more than one way; the next
                    # repair stops it).
                    touching = self._neighbours([*leak, *np.flatnonzero(determined).tolist()])
                    touching = touching[~system.hidden[touching] & (size_of[touching] > 0)]
                    if not touching.size:  # cannot happen for a consistent system; hide all, never leak
                        return hidden | set(self.counts)
                    candidates = touching[np.lexsort((touching, size_of[touching], self.is_root[touching]))]
                    stops = system.stops(leak)
                    # A whole that is no one's part (the organisation) is hidden only when no part is left:
                    # hiding two parts keeps the most important figure, hiding the organisation does not.
                    choice = int(
                        next(
                            (c for c in candidates[:MAX_TRIALS] if stops[c] and not self.is_root[c]),
                            candidates[0],
                        )
                    )
                    hidden = hidden | {cells[choice]}
                    system.hide(choice)
                    if system.pivot_row[choice] >= 0:
                        determined[choice] = True
                    else:
                        derived = np.flatnonzero(determined & (system.pivot_row >= 0))
                        loose = np.abs(system.matrix[system.pivot_row[derived], choice]) >= _DERIVABLE
                        determined[derived[loose]] = False
            if complete:
                return hidden

    def part(self, part_counts: Mapping[Cell, int]) -> set[Cell]:
        """The cells whose figures of one part (a statement) must not be shown, given how many answered it
        in each cell (``part_counts``, remainders included). Starts from the cells' own result: a cell hidden
        for its respondents is hidden for every part. Cells nobody answered the part in are known to be
        empty (their count is published), a shown cell with 1 … k − 1 answers is hidden, and hiding goes on
        until no set of hidden cells with 1 … k − 1 answers in all can be derived."""
        sizes = [int(part_counts.get(cell, 0)) for cell in self.cells]
        if sizes == [self.counts[c] for c in self.cells]:
            return set(self.hidden)
        system = self.system.copy()
        system.add_known([column for column, size in enumerate(sizes) if size == 0 and system.hidden[column]])
        hidden = set(self.hidden)
        for column, size in enumerate(sizes):
            if not system.hidden[column] and 0 < size < self.k:
                hidden.add(self.cells[column])
                system.hide(column)
        return self._close(system, hidden, sizes)


def suppress(
    counts: Mapping[Cell, int],
    equations: Sequence[tuple[Cell, Sequence[Cell]]],
    k: int,
    *,
    virtual: Iterable[Cell] = (),
    order: Order = repr,
) -> set[Cell]:
    """The cells that must not be shown. ``counts`` holds the number of respondents of every cell (cells
    with 0 respondents are empty, not secret); ``virtual`` cells are never shown. ``order`` gives the
    natural order of the cells (a sort key): among equally small candidates for extra hiding the first in
    that order is hidden, so the choice never depends on database ids."""
    return _Suppression(counts, equations, k, virtual, order).hidden


def suppress_parts(
    counts: Mapping[Cell, int],
    part_counts: Mapping[Part, Mapping[Cell, int]],
    equations: Sequence[tuple[Cell, Sequence[Cell]]],
    k: int,
    *,
    virtual: Iterable[Cell] = (),
    order: Order = repr,
) -> tuple[set[Cell], dict[Part, set[Cell]]]:
    """``suppress`` for the cells, and then per part (statement) the cells whose figures of that part must
    not be shown, on the answer counts of the part (``part_counts[part][cell]``, remainders included).
    Equal count patterns are computed once."""
    run = _Suppression(counts, equations, k, virtual, order)
    by_part: dict[Part, set[Cell]] = {}
    done: dict[tuple[int, ...], set[Cell]] = {}
    for part, cell_counts in part_counts.items():
        pattern = tuple(int(cell_counts.get(cell, 0)) for cell in run.cells)
        if pattern not in done:
            done[pattern] = run.part(cell_counts)
        by_part[part] = done[pattern]
    return run.hidden, by_part


# --- The scopes of a round ----------------------------------------------------------------------------------


def scope_equations(
    n_by_key: Mapping[str, int], parents: Mapping[int, int | None]
) -> tuple[list[tuple[str, Sequence[str]]], dict[str, int]]:
    """whole = Σ parts for the stored scopes of one round, keyed like the stored results ("organisation",
    "department:<id>", "group:<id>", "department:<id>/group:<id>"), plus the never-shown remainders
    (e.g. responses filed directly on a department that has units) with their counts."""
    parsed = [key for key in map(parse_or_none, n_by_key) if key is not None]
    departments = {
        key.department_id for key in parsed if key.department_id is not None and key.kind == "department"
    }
    groups = {key.group_id for key in parsed if key.group_id is not None and key.kind == "group"}
    children: dict[int | None, list[int]] = {}
    for dept in sorted(departments):
        parent = parents.get(dept)
        children.setdefault(parent if parent in departments else None, []).append(dept)
    equations: list[tuple[str, Sequence[str]]] = []
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

    def department_text(department_id: int, group_id: int | None = None) -> str:
        return str(ScopeKey.department(department_id, group_id))

    def group_text(group_id: int) -> str:
        return str(ScopeKey.group(group_id))

    organisation = str(ORGANISATION)
    top = children.get(None, [])
    tree(organisation, [department_text(d) for d in top], f"rest:{organisation}")
    tree(organisation, [group_text(g) for g in sorted(groups)], f"rest:{organisation}/groups")
    for g in sorted(groups):
        tree(group_text(g), [department_text(d, g) for d in top], f"rest:{organisation}/{group_text(g)}")
    for d in sorted(departments):
        units = children.get(d, [])
        if units:
            tree(department_text(d), [department_text(c) for c in units], f"rest:{department_text(d)}")
            for g in sorted(groups):
                tree(
                    department_text(d, g),
                    [department_text(c, g) for c in units],
                    f"rest:{department_text(d, g)}",
                )
        tree(
            department_text(d),
            [department_text(d, g) for g in sorted(groups)],
            f"rest:{department_text(d)}/groups",
        )
    return equations, virtual


def natural_order(order: Order | None) -> Order:
    """A sort key over scope keys and the remainders ("rest:<key>…") that the equations add: the
    caller's natural order of the stored scopes (names, not ids), remainders after the scopes."""

    def key(cell: str) -> Any:
        if cell.startswith("rest:"):
            base = cell[len("rest:") :].split("/groups")[0]
            return (1, key(base) if base != "organisation" or order is None else (0,), cell)
        return (0, order(cell) if order is not None else cell, "")

    return key


def scope_order(
    departments: Mapping[int, tuple[int | None, str]], groups: Mapping[int, tuple[int, str]]
) -> Order:
    """The natural order of a round's scope keys: the organisation, then the departments in tree order by
    name (the path of names from the top), the groups by position and name, then department × group. Ids
    are never compared, so which of two equally small cells is hidden does not depend on which was created
    first. ``departments``: id → (parent id, name); ``groups``: id → (position, name)."""

    def path(department_id: int) -> tuple[str, ...]:
        names: list[str] = []
        current: int | None = department_id
        seen: set[int] = set()
        while current is not None and current in departments and current not in seen:
            seen.add(current)
            parent, name = departments[current]
            names.append(name.casefold())
            current = parent
        return tuple(reversed(names))

    def group(group_id: int) -> tuple[int, str]:
        position, name = groups.get(group_id, (0, ""))
        return (position, name.casefold())

    def key(scope_key: str) -> Any:
        parsed = parse_or_none(scope_key)
        if parsed is None:
            return (9, scope_key)
        if parsed.kind == "organisation":
            return (0,)
        if parsed.department_id is None:
            return (2, group(parsed.group_id or 0))
        department_path = path(parsed.department_id)
        if parsed.group_id is not None:
            return (3, department_path, group(parsed.group_id))
        return (1, department_path)

    return key


def hidden_scope_keys(
    n_by_key: Mapping[str, int],
    parents: Mapping[int, int | None],
    k: int,
    *,
    order: Order | None = None,
    never_shown: Iterable[str] = (),
) -> set[str]:
    """The scope keys of one round whose figures must not be shown. ``never_shown``: scopes that take part
    in the equations but that the output does not show anyway (they are not known to the attacker)."""
    equations, virtual = scope_equations(n_by_key, parents)
    counts = dict(n_by_key)
    counts.update(virtual)
    unknown = {**virtual, **{key: n_by_key[key] for key in never_shown if key in n_by_key}}
    return suppress(counts, equations, k, virtual=unknown, order=natural_order(order)) & set(n_by_key)


def hidden_part_keys(
    n_by_key: Mapping[str, int],
    n_by_part: Mapping[str, Mapping[str, int]],
    parents: Mapping[int, int | None],
    k: int,
    *,
    order: Order | None = None,
) -> tuple[set[str], dict[str, set[str]]]:
    """The scope keys whose figures must not be shown at all (on the respondent counts), and per part
    (statement code) the scope keys where that statement's figures must not be shown (on the counts of
    those who answered it 1–6, ``n_by_part[code][key]``). Published counts are known to the attacker."""
    equations, virtual = scope_equations(n_by_key, parents)
    counts = dict(n_by_key)
    counts.update(virtual)
    part_counts: dict[str, dict[str, int]] = {}
    for part, by_key in n_by_part.items():
        _equations, part_virtual = scope_equations({key: by_key.get(key, 0) for key in n_by_key}, parents)
        part_counts[part] = {**by_key, **part_virtual}
    hidden, by_part = suppress_parts(
        counts, part_counts, equations, k, virtual=virtual, order=natural_order(order)
    )
    keys = set(n_by_key)
    return hidden & keys, {part: cells & keys for part, cells in by_part.items()}
