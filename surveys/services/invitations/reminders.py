"""Reminder e-mails: who is due one, the scheduled and the requested reminder runs, and sending them.

Idempotence: each reminder is preceded by a claim (``last_reminded_at`` before today → now), a
conditional ``UPDATE`` that only one sender can win, so a run delivered twice mails nobody twice."""

from __future__ import annotations

import contextlib
import datetime
import logging
import smtplib

from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from dimios_web.exceptions import DomainError
from dimios_web.queueing import QueueOutcome, publish_task

from ...models import Invitation, InvitationToken, ReminderRun, Round
from ...tokens import new_token
from ..audit import AuditAction, record_event
from .sending import REQUEUE_AFTER, describe_error, queue_on_commit
from .texts import email_message

logger = logging.getLogger(__name__)

# --- Reminders --------------------------------------------------------------------------------------------


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def reminder_candidates(round_id: int):
    """Who a reminder would go to: invited (the invitation e-mail left), not submitted, not withdrawn."""
    return Invitation.objects.filter(
        round_id=round_id, submitted=False, revoked_at__isnull=True, send_status=Invitation.SendStatus.SENT
    ).exclude(email="")


@transaction.atomic
def reminders_due_today(round_id: int, now: datetime.datetime | None = None):
    """The candidates who have not had a reminder today: whom a sending now would actually remind."""
    today_start = _start_of_day(timezone.localdate(now or timezone.now()))
    return reminder_candidates(round_id).filter(
        Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lt=today_start)
    )


def request_reminders(*, round: Round, actor=None) -> tuple[ReminderRun, QueueOutcome, int]:
    """Remind now everyone who has not submitted and was not reminded today; returns the sending, whether it
    reached the queue, and how many people it will remind (so the page says what happens, issue 17). When
    everyone left has had a reminder today nothing is created and the admin is told so."""
    from ...tasks import send_reminders_task

    round_ = Round.objects.select_for_update().get(pk=round.pk)
    if round_.status != Round.Status.OPEN:
        raise DomainError(_("Reminders can be sent only while the round is open."))
    if not reminder_candidates(round_.pk).exists():
        raise DomainError(_("There is nobody to remind: everyone invited has submitted."))
    due = reminders_due_today(round_.pk).count()
    if not due:
        raise DomainError(
            _(
                "No reminder was sent: everyone who has not submitted has already had a reminder today. "
                "Try again tomorrow."
            )
        )
    run = ReminderRun.objects.create(
        round=round_, requested_by=actor if getattr(actor, "is_authenticated", False) else None
    )
    record_event(
        action=AuditAction.REMINDERS_REQUESTED,
        organisation=round_.organisation_id,
        actor=actor,
        target=round_,
        round=round_.pk,
        details={"run": run.pk},
    )
    return run, queue_on_commit(send_reminders_task, run.pk, translation.get_language() or "sv"), due


def schedule_due_reminders(*, today: datetime.date | None = None) -> list[int]:
    """Create (once) and queue the reminder sendings that a round's schedule makes due; returns their ids. A
    schedule day is run once however often this runs (unique per round and day). Sendings still queued after
    ``REQUEUE_AFTER`` (the broker was down when they were requested) are queued again: harmless, since each
    person is claimed before being reminded."""
    from ...tasks import send_reminders_task

    today = today or timezone.localdate()
    created = []
    for round_ in Round.objects.filter(status=Round.Status.OPEN, opened_at__isnull=False).exclude(
        reminder_days=[]
    ):
        opened_on = timezone.localdate(round_.opened_at)
        due = [d for d in round_.reminder_days if opened_on + datetime.timedelta(days=int(d)) <= today]
        if not due:
            continue
        latest = max(due)
        if ReminderRun.objects.filter(round=round_, scheduled_day__gte=latest).exists():
            continue
        try:
            with transaction.atomic():
                # Earlier days that were missed (e.g. the schedule was set late) are marked run: one reminder.
                run = ReminderRun.objects.create(round=round_, scheduled_day=latest)
                record_event(
                    action=AuditAction.REMINDERS_SCHEDULED_DUE,
                    organisation=round_.organisation_id,
                    target=round_,
                    round=round_.pk,
                    details={"run": run.pk, "day": latest},
                )
        except IntegrityError:
            continue
        created.append(run.pk)
        publish_task(send_reminders_task, run.pk, "sv")
    stale = ReminderRun.objects.filter(
        status=ReminderRun.Status.QUEUED,
        round__status=Round.Status.OPEN,
        created_at__lt=timezone.now() - REQUEUE_AFTER,
    ).exclude(pk__in=created)
    for run_id in stale.values_list("pk", flat=True):
        publish_task(send_reminders_task, run_id, "sv")
    return created


def send_reminders(*, run_id: int, now: datetime.datetime | None = None) -> ReminderRun:
    """Send the reminders of one sending. Each person is claimed first: nobody gets two reminders on the same
    day, nobody who has submitted gets one, and a redelivered task sends nothing more."""
    now = now or timezone.now()
    run = ReminderRun.objects.select_related("round__organisation", "round__period").get(pk=run_id)
    round_ = run.round
    if round_.status != Round.Status.OPEN:
        ReminderRun.objects.filter(pk=run_id).update(status=ReminderRun.Status.DONE, finished_at=now)
        return run
    today_start = _start_of_day(timezone.localdate(now))
    sent = failed = 0
    connection = get_connection(fail_silently=False)
    opened = False
    try:
        candidates = reminder_candidates(round_.pk).order_by("pk")
        for pk, previous, email, name, language in list(
            candidates.values_list("pk", "last_reminded_at", "email", "name", "language")
        ):
            with transaction.atomic():  # claim the day and create the link's token: one commit
                claimed = Invitation.objects.filter(
                    Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lt=today_start),
                    pk=pk,
                    submitted=False,
                    revoked_at__isnull=True,
                ).update(last_reminded_at=now)
                if not claimed:
                    continue
                raw, token_hash = new_token()
                InvitationToken.objects.create(invitation_id=pk, token_hash=token_hash)
            invitation = Invitation(pk=pk, round=round_, email=email, name=name, language=language)
            try:
                message = email_message(invitation, round_, "reminder", raw)
                if not opened:
                    connection.open()  # one SMTP session for the whole batch
                    opened = True
                message.connection = connection
                message.send()
            except Exception as error:  # SMTP, network, or a message that could not be made
                if not isinstance(error, (smtplib.SMTPException, OSError)):
                    logger.exception("the reminder to invitation %s could not be sent", pk)
                # Give the day back so that a later attempt today may remind this person.
                Invitation.objects.filter(pk=pk, last_reminded_at=now).update(
                    last_reminded_at=previous, last_error=describe_error(error)
                )
                failed += 1
            else:
                # Counted as reminded only now: the mail server has taken the message.
                Invitation.objects.filter(pk=pk).update(reminders_sent=F("reminders_sent") + 1)
                sent += 1
    finally:
        with contextlib.suppress(Exception):
            connection.close()
    ReminderRun.objects.filter(pk=run_id).update(
        status=ReminderRun.Status.DONE,
        finished_at=timezone.now(),
        sent=F("sent") + sent,
        failed=F("failed") + failed,
    )
    record_event(
        action=AuditAction.REMINDERS_SENT,
        organisation=round_.organisation_id,
        target=round_,
        round=round_.pk,
        details={"run": run_id, "sent": sent, "failed": failed},
    )
    run.refresh_from_db()
    return run
