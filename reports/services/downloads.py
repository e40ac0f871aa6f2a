"""Recording who downloaded which annual report, in which format (the audit log)."""

from __future__ import annotations

from django.db import transaction

from surveys.services.audit import AuditAction, record_event

from ..models import ReportJob


@transaction.atomic
def record_report_download(*, job: ReportJob, file_format: str, actor) -> None:
    record_event(
        action=AuditAction.REPORT_DOWNLOADED,
        organisation=job.organisation_id,
        actor=actor,
        target=job,
        details={"report_job": job.pk, "year": job.year, "language": job.language, "format": file_format},
    )


@transaction.atomic
def record_dashboard_export(*, organisation_id: int, name: str, period: str, file_format: str, actor) -> None:
    """Who exported which dashboard (its scope and period) as CSV or XLSX."""
    record_event(
        action=AuditAction.DASHBOARD_EXPORTED,
        organisation=organisation_id,
        actor=actor,
        target=name,
        details={"period": period, "format": file_format},
    )
