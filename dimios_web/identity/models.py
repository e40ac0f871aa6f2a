"""How an organisation's staff log in: single sign-on (OpenID Connect or SAML 2.0), whether local passwords
are allowed, whether a second factor is required. One row per organisation, managed by the platform admin
(the SSO part) and the organisation admin (the two switches)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from surveys.models import Organisation


class OrganisationLogin(models.Model):
    class Protocol(models.TextChoices):
        NONE = "", _("No single sign-on")
        OIDC = "oidc", _("OpenID Connect")
        SAML = "saml", _("SAML 2.0")

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="login_policy", verbose_name=_("organisation")
    )
    protocol = models.CharField(
        _("single sign-on"), max_length=4, choices=Protocol.choices, blank=True, default=Protocol.NONE
    )
    allowed_domains = models.TextField(
        _("allowed e-mail domains"),
        blank=True,
        default="",
        help_text=_(
            "One per line or separated by commas, e.g. linkoping.se. Only these addresses log in here."
        ),
    )
    require_verified_email = models.BooleanField(
        _("require a verified e-mail claim"),
        default=True,
        help_text=_(
            "Accept an OpenID Connect login only when the provider says the e-mail address is verified "
            "(email_verified). Microsoft Entra ID does not send that claim: see docs/identity.md."
        ),
    )
    # OpenID Connect
    oidc_issuer = models.URLField(_("issuer"), blank=True, default="")
    oidc_client_id = models.CharField(_("client id"), max_length=200, blank=True, default="")
    oidc_client_secret = models.CharField(_("client secret"), max_length=500, blank=True, default="")
    # SAML 2.0 (the identity provider's side; this service's metadata is at /konto/saml/<code>/metadata/)
    saml_idp_entity_id = models.CharField(_("IdP entity id"), max_length=500, blank=True, default="")
    saml_idp_sso_url = models.URLField(_("IdP single sign-on URL"), max_length=500, blank=True, default="")
    saml_idp_certificate = models.TextField(_("IdP signing certificate (PEM)"), blank=True, default="")
    saml_email_attribute = models.CharField(
        _("e-mail attribute"),
        max_length=200,
        blank=True,
        default="urn:oid:0.9.2342.19200300.100.1.3",
        help_text=_("The SAML attribute that carries the e-mail address (empty: the NameID)."),
    )
    # The organisation's own switches
    local_passwords_allowed = models.BooleanField(
        _("staff may log in with a password"),
        default=True,
        help_text=_("Off: the organisation's staff log in only through single sign-on."),
    )
    mfa_required = models.BooleanField(
        _("staff need a second factor"),
        default=False,
        help_text=_("Staff who log in with a password must use an authenticator app."),
    )
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        verbose_name = _("organisation login")
        verbose_name_plural = _("organisation logins")

    def __str__(self) -> str:
        return str(self.organisation)

    @property
    def domains(self) -> list[str]:
        raw = self.allowed_domains.replace(",", "\n").replace(";", "\n")
        return sorted({part.strip().lower().lstrip("@") for part in raw.splitlines() if part.strip()})

    @property
    def sso_enabled(self) -> bool:
        if self.protocol == self.Protocol.OIDC:
            return bool(self.oidc_issuer and self.oidc_client_id and self.domains)
        if self.protocol == self.Protocol.SAML:
            return bool(
                self.saml_idp_entity_id
                and self.saml_idp_sso_url
                and self.saml_idp_certificate
                and self.domains
            )
        return False

    @property
    def provider_id(self) -> str:
        """allauth's id of this organisation's provider: ``org-<code>`` (OIDC) or the code itself (SAML's
        organisation slug in the URL)."""
        return (
            f"org-{self.organisation.code}" if self.protocol == self.Protocol.OIDC else self.organisation.code
        )
