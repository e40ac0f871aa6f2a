"""Invitation and reminder e-mails through the services (Django's in-memory mail box); the real SMTP
server and the real Celery worker are in test_smtp.py and test_celery_sending.py."""

import datetime
import re
import smtplib

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from dimios_web.exceptions import DomainError
from maturity.services import closing
from surveys.models import AuditEvent, Invitation, InvitationToken, ReminderRun, Round
from surveys.services import invitations as services
from surveys.services import rounds as round_services
from surveys.tokens import hash_token
from tests.conftest import free_port
from tests.surveys.conftest import add_invitations

LINK = re.compile(r"https?://\S+/s/([A-Za-z0-9_-]+)/")


def tokens_in(message) -> list[str]:
    return LINK.findall(message.body)


def test_opening_the_round_mails_each_respondent_a_personal_link(
    draft_round, org_admin, social_department, groups, django_capture_on_commit_callbacks
):
    add_invitations(draft_round, social_department, groups[0], 3)
    with django_capture_on_commit_callbacks(execute=True):
        round_services.open_round(round=draft_round, actor=org_admin)
    assert sorted(m.to[0] for m in mail.outbox) == [f"person{i}@example.se" for i in range(3)]
    for message in mail.outbox:
        (token,) = tokens_in(message)
        assert len(token) >= 22  # at least 128 bits
        invitation = Invitation.objects.get(email=message.to[0])
        assert InvitationToken.objects.get(token_hash=hash_token(token)).invitation == invitation
        assert not InvitationToken.objects.filter(token_hash=token).exists()  # only the hash is stored
        assert "Hej" in message.body and draft_round.organisation.name in message.subject
    assert set(Invitation.objects.values_list("send_status", flat=True)) == {"sent"}
    assert AuditEvent.objects.filter(action="invitations.sent").exists()
    assert AuditEvent.objects.filter(action="invitations.send", actor=org_admin).exists()


def test_an_english_speaking_respondent_gets_the_english_text(open_round):
    Invitation.objects.filter(email="person0@example.se").update(language="en")
    services.send_invitation_batch(round_id=open_round.pk)
    english = next(m for m in mail.outbox if m.to == ["person0@example.se"])
    swedish = next(m for m in mail.outbox if m.to == ["person1@example.se"])
    assert english.subject.startswith("Survey of digital maturity")
    assert "Your personal link" in english.body
    assert "Din personliga länk" in swedish.body


def test_the_rounds_own_text_is_used_with_the_placeholders_filled_in(open_round):
    round_services.set_message_texts(
        round=open_round,
        texts={
            "invitation": {"sv": {"subject": "Enkät från {organisation}", "body": "Hej {name}! {link} {x}"}}
        },
    )
    Invitation.objects.filter(email="person0@example.se").update(name="Greta")
    services.send_invitation_batch(round_id=open_round.pk)
    message = next(m for m in mail.outbox if m.to == ["person0@example.se"])
    assert message.subject == f"Enkät från {open_round.organisation.name}"
    assert message.body.startswith("Hej Greta! http") and message.body.endswith("{x}")


def test_the_preview_shows_the_text_as_a_respondent_gets_it(open_round):
    subject, body = services.preview_message(round=open_round, kind="reminder", language="sv")
    assert "Påminnelse" in subject and open_round.organisation.name in subject
    assert "{link}" not in body and "/s/" in body


def test_sending_twice_mails_nobody_twice(open_round):
    first = services.send_invitation_batch(round_id=open_round.pk)
    second = services.send_invitation_batch(round_id=open_round.pk)
    assert (first.sent, second.sent) == (3, 0)
    assert len(mail.outbox) == 3


def test_an_invitation_claimed_by_another_sender_is_left_alone(open_round):
    Invitation.objects.filter(email="person0@example.se").update(
        send_status="sending", claimed_at=timezone.now()
    )
    services.send_invitation_batch(round_id=open_round.pk)
    assert sorted(m.to[0] for m in mail.outbox) == ["person1@example.se", "person2@example.se"]


def test_a_sender_that_died_mid_send_leaves_the_invitation_failed_not_resent(open_round):
    long_ago = timezone.now() - datetime.timedelta(hours=2)
    Invitation.objects.filter(email="person0@example.se").update(send_status="sending", claimed_at=long_ago)
    services.send_invitation_batch(round_id=open_round.pk)
    stuck = Invitation.objects.get(email="person0@example.se")
    assert stuck.send_status == "failed" and "avbröts" in stuck.last_error
    assert len(mail.outbox) == 2


def test_nothing_is_sent_in_a_round_that_is_not_open(open_round):
    Round.objects.filter(pk=open_round.pk).update(status=Round.Status.CLOSED)
    assert services.send_invitation_batch(round_id=open_round.pk).sent == 0
    assert mail.outbox == []


