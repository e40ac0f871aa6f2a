from __future__ import annotations

from ..models import AuditEvent


def record_heartbeat(*, token: str) -> AuditEvent:
    """Idempotent: one row per token however often the task runs."""
    event, _created = AuditEvent.objects.get_or_create(action="worker.heartbeat", target=token[:200])
    return event
