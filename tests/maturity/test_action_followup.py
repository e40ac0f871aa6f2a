"""Did it move? An action's target capabilities at its round and at the organisation's next closed round,
read through the read model (maturity.selectors_followup; docs/actions.md)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from maturity.models import Action, RoundResult
from maturity.selectors_followup import (
    FOLLOWED,
    NOT_COMPARABLE,
    REASON_PROTECTED,
    REASON_TOO_FEW,
    WAITING,
    get_action_followups,
)
from surveys.access import Visibility
from surveys.models import Department, DepartmentSuccession, Round
from tests.factories import MeasurementPeriodFactory, RoundFactory, build_questionnaire

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(db):
    return build_questionnaire(categories_per_dimension=2, statements_per_category=1, code="v-follow")


def _round(organisation, version, year, status=Round.Status.CLOSED):
    return RoundFactory(
        organisation=organisation,
        questionnaire=version,
        status=status,
        period=MeasurementPeriodFactory(year=year, term="HT"),
    )


def _store(round_, key, *, n=12, hidden=False, capabilities=None):
    """A stored scope of a round as ``disclosure.publish`` leaves it: shown with these capability percents,
    or hidden (``hidden``, every figure suppressed)."""
    department = Department.objects.get(pk=int(key.split(":")[1])) if key.startswith("department:") else None
    if hidden:
        published, figures = {"hidden": True, "n": "suppressed"}, {"capabilities": "suppressed"}
    else:
        published = {"hidden": False, "n": n, "overall_percent": 50.0}
        figures = {
            "capabilities": {
                code: ("suppressed" if value == "suppressed" else {"percent": value, "n": n})
                for code, value in (capabilities or {}).items()
            }
        }
    RoundResult.objects.create(
        round=round_,
        questionnaire=round_.questionnaire,
        scope=RoundResult.Scope.DEPARTMENT if department else RoundResult.Scope.ORGANISATION,
        scope_key=key,
        department=department,
        n_respondents=n,
        published=published,
        published_figures=figures,
    )


def _action(organisation, round_, department, capabilities, title="Gemensam förvaltningsmodell"):
    action = Action.objects.create(
        organisation=organisation,
        round=round_,
        department=department,
        title=title,
        starts_on=datetime.date(2026, 1, 1),
        due_on=datetime.date(2026, 6, 30),
    )
    action.capabilities.set(capabilities)
    return action


def _codes(version):
    return list(version.capabilities.order_by("category__dimension__position", "category__position"))


def test_the_change_is_the_later_percent_minus_the_earlier_for_the_department(
    organisation, version, social_department
):
    first, second = _codes(version)[:2]
    before = _round(organisation, version, 2024)
    after = _round(organisation, version, 2025)
    key = f"department:{social_department.pk}"
    _store(before, key, capabilities={first.code: 41.25, second.code: 60.0})
    _store(after, key, capabilities={first.code: 48.75, second.code: 55.5})
    action = _action(organisation, before, social_department, [first, second])

    followup = get_action_followups([action], Visibility.everything())[action.pk]

    assert followup.state == FOLLOWED and followup.round == after
    by_code = {c.code: c for c in followup.changes}
    # By hand: 48.75 − 41.25 = 7.5 and 55.5 − 60.0 = −4.5.
    assert by_code[first.code].before == 41.25 and by_code[first.code].after == 48.75
    assert by_code[first.code].change == pytest.approx(7.5)
    assert by_code[second.code].change == pytest.approx(-4.5)
    with translation.override("sv"):
        text = followup.summary()
    assert "+7,5" in text and "−4,5" in text and str(after.period) in text


def test_an_organisation_wide_action_is_followed_in_the_organisation_figures(organisation, version):
    capability = _codes(version)[0]
    before = _round(organisation, version, 2024)
    after = _round(organisation, version, 2025)
    _store(before, "organisation", capabilities={capability.code: 30.0})
    _store(after, "organisation", capabilities={capability.code: 36.0})
    action = _action(organisation, before, None, [capability])

    change = get_action_followups([action], Visibility.everything())[action.pk].changes[0]

    assert change.change == pytest.approx(6.0)


def test_without_a_later_closed_round_the_action_waits(organisation, version, social_department):
    capability = _codes(version)[0]
    before = _round(organisation, version, 2024)
    _round(organisation, version, 2025, status=Round.Status.OPEN)  # not closed: not the follow-up
    _round(organisation, version, 2023)  # earlier: not the follow-up
    action = _action(organisation, before, social_department, [capability])

    followup = get_action_followups([action], Visibility.everything())[action.pk]

    assert followup.state == WAITING and followup.changes == []
    with translation.override("sv"):
        assert followup.summary() == "Väntar på nästa omgång"


def test_the_next_round_is_the_first_closed_one_by_period(organisation, version, social_department):
    capability = _codes(version)[0]
    before = _round(organisation, version, 2023)
    _round(organisation, version, 2026)
    nearest = _round(organisation, version, 2024)
    action = _action(organisation, before, social_department, [capability])

    assert get_action_followups([action], Visibility.everything())[action.pk].round == nearest


def test_a_department_too_small_on_one_side_shows_no_change_and_says_why(
    organisation, version, social_department
):
    capability = _codes(version)[0]
    before = _round(organisation, version, 2024)
    after = _round(organisation, version, 2025)
    key = f"department:{social_department.pk}"
    _store(before, key, capabilities={capability.code: 41.3})
    _store(after, key, n=3, hidden=True)
    action = _action(organisation, before, social_department, [capability])

    change = get_action_followups([action], Visibility.everything())[action.pk].changes[0]

    assert change.change is None and change.before is None and change.after is None
    assert change.reason == str(REASON_TOO_FEW)
    with translation.override("sv"):
        text = get_action_followups([action], Visibility.everything())[action.pk].summary()
    assert "41,3" not in text and "för få svarande" in text


def test_a_scope_hidden_to_protect_others_says_so(organisation, version, social_department):
    capability = _codes(version)[0]
    before = _round(organisation, version, 2024)
    after = _round(organisation, version, 2025)
    key = f"department:{social_department.pk}"
    _store(before, key, n=9, hidden=True)
    _store(after, key, capabilities={capability.code: 52.0})
    action = _action(organisation, before, social_department, [capability])

    change = get_action_followups([action], Visibility.everything())[action.pk].changes[0]

    assert change.change is None and change.after is None and change.reason == str(REASON_PROTECTED)


def test_a_hidden_capability_in_a_shown_scope_shows_no_change(organisation, version, social_department):
    capability = _codes(version)[0]
    before = _round(organisation, version, 2024)
    after = _round(organisation, version, 2025)
    key = f"department:{social_department.pk}"
    _store(before, key, capabilities={capability.code: 40.0})
    _store(after, key, capabilities={capability.code: "suppressed"})
    action = _action(organisation, before, social_department, [capability])

    change = get_action_followups([action], Visibility.everything())[action.pk].changes[0]

    assert change.change is None and change.reason


def test_capabilities_are_matched_by_code_across_mapped_questionnaire_versions(
    organisation, version, social_department
):
    later = build_questionnaire(
        categories_per_dimension=2, statements_per_category=1, code="v-follow-2", maps_from=version
    )
    old = _codes(version)[0]
    new = _codes(later)[0]
    new.code = old.code  # the same capability, kept in the later version
    new.save()
    before = _round(organisation, version, 2024)
    after = _round(organisation, later, 2025)
    key = f"department:{social_department.pk}"
    _store(before, key, capabilities={old.code: 40.0})
    _store(after, key, capabilities={old.code: 47.0})
    action = _action(organisation, before, social_department, [old])

    followup = get_action_followups([action], Visibility.everything())[action.pk]

    assert followup.state == FOLLOWED and followup.changes[0].change == pytest.approx(7.0)


def test_an_unmapped_questionnaire_version_is_not_compared(organisation, version, social_department):
    other = build_questionnaire(categories_per_dimension=2, statements_per_category=1, code="v-other")
    old = _codes(version)[0]
    before = _round(organisation, version, 2024)
    after = _round(organisation, other, 2025)
    key = f"department:{social_department.pk}"
    _store(before, key, capabilities={old.code: 40.0})
    _store(after, key, capabilities={old.code: 47.0})
    action = _action(organisation, before, social_department, [old])

    followup = get_action_followups([action], Visibility.everything())[action.pk]

    assert followup.state == NOT_COMPARABLE and followup.changes == []


def test_a_reorganised_department_is_followed_in_its_successor(organisation, version, social_department):
    capability = _codes(version)[0]
    successor = Department.objects.create(organisation=organisation, name="Välfärdsförvaltningen")
    before = _round(organisation, version, 2024)
    after = _round(organisation, version, 2025)
    _store(before, f"department:{social_department.pk}", capabilities={capability.code: 40.0})
    _store(after, f"department:{successor.pk}", capabilities={capability.code: 43.5})
    action = _action(organisation, before, social_department, [capability])
    assert get_action_followups([action], Visibility.everything())[action.pk].changes == []

    DepartmentSuccession.objects.create(
        organisation=organisation, predecessor=social_department, successor=successor
    )
    change = get_action_followups([action], Visibility.everything())[action.pk].changes[0]

    assert change.change == pytest.approx(3.5) and change.scope_name == "Välfärdsförvaltningen"


def test_a_successor_the_reader_may_not_see_is_not_read(organisation, version, social_department):
    capability = _codes(version)[0]
    successor = Department.objects.create(organisation=organisation, name="Välfärdsförvaltningen")
    before = _round(organisation, version, 2024)
    after = _round(organisation, version, 2025)
    _store(before, f"department:{social_department.pk}", capabilities={capability.code: 40.0})
    _store(after, f"department:{successor.pk}", capabilities={capability.code: 43.5})
    DepartmentSuccession.objects.create(
        organisation=organisation, predecessor=social_department, successor=successor
    )
    action = _action(organisation, before, social_department, [capability])

    followup = get_action_followups([action], Visibility(frozenset({social_department.pk})))[action.pk]

    assert followup.changes == []


def test_a_representative_does_not_see_another_departments_follow_up(
    client, organisation, version, social_department, school_department, dept_rep
):
    capability = _codes(version)[0]
    before = _round(organisation, version, 2024)
    after = _round(organisation, version, 2025)
    for department, value in ((social_department, 40.0), (school_department, 71.0)):
        _store(before, f"department:{department.pk}", capabilities={capability.code: value})
        _store(after, f"department:{department.pk}", capabilities={capability.code: value + 2.25})
    own = _action(organisation, before, social_department, [capability], title="Egen åtgärd")
    other = _action(organisation, before, school_department, [capability], title="Skolans åtgärd")
    client.force_login(dept_rep)

    page = client.get(reverse("maturity:action_list", args=[organisation.code]))
    detail = client.get(reverse("maturity:action_detail", args=[organisation.code, other.pk]))

    assert page.status_code == 200
    followups = page.context["followups"]
    assert own.pk in followups and other.pk not in followups
    assert "Skolans åtgärd" not in page.content.decode()
    assert detail.status_code == 404


def test_the_query_count_does_not_grow_with_the_number_of_actions(
    organisation, version, social_department, school_department, django_assert_num_queries
):
    capabilities = _codes(version)
    rounds = [_round(organisation, version, year) for year in (2023, 2024, 2025)]
    for round_ in rounds:
        for department in (social_department, school_department):
            _store(
                round_,
                f"department:{department.pk}",
                capabilities={c.code: 40.0 + round_.period.year - 2020 for c in capabilities},
            )
        _store(round_, "organisation", capabilities={c.code: 45.0 for c in capabilities})

    def make(n):
        return [
            _action(
                organisation,
                rounds[i % 3],
                (social_department, school_department, None)[i % 3],
                capabilities[: 1 + i % 3],
                title=f"Åtgärd {i}",
            )
            for i in range(n)
        ]

    few = make(2)
    many = few + make(18)
    few = list(Action.objects.filter(pk__in=[a.pk for a in few]))
    many = list(Action.objects.filter(pk__in=[a.pk for a in many]))
    with django_assert_num_queries(6):
        get_action_followups(few, Visibility.everything())
    with django_assert_num_queries(6):
        result = get_action_followups(many, Visibility.everything())
    assert len(result) == 20
    assert sum(1 for followup in result.values() if followup.state == FOLLOWED) > 10


def test_the_export_has_the_follow_up_column(client, organisation, version, social_department, org_admin):
    capability = _codes(version)[0]
    before = _round(organisation, version, 2024)
    after = _round(organisation, version, 2025)
    key = f"department:{social_department.pk}"
    _store(before, key, capabilities={capability.code: 40.0})
    _store(after, key, capabilities={capability.code: 42.5})
    _action(organisation, before, social_department, [capability])
    client.force_login(org_admin)

    response = client.get(reverse("maturity:action_export", args=[organisation.code, "csv"]))

    rows = [line.split(";") for line in response.content.decode("utf-8-sig").splitlines()]
    assert rows[0][-1] == "Uppföljning"
    assert rows[1][-1] == f"{after.period}: {capability.name} +2,5 procentenheter"


def test_the_action_page_shows_before_after_and_change(
    client, organisation, version, social_department, org_admin
):
    capability = _codes(version)[0]
    before = _round(organisation, version, 2024)
    _round(organisation, version, 2025)
    key = f"department:{social_department.pk}"
    _store(before, key, capabilities={capability.code: 40.0})
    action = _action(organisation, before, social_department, [capability])
    _store(Round.objects.get(period__year=2025), key, capabilities={capability.code: 37.5})
    client.force_login(org_admin)

    page = client.get(reverse("maturity:action_detail", args=[organisation.code, action.pk])).content.decode()

    assert "40,0\u00a0%" in page and "37,5\u00a0%" in page
    assert "<strong>\u22122,5</strong>" in page  # the real minus sign (dimios_web.formatting)
