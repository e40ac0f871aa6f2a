"""The organisation admin's audit log: page, filters, CSV, Swedish sentences for every action code recorded
anywhere, and the log's append-only guard (application, Django admin and, on PostgreSQL, the database)."""

import csv
import datetime
import io
import re
from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from surveys.audit_texts import TEXTS, describe
from surveys.models import AuditAction, AuditEvent, AuditLogIsAppendOnly
from surveys.services.audit import record_event

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def events(organisation, other_organisation, org_admin, dept_rep, outsider):
    when = timezone.make_aware(datetime.datetime(2026, 3, 2, 10, 0))
    made = [
        AuditEvent.objects.create(
            action="round.opened",
            organisation=organisation,
            actor=org_admin,
            target="Linköping – VT 2026",
            details={"invitations": 40},
            created_at=when,  # a fixed date for the filter
        ),
        record_event(
            action="login.failed",
            organisation=organisation,
            actor=dept_rep,
            target=dept_rep.email,
            details={"reason": "password", "address": "192.0.2.1"},
        ),
        record_event(
            action="round.opened", organisation=other_organisation, actor=outsider, target="Stockholm"
        ),
    ]
    return made


def test_every_action_code_recorded_anywhere_has_a_swedish_sentence():
    found: set[str] = set()
    for path in [
        *ROOT.glob("surveys/**/*.py"),
        *ROOT.glob("maturity/**/*.py"),
        *ROOT.glob("reports/**/*.py"),
        *ROOT.glob("dimios_web/**/*.py"),  # dimios_web/identity, the demo data
    ]:
        if "migrations" in path.parts:
            continue
        text = path.read_text()
        for match in re.finditer(
            r"action\s*=\s*\"([^\"]+)\"(?:\s+if\s+[^\n]+?\s+else\s+\"([^\"]+)\")?", text
        ):
            found.update(code for code in match.groups() if code)
        found.update(re.findall(r"\"(mfa\.[a-z_]+)\"", text))
        # Since issue 13 the code names actions by their AuditAction member.
        found.update(AuditAction[name].value for name in re.findall(r"AuditAction\.([A-Z_]+)\b", text))
    found.discard("store_true")
    assert {"login.failed", "round.opened", "report.downloaded", "role.granted", "mfa.totp_added"} <= found
    missing = sorted(found - set(TEXTS))
    assert not missing, f"audit actions without a sentence in surveys/audit_texts.py: {missing}"


def test_every_audit_action_has_a_sentence_and_every_sentence_an_action():
    assert set(TEXTS) == set(AuditAction.values)


def test_the_sentence_is_swedish_and_names_the_details(events, settings):
    from django.utils import translation

    with translation.override("sv"):
        assert describe(events[0]) == "Öppnade mätomgången Linköping – VT 2026 (40 inbjudningar)"
        assert describe(events[1]) == (
            "Misslyckad inloggning som ”bob.rep@kommun.example” från 192.0.2.1 "
            "(fel lösenord eller okänt namn)"
        )


def test_a_login_with_a_password_names_the_method_not_a_failure(organisation, org_admin):
    from django.utils import translation

    logins = [
        record_event(
            action=AuditAction.LOGIN_SUCCEEDED,
            organisation=organisation,
            actor=org_admin,
            details={"method": method, "address": "192.0.2.1"},
        )
        for method in ("password", "password+mfa", "sso")
    ]
    with translation.override("sv"):
        assert [describe(event) for event in logins] == [
            "Loggade in (lösenord) från 192.0.2.1",
            "Loggade in (lösenord och tvåfaktorsinloggning) från 192.0.2.1",
            "Loggade in (gemensam inloggning) från 192.0.2.1",
        ]


