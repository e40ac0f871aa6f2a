"""Anonymity on output: nothing shown comes from fewer than k respondents, directly or by subtraction.
No database: the suppression module is pure."""

from __future__ import annotations

import random
from collections import Counter
from fractions import Fraction

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maturity.suppression import effective_k, hidden_scope_keys, scope_equations, suppress


def scope_counts(respondents, parents):
    """Respondents per stored scope, counted the way compute_round_results counts them."""
    counts: Counter = Counter()
    for department, group in respondents:
        counts["organisation"] += 1
        counts[f"group:{group}"] += 1
        current = department
        while current is not None:
            counts[f"department:{current}"] += 1
            counts[f"department:{current}/group:{group}"] += 1
            current = parents[current]
    return dict(counts)


def _echelon(rows: list[list[Fraction]]) -> list[tuple[int, list[Fraction]]]:
    """Independent of the module under test: exact Gaussian elimination with fractions. Returns the
    reduced rows with their pivot column."""
    reduced: list[tuple[int, list[Fraction]]] = []
    for row in rows:
        row = _reduce(reduced, row)
        pivot = next((i for i, v in enumerate(row) if v != 0), None)
        if pivot is not None:
            reduced.append((pivot, [v / row[pivot] for v in row]))
    return reduced


def _reduce(reduced, vector):
    vector = vector[:]
    for pivot, row in reduced:
        if vector[pivot] != 0:
            factor = vector[pivot]
            vector = [a - factor * b for a, b in zip(vector, row, strict=True)]
    return vector


class Derivable:
    """Which sums of secret cells follow from the equations, given every other cell."""

    def __init__(self, equations, secret):
        self.unknown = sorted(secret, key=repr)
        self.index = {c: i for i, c in enumerate(self.unknown)}
        rows = []
        for whole, parts in equations:
            row = [Fraction(0)] * len(self.unknown)
            if whole in self.index:
                row[self.index[whole]] -= 1
            for part in parts:
                if part in self.index:
                    row[self.index[part]] += 1
            if any(row):
                rows.append(row)
        self.reduced = _echelon(rows)

    def __call__(self, cells) -> bool:
        vector = [Fraction(0)] * len(self.unknown)
        for c in cells:
            vector[self.index[c]] = Fraction(1)
        return not any(_reduce(self.reduced, vector))


@st.composite
def organisations(draw):
    n_top = draw(st.integers(min_value=1, max_value=4))
    parents: dict[int, int | None] = {}
    next_id = 1
    for _ in range(n_top):
        top = next_id
        parents[top] = None
        next_id += 1
        for _ in range(draw(st.integers(min_value=0, max_value=2))):
            parents[next_id] = top
            next_id += 1
    groups = list(range(1, draw(st.integers(min_value=1, max_value=3)) + 1))
    respondents = draw(
        st.lists(
            st.tuples(st.sampled_from(sorted(parents)), st.sampled_from(groups)), min_size=0, max_size=40
        )
    )
    k = draw(st.integers(min_value=3, max_value=6))
    return parents, respondents, k


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisations())
def test_nothing_shown_comes_from_fewer_than_k_respondents_directly_or_by_subtraction(case):
    parents, respondents, k = case
    counts = scope_counts(respondents, parents)
    hidden = hidden_scope_keys(counts, parents, k)
    shown = set(counts) - hidden
    assert all(counts[c] >= k for c in shown)

    equations, virtual = scope_equations(counts, parents)
    all_counts = {**counts, **virtual}
    secret = (hidden | set(virtual)) & {c for c, n in all_counts.items() if n > 0}
    derivable = Derivable(equations, secret)
    # Every set of secret cells with 1..k−1 respondents in all (at most k − 1 cells, each has one or more).
    small = sorted((c for c in secret if all_counts[c] < k), key=repr)

    def subsets(start, total, chosen):
        for position in range(start, len(small)):
            cell = small[position]
            if total + all_counts[cell] < k:
                yield [*chosen, cell]
                yield from subsets(position + 1, total + all_counts[cell], [*chosen, cell])

    for cells in subsets(0, 0, []):
        assert not derivable(cells), f"{cells} can be worked out from the shown figures"


def test_exactly_one_hidden_part_hides_the_next_smallest_sibling_too():
    counts = {"org": 30, "a": 3, "b": 7, "c": 20}
    hidden = suppress(counts, [("org", ["a", "b", "c"])], 5)
    assert hidden == {"a", "b"}


def test_two_hidden_parts_with_fewer_than_k_together_hide_one_more():
    counts = {"org": 30, "a": 1, "b": 2, "c": 8, "d": 19}
    hidden = suppress(counts, [("org", ["a", "b", "c", "d"])], 5)
    assert hidden == {"a", "b", "c"}


def test_k_is_never_below_3():
    assert effective_k(1) == 3
    assert suppress({"org": 2}, [], 1) == {"org"}


def test_a_whole_below_k_is_hidden_with_all_its_parts():
    counts = {"organisation": 4, "department:1": 4, "group:1": 4, "department:1/group:1": 4}
    assert hidden_scope_keys(counts, {1: None}, 5) == set(counts)


