"""The organisation admin's comparison settings (issue 15): sharing, the annual report's sets, named
networks and a department's sector; bad input gets a clear message and saves nothing; every change is
audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from surveys.models import AuditAction, AuditEvent, ComparisonNetwork, Department, Organisation
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_sharing_and_the_report_sets_are_saved_and_audited(client, org_admin, organisation):
    client.force_login(org_admin)
    url = reverse("surveys:comparison_settings", args=[organisation.code])
    page = client.get(url)
    assert page.status_code == 200
    assert "Jämförelse med andra organisationer" in page.content.decode()
    response = client.post(url, {"report_sets": ["national", "networks"]})  # shares unticked
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.shares_comparisons is False
    assert organisation.report_comparison_sets == ["national", "networks"]
    event = AuditEvent.objects.filter(action=AuditAction.COMPARISON_SETTINGS_CHANGED).get()
    assert event.details["before"]["shares_comparisons"] is True
    assert event.details["after"]["shares_comparisons"] is False


def test_an_unknown_report_set_is_refused_and_nothing_changes(client, org_admin, organisation):
    client.force_login(org_admin)
    url = reverse("surveys:comparison_settings", args=[organisation.code])
    response = client.post(url, {"shares": "on", "report_sets": ["everyone-named"]})
    assert response.status_code == 200
    assert "finns inte bland tillgängliga alternativ" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.report_comparison_sets == []
    assert not AuditEvent.objects.filter(action=AuditAction.COMPARISON_SETTINGS_CHANGED).exists()


def test_a_network_is_created_changed_and_deleted(client, org_admin, organisation):
    others = [OrganisationFactory(code=f"N{i}") for i in range(3)]
    client.force_login(org_admin)
    create = reverse("surveys:network_create", args=[organisation.code])
    response = client.post(create, {"name": "Vårt nätverk", "members": [o.pk for o in others[:2]]})
    assert response.status_code == 302
    network = ComparisonNetwork.objects.get(organisation=organisation)
    assert set(network.members.all()) == set(others[:2])
    assert (
        "Vårt nätverk"
        in client.get(reverse("surveys:comparison_settings", args=[organisation.code])).content.decode()
    )
    update = reverse("surveys:network_update", args=[organisation.code, network.pk])
    client.post(update, {"name": "Östgötanätverket", "members": [others[2].pk]})
    network.refresh_from_db()
    assert network.name == "Östgötanätverket" and list(network.members.all()) == [others[2]]
    client.post(reverse("surveys:network_delete", args=[organisation.code, network.pk]), {"confirm": "on"})
    assert not ComparisonNetwork.objects.exists()
    assert list(
        AuditEvent.objects.filter(action__startswith="network.")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [AuditAction.NETWORK_CREATED, AuditAction.NETWORK_CHANGED, AuditAction.NETWORK_DELETED]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "members": []}, "Det här fältet är obligatoriskt."),
        ({"name": "Nätet", "members": []}, "Det här fältet är obligatoriskt."),
        ({"name": "Nätet", "members": ["self"]}, "finns inte bland tillgängliga alternativ"),
        ({"name": "Nätet", "members": ["999999"]}, "finns inte bland tillgängliga alternativ"),
    ],
)
def test_bad_network_input_gets_a_message_and_saves_nothing(client, org_admin, organisation, data, message):
    client.force_login(org_admin)
    data = {**data, "members": [str(organisation.pk) if m == "self" else m for m in data["members"]]}
    response = client.post(reverse("surveys:network_create", args=[organisation.code]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ComparisonNetwork.objects.exists()


def test_the_service_refuses_a_duplicate_name_and_the_organisation_itself(organisation, org_admin):
    from django.utils import translation

    from dimios_web.exceptions import DomainError
    from surveys.services.organisations import save_network

    translation.activate("sv")
    other = OrganisationFactory(code="D1")
    save_network(organisation=organisation, name="Nätet", members=[other], actor=org_admin)
    with pytest.raises(DomainError, match="redan ett nätverk"):
        save_network(organisation=organisation, name="Nätet", members=[other], actor=org_admin)
    with pytest.raises(DomainError, match="själv"):
        save_network(organisation=organisation, name="Annat", members=[organisation], actor=org_admin)
    assert ComparisonNetwork.objects.count() == 1


def test_another_organisations_network_is_not_found(client, org_admin, organisation):
    foreign = ComparisonNetwork.objects.create(organisation=OrganisationFactory(code="F1"), name="Deras")
    client.force_login(org_admin)
    for name in ("surveys:network_update", "surveys:network_delete"):
        assert client.get(reverse(name, args=[organisation.code, foreign.pk])).status_code == 404
        assert (
            client.post(reverse(name, args=[organisation.code, foreign.pk]), {"confirm": "on"}).status_code
            == 404
        )
    assert ComparisonNetwork.objects.filter(pk=foreign.pk).exists()


def test_a_department_gets_a_sector_and_a_bad_one_is_refused(client, org_admin, organisation):
    client.force_login(org_admin)
    create = reverse("surveys:department_create", args=[organisation.code])
    assert client.post(create, {"name": "Skola", "parent": "", "sector": "education"}).status_code == 302
    department = Department.objects.get(organisation=organisation, name="Skola")
    assert department.sector == "education"
    listing = client.get(reverse("surveys:department_list", args=[organisation.code])).content.decode()
    assert "Utbildning" in listing
    bad = client.post(create, {"name": "Annan", "parent": "", "sector": "astrology"})
    assert bad.status_code == 200 and "finns inte bland tillgängliga alternativ" in bad.content.decode()
    assert not Department.objects.filter(name="Annan").exists()


def test_skr_groups_come_with_the_reference_data(organisation):
    from surveys.services.organisations import add_organisation, load_reference_data

    load_reference_data()
    linkoping, _created = add_organisation(code="0580")
    assert (linkoping.skr_group, linkoping.skr_group_version) == ("B3", "2023")
    stockholm, _created = add_organisation(code="0180")
    assert stockholm.skr_group == "A1"
    assert Organisation.objects.filter(municipality__isnull=False, skr_group="").count() == 0
