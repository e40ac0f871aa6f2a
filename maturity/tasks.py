"""Celery tasks of the maturity app: thin wrappers (ids in) around the services; a rerun is harmless."""

from __future__ import annotations

from celery import shared_task

from .services import action_digests, closing, comparisons
from .services.results import compute_round_results


@shared_task(acks_late=True, max_retries=3, ignore_result=True, time_limit=300)
def compute_round_results_task(round_id: int, locale: str = "sv") -> int:
    """(Re)compute the stored results of a round. Idempotent: the round's rows are replaced. ``locale`` is
    accepted for the house convention; results carry no text."""
    return compute_round_results(round_id=round_id)


@shared_task(ignore_result=True)
def close_due_rounds_task() -> list[int]:
    """Periodic: close every round past its last day and freeze its results."""
    return closing.close_due_rounds()


@shared_task(ignore_result=True)
def release_response_pools_task() -> dict[int, int]:
    """Periodic: release full batches of the response pool into the response tables
    (``surveys.services.pool``); a closed round's late pool is released and its results recomputed."""
    return closing.release_open_pools()


@shared_task(ignore_result=True)
def refresh_stale_comparisons_task() -> list[int]:
    """Periodic: refresh the stored comparison aggregates of periods whose rounds or organisations changed in
    ``surveys`` since (docs/dashboards.md)."""
    return comparisons.refresh_stale_comparisons()


@shared_task(
    bind=True,
    acks_late=True,
    max_retries=3,
    default_retry_delay=10 * 60,
    ignore_result=True,
    soft_time_limit=1500,
    time_limit=1800,
)
def send_action_digests_task(self, locale: str = "sv") -> dict[str, int]:
    """Periodic (Mondays 07:00): this week's digest of actions to each owner who has not had it. A rerun or a
    redelivery sends nobody a second digest (``ActionDigest`` is unique per person and week); when some
    could not be sent (the mail server), the task retries with backoff and sends only those. ``locale`` is
    accepted for the house convention; the digests are in Swedish."""
    run = action_digests.send_action_digests()
    if run.failed:
        raise self.retry(countdown=self.default_retry_delay * (2**self.request.retries))
    return {"sent": len(run.sent), "already_sent": len(run.already_sent), "failed": len(run.failed)}