def test_large_cells_are_all_shown():
    respondents = [(1, 1)] * 10 + [(1, 2)] * 10 + [(2, 1)] * 10 + [(2, 2)] * 10
    parents = {1: None, 2: None}
    counts = scope_counts(respondents, parents)
    assert hidden_scope_keys(counts, parents, 5) == set()


def test_a_sum_of_four_one_respondent_cells_is_found_and_protected():
    counts = {"org": 30, "a": 1, "b": 1, "c": 1, "d": 1, "e": 6, "f": 20}
    assert suppress(counts, [("org", ["a", "b", "c", "d", "e", "f"])], 5) == {"a", "b", "c", "d", "e"}


def test_with_k_6_a_sum_of_five_one_respondent_cells_is_found_and_protected():
    counts = {"org": 40, **{c: 1 for c in "abcde"}, "f": 7, "g": 28}
    assert suppress(counts, [("org", ["a", "b", "c", "d", "e", "f", "g"])], 6) == {*"abcde", "f"}


def test_hiding_goes_on_until_no_small_sum_follows_though_a_difference_may():
    # a = x − h: hide h (the smallest sibling); then a + b = z − w: hide w. What is left, a − b = x − y, is
    # a difference, which gives nobody away.
    counts = {"x": 10, "y": 11, "z": 12, "a": 1, "b": 2, "h": 9, "w": 9}
    equations = [("x", ["a", "h"]), ("y", ["b", "h"]), ("z", ["a", "b", "w"])]
    hidden = suppress(counts, equations, 5)
    assert hidden == {"a", "b", "h", "w"}
    derivable = Derivable(equations, hidden)
    assert not derivable(["a"]) and not derivable(["b"]) and not derivable(["a", "b"])


PRIME = 2_147_483_647  # 2^31 − 1: products of two residues fit in int64


def _null_space_mod_prime(equations, unknown: list) -> np.ndarray:
    """Independent of the module under test: the null space of the hidden part of the system in exact
    arithmetic modulo a large prime (a set derivable over the rationals is derivable modulo the prime)."""
    index = {c: i for i, c in enumerate(unknown)}
    matrix = np.zeros((len(equations), len(unknown)), dtype=np.int64)
    for row, (whole, parts) in enumerate(equations):
        for cell, sign in [(whole, -1), *((p, 1) for p in parts)]:
            if cell in index:
                matrix[row, index[cell]] += sign
    matrix %= PRIME
    pivots: list[int] = []
    for col in range(len(unknown)):
        rows = [r for r in range(len(pivots), len(matrix)) if matrix[r, col]]
        if not rows:
            continue
        r = len(pivots)
        matrix[[r, rows[0]]] = matrix[[rows[0], r]]
        matrix[r] = matrix[r] * pow(int(matrix[r, col]), PRIME - 2, PRIME) % PRIME
        for other in np.flatnonzero(matrix[:, col]):
            if other != r:
                matrix[other] = (matrix[other] - matrix[other, col] * matrix[r]) % PRIME
        pivots.append(col)
    free = [c for c in range(len(unknown)) if c not in set(pivots)]
    null = np.zeros((len(unknown), len(free)), dtype=np.int64)
    for j, col in enumerate(free):
        null[col, j] = 1
        for i, pivot in enumerate(pivots):
            null[pivot, j] = -matrix[i, col] % PRIME
    return null


def test_a_larger_organisation_leaks_nothing():
    """12 förvaltningar with a unit each, 5 groups, 5–13 responses per department (like the dashboard
    benchmark's organisation, half the size): no set of hidden cells with 1–4 respondents can be worked
    out – while with primary suppression alone one can."""
    rng = random.Random(7)
    parents: dict[int, int | None] = {}
    for top in range(1, 24, 2):
        parents[top] = None
        parents[top + 1] = top
    respondents = [(d, rng.randint(1, 5)) for d in parents for _ in range(rng.randint(5, 13))]
    counts = scope_counts(respondents, parents)
    hidden = hidden_scope_keys(counts, parents, 5)
    assert all(n >= 5 for key, n in counts.items() if key not in hidden)
    assert len(hidden) < len(counts) - 20  # the organisation, the groups and most departments are shown

    equations, virtual = scope_equations(counts, parents)
    all_counts = {**counts, **virtual}

    def first_leak(secret):
        unknown = sorted(secret)
        null = _null_space_mod_prime(equations, unknown)
        rows = {c: null[i] for i, c in enumerate(unknown)}
        small = sorted((c for c in unknown if all_counts[c] < 5), key=lambda c: (all_counts[c], c))

        def leaks(start, total, vector, chosen):
            for position in range(start, len(small)):
                cell = small[position]
                if total + all_counts[cell] >= 5:
                    break
                summed = (vector + rows[cell]) % PRIME
                if not summed.any():
                    yield [*chosen, cell]
                yield from leaks(position + 1, total + all_counts[cell], summed, [*chosen, cell])

        return next(leaks(0, 0, np.zeros(null.shape[1], dtype=np.int64), []), None)

    assert first_leak(hidden | set(virtual)) is None
    assert first_leak({c for c, n in all_counts.items() if n < 5} | set(virtual)) is not None
