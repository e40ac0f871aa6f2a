"""Changes to an organisation's login settings, each recorded in the audit log with what changed."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dimios_web.exceptions import DomainError
from surveys.models import Organisation
from surveys.services.audit import AuditAction, record_event

from ..models import OrganisationLogin

SECURITY_FIELDS = ("mfa_required", "local_passwords_allowed")
SSO_FIELDS = (
    "protocol",
    "allowed_domains",
    "require_verified_email",
    "oidc_issuer",
    "oidc_client_id",
    "oidc_client_secret",
    "saml_idp_entity_id",
    "saml_idp_sso_url",
    "saml_idp_certificate",
    "saml_email_attribute",
)
SECRET_FIELDS = ("oidc_client_secret",)


def _changes(before: dict, after: dict) -> list[str]:
    return [name for name in after if before.get(name) != after[name]]


@transaction.atomic
def change_security_settings(
    *, organisation: Organisation, actor, mfa_required: bool, local_passwords_allowed: bool
) -> OrganisationLogin:
    """The organisation admin's two switches. Passwords can only be switched off once single sign-on works,
    so that nobody is locked out."""
    row, _created = OrganisationLogin.objects.select_for_update().get_or_create(organisation=organisation)
    if not local_passwords_allowed and not row.sso_enabled:
        raise DomainError(
            _(
                "Passwords can only be switched off when single sign-on is set up for the organisation. Ask "
                "the platform administrator to configure it first."
            ),
            field="local_passwords_allowed",
        )
    before = {name: getattr(row, name) for name in SECURITY_FIELDS}
    after = {"mfa_required": mfa_required, "local_passwords_allowed": local_passwords_allowed}
    changed = _changes(before, after)
    if changed:
        for name, value in after.items():
            setattr(row, name, value)
        row.updated_at = timezone.now()
        row.save()
        record_event(
            action=AuditAction.SECURITY_SETTINGS_CHANGED,
            organisation=organisation,
            actor=actor,
            target=organisation.name,
            details={"changes": [f"{name}={after[name]}" for name in changed]},
        )
    return row


@transaction.atomic
def save_sso_configuration(
    *, row: OrganisationLogin, actor, previous: dict | None = None
) -> OrganisationLogin:
    """The platform admin's SSO configuration (Django admin). Secrets are never written to the log."""
    previous = previous or {}
    row.updated_at = timezone.now()
    row.save()
    after = {name: getattr(row, name) for name in (*SSO_FIELDS, *SECURITY_FIELDS)}
    changed = _changes(previous, after)
    if changed:
        record_event(
            action=AuditAction.SSO_SETTINGS_CHANGED,
            organisation=row.organisation_id,
            actor=actor,
            target=str(row.organisation),
            details={
                "changes": [
                    name if name in SECRET_FIELDS else f"{name}={str(after[name])[:60]}" for name in changed
                ]
            },
        )
    return row
