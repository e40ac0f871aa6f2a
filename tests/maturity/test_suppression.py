"""Anonymity on output: nothing shown comes from fewer than k respondents, directly or by subtraction.
No database: the suppression module is pure."""

from __future__ import annotations

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
