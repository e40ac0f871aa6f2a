"""Organisations from the SCB reference data, departments as a tree, respondent groups and staff roles."""

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from surveys.models import County, Department, Municipality, Organisation, RespondentGroup, RoleAssignment

pytestmark = pytest.mark.django_db


def test_reference_data_has_290_municipalities_and_21_counties_and_reloading_changes_nothing():
    call_command("load_municipalities")
    call_command("load_municipalities")
    assert Municipality.objects.count() == 290
    assert County.objects.count() == 21
    assert Municipality.objects.get(code="0114").name == "Upplands Väsby kommun"  # leading zero kept


def test_add_organisation_fills_name_and_county_and_is_idempotent(capsys):
    call_command("add_organisation", "0580")
    call_command("add_organisation", "0580")
    organisation = Organisation.objects.get(code="0580")
    assert organisation.name == "Linköpings kommun"
    assert organisation.county.name == "Östergötlands län"
    assert organisation.kind == Organisation.Kind.MUNICIPALITY
    assert Organisation.objects.count() == 1
    assert [g.name for g in organisation.respondent_groups.all()] == [
        "Kommunledning",
        "Chefer",
        "Verksamhetsutvecklare",
        "Strateger",
        "Planeringsledare",
    ]
    assert "Already present, unchanged" in capsys.readouterr().out


@pytest.mark.parametrize("code", ["9999", "580", "abcd", ""])
def test_add_organisation_refuses_a_wrong_code_and_creates_nothing(code):
    with pytest.raises(CommandError, match="är inte en svensk kommunkod"):
        call_command("add_organisation", code)
    assert not Organisation.objects.exists()


def test_org_admin_adds_a_department_tree(client, org_admin, organisation, social_department):
    client.force_login(org_admin)
    url = reverse("surveys:department_create", args=[organisation.code])
    response = client.post(url, {"name": "Hemtjänst", "parent": social_department.pk})
    assert response.status_code == 302
    unit = Department.objects.get(name="Hemtjänst")
    assert unit.parent == social_department
    page = client.get(reverse("surveys:department_list", args=[organisation.code]))
    assert "Hemtjänst" in page.content.decode()


def test_duplicate_department_name_within_a_parent_is_refused(
    client, org_admin, organisation, social_department
):
    client.force_login(org_admin)
    url = reverse("surveys:department_create", args=[organisation.code])
    response = client.post(url, {"name": "äldreomsorg", "parent": social_department.pk})
    assert response.status_code == 200
    assert "Det finns redan en förvaltning som heter ”äldreomsorg”" in response.content.decode()
    assert [d.name for d in social_department.children.all()] == ["Äldreomsorg"]


def test_the_same_name_under_another_parent_is_fine(client, org_admin, organisation, school_department):
    client.force_login(org_admin)
    url = reverse("surveys:department_create", args=[organisation.code])
    assert client.post(url, {"name": "Äldreomsorg", "parent": school_department.pk}).status_code == 302
    assert Department.objects.filter(name="Äldreomsorg").count() == 2


def test_a_department_cannot_move_under_its_own_unit(client, org_admin, organisation, social_department):
    client.force_login(org_admin)
    unit = Department.objects.get(name="Äldreomsorg")
    url = reverse("surveys:department_update", args=[organisation.code, social_department.pk])
    response = client.post(url, {"name": "Socialförvaltningen", "parent": unit.pk})
    assert response.status_code == 200
    assert (
        "kan inte placeras under sig själv eller under en av sina egna enheter" in response.content.decode()
    )
    social_department.refresh_from_db()
    assert social_department.parent is None


def test_a_department_cannot_move_under_itself(client, org_admin, organisation, social_department):
    client.force_login(org_admin)
    url = reverse("surveys:department_update", args=[organisation.code, social_department.pk])
    response = client.post(url, {"name": "Socialförvaltningen", "parent": social_department.pk})
    assert "kan inte placeras under sig själv" in response.content.decode()
    social_department.refresh_from_db()
    assert social_department.parent is None


def test_a_parent_from_another_organisation_is_refused(client, org_admin, organisation, other_organisation):
    client.force_login(org_admin)
    foreign = other_organisation.departments.first()
    response = client.post(
        reverse("surveys:department_create", args=[organisation.code]),
        {"name": "Smuggel", "parent": foreign.pk},
    )
    assert response.status_code == 200
    assert "Välj ett giltigt alternativ" in response.content.decode()
    assert not Department.objects.filter(name="Smuggel").exists()


