"""The action plans' use cases (maturity.services.actions, docs/actions.md): an action is recorded, changed,
moved on and noted within the caller's scope, every refusal saves nothing, and every change is audited."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from dimios_web.exceptions import DomainError
from maturity.models import Action, ActionNote
from maturity.services import actions as services
from surveys.access import Visibility
from surveys.audit_texts import describe
from surveys.models import AuditAction, AuditEvent, Round
from tests.factories import MeasurementPeriodFactory, RoundFactory, build_questionnaire

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 1, 15)
DUE = datetime.date(2026, 6, 30)


@pytest.fixture
def version(db):
    return build_questionnaire(categories_per_dimension=2, statements_per_category=1, code="v-actions")


@pytest.fixture
def closed_round(organisation, version):
    return RoundFactory(
        organisation=organisation,
        questionnaire=version,
        status=Round.Status.CLOSED,
        period=MeasurementPeriodFactory(year=2025, term="HT"),
    )


@pytest.fixture
def rep_scope(dept_rep, organisation, social_department):
    units = set(social_department.children.values_list("pk", flat=True))
    return Visibility(frozenset({social_department.pk, *units}))


def _create(organisation, closed_round, user, *, scope=None, actor=None, **overrides):
    owner = user
    values = {
        "organisation": organisation,
        "round": closed_round,
        "department": None,
        "title": "Gemensam förvaltningsmodell för verksamhetssystem",
        "capabilities": list(closed_round.questionnaire.capabilities.all()[:1]),
        "owner": owner,
        "starts_on": START,
        "due_on": DUE,
        "scope": scope or Visibility.everything(),
        "plan_reference": "Budgetuppdrag 2025:14",
        "actor": actor or user,
    }
    values.update(overrides)
    return services.create_action(**values)


def _last(action: AuditAction) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).latest("pk")


def test_the_organisation_admin_records_an_organisation_wide_action_and_it_is_audited(
    organisation, closed_round, org_admin
):
    action = _create(organisation, closed_round, org_admin)
    assert action.department is None and action.status == Action.Status.PLANNED
    assert action.created_by == org_admin and action.plan_reference == "Budgetuppdrag 2025:14"
    assert list(action.capabilities.all()) == list(closed_round.questionnaire.capabilities.all()[:1])
    event = _last(AuditAction.ACTION_CREATED)
    assert event.organisation == organisation and event.round == closed_round and event.actor == org_admin
    assert event.target == action.title
    with translation.override("sv"):
        assert describe(event) == f"Lade till åtgärden ”{action.title}”"


def test_a_department_representative_records_an_action_for_a_unit_of_their_department(
    organisation, closed_round, dept_rep, rep_scope, social_department
):
    unit = social_department.children.get()
    action = _create(organisation, closed_round, dept_rep, scope=rep_scope, department=unit)
    assert action.department == unit
    assert _last(AuditAction.ACTION_CREATED).department == unit


def _other_version_capability(db=None):
    return build_questionnaire(categories_per_dimension=1, statements_per_category=1).capabilities.first()


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("due before start", "due_on"),
        ("capability of another questionnaire", "capabilities"),
        ("no capability", "capabilities"),
        ("owner of another organisation", "owner"),
        ("owner without a role", "owner"),
        ("no owner", "owner"),
        ("empty title", "title"),
        ("blank title", "title"),
        ("department outside the representative's scope", "department"),
        ("organisation-wide by a representative", "department"),
        ("department of another organisation", "department"),
        ("round of another organisation", "round"),
        ("round not closed", "round"),
        ("no priority", "priority"),
    ],
)
def test_bad_input_is_refused_with_a_translated_message_and_saves_nothing(
    request, case, field, organisation, other_organisation, closed_round, dept_rep, rep_scope
):
    overrides: dict = {"scope": rep_scope, "department": organisation.departments.get(name="Äldreomsorg")}
    if case == "due before start":
        overrides["due_on"] = START - datetime.timedelta(days=1)
    elif case == "capability of another questionnaire":
        overrides["capabilities"] = [_other_version_capability()]
    elif case == "no capability":
        overrides["capabilities"] = []
    elif case == "owner of another organisation":
        overrides["owner"] = request.getfixturevalue("outsider")
    elif case == "owner without a role":
        overrides["owner"] = request.getfixturevalue("no_role_user")
    elif case == "no owner":
        overrides["owner"] = None
    elif case == "empty title":
        overrides["title"] = ""
    elif case == "blank title":
        overrides["title"] = "   "
    elif case == "department outside the representative's scope":
        overrides["department"] = request.getfixturevalue("school_department")
    elif case == "organisation-wide by a representative":
        overrides["department"] = None
    elif case == "department of another organisation":
        overrides["department"] = other_organisation.departments.first()
        overrides["scope"] = Visibility.everything()
    elif case == "round of another organisation":
        overrides["round"] = RoundFactory(
            organisation=other_organisation, questionnaire=closed_round.questionnaire, status="closed"
        )
    elif case == "round not closed":
        overrides["round"] = RoundFactory(
            organisation=organisation, questionnaire=closed_round.questionnaire, status="open"
        )
    elif case == "no priority":
        overrides["priority"] = "urgent"
    messages = {}
    for language in ("en", "sv"):
        with translation.override(language):
            with pytest.raises(DomainError) as refused:
                _create(organisation, closed_round, dept_rep, **overrides)
            messages[language] = str(refused.value.message)
        assert refused.value.field == field
    assert messages["sv"] != messages["en"], messages  # a translated message
    assert not Action.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.ACTION_CREATED).exists()


def test_the_refusals_are_in_swedish(organisation, closed_round, org_admin):
    with translation.override("sv"), pytest.raises(DomainError, match="slutdatum|startdatum"):
        _create(organisation, closed_round, org_admin, due_on=START - datetime.timedelta(days=1))
    with translation.override("sv"), pytest.raises(DomainError, match="rubrik"):
        _create(organisation, closed_round, org_admin, title="")
    assert not Action.objects.exists()


def test_the_database_refuses_a_due_date_before_the_start_date(organisation, closed_round, org_admin):
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.create(
            organisation=organisation,
            round=closed_round,
            title="Fel",
            owner=org_admin,
            starts_on=START,
            due_on=START - datetime.timedelta(days=1),
        )
    assert not Action.objects.exists()


def test_changing_an_action_records_which_fields_changed_and_the_same_values_record_nothing(
    organisation, closed_round, org_admin, management, social_department
):
    action = _create(organisation, closed_round, org_admin)
    all_capabilities = list(closed_round.questionnaire.capabilities.all())
    values = {
        "round": closed_round,
        "department": social_department,
        "title": action.title,
        "description": "Ny beskrivning",
        "capabilities": all_capabilities,
        "owner": management,
        "priority": Action.Priority.HIGH,
        "starts_on": START,
        "due_on": DUE,
        "plan_reference": action.plan_reference,
        "scope": Visibility.everything(),
        "actor": org_admin,
    }
    changes = services.update_action(action=action, **values)
    assert changes == ["description", "department", "capabilities", "owner", "priority"]
    action.refresh_from_db()
    assert action.department == social_department and action.owner == management
    assert set(action.capabilities.all()) == set(all_capabilities)
    event = _last(AuditAction.ACTION_CHANGED)
    assert event.details == {"changes": changes} and event.department == social_department
    with translation.override("sv"):
        assert describe(event) == (
            f"Ändrade åtgärden ”{action.title}”: beskrivning, förvaltning, förmågor, ansvarig, prioritet"
        )
    count = AuditEvent.objects.count()
    assert services.update_action(action=action, **values) == []
    assert AuditEvent.objects.count() == count


def test_a_change_that_breaks_a_rule_saves_nothing(organisation, closed_round, org_admin):
    action = _create(organisation, closed_round, org_admin)
    with pytest.raises(DomainError):
        services.update_action(
            action=action,
            round=closed_round,
            department=None,
            title="Ny rubrik",
            capabilities=list(action.capabilities.all()),
            owner=org_admin,
            starts_on=DUE,
            due_on=START,
            scope=Visibility.everything(),
            actor=org_admin,
        )
    action.refresh_from_db()
    assert action.title != "Ny rubrik"
    assert not AuditEvent.objects.filter(action=AuditAction.ACTION_CHANGED).exists()


def test_a_representative_cannot_change_an_organisation_wide_or_another_departments_action(
    organisation, closed_round, org_admin, rep_scope, school_department
):
    wide = _create(organisation, closed_round, org_admin)
    other = _create(organisation, closed_round, org_admin, department=school_department)
    for action in (wide, other):
        with pytest.raises(DomainError):
            services.set_action_status(action=action, status="done", scope=rep_scope, actor=org_admin)
        with pytest.raises(DomainError):
            services.add_action_note(action=action, text="Kapad", scope=rep_scope, actor=org_admin)
    assert not Action.objects.filter(status="done").exists() and not ActionNote.objects.exists()


def test_a_status_change_is_audited_with_both_states_in_swedish(organisation, closed_round, org_admin):
    action = _create(organisation, closed_round, org_admin)
    assert services.set_action_status(
        action=action, status="in_progress", scope=Visibility.everything(), actor=org_admin
    )
    assert not services.set_action_status(
        action=action, status="in_progress", scope=Visibility.everything(), actor=org_admin
    )
    events = AuditEvent.objects.filter(action=AuditAction.ACTION_STATUS_CHANGED)
    assert events.count() == 1
    event = events.get()
    assert event.details == {"before": "planned", "after": "in_progress"}
    with translation.override("sv"):
        assert describe(event) == f"Ändrade status för åtgärden ”{action.title}” från planerad till pågår"
    with pytest.raises(DomainError):
        services.set_action_status(action=action, status="forgotten", scope=Visibility.everything())


def test_a_note_is_dated_authored_and_audited_and_an_empty_or_future_one_is_refused(
    organisation, closed_round, org_admin
):
    action = _create(organisation, closed_round, org_admin)
    note = services.add_action_note(
        action=action,
        text="Styrgruppen har godkänt förstudien.",
        written_on=datetime.date(2026, 2, 1),
        scope=Visibility.everything(),
        actor=org_admin,
    )
    assert note.author == org_admin and note.written_on == datetime.date(2026, 2, 1)
    event = _last(AuditAction.ACTION_NOTE_ADDED)
    assert event.round == closed_round and event.details == {"date": "2026-02-01"}
    for text, day in (("  ", None), ("Framtid", timezone.localdate() + datetime.timedelta(days=1))):
        with pytest.raises(DomainError):
            services.add_action_note(
                action=action, text=text, written_on=day, scope=Visibility.everything(), actor=org_admin
            )
    assert ActionNote.objects.count() == 1


def test_a_department_with_actions_is_not_deleted(organisation, closed_round, org_admin, school_department):
    from surveys.services.organisations import delete_department

    _create(organisation, closed_round, org_admin, department=school_department)
    with pytest.raises(DomainError, match="refer|hänvisar"):
        delete_department(department=school_department, actor=org_admin)
    assert organisation.departments.filter(pk=school_department.pk).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.DEPARTMENT_DELETED).exists()


def test_an_action_is_overdue_when_its_due_date_passed_and_it_is_still_open(
    organisation, closed_round, org_admin
):
    action = _create(organisation, closed_round, org_admin)
    after = DUE + datetime.timedelta(days=1)
    assert action.is_overdue_on(after) and not action.is_overdue_on(DUE)
    for status in ("done", "dropped"):
        action.status = status
        assert not action.is_overdue_on(after)
