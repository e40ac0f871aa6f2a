"""Celery tasks of the reports app: thin wrappers (ids and a locale in) around the services.

``build_report_task`` is safe to run twice (the build claims its job with a conditional update and writes
its files under fixed names through a temporary file), so it acknowledges late: a worker killed mid-build
leaves the message to be delivered again, and the periodic ``sweep_report_jobs_task`` re-sends jobs that
waited too long. Transient trouble (database, disk, Chromium) is retried with backoff; after the last
attempt the job is marked failed with a readable reason."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import translation
from django.utils.translation import gettext as _

from .services import building, jobs

logger = logging.getLogger(__name__)

MAX_RETRIES = 3


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=10 * 60,
    time_limit=11 * 60,
    ignore_result=True,
)
def build_report_task(self, job_id: int, locale: str = "sv") -> str:
    try:
        return building.run_report_job(job_id=job_id, worker=self.request.hostname or "")
    except SoftTimeLimitExceeded:
        with translation.override(locale):
            jobs.fail_job(job_id=job_id, reason=_("Building the report took too long and was stopped."))
        return "failed"
    except Exception as exc:
        if self.request.retries < self.max_retries and not self.request.is_eager:
            logger.warning("report job %s: attempt %s failed, retrying", job_id, self.request.retries + 1)
            raise self.retry(exc=exc, countdown=min(300, 10 * 2**self.request.retries)) from exc
        logger.exception("report job %s failed", job_id)
        with translation.override(locale):
            jobs.fail_job(job_id=job_id, reason=building.failure_reason(exc))
        return "failed"


@shared_task(ignore_result=True)
def sweep_report_jobs_task() -> dict:
    """Periodic: re-send report jobs nobody picked up and re-queue those whose worker went silent."""
    return jobs.sweep_report_jobs()
