"""Anonymity on output: nothing shown comes from fewer than k respondents, directly or by subtraction.
No database: the suppression module is pure."""

from __future__ import annotations

import itertools
from collections import Counter
from fractions import Fraction

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


def _row_space_contains(rows: list[list[Fraction]], vector: list[Fraction]) -> bool:
    """Independent of the module under test: exact Gaussian elimination with fractions."""

    def rank(matrix):
        matrix = [r[:] for r in matrix]
        rank_, cols = 0, len(vector)
        for col in range(cols):
            pivot = next((i for i in range(rank_, len(matrix)) if matrix[i][col] != 0), None)
            if pivot is None:
                continue
            matrix[rank_], matrix[pivot] = matrix[pivot], matrix[rank_]
            for i in range(len(matrix)):
                if i != rank_ and matrix[i][col] != 0:
                    f = matrix[i][col] / matrix[rank_][col]
                    matrix[i] = [a - f * b for a, b in zip(matrix[i], matrix[rank_], strict=True)]
            rank_ += 1
        return rank_

    return rank(rows + [vector]) == rank(rows)


def derivable(counts, equations, hidden, cells) -> bool:
    unknown = sorted((c for c in hidden if counts.get(c, 0) > 0), key=repr)
    index = {c: i for i, c in enumerate(unknown)}
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
    vector = [Fraction(0)] * len(unknown)
    for c in cells:
        vector[index[c]] = Fraction(1)
    return _row_space_contains(rows, vector)


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


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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
    small = [c for c in secret if all_counts[c] < k]
    for cell in small:
        assert not derivable(all_counts, equations, secret, [cell]), cell
    for a, b in itertools.combinations(sorted(secret, key=repr), 2):
        if all_counts[a] + all_counts[b] < k:
            assert not derivable(all_counts, equations, secret, [a, b]), (a, b)
    for whole, parts in equations:
        hidden_parts = [p for p in parts if p in secret]
        total = sum(all_counts[p] for p in hidden_parts)
        if hidden_parts and 0 < total < k:
            assert not derivable(all_counts, equations, secret, hidden_parts), (whole, hidden_parts)


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
