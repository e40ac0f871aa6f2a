"""The scoring engine: pinned hand-computed examples and hypothesis properties. No database."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maturity import scoring
from maturity.scoring import CapabilityDef, CategoryDef, DimensionDef, StatementDef, Structure


def small_structure(*, reverse=("A.X.1.2",), cutoffs=(50.0, 50.0)) -> Structure:
    """F: category F.E (capabilities F.E.1 [2 statements], F.E.2 [1]) and F.I (F.I.1 [1]);
    A: category A.X (capability A.X.1 [2 statements, the second reverse-scored])."""
    return Structure(
        dimensions=(DimensionDef("F", "capability"), DimensionDef("A", "legacy")),
        categories=(CategoryDef("F.E", "F"), CategoryDef("F.I", "F"), CategoryDef("A.X", "A")),
        capabilities=(
            CapabilityDef("F.E.1", "F.E"),
            CapabilityDef("F.E.2", "F.E"),
            CapabilityDef("F.I.1", "F.I"),
            CapabilityDef("A.X.1", "A.X"),
        ),
        statements=(
            StatementDef("F.E.1.1", "F.E.1"),
            StatementDef("F.E.1.2", "F.E.1"),
            StatementDef("F.E.2.1", "F.E.2"),
            StatementDef("F.I.1.1", "F.I.1"),
            StatementDef("A.X.1.1", "A.X.1"),
            StatementDef("A.X.1.2", "A.X.1", reverse_scored="A.X.1.2" in reverse),
        ),
        capability_cutoff=cutoffs[0],
        legacy_cutoff=cutoffs[1],
    )


CODES = small_structure().statement_codes


def test_hand_computed_example_gives_the_pinned_figures():
    respondents = [
        {"F.E.1.1": 4, "F.E.1.2": 6, "F.E.2.1": 3, "F.I.1.1": 5, "A.X.1.1": 2, "A.X.1.2": 5},
        {"F.E.1.1": 2, "F.E.1.2": None, "F.E.2.1": 5, "F.I.1.1": 5, "A.X.1.1": 4, "A.X.1.2": 1},
        {"F.E.1.1": 6, "F.E.2.1": None, "A.X.1.1": 3},
    ]
    result = scoring.score(small_structure(), respondents)
    # statement F.E.1.1: (4 + 2 + 6) / 3 = 4; sd = sqrt(((0)² + (−2)² + 2²) / 2) = 2
    assert result.statements["F.E.1.1"].mean == pytest.approx(4.0)
    assert result.statements["F.E.1.1"].sd == pytest.approx(2.0)
    # F.E.1.2: answered 6 once, one "vet ej", one blank → mean 6, share 1/2
    assert result.statements["F.E.1.2"].mean == pytest.approx(6.0)
    assert result.statements["F.E.1.2"].n == 1
    assert result.statements["F.E.1.2"].dont_know_share == pytest.approx(0.5)
    assert result.statements["F.E.1.2"].sd is None
    # reverse: 5 → 2, 1 → 6; mean 4
    assert result.statements["A.X.1.2"].mean == pytest.approx(4.0)
    # capability F.E.1 = (4 + 6) / 2 = 5; F.E.2 = (3 + 5) / 2 = 4; category F.E = 4.5; F.I = 5
    assert result.capabilities["F.E.1"].score == pytest.approx(5.0)
    assert result.capabilities["F.E.1"].percent == pytest.approx(80.0)
    assert result.categories["F.E"].score == pytest.approx(4.5)
    # dimension F = (4.5 + 5) / 2 = 4.75 → 75 %
    assert result.dimensions["F"].percent == pytest.approx(75.0)
    # A.X.1.1 mean 3; A.X.1 = (3 + 4) / 2 = 3.5 → 50 %
    assert result.dimensions["A"].percent == pytest.approx(50.0)
    assert result.overall_percent == pytest.approx(62.5)
    assert result.type == "D"  # 75 ≥ 50 and 50 ≥ 50: the cut-off itself counts as high/enabling
    assert result.n_respondents == 3
    # respondents' own F.E.1 scores: 5, 2, 6 → sd of the capability
    assert result.capabilities["F.E.1"].sd == pytest.approx(
        math.sqrt(((5 - 13 / 3) ** 2 + (2 - 13 / 3) ** 2 + (6 - 13 / 3) ** 2) / 2)
    )


def test_nobody_answering_leaves_figures_undefined_never_zero():
    result = scoring.score(small_structure(), [{"F.E.1.1": None}, {}])
    assert result.statements["F.E.1.1"].mean is None
    assert result.statements["F.E.1.1"].dont_know_share == 1.0
    assert result.capabilities["F.E.1"].score is None
    assert result.dimensions["F"].percent is None
    assert result.overall_percent is None
    assert result.type is None
    assert result.n_respondents == 2


def test_an_undefined_capability_is_skipped_not_counted_as_zero():
    result = scoring.score(small_structure(), [{"F.E.1.1": 6, "F.I.1.1": 1}])
    # F.E.2 undefined: F.E = F.E.1 = 6, F.I = 1 → F = 3.5 (not (6 + 0) / 2 …)
    assert result.categories["F.E"].score == 6.0
    assert result.dimensions["F"].score == pytest.approx(3.5)


def test_type_follows_the_configured_cutoffs():
    assert scoring.maturity_type(49.9, 49.9) == "A"
    assert scoring.maturity_type(50.0, 10.0) == "B"
    assert scoring.maturity_type(10.0, 50.0) == "C"
    assert scoring.maturity_type(80.0, 80.0) == "D"
    assert scoring.maturity_type(60.0, 60.0, capability_cutoff=70, legacy_cutoff=70) == "A"
    assert scoring.maturity_type(None, 60.0) is None


def test_weights_change_the_category_mean():
    structure = small_structure()
    weighted = Structure(
        dimensions=structure.dimensions,
        categories=structure.categories,
        capabilities=(CapabilityDef("F.E.1", "F.E", 3.0), *structure.capabilities[1:]),
        statements=structure.statements,
    )
    result = scoring.score(weighted, [{"F.E.1.1": 6, "F.E.2.1": 2}])
    assert result.categories["F.E"].score == pytest.approx((6 * 3 + 2) / 4)


def test_an_answer_off_the_scale_is_refused():
    with pytest.raises(ValueError):
        scoring.score(small_structure(), [{"F.E.1.1": 7}])


def test_group_gaps_report_highest_and_lowest_group_per_capability():
    gaps = scoring.group_gaps(
        {"Ledning": {"F.E.1": (80.0, 6)}, "Utvecklare": {"F.E.1": (40.0, 7)}, "Små": {"F.E.1": (10.0, 2)}},
        min_n=5,
    )
    assert gaps["F.E.1"].gap == pytest.approx(40.0)
    assert (gaps["F.E.1"].highest, gaps["F.E.1"].lowest) == ("Ledning", "Utvecklare")
    assert "Små" not in gaps["F.E.1"].percents


# --- Properties -------------------------------------------------------------------------------------------

answer = st.one_of(st.none(), st.integers(min_value=1, max_value=6))
respondent = st.dictionaries(st.sampled_from(CODES), answer)
respondents = st.lists(respondent, min_size=0, max_size=25)


def _figures(result: scoring.ScoreResult):
    data = result.as_dict()
    return data


def _close(a, b):
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _assert_same(a: scoring.ScoreResult, b: scoring.ScoreResult):
    for level in ("statements", "capabilities", "categories", "dimensions"):
        for code, part in getattr(a, level).items():
            other = getattr(b, level)[code]
            for name in ("mean", "score", "percent", "sd", "dont_know_share"):
                if hasattr(part, name):
                    assert _close(getattr(part, name), getattr(other, name)), (level, code, name)
            assert part.n == other.n
    assert _close(a.overall_percent, b.overall_percent)
    assert a.type == b.type


@settings(max_examples=200)
@given(respondents)
def test_percent_stays_within_0_and_100(people):
    result = scoring.score(small_structure(), people)
    for level in ("capabilities", "categories", "dimensions"):
        for part in getattr(result, level).values():
            assert part.percent is None or -1e-9 <= part.percent <= 100 + 1e-9
    assert result.overall_percent is None or -1e-9 <= result.overall_percent <= 100 + 1e-9


@given(respondents)
def test_reverse_scoring_v_equals_a_normal_statement_answered_7_minus_v(people):
    reversed_structure = small_structure(reverse=("A.X.1.2",))
    normal_structure = small_structure(reverse=())
    flipped = [
        {code: (7 - v if code == "A.X.1.2" and v is not None else v) for code, v in person.items()}
        for person in people
    ]
    _assert_same(scoring.score(reversed_structure, people), scoring.score(normal_structure, flipped))


@given(respondents, st.integers(min_value=0, max_value=24), st.sampled_from(CODES))
def test_adding_a_dont_know_changes_no_mean(people, index, code):
    before = scoring.score(small_structure(), people)
    changed = [dict(p) for p in people]
    if changed and code not in changed[index % len(changed)]:
        changed[index % len(changed)][code] = None
    else:
        changed.append({code: None})
    after = scoring.score(small_structure(), changed)
    for level in ("statements",):
        for c, part in getattr(before, level).items():
            assert _close(part.mean, getattr(after, level)[c].mean)
    for level in ("capabilities", "categories", "dimensions"):
        for c, part in getattr(before, level).items():
            assert _close(part.score, getattr(after, level)[c].score)
    assert _close(before.overall_percent, after.overall_percent)


@given(respondents, st.randoms(use_true_random=False))
def test_permuting_respondents_changes_nothing(people, rnd):
    shuffled = list(people)
    rnd.shuffle(shuffled)
    _assert_same(scoring.score(small_structure(), people), scoring.score(small_structure(), shuffled))


@given(st.lists(respondents, min_size=1, max_size=4))
def test_pooled_organisation_equals_all_its_respondents_together(departments):
    """The organisation's figures pool all respondents: scoring the departments' respondents together is
    the same as scoring the list of everyone, and not the mean of department means."""
    everyone = [p for department in departments for p in department]
    pooled = scoring.score(small_structure(), everyone)
    assert pooled.n_respondents == sum(len(d) for d in departments)
    for code in CODES:
        answered = [p[code] for d in departments for p in d if p.get(code) is not None]
        expected = None
        if answered:
            values = [7 - v if code == "A.X.1.2" else v for v in answered]
            expected = sum(values) / len(values)
        assert _close(pooled.statements[code].mean, expected)
    _assert_same(pooled, scoring.score(small_structure(), reversed(everyone)))


def test_pooled_figure_is_not_the_mean_of_department_means():
    big = [{"F.E.1.1": 6}] * 9
    small = [{"F.E.1.1": 1}]
    pooled = scoring.score(small_structure(), big + small)
    assert pooled.statements["F.E.1.1"].mean == pytest.approx((9 * 6 + 1) / 10)
