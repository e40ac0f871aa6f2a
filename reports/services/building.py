"""Building one annual report: gather the content section by section (progress written as it goes),
draw the charts, print the PDF, write the XLSX, store the files and mark the job done.

Idempotent: a job's files have fixed names in the job's own folder of Django's default storage
(``reports/<organisation>/<year>/<job>/``, ``ReportJob``'s ``upload_to``); a rerun replaces the file of
the same name (so one file stays), and a reader never sees a half-written file because the job names its
files only when it is done. Only the worker holding the job's claim may mark it done (``jobs.finish_job``).
Everything goes through the storage API, never a path: with an object store as the default storage, web
and worker hosts share no disk (docs/deployment.md)."""

from __future__ import annotations

import contextlib
import json
import logging
import posixpath
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dimios_web import formatting, localformat
from surveys.access import Visibility
from surveys.services.audit import AuditAction, record_event

from .. import pdf as pdf_engine
from ..annual_figures import build_figures
from ..models import ReportJob
from ..selectors.annual import SECTIONS, compute_fingerprint, section_titles
from ..selectors.report_content import NoResults, get_report_content, report_toc
from ..xlsx_report import build_xlsx
from . import jobs

logger = logging.getLogger(__name__)

OUTPUT_STEPS = ("pdf", "xlsx")


class LostClaim(Exception):
    """Another worker took the job over (this one was taken for dead): stop without writing."""


def report_directory(job: ReportJob) -> str:
    return posixpath.dirname(report_file_name(job, "x"))


def report_file_name(job: ReportJob, filename: str) -> str:
    """The storage name of one of the job's files (the model field's ``upload_to``)."""
    return ReportJob._meta.get_field("pdf_file").generate_filename(job, filename)


def report_storage() -> Storage:
    """The storage of the report files: the model fields' (Django's default storage)."""
    return ReportJob._meta.get_field("pdf_file").storage


def file_stem(job: ReportJob) -> str:
    return f"arsrapport-{job.organisation.code}-{job.year}-{job.language}"


def store_file(name: str, data: bytes) -> str:
    """Store ``data`` under ``name`` in the report storage, replacing a file of that name (a rerun of the same
    job). Returns the name the storage gave it."""
    storage = report_storage()
    if storage.exists(name):
        storage.delete(name)
    return storage.save(name, ContentFile(data))


def open_stored(name: str | None) -> File | None:
    """A stored report file opened for reading (streamed from the storage), or None when it is gone."""
    storage = report_storage()
    if not name or not storage.exists(name):
        return None
    return storage.open(name, "rb")


def load_content(job: ReportJob) -> dict | None:
    """The content a finished report was built from (for its web page)."""
    handle = open_stored(job.content_file.name)
    if handle is None:
        return None
    with handle:
        return json.loads(handle.read().decode("utf-8"))


def report_context(content: dict) -> dict:
    """What the report templates need besides the content: the contents list and the headings."""
    toc = report_toc(content)
    return {
        "content": content,
        "figures": content["figures"],
        "titles": section_titles(),
        "toc": toc,
        "headings": {entry["id"]: entry["text"] for entry in toc},
        "toc_pages": {},
    }


def render_print_html(content: dict, *, toc_pages: dict[str, int]) -> str:
    context = report_context(content)
    context.update(
        {
            "toc_pages": toc_pages,
            "plotly_uri": (
                Path(settings.BASE_DIR) / "static" / "vendor" / "plotly" / "plotly-cartesian.min.js"
            ).as_uri(),
            "report_charts_uri": (Path(settings.BASE_DIR) / "static" / "js" / "report-charts.js").as_uri(),
            "print": True,
        }
    )
    return render_to_string("reports/report_print.html", context)


def _data_as_of(data_summary: dict, year: int) -> str:
    """ "HT 2025: 13 oktober 2025 kl. 17.02" for each round of the year: when its data last changed (local
    time, dimios_web.formatting)."""
    parts = []
    for r in data_summary["rounds"]:
        if not r["period"].startswith(str(year)):
            continue
        changed = datetime.fromisoformat(r["data_changed_at"])
        parts.append(f"{formatting.period_from_code(r['period'])}: {localformat.date_time(changed)}")
    return ", ".join(parts)


