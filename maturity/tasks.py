"""Celery tasks of the maturity app: thin wrappers (ids in) around the services; a rerun is harmless."""

from __future__ import annotations

from celery import shared_task

from .services.results import compute_round_results


@shared_task(acks_late=True, max_retries=3, ignore_result=True, time_limit=300)
def compute_round_results_task(round_id: int, locale: str = "sv") -> int:
    """(Re)compute the stored results of a round. Idempotent: the round's rows are replaced. ``locale`` is
    accepted for the house convention; results carry no text."""
    return compute_round_results(round_id=round_id)
