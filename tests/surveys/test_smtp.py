"""E-mail through a real SMTP conversation (aiosmtpd started by the test), and the link in the message
opens the survey."""

import re
import threading

import pytest
from django.urls import reverse

from surveys.models import Draft, Invitation
from surveys.services import invitations as services
from surveys.services import rounds as round_services
from tests.conftest import free_port
from tests.surveys.conftest import add_invitations

LINK = re.compile(r"(https?://\S+?)(/s/[A-Za-z0-9_-]+/)")


def test_the_invitation_goes_over_smtp_and_its_link_opens_the_survey(
    smtp_server, client, draft_round, org_admin, social_department, groups, django_capture_on_commit_callbacks
):
    add_invitations(draft_round, social_department, groups[0], 2)
    with django_capture_on_commit_callbacks(execute=True):
        round_services.open_round(round=draft_round, actor=org_admin)
    messages = smtp_server.wait_for_messages(2, timeout=10)
    assert sorted(m["To"] for m in messages) == ["person0@example.se", "person1@example.se"]
    message = next(m for m in messages if m["To"] == "person0@example.se")
    assert message["Subject"] == f"Enkät om digital mognad i {draft_round.organisation.name}"
    body = message.get_content()
    _site, path = LINK.search(body).groups()
    response = client.get(path)
    assert response.status_code == 302 and response.url == reverse("surveys:respond_welcome")
    page = client.get(response.url)
    assert page.status_code == 200
    assert Draft.objects.filter(invitation__email="person0@example.se").exists()
    assert Invitation.objects.get(email="person0@example.se").send_status == "sent"


@pytest.fixture
def refusing_smtp_server(settings):
    """An SMTP server that refuses one address with 550, as a server does for an unknown mailbox."""
    from aiosmtpd.controller import Controller

    received = []
    lock = threading.Lock()

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address.startswith("nobody"):
                return "550 5.1.1 No such user here"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            with lock:
                received.extend(envelope.rcpt_tos)
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    try:
        yield received
    finally:
        controller.stop()


def test_an_address_the_server_refuses_is_shown_as_bounced_and_again_on_resend(
    refusing_smtp_server, open_round, social_department, groups
):
    add_invitations(open_round, social_department, groups[0], 1, prefix="nobody")
    result = services.send_invitation_batch(round_id=open_round.pk)
    assert (result.sent, result.bounced) == (3, 1)
    bounced = Invitation.objects.get(email="nobody0@example.se")
    assert bounced.send_status == "bounced" and "550" in bounced.last_error
    assert sorted(refusing_smtp_server) == [f"person{i}@example.se" for i in range(3)]
    services.retry_failed_invitations(round=open_round)
    services.send_invitation_batch(round_id=open_round.pk)
    bounced.refresh_from_db()
    assert bounced.send_status == "bounced"
    assert len(refusing_smtp_server) == 3  # nobody else was mailed again


def test_with_the_mail_server_down_the_invitations_stay_pending_and_nothing_is_lost(open_round, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    from surveys.tasks import send_invitations_task

    send_invitations_task.delay(open_round.pk)  # eager here: no broker to wait on for a retry
    statuses = list(Invitation.objects.values_list("send_status", "send_attempts"))
    assert sorted(statuses) == [("pending", 0), ("pending", 0), ("pending", 1)]
    error = Invitation.objects.get(send_attempts=1).last_error
    assert error.startswith("Kunde inte nå e-postservern")


# --- issue 11: header-safe subjects, and reminded only when the server took the message ------------------

NAME_WITH_BREAK = "Anna\r\nBcc: victim@evil.example\nAndersson"


def _with_name_in_subject(round_):
    round_.message_texts = {
        kind: {"sv": {"subject": f"{label} för {{name}}", "body": "Hej {name}!\n\n{link}"}}
        for kind, label in (("invitation", "Enkät"), ("reminder", "Påminnelse"))
    }
    round_.save(update_fields=["message_texts"])


def test_a_name_with_a_line_break_gives_a_one_line_subject_and_the_reminder_goes_out(
    smtp_server, open_round, social_department, groups
):
    from surveys.models import ReminderRun

    _with_name_in_subject(open_round)
    Invitation.objects.filter(round=open_round, email="person0@example.se").update(name=NAME_WITH_BREAK)
    result = services.send_invitation_batch(round_id=open_round.pk)
    assert (result.sent, result.failed) == (3, 0)
    run = ReminderRun.objects.create(round=open_round)
    services.send_reminders(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.sent, run.failed) == ("done", 3, 0)
    messages = smtp_server.wait_for_messages(6, timeout=10)
    to_anna = [m for m in messages if m["To"] == "person0@example.se"]
    assert [m["Subject"].strip() for m in to_anna] == [
        "Enkät för Anna Bcc: victim@evil.example Andersson",
        "Påminnelse för Anna Bcc: victim@evil.example Andersson",
    ]
    assert all(m["Bcc"] is None for m in messages)
    assert all(m.get_all("To") == [m["To"]] for m in messages)
    assert set(Invitation.objects.filter(round=open_round).values_list("reminders_sent", flat=True)) == {1}


def test_a_reminder_the_server_does_not_take_does_not_count(
    refusing_smtp_server, open_round, social_department, groups
):
    from surveys.models import ReminderRun

    add_invitations(open_round, social_department, groups[0], 1, prefix="nobody")
    Invitation.objects.filter(round=open_round).update(send_status="sent")
    run = ReminderRun.objects.create(round=open_round)
    services.send_reminders(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.sent, run.failed) == ("done", 3, 1)
    refused = Invitation.objects.get(email="nobody0@example.se")
    assert refused.reminders_sent == 0 and refused.last_reminded_at is None and "550" in refused.last_error
    assert sorted(refusing_smtp_server) == [f"person{i}@example.se" for i in range(3)]
    reminded = Invitation.objects.filter(round=open_round, email__startswith="person")
    assert set(reminded.values_list("reminders_sent", flat=True)) == {1}


def test_a_message_that_cannot_be_made_counts_nobody_as_reminded_and_the_run_finishes(
    smtp_server, open_round, monkeypatch
):
    from surveys.models import ReminderRun
    from surveys.services.invitations import reminders

    Invitation.objects.filter(round=open_round).update(send_status="sent")
    original = reminders.email_message

    def broken(invitation, round_, kind, raw):
        if invitation.email == "person1@example.se":
            raise ValueError("a header could not be encoded")
        return original(invitation, round_, kind, raw)

    monkeypatch.setattr(reminders, "email_message", broken)  # the reminder run's message maker
    run = ReminderRun.objects.create(round=open_round)
    services.send_reminders(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.sent, run.failed) == ("done", 2, 1)
    broken_one = Invitation.objects.get(email="person1@example.se")
    assert broken_one.reminders_sent == 0 and broken_one.last_reminded_at is None
    assert len(smtp_server.wait_for_messages(2, timeout=10)) == 2
