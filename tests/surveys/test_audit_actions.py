"""Every state change is audited with a typed action and references to what changed (issue 13): roles,
departments, respondent groups, round settings; the Django admin changes them only through the services
(a round's status, anonymity and questionnaire are read-only there, admin actions open and close); the
references survive the append-only log (SET_NULL when the row goes) and older events got theirs from the
details they carried."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import translation

from surveys.audit_texts import describe
from surveys.models import AuditAction, AuditEvent, Department, RespondentGroup, RoleAssignment, Round
from surveys.services import organisations as org_services
from surveys.services import rounds as round_services
from surveys.services.audit import Actor, ActorKind, record_event
from tests.factories import build_questionnaire
from tests.surveys.conftest import add_invitations

pytestmark = pytest.mark.django_db


def _last(action: AuditAction) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).latest("pk")


def test_the_actor_is_typed_and_a_code_outside_the_actions_is_refused(org_admin, organisation):
    assert Actor.of(org_admin) == Actor(user=org_admin, kind=ActorKind.STAFF)
    assert Actor.of(None).kind is ActorKind.SYSTEM and Actor.of(None).user_id is None
    assert Actor.respondent().user_id is None  # a respondent is never named
    event = record_event(action=AuditAction.LOGOUT, organisation=organisation, actor=Actor.staff(org_admin))
    assert event.actor == org_admin
    with pytest.raises(ValueError):
        record_event(action="no.such_action", organisation=organisation)  # type: ignore[arg-type]


def test_role_grants_and_revocations_name_the_user_concerned(org_admin, organisation):
    assignment, _created = org_services.grant_role(
        organisation=organisation,
        email="Ny.Chef@Example.se",
        role=RoleAssignment.Role.MANAGEMENT,
        granted_by=org_admin,
    )
    granted = _last(AuditAction.ROLE_GRANTED)
    assert granted.subject_user == assignment.user and granted.actor == org_admin
    org_services.revoke_role(assignment=assignment, actor=org_admin)
    revoked = _last(AuditAction.ROLE_REVOKED)
    assert revoked.subject_user_id == assignment.user_id and revoked.organisation == organisation


def test_department_changes_reference_the_department_and_keep_the_name_after_deletion(
    org_admin, organisation
):
    parent = org_services.create_department(organisation=organisation, name="Kultur", actor=org_admin)
    department = org_services.create_department(organisation=organisation, name="Bibliotek", actor=org_admin)
    assert _last(AuditAction.DEPARTMENT_CREATED).department == department
    org_services.update_department(department=department, name="Biblioteket", parent=parent, actor=org_admin)
    changed = _last(AuditAction.DEPARTMENT_CHANGED)
    assert changed.department == department and changed.details == {"parent": "Kultur", "sector": ""}
    department.refresh_from_db()
    org_services.delete_department(department=department, actor=org_admin)
    deleted = _last(AuditAction.DEPARTMENT_DELETED)
    assert deleted.department is None and deleted.target == "Biblioteket"  # SET_NULL, the name stays
    changed.refresh_from_db()
    assert changed.department is None and changed.target == "Biblioteket"


def test_respondent_group_changes_reference_the_group(org_admin, organisation):
    group = org_services.create_respondent_group(
        organisation=organisation, name="Förtroendevalda", actor=org_admin
    )
    assert _last(AuditAction.GROUP_CREATED).respondent_group == group
    org_services.update_respondent_group(
        group=group, name="Alla förtroendevalda", position=3, actor=org_admin
    )
    assert _last(AuditAction.GROUP_CHANGED).respondent_group == group


def test_a_draft_rounds_settings_change_is_audited_in_swedish(draft_round, org_admin, social_department):
    other = build_questionnaire(categories_per_dimension=1, statements_per_category=1, code="annan-enkat")
    round_services.update_round(
        round=draft_round,
        questionnaire=other,
        anonymous=False,
        departments=[social_department],
        opens_on=None,
        closes_on=None,
        actor=org_admin,
    )
    event = _last(AuditAction.ROUND_CHANGED)
    assert event.round == draft_round and event.actor == org_admin
    assert event.details["changes"] == ["anonymous", "departments", "questionnaire"]
    assert event.details["before"]["anonymous"] is True and event.details["after"]["anonymous"] is False
    assert event.details["after"]["questionnaire"] == "annan-enkat"
    with translation.override("sv"):
        text = describe(event)
    assert text.startswith("Ändrade inställningarna för mätomgången") and "anonym: ja → nej" in text
    # Saving the same settings again changes nothing and records nothing.
    count = AuditEvent.objects.count()
    round_services.update_round(
        round=draft_round,
        questionnaire=other,
        anonymous=False,
        departments=[social_department],
        opens_on=None,
        closes_on=None,
        actor=org_admin,
    )
    assert AuditEvent.objects.count() == count


def test_moving_the_closing_date_is_audited(draft_round, org_admin, running_period):
    round_services.set_closing_date(round=draft_round, closes_on=running_period.ends_on, actor=org_admin)
    event = _last(AuditAction.ROUND_CLOSING_DATE_CHANGED)
    assert event.round == draft_round
    assert event.details == {"before": "", "after": running_period.ends_on.isoformat()}
    with translation.override("sv"):
        assert "stängningsdatum" in describe(event)


def test_the_rounds_own_audit_list_reads_the_reference(client, draft_round, org_admin):
    from surveys.selectors.rounds import list_audit_events

    assert [e.action for e in list_audit_events(draft_round)] == [AuditAction.ROUND_CREATED]
    assert "round" not in _last(AuditAction.ROUND_CREATED).details  # the key moved to the column


# --- The Django admin -------------------------------------------------------------------------------------


def test_the_admin_cannot_change_a_rounds_status_anonymity_or_questionnaire(
    client, platform_admin, draft_round
):
    other = build_questionnaire(categories_per_dimension=1, statements_per_category=1)
    client.force_login(platform_admin)
    url = reverse("admin:surveys_round_change", args=[draft_round.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "organisation": draft_round.organisation_id,
            "period": draft_round.period_id,
            "questionnaire": other.pk,
            "status": Round.Status.CLOSED,
            "anonymous": "",
            "source": Round.Source.IMPORT,
        },
    )
    assert response.status_code in (200, 302)
    draft_round.refresh_from_db()
    assert draft_round.status == Round.Status.DRAFT
    assert draft_round.anonymous is True
    assert draft_round.questionnaire_id != other.pk
    assert draft_round.source == Round.Source.SURVEY


def test_admin_actions_open_and_close_rounds_through_the_services(
    client, platform_admin, draft_round, social_department, groups
):
    add_invitations(draft_round, social_department, groups[0], 3)
    client.force_login(platform_admin)
    changelist = reverse("admin:surveys_round_changelist")
    client.post(changelist, {"action": "open_rounds", "_selected_action": [draft_round.pk]})
    draft_round.refresh_from_db()
    assert draft_round.status == Round.Status.OPEN
    opened = _last(AuditAction.ROUND_OPENED)
    assert opened.actor == platform_admin and opened.round == draft_round
    client.post(changelist, {"action": "close_rounds", "_selected_action": [draft_round.pk]})
    draft_round.refresh_from_db()
    assert draft_round.status == Round.Status.CLOSED
    assert _last(AuditAction.ROUND_CLOSED).actor == platform_admin
    # A refusal of the service is shown, not bypassed: a closed round of a running window reopens only
    # through the service (audited as reopened), never by an edited field.
    response = client.post(
        changelist, {"action": "close_rounds", "_selected_action": [draft_round.pk]}, follow=True
    )
    assert response.status_code == 200
    assert Round.objects.get(pk=draft_round.pk).status == Round.Status.CLOSED


def test_admin_edits_of_departments_groups_and_roles_go_through_the_services(
    client, platform_admin, organisation, org_admin
):
    client.force_login(platform_admin)
    client.post(reverse("admin:surveys_department_add"), {"organisation": organisation.pk, "name": "Miljö"})
    department = Department.objects.get(organisation=organisation, name="Miljö")
    assert _last(AuditAction.DEPARTMENT_CREATED).department == department
    client.post(
        reverse("admin:surveys_department_change", args=[department.pk]),
        {"organisation": organisation.pk, "name": "Miljö och hälsa"},
    )
    assert _last(AuditAction.DEPARTMENT_CHANGED).target == "Miljö och hälsa"
    # The service's refusal shows on the form: a second "miljö och hälsa" at the same place.
    response = client.post(
        reverse("admin:surveys_department_add"), {"organisation": organisation.pk, "name": "miljö och HÄLSA"}
    )
    assert response.status_code == 200
    assert Department.objects.filter(organisation=organisation, name__iexact="miljö och hälsa").count() == 1
    client.post(reverse("admin:surveys_department_delete", args=[department.pk]), {"post": "yes"})
    assert not Department.objects.filter(pk=department.pk).exists()
    assert _last(AuditAction.DEPARTMENT_DELETED).actor == platform_admin

    client.post(
        reverse("admin:surveys_respondentgroup_add"),
        {"organisation": organisation.pk, "name": "Politiker", "position": 9},
    )
    group = RespondentGroup.objects.get(organisation=organisation, name="Politiker")
    assert _last(AuditAction.GROUP_CREATED).respondent_group == group

    assignment = RoleAssignment.objects.get(user=org_admin, organisation=organisation)
    assert client.get(reverse("admin:surveys_roleassignment_add")).status_code == 403
    client.post(
        reverse("admin:surveys_roleassignment_changelist"),
        {"action": "delete_selected", "_selected_action": [assignment.pk], "post": "yes"},
    )
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    revoked = _last(AuditAction.ROLE_REVOKED)
    assert revoked.subject_user == org_admin and revoked.actor == platform_admin


# --- Older events and the database trigger ----------------------------------------------------------------


class _Editor:
    """What the data migration needs of a schema editor: the connection and ``execute``."""

    connection = connection

    def execute(self, sql, params=None):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def test_older_events_get_their_references_from_their_details(draft_round, organisation, org_admin):
    migration = importlib.import_module("surveys.migrations.0008_audit_event_keys_to_references")
    department = Department.objects.create(organisation=organisation, name="Teknik")
    group = RespondentGroup.objects.create(organisation=organisation, name="Tekniker")
    old = [
        AuditEvent.objects.create(
            organisation=organisation,
            action="round.opened",
            target=str(draft_round),
            details={"round": draft_round.pk, "invitations": 3},
        ),
        AuditEvent.objects.create(
            organisation=organisation, action="round.texts_changed", target=str(draft_round)
        ),
        AuditEvent.objects.create(
            organisation=organisation,
            action="results_downloaded",
            target="x",
            details={"period": draft_round.period.code, "format": "csv"},
        ),
        AuditEvent.objects.create(organisation=organisation, action="department.created", target="Teknik"),
        AuditEvent.objects.create(organisation=organisation, action="group.changed", target="Tekniker"),
        AuditEvent.objects.create(
            organisation=organisation, action="role.granted", target=org_admin.email, details={"role": "x"}
        ),
        AuditEvent.objects.create(organisation=organisation, action="department.deleted", target="Borta"),
    ]
    migration.keys_to_references(django_apps, _Editor())
    opened, texts, downloaded, created, changed, granted, gone = (
        AuditEvent.objects.get(pk=e.pk) for e in old
    )
    assert opened.round == draft_round and opened.details == {"invitations": 3}
    assert texts.round == draft_round and downloaded.round == draft_round
    assert created.department == department and changed.respondent_group == group
    assert granted.subject_user == org_admin
    assert gone.department is None and gone.target == "Borta"


@pytest.mark.postgres
def test_on_postgresql_the_trigger_lets_a_reference_be_emptied_and_nothing_else(organisation, org_admin):
    if connection.vendor != "postgresql":
        from tests.conftest import require_service

        require_service("PostgreSQL", False, "the database trigger exists on PostgreSQL only")
    department = org_services.create_department(organisation=organisation, name="Park", actor=org_admin)
    event = _last(AuditAction.DEPARTMENT_CREATED)
    other = Department.objects.create(organisation=organisation, name="Gata")
    for sql, params in (
        ("UPDATE surveys_auditevent SET department_id = %s WHERE id = %s", [other.pk, event.pk]),
        ("UPDATE surveys_auditevent SET department_id = NULL, target = 'x' WHERE id = %s", [event.pk]),
    ):
        with (
            pytest.raises(IntegrityError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as c,
        ):
            c.execute(sql, params)
    org_services.delete_department(department=department, actor=org_admin)  # SET_NULL passes the trigger
    event.refresh_from_db()
    assert event.department is None and event.target == "Park"


def test_the_admin_creates_and_changes_an_organisation_through_the_audited_service(client, platform_admin):
    from django.core.management import call_command

    from surveys.models import Organisation

    call_command("load_municipalities")
    client.force_login(platform_admin)
    fields = {"code": "0581", "name": "Norrköpings kommun", "kind": "municipality", "municipality": "0581"}
    response = client.post(reverse("admin:surveys_organisation_add"), {**fields, "county": "05"})
    assert response.status_code == 302, response.content.decode()[:2000]
    organisation = Organisation.objects.get(code="0581")
    created = _last(AuditAction.ORGANISATION_CREATED)
    assert created.organisation == organisation and created.actor == platform_admin
    assert organisation.respondent_groups.count() == 5

    url = reverse("admin:surveys_organisation_change", args=[organisation.pk])
    response = client.post(url, {**fields, "name": "Norrköping", "county": "05"})
    assert response.status_code == 302, response.content.decode()[:2000]
    changed = _last(AuditAction.ORGANISATION_CHANGED)
    assert changed.organisation == organisation and changed.actor == platform_admin
    assert changed.details["changes"] == ["name"]
    assert changed.details["before"] == {"name": "Norrköpings kommun"}
    with translation.override("sv"):
        assert describe(changed) == "Ändrade organisationen Norrköping: namn: Norrköpings kommun → Norrköping"
    client.post(url, {**fields, "name": "Norrköping", "county": "05"})  # nothing changed: nothing recorded
    assert AuditEvent.objects.filter(action=AuditAction.ORGANISATION_CHANGED).count() == 1


def test_the_admin_shows_periods_and_questionnaires_but_cannot_change_them(
    client, platform_admin, questionnaire
):
    from surveys.models import MeasurementPeriod, Statement
    from tests.factories import MeasurementPeriodFactory

    period = MeasurementPeriodFactory()
    statement = Statement.objects.filter(version=questionnaire).first()
    client.force_login(platform_admin)
    cases = [
        ("surveys_measurementperiod", period, {"year": 2030, "term": "VT"}),
        ("surveys_questionnaireversion", questionnaire, {"code": "changed", "k_anonymity": 2}),
        ("surveys_statement", statement, {"code": "changed", "text_sv": "Ändrad"}),
    ]
    for name, obj, data in cases:
        url = reverse(f"admin:{name}_change", args=[obj.pk])
        assert client.get(url).status_code == 200  # shown, read-only
        assert client.post(url, data).status_code == 403
        assert client.post(reverse(f"admin:{name}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
        assert client.get(reverse(f"admin:{name}_add")).status_code == 403
    period.refresh_from_db()
    questionnaire.refresh_from_db()
    statement.refresh_from_db()
    assert (period.year, questionnaire.k_anonymity, statement.code) == (2026, 5, statement.code)
    assert MeasurementPeriod.objects.filter(pk=period.pk).exists()
    assert questionnaire.code != "changed" and statement.text_sv != "Ändrad"


def test_loading_a_questionnaire_is_audited_and_loading_it_again_unchanged_is_not():
    from surveys.services.questionnaires import DEFAULT_QUESTIONNAIRE, load_questionnaire_file

    version, outcome = load_questionnaire_file(path=DEFAULT_QUESTIONNAIRE)
    assert outcome == "created"
    event = _last(AuditAction.QUESTIONNAIRE_LOADED)
    assert event.target == version.code and event.actor is None and event.details["outcome"] == "created"
    with translation.override("sv"):
        assert describe(event) == f"Läste in enkätversionen {version.code} (ny version)"
    assert load_questionnaire_file(path=DEFAULT_QUESTIONNAIRE)[1] == "unchanged"
    assert AuditEvent.objects.filter(action=AuditAction.QUESTIONNAIRE_LOADED).count() == 1
