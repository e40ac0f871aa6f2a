"""Deleting the respondents' e-mail addresses once a round no longer needs them."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ...models import Invitation, InvitationToken, Round
from ..audit import AuditAction, record_event

# --- Retention --------------------------------------------------------------------------------------------


def delete_expired_email_addresses(*, now: datetime.datetime | None = None) -> int:
    """Blank the e-mail addresses and names of invitations of rounds closed more than
    ``DIMIOS_EMAIL_RETENTION_DAYS`` days ago, and delete their link tokens. Returns how many were blanked."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.DIMIOS_EMAIL_RETENTION_DAYS)
    total = 0
    for round_ in Round.objects.filter(status=Round.Status.CLOSED, closed_at__lte=cutoff):
        with transaction.atomic():
            invitations = Invitation.objects.filter(round=round_).filter(~Q(email="") | ~Q(name=""))
            count = invitations.update(email="", name="")
            InvitationToken.objects.filter(invitation__round=round_).delete()
            if count:
                record_event(
                    action=AuditAction.INVITATIONS_ADDRESSES_DELETED,
                    organisation=round_.organisation_id,
                    target=round_,
                    round=round_.pk,
                    details={"count": count},
                )
        total += count
    return total
