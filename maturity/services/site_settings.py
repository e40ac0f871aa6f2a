"""The instance's site settings that a platform admin changes in the product (``maturity.SiteSettings``,
one row): whether the national overview is public (docs/national-overview.md)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ..models import SiteSettings

SITE_SETTINGS_PK = 1


def set_public_national_overview(*, enabled: bool) -> SiteSettings:
    """Switch the public national overview on or off (the platform admin's page; the caller checks who)."""
    with transaction.atomic():
        settings, _created = SiteSettings.objects.select_for_update().get_or_create(pk=SITE_SETTINGS_PK)
        settings.public_national_overview = enabled
        settings.changed_at = timezone.now()
        settings.save(update_fields=["public_national_overview", "changed_at"])
    return settings
