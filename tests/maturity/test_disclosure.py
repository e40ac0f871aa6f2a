"""What may be published, case by case (issue 10's examples): a headline from fewer than k, a hidden part
worked out from its whole, statement-level subtraction between shown scopes, the tree at close time, and
the rule that chooses between equally small cells."""

from __future__ import annotations

import itertools

import pytest

from maturity.read_model import HIDDEN
from maturity.selectors import SUPPRESSED, get_round_results
from maturity.services.results import compute_round_results
from surveys.models import Department
from tests.attacker import Attacker, Respondent, build, scopes_of
from tests.factories import build_questionnaire

pytestmark = pytest.mark.django_db

YEARS = itertools.count(1600)


@pytest.fixture
def questionnaire(db):
    # Two dimensions with one category of one capability of three statements each.
    return build_questionnaire(categories_per_dimension=1, statements_per_category=3, k_anonymity=5)


def codes_of(questionnaire):
    capability = [
        s for s in questionnaire.statements.order_by("capability__category__dimension__position", "position")
    ]
    return [s.code for s in capability[:3]], [s.code for s in capability[3:]]


def everyone(codes, value=4):
    return {code: value for code in codes}


def test_a_department_where_only_two_answered_the_legacy_statements_shows_no_legacy_type_or_overall(
    questionnaire,
):
    capability, legacy = codes_of(questionnaire)
    people = [Respondent(0, 0, {**everyone(capability), **everyone(legacy, 3)}) for _ in range(2)]
    people += [
        Respondent(0, 0, {**everyone(capability, 5), **dict.fromkeys(legacy)}) for _ in range(4)
    ]  # vet ej
    people += [Respondent(1, 0, {**everyone(capability), **everyone(legacy)}) for _ in range(12)]
    built = build([0, 0], 1, people, questionnaire, next(YEARS))
    views = scopes_of(get_round_results(round_id=built.round.pk))
    department = views[f"department:{built.departments[0].pk}"]
    assert department["n_respondents"] == 6 and not department["suppressed"]
    assert department["capability_percent"] not in (None, SUPPRESSED)
    assert department["legacy_percent"] == SUPPRESSED
    assert department["overall_percent"] == SUPPRESSED and department["type"] == SUPPRESSED
    assert all(views_value == SUPPRESSED for views_value in [department["statements"][c] for c in legacy])


def test_a_capability_is_computed_from_its_shown_statements_so_a_hidden_one_cannot_be_worked_out(
    questionnaire,
):
    capability, legacy = codes_of(questionnaire)
    # In Förvaltning 0 only two of eight answered the first statement; the others everybody answered.
    people = [
        Respondent(0, 0, {capability[0]: 6, capability[1]: 2, capability[2]: 3, **everyone(legacy)})
        for _ in range(2)
    ]
    people += [Respondent(0, 0, {capability[1]: 4, capability[2]: 5, **everyone(legacy)}) for _ in range(6)]
    people += [Respondent(1, 0, {**everyone(capability, 3), **everyone(legacy)}) for _ in range(9)]
    built = build([0, 0], 1, people, questionnaire, next(YEARS))
    results = get_round_results(round_id=built.round.pk)
    department = scopes_of(results)[f"department:{built.departments[0].pk}"]
    assert department["statements"][capability[0]] == SUPPRESSED
    shown = [department["statements"][c]["mean"] for c in capability[1:]]
    part = next(iter(p for p in department["capabilities"].values() if p != SUPPRESSED and p["left_out"]))
    # The capability is the mean of the two shown statements – the hidden one is not in it …
    assert part["score"] == pytest.approx(sum(shown) / 2) and part["left_out"] == 1
    # … where with all three the hidden mean would follow: 3 × capability − the two shown.
    stored_score = (6 + (2 * 2 + 6 * 4) / 8 + (2 * 3 + 6 * 5) / 8) / 3
    assert part["score"] != pytest.approx(stored_score)
    assert Attacker(built, results, 5).leaks(capability[0]) == []


def test_statement_means_of_shown_scopes_do_not_give_one_answer_away_by_subtraction(questionnaire):
    """The organisation (20) and both departments (10 each) are shown; in Förvaltning 0 only three
    answered the first statement. Its mean is hidden there – and in the other department too, else the
    organisation's mean minus that one would give the three away."""
    capability, legacy = codes_of(questionnaire)
    people = [Respondent(0, 0, {**everyone(capability, 2), **everyone(legacy)}) for _ in range(3)]
    people += [Respondent(0, 0, {**everyone(capability[1:]), **everyone(legacy)}) for _ in range(7)]
    people += [Respondent(1, 0, {**everyone(capability, 5), **everyone(legacy)}) for _ in range(10)]
    built = build([0, 0], 1, people, questionnaire, next(YEARS))
    results = get_round_results(round_id=built.round.pk)
    views = scopes_of(results)
    first, second = (views[f"department:{d.pk}"] for d in built.departments)
    assert not first["suppressed"] and not second["suppressed"]
    assert views["organisation"]["statements"][capability[0]]["n"] == 13
    assert first["statements"][capability[0]] == SUPPRESSED
    assert second["statements"][capability[0]] == SUPPRESSED  # the complement
    assert Attacker(built, results, 5).leaks(capability[0]) == []