def test_mail_server_down_is_retried_and_then_shown_per_invitation(open_round, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    for _attempt in range(services.MAX_SEND_ATTEMPTS - 1):
        result = services.send_invitation_batch(round_id=open_round.pk)
        assert result.retry_later == 1 and result.sent == 0
        assert Invitation.objects.filter(send_status="pending").count() == 3
    result = services.send_invitation_batch(round_id=open_round.pk)
    assert result.failed == 1
    failed = Invitation.objects.get(send_status="failed")
    assert failed.last_error.startswith("Kunde inte nå e-postservern")
    assert failed.send_attempts == services.MAX_SEND_ATTEMPTS
    # The others were not touched while the server was down; nothing is lost.
    assert Invitation.objects.filter(send_status="pending").count() == 2


def test_retrying_failed_invitations_sends_them_when_the_server_is_back(
    open_round, org_admin, django_capture_on_commit_callbacks
):
    Invitation.objects.filter(email="person0@example.se").update(
        send_status="failed", last_error="down", send_attempts=3
    )
    Invitation.objects.exclude(email="person0@example.se").update(send_status="sent")
    with django_capture_on_commit_callbacks(execute=True):
        count, outcome = services.retry_failed_invitations(round=open_round, actor=org_admin)
    assert count == 1 and outcome.queued is True
    assert [m.to[0] for m in mail.outbox] == ["person0@example.se"]
    invitation = Invitation.objects.get(email="person0@example.se")
    assert invitation.send_status == "sent" and invitation.last_error == ""


def test_an_address_refused_by_the_server_is_marked_bounced(open_round, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    original = EmailBackend.send_messages

    def refuse_one(self, messages):
        if messages[0].to == ["person1@example.se"]:
            raise smtplib.SMTPRecipientsRefused({"person1@example.se": (550, b"5.1.1 no such user")})
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refuse_one)
    result = services.send_invitation_batch(round_id=open_round.pk)
    assert (result.sent, result.bounced) == (2, 1)
    bounced = Invitation.objects.get(email="person1@example.se")
    assert bounced.send_status == "bounced" and "550" in bounced.last_error


def test_respondents_added_and_removed_while_mails_go_out_are_all_accounted_for(
    open_round, social_department, groups, monkeypatch
):
    """The list changes in the middle of a batch: the new person is mailed once, the removed one never,
    everyone else exactly once."""
    from django.core.mail.backends.locmem import EmailBackend

    from surveys.services.respondents import add_respondent, remove_respondent

    original = EmailBackend.send_messages
    changed = []

    def change_list_during_send(self, messages):
        if not changed:
            changed.append(True)
            add_respondent(
                round=open_round, email="late@example.se", department=social_department, group=groups[0]
            )
            remove_respondent(invitation=Invitation.objects.get(email="person2@example.se"))
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", change_list_during_send)
    from surveys.tasks import send_invitations_task

    send_invitations_task.delay(open_round.pk)
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["late@example.se", "person0@example.se", "person1@example.se"]
    # person2 was already claimed for sending when removed: withdrawn (its link would not work), not mailed.
    removed = Invitation.objects.get(email="person2@example.se")
    assert removed.revoked_at is not None and removed.send_status == "pending" and removed.sent_at is None
    assert not removed.tokens.exists()
    assert set(Invitation.objects.filter(revoked_at=None).values_list("send_status", flat=True)) == {"sent"}


# --- Reminders ------------------------------------------------------------------------------------------


@pytest.fixture
def invited_round(open_round):
    services.send_invitation_batch(round_id=open_round.pk)
    mail.outbox.clear()
    return open_round


def test_a_reminder_goes_only_to_those_who_have_not_submitted(
    invited_round, org_admin, django_capture_on_commit_callbacks
):
    Invitation.objects.filter(email="person0@example.se").update(submitted=True)
    with django_capture_on_commit_callbacks(execute=True):
        run, outcome, count = services.request_reminders(round=invited_round, actor=org_admin)
    assert count == 2
    assert outcome.queued is True
    assert sorted(m.to[0] for m in mail.outbox) == ["person1@example.se", "person2@example.se"]
    assert all("Påminnelse" in m.subject for m in mail.outbox)
    run.refresh_from_db()
    assert (run.status, run.sent) == ("done", 2)
    assert AuditEvent.objects.filter(action="reminders.requested", actor=org_admin).exists()
    assert AuditEvent.objects.filter(action="reminders.sent").exists()


def test_nobody_gets_more_than_one_reminder_a_day(invited_round):
    first = ReminderRun.objects.create(round=invited_round)
    second = ReminderRun.objects.create(round=invited_round)
    services.send_reminders(run_id=first.pk)
    services.send_reminders(run_id=second.pk)
    assert len(mail.outbox) == 3
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    services.send_reminders(run_id=ReminderRun.objects.create(round=invited_round).pk, now=tomorrow)
    assert len(mail.outbox) == 6
    assert set(Invitation.objects.values_list("reminders_sent", flat=True)) == {2}


def test_reminding_when_everyone_has_submitted_says_so(invited_round):
    Invitation.objects.update(submitted=True)
    with pytest.raises(DomainError, match="ingen att påminna"):
        services.request_reminders(round=invited_round)
    assert not ReminderRun.objects.exists()


def test_a_failed_reminder_can_be_tried_again_the_same_day(invited_round, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    original = EmailBackend.send_messages
    monkeypatch.setattr(
        EmailBackend,
        "send_messages",
        lambda self, messages: (_ for _ in ()).throw(ConnectionRefusedError("down")),
    )
    run = services.send_reminders(run_id=ReminderRun.objects.create(round=invited_round).pk)
    assert (run.sent, run.failed) == (0, 3)
    assert set(Invitation.objects.values_list("reminders_sent", flat=True)) == {0}
    monkeypatch.setattr(EmailBackend, "send_messages", original)
    run = services.send_reminders(run_id=ReminderRun.objects.create(round=invited_round).pk)
    assert run.sent == 3


def test_scheduled_reminders_are_sent_once_when_due(invited_round, today):
    round_services.set_reminder_schedule(round=invited_round, days=[7, 14])
    opened = timezone.localdate(invited_round.opened_at)
    assert services.schedule_due_reminders(today=opened + datetime.timedelta(days=6)) == []
    due = services.schedule_due_reminders(today=opened + datetime.timedelta(days=7))
    assert len(due) == 1
    assert services.schedule_due_reminders(today=opened + datetime.timedelta(days=8)) == []
    assert len(mail.outbox) == 3
    assert ReminderRun.objects.get(pk=due[0]).scheduled_day == 7
    assert len(services.schedule_due_reminders(today=opened + datetime.timedelta(days=14))) == 1


# --- Retention ------------------------------------------------------------------------------------------


def test_email_addresses_are_deleted_after_the_retention_time(invited_round, settings):
    settings.DIMIOS_EMAIL_RETENTION_DAYS = 30
    closing.close_round(round=invited_round)
    assert services.delete_expired_email_addresses(now=timezone.now() + datetime.timedelta(days=29)) == 0
    assert services.delete_expired_email_addresses(now=timezone.now() + datetime.timedelta(days=31)) == 3
    assert set(Invitation.objects.values_list("email", flat=True)) == {""}
    assert not InvitationToken.objects.exists()
    assert Invitation.objects.count() == 3  # the ledger (counts) stays
    assert AuditEvent.objects.filter(action="invitations.addresses_deleted").exists()


def test_a_reminder_requested_while_the_broker_was_down_goes_out_later(invited_round, org_admin):
    """request_reminders' publish never ran (broker down): the periodic job queues the sending again."""
    run, _outcome, _count = services.request_reminders(
        round=invited_round, actor=org_admin
    )  # on_commit not run
    assert mail.outbox == []
    services.schedule_due_reminders()
    assert mail.outbox == []  # too fresh: it may still be on its way
    ReminderRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=11))
    services.schedule_due_reminders()
    assert len(mail.outbox) == 3
    run.refresh_from_db()
    assert (run.status, run.sent) == ("done", 3)


def test_reminding_twice_in_a_day_says_that_nobody_was_reminded_and_creates_nothing(
    client, invited_round, org_admin, django_capture_on_commit_callbacks
):
    """The flash says what actually happened (issue 17): how many are reminded, or that nobody is because
    everyone left already had a reminder today; never "Reminders are being sent" for zero."""
    client.force_login(org_admin)
    url = reverse("surveys:round_remind", args=[invited_round.organisation.code, invited_round.pk])
    Invitation.objects.filter(email="person0@example.se").update(submitted=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert "Påminnelser skickas till 2 personer som inte har svarat." in response.content.decode()
    assert len(mail.outbox) == 2
    runs = ReminderRun.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    html = response.content.decode()
    assert "Ingen påminnelse skickades: alla som inte har svarat har redan fått en påminnelse i dag." in html
    assert "Påminnelser skickas" not in html
    assert ReminderRun.objects.count() == runs and len(mail.outbox) == 2
    Invitation.objects.filter(email="person1@example.se").update(last_reminded_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert "En påminnelse skickas till 1 person som inte har svarat." in response.content.decode()
