from __future__ import annotations

from ..models import AuditAction, AuditEvent


def record_heartbeat(*, token: str) -> AuditEvent:
    """Idempotent: one row per token however often the task runs."""
    event, _created = AuditEvent.objects.get_or_create(
        action=AuditAction.WORKER_HEARTBEAT, target=token[:200]
    )
    return event
