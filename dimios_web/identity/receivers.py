"""allauth tells about MFA and password changes only through signals; these receivers hand each to the audit
service (no logic here)."""

from __future__ import annotations

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.dispatch import receiver

from surveys.services.audit import AuditAction

from .services import logins as login_audit


def _mfa_action(change: str, kind: str) -> AuditAction | None:
    """The audit action of an MFA change."""
    if kind == "totp":
        return {"added": AuditAction.MFA_TOTP_ADDED, "removed": AuditAction.MFA_TOTP_REMOVED}.get(change)
    if kind == "recovery_codes":
        return {
            "added": AuditAction.MFA_RECOVERY_CODES_ADDED,
            "reset": AuditAction.MFA_RECOVERY_CODES_RESET,
            "removed": AuditAction.MFA_RECOVERY_CODES_REMOVED,
        }.get(change)
    return None


def _record_change(change: str, request, user, authenticator) -> None:
    action = _mfa_action(change, authenticator.type)
    if action is not None:
        login_audit.record_mfa_change(user=user, action=action, request=request)


@receiver(mfa_signals.authenticator_added)
def _authenticator_added(sender, request, user, authenticator, **kwargs):
    _record_change("added", request, user, authenticator)


@receiver(mfa_signals.authenticator_removed)
def _authenticator_removed(sender, request, user, authenticator, **kwargs):
    _record_change("removed", request, user, authenticator)


@receiver(mfa_signals.authenticator_reset)
def _authenticator_reset(sender, request, user, authenticator, **kwargs):
    _record_change("reset", request, user, authenticator)


@receiver(mfa_signals.authentication_failed)
def _mfa_failed(sender, request, user, authenticator, reauthentication=False, **kwargs):
    login_audit.record_login_failure(request=request, login=user.get_username(), user=user, reason="mfa")


@receiver(account_signals.password_changed)
@receiver(account_signals.password_set)
@receiver(account_signals.password_reset)
def _password_changed(sender, request, user, **kwargs):
    login_audit.record_mfa_change(user=user, action=AuditAction.PASSWORD_CHANGED, request=request)
