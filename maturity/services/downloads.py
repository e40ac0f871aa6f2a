"""Downloads of stored results: recorded in the audit log (who downloaded what, when)."""

from __future__ import annotations

from django.db import transaction

from surveys.models import Round
from surveys.services.audit import AuditAction, record_event


@transaction.atomic
def record_results_download(*, round_: Round, actor, file_format: str) -> None:
    record_event(
        organisation=round_.organisation_id,
        actor=actor,
        action=AuditAction.RESULTS_DOWNLOADED,
        target=str(round_),
        round=round_,
        details={"period": round_.period.code, "format": file_format},
    )
