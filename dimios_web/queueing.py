"""Handing work to the task queue after the transaction that wrote it commits, and learning whether the
broker took it (issue 13: one helper instead of a copy per app). The work itself is in the database
(pending invitations, a queued reminder sending, a queued report job), so a broker that is down delays it
(a periodic task picks it up) instead of failing the page; the page says so through ``outcome.queued``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from django.db import transaction

logger = logging.getLogger(__name__)


class HasQueued(Protocol):
    queued: bool | None


OutcomeT = TypeVar("OutcomeT", bound=HasQueued)


@dataclass
class QueueOutcome:
    """Whether the work reached the task queue. None: not known yet (the transaction has not committed)."""

    queued: bool | None = None


def publish_task(task, *args) -> bool:
    """Hand a task to the broker; False (at once, thanks to the short broker timeouts) when it is down."""
    try:
        task.apply_async(args=args, retry=False)
    except Exception:  # kombu.exceptions.OperationalError, redis and socket errors, …
        logger.warning("could not queue %s%r: broker unavailable", task.name, args, exc_info=True)
        return False
    return True


def enqueue_on_commit(publish: Callable[[], bool], outcome: OutcomeT) -> OutcomeT:
    """Like ``delay_on_commit``, but ``publish`` (which hands the work to the broker and says whether it
    took it) runs once the transaction commits, and its answer lands in ``outcome.queued``."""

    def run() -> None:
        outcome.queued = publish()

    transaction.on_commit(run)
    return outcome