def test_a_department_with_units_cannot_be_deleted(client, org_admin, organisation, social_department):
    client.force_login(org_admin)
    url = reverse("surveys:department_delete", args=[organisation.code, social_department.pk])
    # said up front, before the question (issue 17): no confirmation to give, only the way back
    page = client.get(url).content.decode()
    assert "Det här går inte att ta bort nu." in page
    assert "Flytta eller ta bort enheterna under den här förvaltningen först" in page
    assert 'name="confirm"' not in page and ">Ta bort</button>" not in page
    assert reverse("surveys:department_list", args=[organisation.code]) in page
    # and a POST all the same (an old tab) is refused with the same reason
    response = client.post(url, {"confirm": "on"})
    assert "Flytta eller ta bort enheterna under den här förvaltningen först" in response.content.decode()
    assert Department.objects.filter(pk=social_department.pk).exists()


def test_a_department_with_actions_says_so_before_the_question(
    client, org_admin, organisation, school_department
):
    from maturity.models import Action
    from surveys.models import Round
    from tests.factories import RoundFactory

    round_ = RoundFactory(organisation=organisation, status=Round.Status.CLOSED)
    Action.objects.create(
        organisation=organisation,
        round=round_,
        department=school_department,
        title="Lärplattform",
        starts_on="2026-01-01",
        due_on="2026-06-01",
    )
    client.force_login(org_admin)
    url = reverse("surveys:department_delete", args=[organisation.code, school_department.pk])
    page = client.get(url).content.decode()
    assert "(till exempel åtgärder) hänvisar till den" in page
    assert 'name="confirm"' not in page
    assert client.post(url, {"confirm": "on"}).status_code == 200
    assert Department.objects.filter(pk=school_department.pk).exists()


def test_a_group_with_responses_says_so_before_the_question(
    client, org_admin, organisation, social_department
):
    from surveys.models import Response, Round
    from tests.factories import RoundFactory

    group = organisation.respondent_groups.first()
    Response.objects.create(
        round=RoundFactory(organisation=organisation, status=Round.Status.CLOSED),
        department=social_department,
        group=group,
    )
    client.force_login(org_admin)
    page = client.get(reverse("surveys:group_delete", args=[organisation.code, group.pk])).content.decode()
    assert "Det här går inte att ta bort nu." in page and 'name="confirm"' not in page


def test_deleting_needs_the_confirmation(client, org_admin, organisation, school_department):
    client.force_login(org_admin)
    url = reverse("surveys:department_delete", args=[organisation.code, school_department.pk])
    assert client.post(url, {}).status_code == 200
    assert Department.objects.filter(pk=school_department.pk).exists()
    assert client.post(url, {"confirm": "on"}).status_code == 302
    assert not Department.objects.filter(pk=school_department.pk).exists()


def test_respondent_groups_are_edited_and_names_kept_unique(client, org_admin, organisation):
    client.force_login(org_admin)
    create = reverse("surveys:group_create", args=[organisation.code])
    assert client.post(create, {"name": "IT-samordnare", "position": 6}).status_code == 302
    response = client.post(create, {"name": "chefer", "position": 7})
    assert "Det finns redan en respondentgrupp som heter ”chefer”" in response.content.decode()
    assert RespondentGroup.objects.filter(organisation=organisation).count() == 6
    group = RespondentGroup.objects.get(name="Strateger")
    client.post(
        reverse("surveys:group_update", args=[organisation.code, group.pk]),
        {"name": "Strateg", "position": 4},
    )
    group.refresh_from_db()
    assert group.name == "Strateg"


def test_a_new_respondent_group_comes_last_unless_given_a_place(client, org_admin, organisation):
    client.force_login(org_admin)
    create = reverse("surveys:group_create", args=[organisation.code])
    before = list(RespondentGroup.objects.filter(organisation=organisation).values_list("name", flat=True))
    assert client.post(create, {"name": "Förtroendevalda", "position": ""}).status_code == 302
    names = list(RespondentGroup.objects.filter(organisation=organisation).values_list("name", flat=True))
    assert names == [*before, "Förtroendevalda"]  # the model's order: every list of groups
    listed = client.get(reverse("surveys:group_list", args=[organisation.code])).content.decode()
    assert listed.index(before[-1]) < listed.index("Förtroendevalda")
    assert client.post(create, {"name": "Först", "position": 0}).status_code == 302
    assert RespondentGroup.objects.filter(organisation=organisation).first().name == "Först"
    # editing without a position keeps the place
    group = RespondentGroup.objects.get(name="Förtroendevalda")
    position = group.position
    client.post(
        reverse("surveys:group_update", args=[organisation.code, group.pk]),
        {"name": "Politiker", "position": ""},
    )
    group.refresh_from_db()
    assert (group.name, group.position) == ("Politiker", position)


