"""Recording that an organisation's audit log was exported (the export itself is in the log too)."""

from __future__ import annotations

from surveys.models import Organisation
from surveys.services.audit import AuditAction, record_event


def record_audit_export(*, organisation: Organisation, actor, filters: dict) -> None:
    record_event(
        action=AuditAction.AUDIT_EXPORTED,
        organisation=organisation,
        actor=actor,
        target=organisation.name,
        details={key: str(value) for key, value in filters.items() if value},
    )