def test_the_org_admin_reads_their_organisations_log_only(client, org_admin, organisation, events):
    client.force_login(org_admin)
    response = client.get(reverse("identity:audit_log", args=[organisation.code]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Öppnade mätomgången Linköping – VT 2026 (40 inbjudningar)" in text
    assert "Misslyckad inloggning" in text
    assert "Stockholm" not in text
    assert ">round.opened<" not in text and "<td>round.opened" not in text


def test_the_log_filters_by_action_person_and_date(client, org_admin, dept_rep, organisation, events):
    client.force_login(org_admin)
    url = reverse("identity:audit_log", args=[organisation.code])
    by_action = client.get(url, {"action": "login.failed"}).content.decode()
    opened, failed = "Linköping – VT 2026 (40 inbjudningar)", "från 192.0.2.1"
    assert failed in by_action and opened not in by_action
    by_person = client.get(url, {"person": str(org_admin.pk)}).content.decode()
    assert opened in by_person and failed not in by_person
    by_date = client.get(url, {"date_from": "2026-03-02", "date_to": "2026-03-02"}).content.decode()
    assert opened in by_date and failed not in by_date
    bad = client.get(url, {"date_from": "2026-03-05", "date_to": "2026-03-01"})
    assert bad.status_code == 400 and "Slutdatumet ligger före startdatumet." in bad.content.decode()


def test_the_log_exports_as_csv_and_the_export_is_logged(client, org_admin, organisation, events):
    client.force_login(org_admin)
    response = client.get(
        reverse("identity:audit_log_export", args=[organisation.code]), {"action": "round.opened"}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["När", "Vem", "Vad", "Händelsekod", "Gäller"]
    assert [row[2] for row in rows[1:]] == ["Öppnade mätomgången Linköping – VT 2026 (40 inbjudningar)"]
    assert rows[1][1] == org_admin.email and rows[1][0] == "2026-03-02 10:00:00"
    exported = AuditEvent.objects.get(action="audit.exported")
    assert exported.actor == org_admin and exported.details == {"action": "round.opened"}


def test_a_csv_cell_that_would_be_a_formula_is_defused(client, org_admin, organisation):
    record_event(
        action="department.created", organisation=organisation, actor=org_admin, target="=HYPERLINK(1)"
    )
    client.force_login(org_admin)
    response = client.get(reverse("identity:audit_log_export", args=[organisation.code]))
    assert "'=HYPERLINK(1)" in response.content.decode("utf-8-sig")


def test_the_application_cannot_change_or_delete_an_event(events):
    event = events[0]
    event.target = "ändrad"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(target="ändrad")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).target == "Linköping – VT 2026"


def test_the_django_admin_cannot_change_or_delete_an_event(client, platform_admin, events):
    client.force_login(platform_admin)
    event = events[0]
    change = reverse("admin:surveys_auditevent_change", args=[event.pk])
    assert client.get(change).status_code == 200  # read-only view
    client.post(change, {"target": "ändrad", "action": "x"})
    assert client.get(reverse("admin:surveys_auditevent_delete", args=[event.pk])).status_code == 403
    client.post(
        reverse("admin:surveys_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.target == "Linköping – VT 2026" and event.action == "round.opened"
    assert AuditEvent.objects.count() == 3


@pytest.mark.postgres
def test_on_postgresql_the_database_itself_refuses_changes_and_deletions(events):
    if connection.vendor != "postgresql":
        from tests.conftest import require_service

        require_service("PostgreSQL", False, "the database trigger exists on PostgreSQL only")
    for sql in (
        "UPDATE surveys_auditevent SET target = 'ändrad'",
        "DELETE FROM surveys_auditevent",
    ):
        with (
            pytest.raises(IntegrityError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert AuditEvent.objects.count() == 3
    # The pseudonymisation switch does not allow rewriting what happened or when.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('dimios.audit_pseudonymise', 'on', true)")
        cursor.execute("UPDATE surveys_auditevent SET action = 'round.closed'")


def _one_event_per_action(organisation, actor):
    return [
        AuditEvent.objects.create(action=code, organisation=organisation, actor=actor, target="Mål")
        for code in AuditAction.values
    ]


def test_no_action_shows_its_code_on_the_audit_log_page_or_in_the_django_admin(
    client, org_admin, platform_admin, organisation
):
    """Issue 17: every code of AuditAction reads as a translated sentence, in Swedish, wherever the log is
    shown: the organisation's audit log page (every page of it) and the platform admin's Django admin."""
    from django.utils import translation

    _one_event_per_action(organisation, org_admin)
    for code in AuditAction.values:
        with translation.override("sv"):
            swedish = str(TEXTS[code])
        with translation.override("en"):
            english = str(TEXTS[code])
        assert swedish != english, f"{code}: no Swedish sentence"
    client.force_login(org_admin)
    url = reverse("identity:audit_log", args=[organisation.code])
    pages = [client.get(url, {"page": page}).content.decode() for page in (1, 2)]
    client.force_login(platform_admin)
    admin_list = client.get(reverse("admin:surveys_auditevent_changelist")).content.decode()
    assert "Mål" in admin_list
    for code in AuditAction.values:
        pattern = re.compile(rf">\s*{re.escape(code)}\s*<")
        for page in pages:
            assert not pattern.search(page), f"{code} shown as a code on the audit log page"
        assert not pattern.search(admin_list), f"{code} shown as a code in the Django admin"
    assert "Öppnade mätomgången Mål" in admin_list


def test_the_django_admin_of_an_event_shows_the_sentence_and_swedish_labels(client, platform_admin, events):
    client.force_login(platform_admin)
    page = client.get(reverse("admin:surveys_auditevent_change", args=[events[0].pk])).content.decode()
    assert "Öppnade mätomgången Linköping – VT 2026 (40 inbjudningar)" in page
    assert "Vad som hände" in page and "Organisation" in page and "Vem" in page
    assert "round.opened" not in page
