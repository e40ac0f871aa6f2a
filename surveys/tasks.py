"""Celery tasks of the surveys app: thin wrappers (ids and a locale in) around the services. Each is safe
to run twice: the services claim their work with conditional updates."""

from __future__ import annotations

import time

from celery import shared_task
from django.utils import translation

from .services import invitations, periods, respondents

BATCH_TIME_BUDGET = 60  # seconds of sending before the task hands the rest to a fresh task


@shared_task(bind=True, acks_late=True, max_retries=5, ignore_result=True)
def send_invitations_task(self, round_id: int, locale: str = "sv") -> dict:
    """Send the round's pending invitations in batches. Mail-server trouble: retried with backoff; after
    the last attempt the invitations are shown as failed with the reason."""
    started = time.monotonic()
    totals = {"sent": 0, "failed": 0, "bounced": 0}
    with translation.override(locale):
        while True:
            result = invitations.send_invitation_batch(round_id=round_id)
            totals["sent"] += result.sent
            totals["failed"] += result.failed
            totals["bounced"] += result.bounced
            if result.retry_later:
                if self.request.is_eager:
                    break  # no broker to wait on: the periodic send_pending_invitations_task tries again
                raise self.retry(countdown=min(600, 15 * 2**self.request.retries))
            progressed = result.sent or result.failed or result.bounced
            if not result.remaining or not progressed:
                break
            if not self.request.is_eager and time.monotonic() - started > BATCH_TIME_BUDGET:
                self.apply_async(args=(round_id, locale))
                break
    return totals


@shared_task(acks_late=True, ignore_result=True)
def send_pending_invitations_task() -> list[int]:
    """Periodic: pick up invitations left pending (the broker was down when the admin pressed send, or a
    retry ran out) in open rounds."""
    round_ids = invitations.rounds_with_pending_invitations()
    for round_id in round_ids:
        send_invitations_task.delay(round_id)
    return round_ids


@shared_task(acks_late=True, ignore_result=True)
def send_reminders_task(run_id: int, locale: str = "sv") -> None:
    with translation.override(locale):
        invitations.send_reminders(run_id=run_id)


@shared_task(ignore_result=True)
def schedule_due_reminders_task() -> list[int]:
    return invitations.schedule_due_reminders()


@shared_task(ignore_result=True)
def ensure_periods_task() -> None:
    periods.ensure_periods()


@shared_task(ignore_result=True)
def delete_expired_email_addresses_task() -> int:
    respondents.delete_old_uploads()
    return invitations.delete_expired_email_addresses()