def build_report(*, job_id: int, token: str, worker: str = "") -> None:
    """Build the report of a claimed job. Raises ``NoResults`` (nothing to report), ``LostClaim``, or
    whatever went wrong on the way (the task decides whether that is worth a retry)."""
    job = ReportJob.objects.select_related("organisation", "ordered_by").get(pk=job_id)
    steps = [*SECTIONS, *OUTPUT_STEPS]
    done: list[str] = []

    def progress(section: str) -> None:
        if not jobs.record_progress(job_id=job_id, token=token, done=done, current=section, total=len(steps)):
            raise LostClaim
        done.append(section)

    with translation.override(job.language):
        fingerprint, data_summary = compute_fingerprint(organisation=job.organisation, year=job.year)
        content = get_report_content(
            organisation=job.organisation,
            year=job.year,
            # Ordered by an organisation admin or management (or the platform admin for every
            # organisation): readers of the whole organisation.
            visibility=Visibility.everything(),
            progress=progress,
        )
        content["figures"] = build_figures(content)
        ordered_by = job.ordered_by
        content["built_for"] = {
            "language": job.language,
            "job": job.pk,
            "ordered_by": (ordered_by.get_full_name() or ordered_by.email or ordered_by.username)
            if ordered_by
            else "",
            "built_on": localformat.date(timezone.localdate()),
            "data_as_of": _data_as_of(data_summary, job.year),
        }
        stem = file_stem(job)
        content_bytes = json.dumps(content, cls=DjangoJSONEncoder, ensure_ascii=False).encode("utf-8")

        progress("pdf")
        pdf_bytes = pdf_engine.print_pdf(
            lambda toc_pages: render_print_html(content, toc_pages=toc_pages),
            page_word=_("Page"),
            of_word=_("of"),
        )
        progress("xlsx")
        xlsx_bytes = build_xlsx(content)
        done.append("xlsx")
        if not jobs.record_progress(job_id=job_id, token=token, done=done, current="", total=len(steps)):
            raise LostClaim
        files = {
            "content": store_file(report_file_name(job, f"{stem}.json"), content_bytes),
            "pdf": store_file(report_file_name(job, f"{stem}.pdf"), pdf_bytes),
            "xlsx": store_file(report_file_name(job, f"{stem}.xlsx"), xlsx_bytes),
        }
    if not jobs.finish_job(
        job_id=job_id,
        token=token,
        files=files,
        fingerprint=fingerprint,
        data_summary=data_summary,
        total=len(steps),
    ):
        raise LostClaim
    logger.info("report job %s built: %s", job_id, files)
    record_event(
        action=AuditAction.REPORT_BUILT,
        organisation=job.organisation_id,
        target=job,
        details={"report_job": job.pk, "year": job.year, "language": job.language, "worker": worker},
    )
    remove_superseded_files(job=job)


def failure_reason(exc: BaseException) -> str:
    """What to tell the user when a build has failed for good, in words they can act on."""
    from django.db import DatabaseError

    if isinstance(exc, pdf_engine.PdfEngineError):
        return _("The PDF could not be printed: the PDF engine (Chromium) did not answer. Try again later.")
    if isinstance(exc, DatabaseError):
        return _("The database could not be reached while the report was built. Try again later.")
    if isinstance(exc, OSError):
        return _(
            "The report files could not be saved (the disk may be full). Tell the platform administrator."
        )
    return _(
        "The report could not be built (%(error)s). Try again; if it fails again, tell the platform "
        "administrator."
    ) % {"error": type(exc).__name__}


def remove_superseded_files(*, job: ReportJob) -> list[int]:
    """Delete the files of earlier finished reports of the same organisation, year and language (their rows
    stay, as the record of who ordered what and when): only the newest report can be downloaded."""
    older = list(
        ReportJob.objects.filter(
            organisation_id=job.organisation_id,
            year=job.year,
            language=job.language,
            state=ReportJob.State.DONE,
            pk__lt=job.pk,
        ).exclude(pdf_file="", xlsx_file="", content_file="")
    )
    storage = report_storage()
    for old in older:
        ReportJob.objects.filter(pk=old.pk).update(pdf_file="", xlsx_file="", content_file="")
        directory = report_directory(old)
        names = {f.name for f in (old.pdf_file, old.xlsx_file, old.content_file) if f.name}
        # The folder may be gone, or the storage unable to list: then the named files are all there is.
        with contextlib.suppress(FileNotFoundError, NotImplementedError):
            names.update(posixpath.join(directory, name) for name in storage.listdir(directory)[1])
        for name in names:
            storage.delete(name)
        _remove_empty_folder(storage, directory)
    return [old.pk for old in older]


def _remove_empty_folder(storage: Storage, directory: str) -> None:
    """A folder on disk stays when its files are deleted; an object store has no folders."""
    try:
        path = Path(storage.path(directory))
    except NotImplementedError:
        return
    if path.is_dir() and not any(path.iterdir()):
        path.rmdir()


def run_report_job(*, job_id: int, worker: str = "") -> str:
    """Claim and build a job; the task's whole body. Returns what happened: "built", "skipped" (nothing to
    do: done, failed, or another worker has it) or "no-results". Other errors propagate with the claim
    released, so the task can retry."""
    token = jobs.claim_job(job_id=job_id)
    if token is None:
        return "skipped"
    try:
        build_report(job_id=job_id, token=token, worker=worker)
    except LostClaim:
        return "skipped"
    except NoResults:
        with translation.override(ReportJob.objects.get(pk=job_id).language):
            jobs.fail_job(
                job_id=job_id,
                token=token,
                reason=_("There are no results for this year any more: nothing to report."),
            )
        return "no-results"
    except BaseException:
        jobs.release_job(job_id=job_id, token=token)
        raise
    return "built"
