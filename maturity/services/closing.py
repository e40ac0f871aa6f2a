"""Use cases that close a round's data and freeze its results: they span the survey records (``surveys``)
and the stored results (here), so they are orchestrated from this, the upper, layer (issue 13).

- ``close_round``: the round is closed exactly when its results are stored (one transaction);
- ``close_due_rounds``: the scheduled closing of every round whose last day has passed;
- ``release_open_pools``: the periodic release of the response pool; a closed round that still has pooled
  responses (it cannot happen through ``close_round``, which releases all) releases them and has its
  results recomputed."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from dimios_web.exceptions import DomainError
from surveys.models import Round
from surveys.services import pool
from surveys.services import rounds as round_services

from .results import compute_round_results

logger = logging.getLogger(__name__)


def close_round(*, round: Round, actor=None, automatic: bool = False) -> Round:
    """Close the round and freeze its results, in one transaction: the round is closed exactly when its
    results are stored. Personal links stop working (the respondent pages check the status)."""
    with transaction.atomic():
        round_ = round_services.mark_closed(round=round, actor=actor, automatic=automatic)
        compute_round_results(round_id=round_.pk)
    return round_


def close_due_rounds(*, today: datetime.date | None = None) -> list[int]:
    """Close every open round whose last day (its own closing date or the window's end) has passed. Each
    round in its own transaction, so one failure does not keep the others open."""
    today = today or timezone.localdate()
    closed = []
    for round_ in Round.objects.filter(status=Round.Status.OPEN).select_related("period"):
        if round_.last_day < today:
            try:
                close_round(round=round_, automatic=True)
            except DomainError:
                continue  # closed meanwhile by someone else
            closed.append(round_.pk)
    return closed


def release_open_pools() -> dict[int, int]:
    """Periodic: mid-round releases for every open round with pooled responses; a closed round that still
    has some releases all of them and has its results recomputed."""
    released: dict[int, int] = {}
    for round_id, status in pool.open_pool_round_ids().items():
        if status == Round.Status.CLOSED:
            released[round_id] = _release_late(round_id=round_id)
        else:
            released[round_id] = pool.release_pool(round_id=round_id)
    return released


def _release_late(*, round_id: int) -> int:
    with transaction.atomic():
        n = pool.release_pool(round_id=round_id, final=True)
        if n:
            Round.objects.filter(pk=round_id).update(data_changed_at=timezone.now())
            compute_round_results(round_id=round_id)
    if n:
        logger.warning(
            "Released %s pooled responses of closed round %s and recomputed its results", n, round_id
        )
    return n
