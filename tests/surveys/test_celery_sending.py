"""The send and reminder tasks on a real Celery worker over the real Redis, including the same task
delivered twice; and Redis down when the admin presses a button."""

import time

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from surveys.models import Invitation, ReminderRun, Round
from tests.conftest import free_port, wait_for
from tests.surveys.conftest import add_invitations


def reset_publisher(app) -> None:
    """Forget the broker connections this process holds, so the next publish uses ``broker_url`` as set."""
    from kombu import pools

    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    pools.reset()


@pytest.fixture
def big_open_round(open_round, social_department, groups):
    """An open round with 3 + 120 respondents: more than two batches."""
    add_invitations(open_round, social_department, groups[1], 120, prefix="many")
    return open_round


@pytest.mark.celery_worker
@pytest.mark.redis
@pytest.mark.postgres
def test_a_send_task_delivered_twice_on_real_workers_mails_everyone_exactly_once(
    celery_harness, smtp_server, big_open_round
):
    for _ in range(2):
        celery_harness.start_worker(concurrency=2, extra_env={"EMAIL_URL": smtp_server.url})
    from surveys.tasks import send_invitations_task

    # The same message twice (same task id), as a broker redelivers it, and a second task besides.
    send_invitations_task.apply_async(args=(big_open_round.pk, "sv"), task_id="same-delivery")
    send_invitations_task.apply_async(args=(big_open_round.pk, "sv"), task_id="same-delivery")
    send_invitations_task.apply_async(args=(big_open_round.pk, "en"))
    wait_for(
        lambda: Invitation.objects.filter(round=big_open_round, send_status="sent").count() == 123,
        timeout=90,
        message="\n".join(w.log()[-3000:] for w in celery_harness.workers),
    )
    # All three deliveries have run to the end before we count what the server received.
    wait_for(
        lambda: sum(w.log().count("succeeded") for w in celery_harness.workers) >= 3,
        timeout=60,
        message="\n".join(w.log()[-3000:] for w in celery_harness.workers),
    )
    recipients = [m["To"] for m in smtp_server.messages]
    assert len(recipients) == 123
    assert len(set(recipients)) == 123, "somebody got the invitation twice"


@pytest.mark.celery_worker
@pytest.mark.redis
@pytest.mark.postgres
def test_a_reminder_task_delivered_twice_reminds_each_person_once(celery_harness, smtp_server, open_round):
    Invitation.objects.filter(round=open_round).update(send_status="sent")
    Invitation.objects.filter(email="person0@example.se").update(submitted=True)
    run = ReminderRun.objects.create(round=open_round)
    worker = celery_harness.start_worker(concurrency=2, extra_env={"EMAIL_URL": smtp_server.url})
    from surveys.tasks import send_reminders_task

    send_reminders_task.apply_async(args=(run.pk, "sv"), task_id="reminder-delivery")
    send_reminders_task.apply_async(args=(run.pk, "sv"), task_id="reminder-delivery")
    wait_for(lambda: worker.log().count("succeeded") >= 2, timeout=60, message=worker.log())
    recipients = sorted(m["To"] for m in smtp_server.messages)
    assert recipients == ["person1@example.se", "person2@example.se"]
    assert all(m["Subject"].strip().startswith("Påminnelse") for m in smtp_server.messages)
    assert set(Invitation.objects.filter(submitted=False).values_list("reminders_sent", flat=True)) == {1}


def test_redis_down_when_the_admin_opens_the_round_answers_at_once_and_loses_nothing(
    transactional_db, client, org_admin, draft_round, social_department, groups
):
    """The broker is unreachable: the page answers within seconds, the round is open, the invitations
    are saved as not sent, the admin is told, and the periodic task sends them once the broker is back."""
    from django.core import mail

    from dimios_web.celery import app
    from surveys.tasks import send_pending_invitations_task

    add_invitations(draft_round, social_department, groups[0], 3)
    client.force_login(org_admin)
    dead_broker = f"redis://127.0.0.1:{free_port()}/0"
    previous = {k: app.conf.get(k) for k in ("broker_url", "task_always_eager")}
    app.conf.broker_url, app.conf.task_always_eager = dead_broker, False
    reset_publisher(app)
    try:
        started = time.monotonic()
        response = client.post(
            reverse("surveys:round_open", args=[draft_round.organisation.code, draft_round.pk]),
            {"confirm": "on"},
        )
        elapsed = time.monotonic() - started
    finally:
        app.conf.update(previous)
        reset_publisher(app)
    assert response.status_code == 302
    assert elapsed < 10, f"the page took {elapsed:.1f} s with the broker down"
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("E-postkön kan inte nås" in t and "Inget går förlorat" in t for t in texts), texts
    draft_round.refresh_from_db()
    assert draft_round.status == Round.Status.OPEN
    assert set(Invitation.objects.values_list("send_status", flat=True)) == {"pending"}
    assert mail.outbox == []
    # The broker is back (eager here): the periodic task picks the pending invitations up.
    send_pending_invitations_task.delay()
    assert sorted(m.to[0] for m in mail.outbox) == [f"person{i}@example.se" for i in range(3)]
