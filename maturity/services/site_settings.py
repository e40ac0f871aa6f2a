"""The instance's site settings that a platform admin changes in the product (``maturity.SiteSettings``,
one row): whether the national overview is public (docs/national-overview.md)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from surveys.services.audit import ActorLike, AuditAction, record_event

from ..models import SiteSettings

SITE_SETTINGS_PK = 1


def set_public_national_overview(*, enabled: bool, actor: ActorLike) -> SiteSettings:
    """Switch the public national overview on or off (the platform admin's page; the caller checks who).
    A real change is audited; posting the same state again records nothing."""
    with transaction.atomic():
        settings, _created = SiteSettings.objects.select_for_update().get_or_create(pk=SITE_SETTINGS_PK)
        if settings.public_national_overview == enabled:
            return settings
        settings.public_national_overview = enabled
        settings.changed_at = timezone.now()
        settings.save(update_fields=["public_national_overview", "changed_at"])
        record_event(
            action=AuditAction.NATIONAL_OVERVIEW_PUBLIC_CHANGED,
            actor=actor,
            target="national_overview",
            details={"public": enabled},
        )
    return settings
