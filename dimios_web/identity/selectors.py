"""Reads for the identity pages: an organisation's audit log with its filters, its login policy."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from surveys.models import AuditEvent, Organisation

from .models import OrganisationLogin

PAGE_SIZE = 50


def get_login_policy(organisation: Organisation) -> OrganisationLogin:
    """The organisation's login row, or an unsaved default (SSO off, passwords on, MFA optional)."""
    return OrganisationLogin.objects.filter(organisation=organisation).first() or OrganisationLogin(
        organisation=organisation
    )


def list_audit_people(organisation: Organisation) -> list[tuple[str, str]]:
    """Everyone who appears as the person of an event in this organisation's log (for the filter)."""
    events = AuditEvent.objects.filter(organisation=organisation)
    ids = events.exclude(actor=None).values_list("actor_id", flat=True).distinct()
    users = get_user_model().objects.filter(pk__in=ids).order_by("email", "username")
    people = [(str(user.pk), user.email or user.get_username()) for user in users]
    pseudonyms = (
        events.exclude(actor_pseudonym="").values_list("actor_pseudonym", flat=True).distinct().order_by()
    )
    people += [(f"p:{name}", name) for name in sorted(set(pseudonyms))]
    return people


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def list_audit_events(
    organisation: Organisation,
    *,
    action: str = "",
    person: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(organisation=organisation).select_related("actor")
    if action:
        events = events.filter(action=action)
    if person.startswith("p:"):
        events = events.filter(actor_pseudonym=person[2:])
    elif person:
        events = events.filter(Q(actor_id=int(person)) if person.isdigit() else Q(pk__in=[]))
    if date_from:
        events = events.filter(created_at__gte=_day_start(date_from))
    if date_to:
        events = events.filter(created_at__lt=_day_start(date_to + datetime.timedelta(days=1)))
    return events.order_by("-created_at", "-pk")
