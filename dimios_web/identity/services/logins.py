"""Audit records of logins, failed logins, locks, logouts and expired sessions, one per organisation the
account belongs to (so that each organisation admin sees their own staff's), or one without an organisation
for an account that has none (unknown names, platform admins)."""

from __future__ import annotations

from django.db import transaction

from surveys.ratelimit import client_ip
from surveys.services.audit import AuditAction, record_event

from ..policy import organisation_ids


def _record(*, action: AuditAction, user, target: str, details: dict) -> None:
    with transaction.atomic():
        targets: list[int | None] = [*organisation_ids(user)] or [None]
        for organisation_id in targets:
            record_event(
                action=action, organisation=organisation_id, actor=user, target=target, details=details
            )


def record_login(*, request, user, method: str) -> None:
    _record(
        action=AuditAction.LOGIN_SUCCEEDED,
        user=user,
        target=user.get_username(),
        details={"method": method, "address": client_ip(request)},
    )


def record_login_failure(*, request, login: str, user=None, reason: str) -> None:
    """``reason``: password (wrong password or unknown name), locked, delay, address, sso_only, mfa, sso."""
    _record(
        action=AuditAction.LOGIN_FAILED,
        user=user,
        target=(login or "")[:200],
        details={"reason": reason, "address": client_ip(request)},
    )


def record_lock(*, request, login: str, user=None, reason: str, seconds: int) -> None:
    _record(
        action=AuditAction.LOGIN_LOCKED,
        user=user,
        target=(login or "")[:200],
        details={"reason": reason, "seconds": seconds, "address": client_ip(request)},
    )


def record_logout(*, request, user, reason: str = "logout") -> None:
    """``reason``: logout (the user's own), idle or absolute (a session timeout)."""
    action = AuditAction.LOGOUT if reason == "logout" else AuditAction.SESSION_EXPIRED
    _record(
        action=action,
        user=user,
        target=user.get_username(),
        details={"reason": reason, "address": client_ip(request)},
    )


def record_mfa_change(*, user, action: AuditAction, request=None) -> None:
    details = {"address": client_ip(request)} if request is not None else {}
    _record(action=action, user=user, target=user.get_username(), details=details)


def record_sso_refusal(*, request, email: str, organisation_id: int | None, reason: str, user=None) -> None:
    record_event(
        action=AuditAction.LOGIN_SSO_REFUSED,
        organisation=organisation_id,
        actor=user,
        target=(email or "")[:200],
        details={"reason": reason, "address": client_ip(request)},
    )
