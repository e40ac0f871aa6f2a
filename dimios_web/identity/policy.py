"""Reads of the login policy that apply to one staff user: which organisations they belong to, whether they
may use a local password, whether they need a second factor. The strictest organisation wins."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model

from surveys.models import RoleAssignment

from .models import OrganisationLogin


def organisation_ids(user) -> list[int]:
    if user is None or user.pk is None:
        return []
    return sorted(set(RoleAssignment.objects.filter(user=user).values_list("organisation_id", flat=True)))


def policies_for(user) -> list[OrganisationLogin]:
    ids = organisation_ids(user)
    if not ids:
        return []
    return list(OrganisationLogin.objects.filter(organisation_id__in=ids).select_related("organisation"))


def local_password_allowed(user) -> bool:
    """Platform admins always keep their local password; staff lose it when any of their organisations
    has switched passwords off."""
    if user.is_superuser:
        return True
    return all(policy.local_passwords_allowed for policy in policies_for(user))


def mfa_required(user) -> bool:
    if user.is_superuser:
        return bool(getattr(settings, "DIMIOS_MFA_REQUIRED_FOR_SUPERUSERS", True))
    return OrganisationLogin.objects.filter(
        organisation__role_assignments__user=user, mfa_required=True
    ).exists()


def has_mfa(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def find_user_by_login(login: str):
    """The account a login name (e-mail address or user name) refers to, or None."""
    login = (login or "").strip()
    if not login:
        return None
    users = get_user_model().objects.all()
    if "@" in login:
        return (
            users.filter(email__iexact=login).order_by("pk").first()
            or users.filter(username__iexact=login).first()
        )
    return users.filter(username__iexact=login).first()


def login_for_domain(email: str) -> OrganisationLogin | None:
    """The organisation whose single sign-on covers this e-mail address's domain."""
    domain = (email or "").rpartition("@")[2].strip().lower()
    if not domain:
        return None
    for policy in OrganisationLogin.objects.exclude(protocol="").select_related("organisation"):
        if policy.sso_enabled and domain in policy.domains:
            return policy
    return None
