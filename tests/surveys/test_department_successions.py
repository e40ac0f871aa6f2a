"""Department successions (surveys.services.successions): which department carries on the work of another
after a reorganisation, validated, audited and kept by the organisation admin's page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from dimios_web.exceptions import DomainError
from surveys.audit_texts import describe
from surveys.models import AuditAction, AuditEvent, Department, DepartmentSuccession
from surveys.services.successions import add_succession, remove_succession

pytestmark = pytest.mark.django_db


@pytest.fixture
def welfare(organisation):
    return Department.objects.create(organisation=organisation, name="Välfärdsförvaltningen")


def test_the_organisation_admin_records_a_succession_and_it_is_audited(
    organisation, social_department, welfare, org_admin
):
    succession = add_succession(
        organisation=organisation, predecessor=social_department, successor=welfare, actor=org_admin
    )

    assert succession.created_by == org_admin
    event = AuditEvent.objects.get(action=AuditAction.DEPARTMENT_SUCCESSION_ADDED)
    assert event.organisation == organisation and event.actor == org_admin and event.department == welfare
    assert event.details == {"predecessor": social_department.pk, "successor": welfare.pk}
    with translation.override("sv"):
        assert "Välfärdsförvaltningen tar över arbetet från Socialförvaltningen" in str(describe(event))


def test_removing_a_succession_is_audited(organisation, social_department, welfare, org_admin):
    succession = add_succession(
        organisation=organisation, predecessor=social_department, successor=welfare, actor=org_admin
    )

    remove_succession(succession=succession, actor=org_admin)

    assert not DepartmentSuccession.objects.exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.DEPARTMENT_SUCCESSION_REMOVED, actor=org_admin
    ).exists()


@pytest.mark.parametrize(
    "case, message",
    [
        ("itself", "En förvaltning kan inte ta över sitt eget arbete"),
        ("duplicate", "redan registrerad"),
        ("cycle", "kan inte gå i cirkel"),
        ("other organisation", "Välj en förvaltning i organisationen"),
    ],
)
def test_a_succession_that_makes_no_sense_is_refused_with_a_translated_message_and_nothing_is_saved(
    organisation, other_organisation, social_department, welfare, org_admin, case, message
):
    add_succession(
        organisation=organisation, predecessor=social_department, successor=welfare, actor=org_admin
    )
    events = AuditEvent.objects.count()
    predecessor, successor = {
        "itself": (welfare, welfare),
        "duplicate": (social_department, welfare),
        "cycle": (welfare, social_department),
        "other organisation": (social_department, other_organisation.departments.first()),
    }[case]

    with translation.override("sv"), pytest.raises(DomainError) as refused:
        add_succession(
            organisation=organisation, predecessor=predecessor, successor=successor, actor=org_admin
        )

    with translation.override("sv"):
        assert message in str(refused.value)
    assert DepartmentSuccession.objects.count() == 1
    assert AuditEvent.objects.count() == events


def test_a_longer_cycle_is_refused_too(
    organisation, social_department, school_department, welfare, org_admin
):
    add_succession(
        organisation=organisation, predecessor=social_department, successor=welfare, actor=org_admin
    )
    add_succession(
        organisation=organisation, predecessor=welfare, successor=school_department, actor=org_admin
    )

    with pytest.raises(DomainError):
        add_succession(
            organisation=organisation,
            predecessor=school_department,
            successor=social_department,
            actor=org_admin,
        )
    assert DepartmentSuccession.objects.count() == 2


def test_the_admin_adds_and_removes_a_succession_on_the_page(
    client, organisation, social_department, welfare, org_admin
):
    client.force_login(org_admin)
    url = reverse("surveys:department_successions", args=[organisation.code])
    departments_page = client.get(reverse("surveys:department_list", args=[organisation.code]))
    assert url in departments_page.content.decode()

    response = client.post(url, {"predecessor": social_department.pk, "successor": welfare.pk})

    assert response.status_code == 302
    succession = DepartmentSuccession.objects.get()
    assert (succession.predecessor, succession.successor) == (social_department, welfare)
    page = client.get(url).content.decode()
    assert "Välfärdsförvaltningen" in page and "Socialförvaltningen" in page

    delete_url = reverse("surveys:department_succession_delete", args=[organisation.code, succession.pk])
    assert client.get(delete_url).status_code == 200
    assert DepartmentSuccession.objects.exists()  # a GET changes nothing
    assert client.post(delete_url, {}).status_code == 200  # not confirmed: asked again
    assert DepartmentSuccession.objects.exists()
    assert client.post(delete_url, {"confirm": "on"}).status_code == 302
    assert not DepartmentSuccession.objects.exists()


def test_the_page_shows_the_refusal_on_the_form(client, organisation, social_department, org_admin):
    client.force_login(org_admin)
    url = reverse("surveys:department_successions", args=[organisation.code])

    response = client.post(url, {"predecessor": social_department.pk, "successor": social_department.pk})

    assert response.status_code == 200
    assert "En förvaltning kan inte ta över sitt eget arbete" in response.content.decode()
    assert not DepartmentSuccession.objects.exists()


@pytest.mark.parametrize("persona", ["dept_rep", "management"])
def test_staff_without_the_admin_role_cannot_add_a_succession(
    client, request, organisation, social_department, welfare, persona
):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("surveys:department_successions", args=[organisation.code])

    response = client.post(url, {"predecessor": social_department.pk, "successor": welfare.pk})

    assert response.status_code == 403
    assert not DepartmentSuccession.objects.exists()


def test_another_organisations_admin_cannot_remove_a_succession(
    client, organisation, social_department, welfare, org_admin, outsider
):
    succession = add_succession(
        organisation=organisation, predecessor=social_department, successor=welfare, actor=org_admin
    )
    client.force_login(outsider)
    for code in (organisation.code, outsider.role_assignments.get().organisation.code):
        url = reverse("surveys:department_succession_delete", args=[code, succession.pk])
        assert client.post(url, {"confirm": "on"}).status_code == 404
    assert DepartmentSuccession.objects.filter(pk=succession.pk).exists()
