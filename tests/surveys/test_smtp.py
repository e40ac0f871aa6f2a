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
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
            if address.startswith("nobody"):
                return "550 5.1.1 No such user here"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):  # noqa: N802
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
