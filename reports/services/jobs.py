"""Ordering the annual report and keeping its jobs moving.

A job is a database row first and a Celery message second: ordering commits the row and then hands the
task to the broker. When the broker (Redis) or every worker is down the order still answers at once with
"queued" – publishing fails fast (short broker timeouts, no publish retry) and the error is caught – and the
periodic ``sweep_report_jobs`` re-sends jobs that have waited too long, and re-queues running jobs whose
worker stopped giving signs of life (killed, out of memory, machine gone).

Exactly one build wins: a worker claims a job with a conditional update that sets a fresh claim token; every
later write (progress, files, done) is conditional on that token, so a worker that was given up for dead
and comes back cannot overwrite the work of the one that took over.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dimios_web.exceptions import DomainError
from dimios_web.queueing import enqueue_on_commit
from maturity.models import RoundResult
from surveys.models import Organisation, Round
from surveys.services.audit import AuditAction, record_event, record_events

from ..models import ReportJob
from ..selectors.annual import list_year_rounds

logger = logging.getLogger(__name__)

# A queued job not picked up within this many seconds is sent again by the sweep.
REQUEUE_AFTER_SECONDS = 120
# A running job whose worker has not written progress for this long is taken as interrupted.
STALE_AFTER_SECONDS = 180
# Builds interrupted this many times are given up (failed) rather than tried forever.
MAX_ATTEMPTS = 4


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


@dataclass
class OrderOutcome:
    job: ReportJob
    created: bool
    queued: bool | None = None  # whether the broker took the task (None: not known before commit)


def _build_in_background(job_id: int, language: str) -> None:
    from django.db import connections

    from ..tasks import build_report_task

    try:
        build_report_task.apply(args=(job_id, language))
    finally:
        connections.close_all()


def _publish(job_id: int, language: str) -> bool:
    """Hand the build to the broker; False at once when it is down (the job row stays queued)."""
    from ..tasks import build_report_task

    if build_report_task.app.conf.task_always_eager and getattr(settings, "REPORT_BUILD_IN_BACKGROUND", True):
        # The embedded default (`make run`, no broker): build in a thread of this process, so that the
        # order still answers at once and the page shows the progress as with a real worker.
        ReportJob.objects.filter(pk=job_id, state=ReportJob.State.QUEUED).update(published_at=timezone.now())
        threading.Thread(
            target=_build_in_background, args=(job_id, language), name=f"report-job-{job_id}", daemon=True
        ).start()
        return True
    try:
        build_report_task.apply_async(args=(job_id, language), retry=False)
    except Exception:  # kombu.exceptions.OperationalError, redis and socket errors, …
        logger.warning("could not queue report job %s: broker unavailable", job_id, exc_info=True)
        return False
    ReportJob.objects.filter(pk=job_id, state=ReportJob.State.QUEUED).update(published_at=timezone.now())
    return True


def _publish_on_commit(outcome: OrderOutcome) -> None:
    enqueue_on_commit(lambda: _publish(outcome.job.pk, outcome.job.language), outcome)


def order_report(
    *, organisation: Organisation, year: int, language: str | None = None, actor=None, batch=None
) -> OrderOutcome:
    """Order the annual report of an organisation for a year. When one is already queued or running for
    the same organisation, year and language, that job is returned and no second build starts."""
    language = _language(language)
    if not list_year_rounds(organisation=organisation, year=year):
        raise DomainError(
            _("%(organisation)s has no results for %(year)s: there is nothing to report yet.")
            % {"organisation": organisation.name, "year": year},
            field="year",
        )
    # A build that stopped (its worker killed, or the web process restarted in the embedded mode) is
    # started again here rather than blocking new orders until the periodic sweep gets to it.
    sweep_report_jobs(only={"organisation": organisation, "year": year, "language": language})
    active = ReportJob.objects.filter(
        organisation=organisation, year=year, language=language, state__in=ReportJob.ACTIVE_STATES
    ).first()
    if active is not None:
        return OrderOutcome(job=active, created=False, queued=active.published_at is not None or None)
    try:
        with transaction.atomic():
            job = ReportJob.objects.create(
                organisation=organisation, year=year, language=language, ordered_by=actor, batch=batch
            )
            record_event(
                action=AuditAction.REPORT_ORDERED,
                organisation=organisation,
                actor=actor,
                target=job,
                details={"report_job": job.pk, "year": year, "language": language},
            )
            outcome = OrderOutcome(job=job, created=True)
            _publish_on_commit(outcome)
    except IntegrityError:
        # Someone ordered the same report at the same moment: theirs is the one being built.
        active = ReportJob.objects.filter(
            organisation=organisation, year=year, language=language, state__in=ReportJob.ACTIVE_STATES
        ).first()
        if active is None:
            raise
        return OrderOutcome(job=active, created=False)
    return outcome


def order_all_reports(*, year: int, language: str | None = None, actor=None) -> list[OrderOutcome]:
    """A platform admin orders the report of every organisation with results in the year, in one go. Each
    becomes its own job and task, so the running workers share the work.

    In a constant number of queries, whatever the number of organisations (1 500 took about a minute one
    at a time, close to gunicorn's timeout): one sweep of the year's stopped builds, the organisations
    with a closed round of the year with results, the jobs already active (returned, not doubled), then
    the new jobs and their audit events in one transaction, published together once it commits. Should
    another order of one of these reports commit at the same moment (the database's one-active-job rule
    refuses the batch), they are ordered one at a time as ``order_report`` does."""
    language = _language(language)
    batch = uuid.uuid4()
    sweep_report_jobs(only={"year": year, "language": language})
    organisations = list(
        Organisation.objects.filter(
            rounds__period__year=year,
            rounds__status=Round.Status.CLOSED,
            rounds__results__scope=RoundResult.Scope.ORGANISATION,
        )
        .distinct()
        .order_by("name", "pk")
    )
    active = {
        job.organisation_id: job
        for job in ReportJob.objects.filter(
            organisation__in=organisations, year=year, language=language, state__in=ReportJob.ACTIVE_STATES
        )
    }
    new = [organisation for organisation in organisations if organisation.pk not in active]
    try:
        with transaction.atomic():
            created = ReportJob.objects.bulk_create(
                [
                    ReportJob(organisation=o, year=year, language=language, ordered_by=actor, batch=batch)
                    for o in new
                ],
                batch_size=500,
            )
            record_events(
                action=AuditAction.REPORT_ORDERED,
                actor=actor,
                events=[
                    {
                        "organisation": job.organisation_id,
                        "target": job,
                        "details": {"report_job": job.pk, "year": year, "language": language},
                    }
                    for job in created
                ],
            )
            fresh = [OrderOutcome(job=job, created=True) for job in created]
            _publish_all_on_commit(fresh)
    except IntegrityError:
        return [
            order_report(organisation=o, year=year, language=language, actor=actor, batch=batch)
            for o in organisations
        ]
    by_organisation = {outcome.job.organisation_id: outcome for outcome in fresh}
    for organisation_id, job in active.items():
        by_organisation[organisation_id] = OrderOutcome(
            job=job, created=False, queued=job.published_at is not None or None
        )
    return [by_organisation[o.pk] for o in organisations]


def _publish_many(outcomes: list[OrderOutcome]) -> None:
    """Hand many builds to the broker over one connection, then mark them published in one UPDATE. The
    broker down: the first failure stops the rest (each would fail the same way); the jobs stay queued and
    the sweep sends them later."""
    from ..tasks import build_report_task

    if not outcomes:
        return
    if build_report_task.app.conf.task_always_eager:
        for outcome in outcomes:  # the embedded default: a background build each, as for one order
            outcome.queued = _publish(outcome.job.pk, outcome.job.language)
        return
    published = []
    try:
        with build_report_task.app.producer_or_acquire() as producer:
            for outcome in outcomes:
                build_report_task.apply_async(
                    args=(outcome.job.pk, outcome.job.language), retry=False, producer=producer
                )
                outcome.queued = True
                published.append(outcome.job.pk)
    except Exception:  # kombu.exceptions.OperationalError, redis and socket errors, …
        logger.warning("could not queue %d report jobs: broker unavailable", len(outcomes), exc_info=True)
    for outcome in outcomes:
        if outcome.queued is None:
            outcome.queued = False
    ReportJob.objects.filter(pk__in=published, state=ReportJob.State.QUEUED).update(
        published_at=timezone.now()
    )


def _publish_all_on_commit(outcomes: list[OrderOutcome]) -> None:
    transaction.on_commit(lambda: _publish_many(outcomes))


def _language(language: str | None) -> str:
    language = (language or translation.get_language() or "sv")[:2]
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def retry_report(*, job: ReportJob, actor=None) -> OrderOutcome:
    """The retry button of a failed report: a new order of the same report."""
    return order_report(organisation=job.organisation, year=job.year, language=job.language, actor=actor)


# --- The worker's side ----------------------------------------------------------------------------------


def claim_job(*, job_id: int) -> str | None:
    """Take a job for building: a queued job, or a running one whose worker has gone silent. Returns the
    claim token, or None when there is nothing to do (done, failed, or another worker is on it)."""
    now = timezone.now()
    stale = now - timedelta(seconds=_setting("REPORT_STALE_AFTER_SECONDS", STALE_AFTER_SECONDS))
    token = uuid.uuid4().hex
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            return None
        claimable = job.state == ReportJob.State.QUEUED or (
            job.state == ReportJob.State.RUNNING and (job.heartbeat_at is None or job.heartbeat_at < stale)
        )
        if not claimable:
            return None
        job.state = ReportJob.State.RUNNING
        job.claim_token = token
        job.attempts += 1
        job.started_at = now
        job.heartbeat_at = now
        job.progress = {"done": [], "current": "", "total": 0}
        job.error = ""
        job.save(
            update_fields=[
                "state",
                "claim_token",
                "attempts",
                "started_at",
                "heartbeat_at",
                "progress",
                "error",
            ]
        )
    return token


def record_progress(*, job_id: int, token: str, done: list[str], current: str, total: int) -> bool:
    """Write the sections done so far (and that the worker is alive). False when the claim was lost."""
    return bool(
        ReportJob.objects.filter(pk=job_id, claim_token=token, state=ReportJob.State.RUNNING).update(
            progress={"done": list(done), "current": current, "total": total}, heartbeat_at=timezone.now()
        )
    )


def finish_job(
    *, job_id: int, token: str, files: dict[str, str], fingerprint: str, data_summary: dict, total: int
) -> bool:
    updated = ReportJob.objects.filter(pk=job_id, claim_token=token, state=ReportJob.State.RUNNING).update(
        state=ReportJob.State.DONE,
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
        pdf_file=files.get("pdf", ""),
        xlsx_file=files.get("xlsx", ""),
        content_file=files.get("content", ""),
        fingerprint=fingerprint,
        data_summary=data_summary,
        progress={"done": [], "current": "", "total": total, "finished": True},
    )
    return bool(updated)


def fail_job(*, job_id: int, reason: str, token: str | None = None) -> bool:
    """Give up on a job with a reason a user can read (the retry button orders it again)."""
    jobs = ReportJob.objects.filter(pk=job_id, state__in=ReportJob.ACTIVE_STATES)
    if token is not None:
        jobs = jobs.filter(claim_token=token)
    return bool(jobs.update(state=ReportJob.State.FAILED, error=reason, finished_at=timezone.now()))


def release_job(*, job_id: int, token: str) -> None:
    """Put a job back in the queue before a retry (a transient error): the next attempt claims it anew."""
    ReportJob.objects.filter(pk=job_id, claim_token=token, state=ReportJob.State.RUNNING).update(
        state=ReportJob.State.QUEUED, claim_token="", heartbeat_at=None
    )


# --- The periodic sweep ---------------------------------------------------------------------------------


def sweep_report_jobs(*, now=None, only=None) -> dict[str, list[int]]:
    """Re-send queued jobs that nobody picked up (the broker was down, or the message was lost with a
    killed worker) and re-queue running jobs whose worker went silent; give up on jobs interrupted
    ``MAX_ATTEMPTS`` times. Safe to run often and from several places at once."""
    now = now or timezone.now()
    requeue_after = timedelta(seconds=_setting("REPORT_REQUEUE_AFTER_SECONDS", REQUEUE_AFTER_SECONDS))
    stale_after = timedelta(seconds=_setting("REPORT_STALE_AFTER_SECONDS", STALE_AFTER_SECONDS))
    max_attempts = _setting("REPORT_MAX_ATTEMPTS", MAX_ATTEMPTS)
    result: dict[str, list[int]] = {"resent": [], "requeued": [], "failed": []}

    candidates = ReportJob.objects.all() if only is None else ReportJob.objects.filter(**only)
    stale_running = candidates.filter(state=ReportJob.State.RUNNING).filter(
        Q(heartbeat_at__lt=now - stale_after) | Q(heartbeat_at__isnull=True)
    )
    for job in stale_running:
        if job.attempts >= max_attempts:
            if fail_job(
                job_id=job.pk,
                token=job.claim_token,
                reason=_("The build was interrupted %(count)d times (the worker stopped). Try again later.")
                % {"count": job.attempts},
            ):
                result["failed"].append(job.pk)
            continue
        if ReportJob.objects.filter(
            pk=job.pk, claim_token=job.claim_token, state=ReportJob.State.RUNNING
        ).update(state=ReportJob.State.QUEUED, claim_token="", heartbeat_at=None, published_at=None):
            result["requeued"].append(job.pk)

    waiting = candidates.filter(state=ReportJob.State.QUEUED).filter(
        Q(published_at__isnull=True) | Q(published_at__lt=now - requeue_after)
    )
    for job in waiting:
        if _publish(job.pk, job.language):
            result["resent"].append(job.pk)
    if any(result.values()):
        logger.info("report sweep: %s", result)
    return result
