"""GDPR for staff: a subject access export of everything stored about a user, and removal with the audit log
kept under a pseudonym."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from dimios_web.identity.services import gdpr
from surveys.models import AuditEvent, RoleAssignment
from surveys.services.audit import record_event
from surveys.services.organisations import grant_role
from tests.conftest import enrol_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(organisation, org_admin, dept_rep):
    enrol_totp(dept_rep)
    record_event(
        action="login.succeeded",
        organisation=organisation,
        actor=dept_rep,
        target=dept_rep.email,
        details={"method": "password", "address": "192.0.2.1"},
    )
    grant_role(organisation=organisation, email=dept_rep.email, role="management", granted_by=org_admin)
    return dept_rep


def test_the_export_holds_account_roles_factors_and_audit_entries(history, tmp_path):
    out = tmp_path / "bob.json"
    call_command("export_staff_user_data", history.email, "--output", str(out))
    data = json.loads(out.read_text())
    assert data["account"]["email"] == "bob.rep@kommun.example"
    assert "password" not in json.dumps(data["account"]).replace("has_password", "")
    assert {role["role"] for role in data["roles"]} == {"Förvaltningsrepresentant", "Ledning"} or len(
        data["roles"]
    ) == 2
    assert [f["type"] for f in data["second_factors"]] == ["totp"]
    assert "secret" not in json.dumps(data["second_factors"])
    assert [e["action"] for e in data["audit_events_by_the_user"]] == ["login.succeeded"]
    assert [e["action"] for e in data["audit_events_about_the_user"]] == ["role.granted"]


def test_the_export_finds_rows_of_any_model_that_point_at_the_user(org_admin, organisation):
    from tests.factories import UserFactory

    newcomer = UserFactory(username="ny@kommun.example")
    grant_role(organisation=organisation, email=newcomer.email, role="management", granted_by=org_admin)
    data = gdpr.export_staff_user_data(user=org_admin)
    assert any(
        row["table"] == "surveys.RoleAssignment" and row["field"] == "granted_by"
        for row in data["other_rows"]
    )


def test_an_unknown_user_is_a_clear_error():
    with pytest.raises(CommandError, match="Ingen i personalen har e-postadressen"):
        call_command("export_staff_user_data", "vem@kommun.example")


def test_removing_a_user_keeps_their_audit_entries_under_a_pseudonym(history, organisation, org_admin):
    pseudonym = gdpr.remove_staff_user(user=history, actor=org_admin)
    assert not get_user_model().objects.filter(email="bob.rep@kommun.example").exists()
    assert not RoleAssignment.objects.filter(user_id=history.pk).exists()
    own = AuditEvent.objects.get(action="login.succeeded")
    assert own.actor is None and own.actor_pseudonym == pseudonym and own.target == pseudonym
    about = AuditEvent.objects.get(action="role.granted")
    assert about.actor == org_admin and about.target == pseudonym
    assert "bob.rep" not in json.dumps([e.details for e in AuditEvent.objects.all()])
    assert not AuditEvent.objects.filter(target__icontains="bob.rep").exists()
    removed = AuditEvent.objects.get(action="staff.removed")
    assert removed.target == pseudonym and removed.organisation == organisation


def test_the_remove_command_asks_for_confirmation(history):
    call_command("remove_staff_user", history.email)
    assert get_user_model().objects.filter(pk=history.pk).exists()
    call_command("remove_staff_user", history.email, "--yes")
    assert not get_user_model().objects.filter(pk=history.pk).exists()


def test_a_user_with_audit_entries_cannot_be_deleted_around_the_pseudonymisation(history):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        history.delete()
