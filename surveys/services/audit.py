"""The audit log: who did what, when. Every open, close, invitation send and reminder is recorded."""

from __future__ import annotations

from typing import Any

from ..models import AuditEvent, Organisation


def record_event(
    *,
    action: str,
    organisation: Organisation | int | None = None,
    actor=None,
    target: Any = "",
    details: dict | None = None,
) -> AuditEvent:
    """Record one event. ``actor`` None means the system (a scheduled task). Call it inside the
    transaction of the change it records, so that the event exists exactly when the change does."""
    organisation_id = organisation.pk if isinstance(organisation, Organisation) else organisation
    actor_id = (
        getattr(actor, "pk", None)
        if actor is not None and getattr(actor, "is_authenticated", False)
        else None
    )
    return AuditEvent.objects.create(
        organisation_id=organisation_id,
        actor_id=actor_id,
        action=action,
        target=str(target)[:200],
        details=details or {},
    )