def test_org_admin_grants_a_department_rep_role_to_a_new_user_who_gets_a_password_link(
    client, org_admin, organisation, social_department
):
    client.force_login(org_admin)
    url = reverse("surveys:role_list", args=[organisation.code])
    response = client.post(
        url,
        {
            "email": "Ny.Person@kommun.example",
            "role": "department_rep",
            "departments": [social_department.pk],
        },
    )
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user__email="ny.person@kommun.example")
    assert assignment.role == "department_rep"
    assert list(assignment.departments.all()) == [social_department]
    assert not assignment.user.has_usable_password()
    assert len(mail.outbox) == 1
    assert "/konto/aterstall/nyckel/" in mail.outbox[0].body


def test_a_department_rep_role_needs_departments(client, org_admin, organisation):
    client.force_login(org_admin)
    response = client.post(
        reverse("surveys:role_list", args=[organisation.code]),
        {"email": "x@kommun.example", "role": "department_rep"},
    )
    assert "Välj den eller de förvaltningar som representanten arbetar med" in response.content.decode()
    assert not RoleAssignment.objects.filter(user__email="x@kommun.example").exists()


def test_a_role_for_a_department_of_another_organisation_is_refused(
    client, org_admin, organisation, other_organisation
):
    client.force_login(org_admin)
    foreign = other_organisation.departments.first()
    response = client.post(
        reverse("surveys:role_list", args=[organisation.code]),
        {"email": "spion@kommun.example", "role": "department_rep", "departments": [foreign.pk]},
    )
    assert response.status_code == 200
    assert "tillhör en annan organisation" in response.content.decode()
    assert not RoleAssignment.objects.filter(user__email="spion@kommun.example").exists()
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(email="spion@kommun.example").exists()


def test_an_existing_user_gets_the_role_without_a_new_account(client, org_admin, management, organisation):
    client.force_login(org_admin)
    client.post(
        reverse("surveys:role_list", args=[organisation.code]),
        {"email": management.email.upper(), "role": "org_admin"},
    )
    assert RoleAssignment.objects.filter(user=management, role="org_admin").exists()
    assert len(mail.outbox) == 0


def test_revoking_a_role_needs_confirmation(client, org_admin, management, organisation):
    client.force_login(org_admin)
    assignment = RoleAssignment.objects.get(user=management)
    url = reverse("surveys:role_revoke", args=[organisation.code, assignment.pk])
    client.post(url, {})
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()
    client.post(url, {"confirm": "on"})
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_platform_admin_start_page_lists_organisations(
    client, platform_admin, organisation, other_organisation
):
    client.force_login(platform_admin)
    page = client.get("/").content.decode()
    assert "Plattformsadministration" in page
    assert "Linköpings kommun" in page and "Stockholms kommun" in page


def test_a_user_without_a_role_is_told_whom_to_ask(client, no_role_user):
    client.force_login(no_role_user)
    assert "Du har ännu ingen roll i någon organisation" in client.get("/").content.decode()


def test_anonymous_visitors_are_sent_to_the_login_page(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/logga-in/")


def test_platform_admin_creates_a_municipality_in_django_admin(client, platform_admin):
    call_command("load_municipalities")
    client.force_login(platform_admin)
    response = client.post(
        reverse("admin:surveys_organisation_add"),
        {
            "code": "0581",
            "name": "Norrköpings kommun",
            "kind": "municipality",
            "municipality": "0581",
            "county": "05",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    organisation = Organisation.objects.get(code="0581")
    assert organisation.respondent_groups.count() == 5


def test_django_admin_refuses_a_municipality_code_that_does_not_match(client, platform_admin):
    call_command("load_municipalities")
    client.force_login(platform_admin)
    response = client.post(
        reverse("admin:surveys_organisation_add"),
        {
            "code": "1234",
            "name": "Norrköpings kommun",
            "kind": "municipality",
            "municipality": "0581",
            "county": "05",
        },
    )
    assert response.status_code == 200
    assert "En kommuns kod är dess SCB-kod, 0581." in response.content.decode()
    assert not Organisation.objects.filter(name="Norrköpings kommun").exists()
