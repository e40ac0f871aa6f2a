"""The annual report: the jobs that build it (one database row per order, so the page can always show where
it is, even when the task queue is down) and the conclusions the digitalisation staff write for it.

State changes live in ``reports.services``; reads in ``reports.selectors.annual``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from surveys.scoping import ScopedQuerySet


class ReportJobQuerySet(ScopedQuerySet):
    scope_path = "organisation"

    def active(self):
        return self.filter(state__in=ReportJob.ACTIVE_STATES)


def report_upload_to(job: ReportJob, filename: str) -> str:
    """A report's files live in the job's own folder of the storage."""
    return f"reports/{job.organisation.code}/{job.year}/{job.pk}/{filename}"


class ReportJob(models.Model):
    """One order of the annual report of an organisation for a calendar year in one language.

    queued → running (``progress`` names the sections done) → done (files stored) or failed (``error``
    says why, in words a user understands). At most one job per organisation, year and language is queued
    or running at a time (a database constraint), so ordering again while one runs starts no second build.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    ACTIVE_STATES = (State.QUEUED, State.RUNNING)

    organisation = models.ForeignKey(
        "surveys.Organisation",
        on_delete=models.CASCADE,
        related_name="report_jobs",
        verbose_name=_("organisation"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES, default="sv")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ordered by"),
    )
    ordered_at = models.DateTimeField(_("ordered"), default=timezone.now)
    # Several jobs ordered together by a platform admin (all organisations for a year) share a batch id.
    batch = models.UUIDField(_("batch"), null=True, blank=True, db_index=True)
    # When the task was last handed to the broker (null: not yet, e.g. the broker was down).
    published_at = models.DateTimeField(null=True, blank=True)
    # The claim of the worker building it: a fresh token per attempt, so that an interrupted worker that
    # comes back cannot overwrite the work of the one that took over.
    claim_token = models.CharField(max_length=32, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # {"done": ["summary", "matrix", …], "current": "departments", "total": 9}
    progress = models.JSONField(_("progress"), default=dict, blank=True)
    error = models.TextField(_("reason"), blank=True, default="")
    # What the report was built from: the rounds with their data_changed_at and result times, and the
    # conclusions' last change. A different fingerprint now means the report is outdated.
    fingerprint = models.CharField(max_length=64, blank=True, default="")
    data_summary = models.JSONField(_("data"), default=dict, blank=True)
    # The files in Django's default storage (STORAGES["default"]: a folder under MEDIA_ROOT, or an object
    # store shared by every web and worker host), named reports/<organisation>/<year>/<job>/<file>.
    pdf_file = models.FileField(upload_to=report_upload_to, max_length=255, blank=True, default="")
    xlsx_file = models.FileField(upload_to=report_upload_to, max_length=255, blank=True, default="")
    # The report's content (JSON) as built: the web page is rendered from it, so it shows what the PDF shows.
    content_file = models.FileField(upload_to=report_upload_to, max_length=255, blank=True, default="")

    objects = ReportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-ordered_at", "-pk"]
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "language"],
                condition=Q(state__in=["queued", "running"]),
                name="report_job_one_active_per_report",
            ),
        ]
        indexes = [models.Index(fields=["state", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year} ({self.language}) #{self.pk} {self.state}"

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE_STATES


class ConclusionQuerySet(ScopedQuerySet):
    scope_path = "organisation"


class Conclusion(models.Model):
    """One numbered conclusion (with its recommendation) of an organisation's annual report, in Markdown.
    Rendered through ``reports.markdown.render_markdown`` (raw HTML is never passed through)."""

    organisation = models.ForeignKey(
        "surveys.Organisation",
        on_delete=models.CASCADE,
        related_name="report_conclusions",
        verbose_name=_("organisation"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text (Markdown)"), blank=True, default="")
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    updated_at = models.DateTimeField(_("last changed"), default=timezone.now)

    objects = ConclusionQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "year", "number"]
        verbose_name = _("conclusion")
        verbose_name_plural = _("conclusions")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "number"], name="conclusion_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year} {self.number}. {self.title}"
