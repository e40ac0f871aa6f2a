"""Stored results: computed per scope, replaced idempotently, read with suppression; comparison means."""

from __future__ import annotations

import pytest

from maturity.models import RoundResult
from maturity.selectors import get_comparison, get_group_gaps, get_round_results, list_result_rounds
from maturity.services.results import compute_round_results
from surveys.models import Answer, Department, RespondentGroup, Response, Round
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def make_round(organisation, period, questionnaire, plan, *, status=Round.Status.CLOSED):
    """plan: list of (department, group, {code: value})."""
    round_ = Round.objects.create(
        organisation=organisation, period=period, questionnaire=questionnaire, status=status
    )
    statements = dict(questionnaire.statements.values_list("code", "pk"))
    for department, group, answers in plan:
        response = Response.objects.create(round=round_, department=department, group=group)
        Answer.objects.bulk_create(
            Answer(response=response, statement_id=statements[c], value=v) for c, v in answers.items()
        )
    return round_


@pytest.fixture
def round_2025(organisation, questionnaire, period_2025):
    social = Department.objects.get(organisation=organisation, name="Socialförvaltningen")
    elder = Department.objects.get(organisation=organisation, name="Äldreomsorg")
    school = Department.objects.get(organisation=organisation, name="Utbildningsförvaltningen")
    chefer = RespondentGroup.objects.get(organisation=organisation, name="Chefer")
    strateger = RespondentGroup.objects.get(organisation=organisation, name="Strateger")
    plan = (
        [(social, chefer, {"F.EFF.1.1": 6, "A.TEK.2.1": 1})] * 6
        + [(elder, chefer, {"F.EFF.1.1": 4, "A.TEK.2.1": 2})] * 6
        + [(school, strateger, {"F.EFF.1.1": 2, "A.TEK.2.1": None})] * 8
    )
    return make_round(organisation, period_2025, questionnaire, plan)


def test_results_are_stored_per_organisation_department_with_units_group_and_department_group(round_2025):
    compute_round_results(round_id=round_2025.pk)
    rows = {r.scope_key: r for r in RoundResult.objects.filter(round=round_2025)}
    social = Department.objects.get(name="Socialförvaltningen")
    assert rows["organisation"].n_respondents == 20
    assert rows[f"department:{social.pk}"].n_respondents == 12  # its own 6 + Äldreomsorg's 6
    assert rows[f"department:{social.pk}"].figures["statements"]["F.EFF.1.1"]["mean"] == pytest.approx(5.0)
    # A.TEK.2.1 is reverse-scored: 1 → 6, 2 → 5; "vet ej" excluded
    assert rows["organisation"].figures["statements"]["A.TEK.2.1"]["mean"] == pytest.approx(5.5)
    assert rows["organisation"].figures["statements"]["A.TEK.2.1"]["dont_know_share"] == pytest.approx(8 / 20)
    assert {r.scope for r in rows.values()} == set(RoundResult.Scope.values)
    assert rows["organisation"].settings["capability_cutoff"] == 50.0
    assert rows["organisation"].questionnaire == round_2025.questionnaire


def test_recomputing_replaces_the_rows_of_the_round(round_2025):
    first = compute_round_results(round_id=round_2025.pk)
    second = compute_round_results(round_id=round_2025.pk)
    assert first == second == RoundResult.objects.filter(round=round_2025).count()


def test_computing_takes_a_fixed_number_of_queries(round_2025, django_assert_max_num_queries):
    # The answers, the structure, the tree the results are frozen on, and the rows written (18); the
    # round's comparison figures, its departments' (issue 15: sectors) and its period's aggregates,
    # refreshed in the same transaction (15 at most – sums grouped by the database, then the values of the
    # distribution figures – whatever the number of organisations or departments:
    # tests/maturity/test_comparisons.py).
    with django_assert_max_num_queries(33):
        compute_round_results(round_id=round_2025.pk)