def test_moving_or_renaming_a_department_after_close_changes_neither_figures_nor_hiding(questionnaire):
    capability, legacy = codes_of(questionnaire)
    answers = {**everyone(capability), **everyone(legacy)}
    # Förvaltning 0 with a unit of 3 (hidden) and 6 of its own; Förvaltning 1 with 8.
    people = [Respondent(1, 0, answers) for _ in range(3)]
    people += [Respondent(0, 0, answers) for _ in range(6)] + [Respondent(2, 0, answers) for _ in range(8)]
    built = build([1, 0], 1, people, questionnaire, next(YEARS))
    before = get_round_results(round_id=built.round.pk)
    unit = built.departments[1]
    # The unit moves to the other department, and its old department is renamed.
    Department.objects.filter(pk=unit.pk).update(parent=built.departments[2])
    Department.objects.filter(pk=built.departments[0].pk).update(name="Omdöpt förvaltning")
    after = get_round_results(round_id=built.round.pk)
    compute_round_results(round_id=built.round.pk)  # a recomputation keeps the tree of the close
    recomputed = get_round_results(round_id=built.round.pk)
    for results in (after, recomputed):
        for key, view in scopes_of(before).items():
            other = scopes_of(results)[key]
            assert {
                f: other[f] for f in ("suppressed", "n_respondents", "overall_percent", "statements")
            } == {f: view[f] for f in ("suppressed", "n_respondents", "overall_percent", "statements")}
        # The unit is still shown under the department it belonged to when the round closed.
        names = [(d["name"], d["depth"]) for d in results["departments"]]
        assert names.index((unit.name, 1)) == names.index(("Omdöpt förvaltning", 0)) + 1


def test_between_equally_small_candidates_the_choice_follows_names_not_database_ids(questionnaire):
    """Two organisations with the same departments created in opposite order (so their ids are in
    opposite order): the same departments are hidden."""
    capability, legacy = codes_of(questionnaire)
    answers = {**everyone(capability), **everyone(legacy)}

    def hidden_names(order):
        people = []
        sizes = {"Alfa": 2, "Beta": 7, "Gamma": 7, "Delta": 9}
        names = list(order)
        for position, name in enumerate(names):
            people += [Respondent(position, 0, answers) for _ in range(sizes[name])]
        built = build([0] * len(names), 1, people, questionnaire, next(YEARS))
        for department, name in zip(built.departments, names, strict=True):
            Department.objects.filter(pk=department.pk).update(name=name)
        compute_round_results(round_id=built.round.pk)
        built.round.result_tree.delete()  # freeze the renamed tree: as if they had had these names at close
        compute_round_results(round_id=built.round.pk)
        results = get_round_results(round_id=built.round.pk)
        return {d["name"] for d in results["departments"] if d["suppressed"]}

    forwards = hidden_names(["Alfa", "Beta", "Gamma", "Delta"])
    backwards = hidden_names(["Delta", "Gamma", "Beta", "Alfa"])
    assert forwards == backwards == {"Alfa", "Beta"}  # Beta before Gamma: the same size, first by name


def test_a_change_since_last_year_is_hidden_when_either_year_is(questionnaire):
    from reports.selectors.dashboard import get_dashboard, list_dashboard_rounds
    from surveys.models import Round
    from tests.reports.dashboard_data import period

    capability, legacy = codes_of(questionnaire)
    people = [Respondent(0, 0, {**everyone(capability), **everyone(legacy)}) for _ in range(8)]
    people += [Respondent(1, 0, {**everyone(capability), **everyone(legacy)}) for _ in range(8)]
    year = next(YEARS)
    built = build([0, 0], 1, people, questionnaire, year)
    # The year after: in Förvaltning 0 only two answered the legacy statements.
    later = Round.objects.create(
        organisation=built.organisation, period=period(year + 1), questionnaire=questionnaire, status="closed"
    )
    statements = dict(questionnaire.statements.values_list("code", "pk"))
    from surveys.models import Answer, Response

    for i in range(8):
        for department in built.departments:
            response = Response.objects.create(round=later, department=department, group=built.groups[0])
            codes = capability + (legacy if department != built.departments[0] or i < 2 else [])
            for code in codes:
                Answer.objects.create(response=response, statement_id=statements[code], value=3)
    compute_round_results(round_id=later.pk)
    dashboard = get_dashboard(
        organisation=built.organisation,
        round_=later,
        rounds=list_dashboard_rounds(built.organisation),
        department=built.departments[0],
    )
    assert dashboard["headline"]["legacy"] == HIDDEN
    assert dashboard["headline"]["previous"]["legacy"] == HIDDEN
    assert dashboard["headline"]["previous"]["overall"] == HIDDEN
    assert dashboard["headline"]["previous"]["capability"] == pytest.approx(
        dashboard["headline"]["capability"] - 60.0
    )
