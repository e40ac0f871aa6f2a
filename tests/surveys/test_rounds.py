import datetime

import pytest

from dimios_web.exceptions import DomainError
from maturity.services import closing
from surveys.models import AuditEvent, Round
from surveys.services import rounds as services
from tests.surveys.conftest import add_invitations


def test_an_admin_creates_an_anonymous_draft_round_by_default(draft_round, org_admin):
    assert draft_round.status == Round.Status.DRAFT
    assert draft_round.anonymous is True
    assert AuditEvent.objects.filter(action="round.created", actor=org_admin).exists()


def test_an_opening_date_outside_the_window_is_refused_and_nothing_is_saved(
    organisation, running_period, questionnaire
):
    with pytest.raises(DomainError) as error:
        services.create_round(
            organisation=organisation,
            period=running_period,
            questionnaire=questionnaire,
            opens_on=running_period.starts_on - datetime.timedelta(days=1),
        )
    assert error.value.field == "opens_on"
    assert "måste ligga inom mätperioden" in str(error.value)
    assert not Round.objects.exists()


def test_a_closing_date_after_the_window_is_refused(organisation, running_period, questionnaire):
    with pytest.raises(DomainError) as error:
        services.create_round(
            organisation=organisation,
            period=running_period,
            questionnaire=questionnaire,
            closes_on=running_period.ends_on + datetime.timedelta(days=1),
        )
    assert error.value.field == "closes_on"
    assert not Round.objects.exists()


def test_a_second_round_in_the_same_window_is_refused(
    draft_round, organisation, running_period, questionnaire
):
    with pytest.raises(DomainError, match="har redan en mätomgång"):
        services.create_round(organisation=organisation, period=running_period, questionnaire=questionnaire)
    assert Round.objects.count() == 1


def test_a_round_cannot_be_created_in_an_ended_window(organisation, ended_period, questionnaire):
    with pytest.raises(DomainError, match="har tagit slut"):
        services.create_round(organisation=organisation, period=ended_period, questionnaire=questionnaire)


def test_a_department_of_another_organisation_is_refused(
    organisation, other_organisation, running_period, questionnaire
):
    with pytest.raises(DomainError):
        services.create_round(
            organisation=organisation,
            period=running_period,
            questionnaire=questionnaire,
            departments=[other_organisation.departments.first()],
        )
    assert not Round.objects.exists()


def test_opening_a_round_without_respondents_is_refused(draft_round, org_admin):
    with pytest.raises(DomainError, match="har inga respondenter"):
        services.open_round(round=draft_round, actor=org_admin)
    draft_round.refresh_from_db()
    assert draft_round.status == Round.Status.DRAFT
    assert not AuditEvent.objects.filter(action="round.opened").exists()


def test_a_round_with_only_an_open_link_can_open(draft_round, org_admin):
    services.set_open_link(round=draft_round, enabled=True, actor=org_admin)
    services.open_round(round=draft_round, actor=org_admin)
    draft_round.refresh_from_db()
    assert draft_round.status == Round.Status.OPEN
    assert len(draft_round.open_link_key) >= 20


def test_a_round_cannot_open_before_its_opening_date(draft_round, social_department, groups, today):
    draft_round.opens_on = today + datetime.timedelta(days=3)
    draft_round.save()
    add_invitations(draft_round, social_department, groups[0], 1)
    with pytest.raises(DomainError, match="öppningsdatum"):
        services.open_round(round=draft_round)


def test_opening_is_recorded_with_who_and_when(
    draft_round, org_admin, social_department, groups, django_capture_on_commit_callbacks
):
    add_invitations(draft_round, social_department, groups[0], 2)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.open_round(round=draft_round, actor=org_admin)
    assert outcome.queued is True
    event = AuditEvent.objects.get(action="round.opened")
    assert event.actor == org_admin and event.details["invitations"] == 2


def test_closing_freezes_the_results_and_is_recorded(open_round, org_admin):
    from maturity.models import RoundResult

    closing.close_round(round=open_round, actor=org_admin)
    open_round.refresh_from_db()
    assert open_round.status == Round.Status.CLOSED and open_round.closed_at is not None
    assert AuditEvent.objects.filter(action="round.closed", actor=org_admin).exists()
    assert RoundResult.objects.filter(round=open_round).exists()


def test_only_an_open_round_can_be_closed(draft_round):
    with pytest.raises(DomainError):
        closing.close_round(round=draft_round)


def test_a_round_past_its_last_day_is_closed_by_the_scheduled_task(open_round, today):
    from maturity.tasks import close_due_rounds_task

    Round.objects.filter(pk=open_round.pk).update(closes_on=today - datetime.timedelta(days=1))
    close_due_rounds_task.delay()
    open_round.refresh_from_db()
    assert open_round.status == Round.Status.CLOSED
    event = AuditEvent.objects.get(action="round.closed")
    assert event.actor is None and event.details["automatic"] is True


def test_the_scheduled_closing_leaves_rounds_that_still_run(open_round, today):
    assert closing.close_due_rounds(today=today) == []
    open_round.refresh_from_db()
    assert open_round.status == Round.Status.OPEN


def test_a_round_of_an_ended_window_is_never_reopened(open_round, today):
    closing.close_round(round=open_round)
    with pytest.raises(DomainError, match="öppnas aldrig igen"):
        services.open_round(round=open_round, today=open_round.period.ends_on + datetime.timedelta(days=1))
    open_round.refresh_from_db()
    assert open_round.status == Round.Status.CLOSED


def test_a_closed_round_can_be_reopened_while_its_window_runs(open_round, org_admin):
    closing.close_round(round=open_round)
    services.open_round(round=open_round, actor=org_admin)
    open_round.refresh_from_db()
    assert open_round.status == Round.Status.OPEN
    assert AuditEvent.objects.filter(action="round.reopened").exists()


def test_reminder_days_must_be_sensible(draft_round):
    with pytest.raises(DomainError):
        services.set_reminder_schedule(round=draft_round, days=[0, 7])
    services.set_reminder_schedule(round=draft_round, days=[14, 7, 7])
    draft_round.refresh_from_db()
    assert draft_round.reminder_days == [7, 14]


def test_an_edited_text_must_keep_the_link(draft_round):
    texts = {"invitation": {"sv": {"subject": "Hej", "body": "Svara gärna!"}}}
    with pytest.raises(DomainError, match="{link}"):
        services.set_message_texts(round=draft_round, texts=texts)
    texts["invitation"]["sv"]["body"] = "Svara här: {link}"
    services.set_message_texts(round=draft_round, texts=texts)
    draft_round.refresh_from_db()
    assert draft_round.message_texts == {
        "invitation": {"sv": {"subject": "Hej", "body": "Svara här: {link}"}}
    }