def test_reading_results_hides_small_sets_and_changing_k_needs_no_recompute(round_2025):
    compute_round_results(round_id=round_2025.pk)
    shown = get_round_results(round_id=round_2025.pk, k=5)
    assert shown["organisation"]["n_respondents"] == 20
    assert all(not d["suppressed"] for d in shown["departments"])
    strict = get_round_results(round_id=round_2025.pk, k=7)
    departments = {d["name"]: d for d in strict["departments"]}
    # Äldreomsorg (6) is below 7; Socialförvaltningen's own 6 would then give it away, but those are never
    # shown on their own, so only the unit is hidden – and the department that contains it stays.
    assert departments["Äldreomsorg"]["suppressed"]
    assert departments["Äldreomsorg"]["overall_percent"] == "suppressed"
    assert departments["Utbildningsförvaltningen"]["n_respondents"] == 8


def test_group_gaps_compare_the_shown_groups_per_capability(round_2025):
    compute_round_results(round_id=round_2025.pk)
    gaps = get_group_gaps(round_id=round_2025.pk)
    # Chefer: F.EFF.1.1 = 5 → 80 %; Strateger: 2 → 20 %
    assert gaps["F.EFF.1"]["gap"] == pytest.approx(60.0)
    assert (gaps["F.EFF.1"]["highest"], gaps["F.EFF.1"]["lowest"]) == ("Chefer", "Strateger")


def test_list_result_rounds_gives_the_rounds_with_results(round_2025, organisation):
    assert list_result_rounds(organisation=organisation) == []
    compute_round_results(round_id=round_2025.pk)
    assert list_result_rounds(organisation=organisation) == [round_2025]


def _other_organisation_round(questionnaire, period, value, *, county=None, n=5, status=Round.Status.CLOSED):
    kwargs = {"county": county} if county is not None else {}
    other = OrganisationFactory(**kwargs)
    department = Department.objects.create(organisation=other, name="Förvaltningen")
    group = RespondentGroup.objects.create(organisation=other, name="Chefer")
    round_ = make_round(
        other, period, questionnaire, [(department, group, {"F.EFF.1.1": value})] * n, status=status
    )
    compute_round_results(round_id=round_.pk)
    return other


def test_comparison_is_the_unweighted_mean_of_other_organisations_excluding_itself(
    round_2025, organisation, questionnaire, period_2025
):
    compute_round_results(round_id=round_2025.pk)
    for value in (2, 3, 4, 5):
        _other_organisation_round(questionnaire, period_2025, value, n=5 + value)
    assert get_comparison(organisation=organisation, period=period_2025) is None  # only 4 others
    _other_organisation_round(questionnaire, period_2025, 6)
    _other_organisation_round(questionnaire, period_2025, 1, n=3)  # below k: not counted
    _other_organisation_round(questionnaire, period_2025, 1, status=Round.Status.OPEN)  # not closed
    comparison = get_comparison(organisation=organisation, period=period_2025)
    assert comparison["n_organisations"] == 5
    # capability F.EFF.1 percents of the five: (v − 1) / 5 × 100 for v = 2..6 → mean 60 %
    assert comparison["capabilities"]["F.EFF.1"] == pytest.approx(60.0)
    assert comparison["capabilities"]["A.TEK.2"] is None  # nobody answered it


def test_county_comparison_counts_only_the_same_county(round_2025, organisation, questionnaire, period_2025):
    compute_round_results(round_id=round_2025.pk)
    for value in (2, 3, 4, 5, 6):
        _other_organisation_round(questionnaire, period_2025, value, county=organisation.county)
    assert (
        get_comparison(organisation=organisation, period=period_2025, basis="county")["n_organisations"] == 5
    )
    assert get_comparison(organisation=organisation, period=period_2025, basis="kind")["n_organisations"] == 5


def test_reading_a_round_takes_a_fixed_number_of_queries(round_2025, django_assert_max_num_queries):
    compute_round_results(round_id=round_2025.pk)
    with django_assert_max_num_queries(5):
        get_round_results(round_id=round_2025.pk)
