"""GDPR for staff users: everything stored about one (a subject access request), and their removal with the
audit log kept under a pseudonym.

Respondents are not staff users: their e-mail addresses live only on invitations and are deleted after the
round closes (surveys.services.invitations.delete_expired_email_addresses)."""

from __future__ import annotations

import secrets
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dimios_web.exceptions import DomainError
from surveys.models import AuditEvent, RoleAssignment
from surveys.services.audit import AuditAction, record_event

from ..policy import organisation_ids

# Rows exported in their own sections (with the fields a person understands) rather than as related rows.
_OWN_SECTIONS = {
    ("surveys.RoleAssignment", "user"),
    ("surveys.AuditEvent", "actor"),
    ("surveys.AuditEvent", "subject_user"),  # in "audit_events_about_the_user"
    ("socialaccount.SocialAccount", "user"),
    ("mfa.Authenticator", "user"),
    ("account.EmailAddress", "user"),
}


def find_staff_user(identifier: str):
    from ..policy import find_user_by_login

    user = find_user_by_login(identifier)
    if user is None:
        raise DomainError(
            _("No staff user has the e-mail address or user name %(who)s.") % {"who": identifier}
        )
    return user


def _event(event: AuditEvent) -> dict[str, Any]:
    return {
        "when": event.created_at.isoformat(),
        "organisation": str(event.organisation) if event.organisation_id else None,
        "action": event.action,
        "target": event.target,
        "details": event.details,
    }


def _mentions(user) -> Q:
    email = (user.email or "").strip()
    condition = Q(subject_user=user) | Q(target__iexact=user.get_username())
    if email:
        condition |= Q(target__iexact=email) | Q(details__icontains=email)
    return condition


def _related_rows(user) -> list[dict[str, Any]]:
    """Every other row in the database that points at the user (found from the models, so a new model with a
    user field is covered without changing this code)."""
    user_model = get_user_model()
    rows: list[dict[str, Any]] = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if (
                not isinstance(field, models.ForeignKey | models.OneToOneField)
                or field.related_model is not user_model
            ):
                continue
            if (model._meta.label, field.name) in _OWN_SECTIONS:
                continue
            for obj in model._default_manager.filter(**{field.name: user}).order_by("pk")[:10000]:
                rows.append(
                    {
                        "table": model._meta.label,
                        "id": str(obj.pk),
                        "field": field.name,
                        "description": str(obj),
                    }
                )
    return rows


def export_staff_user_data(*, user) -> dict[str, Any]:
    """Everything stored about a staff user, as plain data (the command writes it as JSON). Secrets (the
    password hash, authenticator keys, recovery codes) are named but not copied."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount

    assignments = RoleAssignment.objects.filter(user=user).select_related("organisation", "granted_by")
    return {
        "account": {
            "username": user.get_username(),
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "is_active": user.is_active,
            "is_platform_admin": user.is_superuser,
            "has_password": user.has_usable_password(),
        },
        "roles": [
            {
                "organisation": str(a.organisation),
                "role": a.get_role_display(),
                "departments": [str(d) for d in a.departments.all()],
                "granted_at": a.granted_at.isoformat(),
                "granted_by": a.granted_by.email if a.granted_by else None,
            }
            for a in assignments
        ],
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=user)
        ],
        "single_sign_on_accounts": [
            {
                "provider": account.provider,
                "subject": account.uid,
                "first_login": account.date_joined.isoformat(),
                "last_login": account.last_login.isoformat(),
                "claims": account.extra_data,
            }
            for account in SocialAccount.objects.filter(user=user)
        ],
        "second_factors": [
            {
                "type": a.type,
                "created_at": a.created_at.isoformat(),
                "last_used_at": a.last_used_at.isoformat() if a.last_used_at else None,
            }
            for a in Authenticator.objects.filter(user=user)
        ],
        "audit_events_by_the_user": [
            _event(e) for e in AuditEvent.objects.filter(actor=user).order_by("created_at")
        ],
        "audit_events_about_the_user": [
            _event(e)
            for e in AuditEvent.objects.filter(_mentions(user)).exclude(actor=user).order_by("created_at")
        ],
        "other_rows": _related_rows(user),
    }


def _allow_pseudonymisation() -> None:
    """Let this transaction rewrite who audit events name (the database trigger, docs/identity.md)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('dimios.audit_pseudonymise', 'on', true)")


def _replace(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return value.replace(old, new) if old.lower() in value.lower() else value
    if isinstance(value, list):
        return [_replace(v, old, new) for v in value]
    if isinstance(value, dict):
        return {k: _replace(v, old, new) for k, v in value.items()}
    return value


@transaction.atomic
def remove_staff_user(*, user, actor=None) -> str:
    """Delete a staff user and everything that is only theirs (roles, SSO links, second factors). Their audit
    entries stay, naming them by a pseudonym; other rows that name them (rounds they created, roles they
    granted) keep the row without the name. Returns the pseudonym."""
    if actor is not None and getattr(actor, "pk", None) == user.pk:
        raise DomainError(_("You cannot remove your own account."))
    pseudonym = f"Borttagen användare {secrets.token_hex(4)}"
    names = {n for n in (user.email, user.get_username()) if n}
    org_ids = organisation_ids(user)
    _allow_pseudonymisation()
    AuditEvent.objects.filter(actor=user)._pseudonymise(actor=None, actor_pseudonym=pseudonym)
    for event in AuditEvent.objects.filter(_mentions(user)).only("pk", "target", "details"):
        target, details = event.target, event.details
        for name in names:
            target = pseudonym if target.lower() == name.lower() else target
            details = _replace(details, name, pseudonym)
        AuditEvent.objects.filter(pk=event.pk)._pseudonymise(target=target, details=details)
    targets: list[int | None] = [*org_ids] or [None]
    for organisation_id in targets:
        record_event(
            action=AuditAction.STAFF_REMOVED, organisation=organisation_id, actor=actor, target=pseudonym
        )
    user.delete()
    return pseudonym
