"""allauth adapters: how dimios_web plugs its own rules into allauth's login flows.

- Password logins go through ``dimios_web.identity.throttle`` (delay, lock, address ceiling) and are
  audited; staff of an organisation that has switched local passwords off are sent to single sign-on
  instead.
- Nobody signs up: staff accounts are created only when an organisation admin grants a role.
- Single sign-on apps come from ``OrganisationLogin`` rows (not allauth's SocialApp table), and a login
  through one maps to an existing staff user by verified e-mail within the organisation's domains, never
  creating a user or a role."""

from __future__ import annotations

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.auth_backends import AuthenticationBackend
from allauth.account.internal.flows.login import get_authentication_records, record_authentication
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from surveys.models import RoleAssignment
from surveys.ratelimit import client_ip

from . import policy, sessions, throttle
from .models import OrganisationLogin
from .services import logins as login_audit

logger = logging.getLogger(__name__)


def refusal_message(refusal: throttle.Refusal) -> str:
    if refusal.reason == "delay":
        return ngettext(
            "Too many wrong passwords in a row. Wait %(seconds)s second before trying again.",
            "Too many wrong passwords in a row. Wait %(seconds)s seconds before trying again.",
            refusal.seconds,
        ) % {"seconds": refusal.seconds}
    minutes = max(1, -(-refusal.seconds // 60))
    if refusal.reason == "locked":
        return ngettext(
            "The account is locked for %(minutes)s minute after too many wrong passwords. "
            "You can choose a new password with “Forgot your password?” meanwhile.",
            "The account is locked for %(minutes)s minutes after too many wrong passwords. "
            "You can choose a new password with “Forgot your password?” meanwhile.",
            minutes,
        ) % {"minutes": minutes}
    return ngettext(
        "Too many failed logins from your network. Try again in %(minutes)s minute.",
        "Too many failed logins from your network. Try again in %(minutes)s minutes.",
        minutes,
    ) % {"minutes": minutes}


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_password_mismatch": gettext_lazy(
            "The e-mail address or user name and the password do not match."
        ),
        "email_password_mismatch": gettext_lazy(
            "The e-mail address or user name and the password do not match."
        ),
        "account_inactive": gettext_lazy("This account is not active."),
        "too_many_login_attempts": gettext_lazy(
            "You have tried this too many times in a short while. Wait a few minutes."
        ),
        "incorrect_password": gettext_lazy("The password is not correct."),
        "enter_current_password": gettext_lazy("Enter your current password."),
        "rate_limited": gettext_lazy(
            "You have tried this too many times in a short while. Wait a few minutes."
        ),
        "invalid_or_expired_key": gettext_lazy(
            "The link is not valid any more: it has been used already or is too old."
        ),
    }

    def is_open_for_signup(self, request) -> bool:
        return False

    def get_client_ip(self, request) -> str:
        return client_ip(request)

    def format_email_subject(self, subject: str) -> str:
        return subject  # our subjects already name the product

    def authenticate(self, request, **credentials):
        login = credentials.get("email") or credentials.get("username") or ""
        refusal = throttle.check(request, login)
        if refusal is not None:
            raise ValidationError(refusal_message(refusal), code="throttled")
        account = policy.find_user_by_login(login)
        if account is not None and not policy.local_password_allowed(account):
            login_audit.record_login_failure(request=request, login=login, user=account, reason="sso_only")
            raise ValidationError(
                _(
                    "Your organisation logs in through its own login service. Use “Log in with your "
                    "organisation's account” below."
                ),
                code="sso_only",
            )
        AuthenticationBackend.unstash_authenticated_user()
        user = authenticate(request, **credentials)
        user = user or AuthenticationBackend.unstash_authenticated_user()
        if user is not None:
            throttle.register_success(login)
            return user
        login_audit.record_login_failure(request=request, login=login, user=account, reason="password")
        refusal = throttle.register_failure(request, login)
        if refusal is not None:
            login_audit.record_lock(
                request=request, login=login, user=account, reason=refusal.reason, seconds=refusal.seconds
            )
            raise ValidationError(refusal_message(refusal), code="throttled")
        return None

    def login(self, request, user) -> None:
        super().login(request, user)
        records = get_authentication_records(request, user)
        methods = [record.get("method") for record in records]
        method = "sso" if "socialaccount" in methods else "password"
        if "mfa" in methods:
            method += "+mfa"
        if method.startswith("password"):
            # The password was just entered: for allauth's "confirm it is you" (setting up or removing a
            # second factor) it counts as a fresh confirmation for the next few minutes, so a user told to set
            # up a second factor right after logging in is not asked for the password twice.
            record_authentication(request, user, method="password", reauthenticated=True)
        sessions.start(request, method=method)
        login_audit.record_login(request=request, user=user, method=method)

    def logout(self, request) -> None:
        if request.user.is_authenticated:
            login_audit.record_logout(request=request, user=request.user)
        sessions.end(request)
        super().logout(request)

    def send_password_reset_mail(self, user, email, context) -> None:
        context = {**context, "site_name": "DiMiOS", "site_url": settings.SITE_URL}
        super().send_password_reset_mail(user, email, context)


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": gettext_lazy(
            "The code is not correct. Check that the phone's clock is right, and try again."
        ),
        "rate_limited": gettext_lazy(
            "You have tried this too many times in a short while. Wait a few minutes."
        ),
    }


def _app_for(policy_row: OrganisationLogin) -> SocialApp:
    organisation = policy_row.organisation
    if policy_row.protocol == OrganisationLogin.Protocol.OIDC:
        return SocialApp(
            provider="openid_connect",
            provider_id=policy_row.provider_id,
            name=organisation.name,
            client_id=policy_row.oidc_client_id,
            secret=policy_row.oidc_client_secret,
            settings={
                "server_url": policy_row.oidc_issuer,
                "oauth_pkce_enabled": True,
                "fetch_userinfo": True,
                "organisation_id": organisation.pk,
            },
        )
    return SocialApp(
        provider="saml",
        provider_id=policy_row.provider_id,
        name=organisation.name,
        client_id=policy_row.provider_id,
        settings={
            "organisation_id": organisation.pk,
            "idp": {
                "entity_id": policy_row.saml_idp_entity_id,
                "sso_url": policy_row.saml_idp_sso_url,
                "x509cert": policy_row.saml_idp_certificate,
            },
            "attribute_mapping": {
                "uid": ["urn:oasis:names:tc:SAML:attribute:subject-id"],
                "email": [policy_row.saml_email_attribute] if policy_row.saml_email_attribute else [],
                "first_name": ["urn:oid:2.5.4.42"],
                "last_name": ["urn:oid:2.5.4.4"],
            },
            "use_nameid_for_email": not policy_row.saml_email_attribute,
            "advanced": {
                "strict": True,
                "want_assertion_signed": True,
                "reject_idp_initiated_sso": True,
                "reject_deprecated_algorithm": True,
            },
        },
    )


class SSORefused(Exception):
    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None) -> list[SocialApp]:
        rows = OrganisationLogin.objects.exclude(protocol="").select_related("organisation")
        apps = []
        for row in rows:
            if not row.sso_enabled:
                continue
            app = _app_for(row)
            if provider and provider not in (app.provider, app.provider_id):
                continue
            if client_id and client_id != app.client_id:
                continue
            apps.append(app)
        return apps

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return False

    def is_auto_signup_allowed(self, request, sociallogin) -> bool:
        return False

    def pre_social_login(self, request, sociallogin) -> None:
        app = sociallogin.provider.app
        organisation_id = app.settings.get("organisation_id")
        row = OrganisationLogin.objects.select_related("organisation").get(organisation_id=organisation_id)
        try:
            user = self._staff_user_for(sociallogin, row)
        except SSORefused as refusal:
            login_audit.record_sso_refusal(
                request=request,
                email=self._claimed_email(sociallogin),
                organisation_id=organisation_id,
                reason=refusal.reason,
                user=getattr(refusal, "user", None),
            )
            raise ImmediateHttpResponse(
                render(
                    request,
                    "identity/sso_refused.html",
                    {"message": refusal.message, "organisation": row.organisation},
                    status=403,
                )
            ) from None
        if not sociallogin.is_existing:
            sociallogin.connect(request, user)

    @staticmethod
    def _claimed_email(sociallogin) -> str:
        for address in sociallogin.email_addresses:
            if address.email:
                return address.email.strip().lower()
        return (getattr(sociallogin.user, "email", "") or "").strip().lower()

    def _verified_email(self, sociallogin, row: OrganisationLogin) -> str:
        email = self._claimed_email(sociallogin)
        if not email:
            raise SSORefused("no_email", _("The login service did not tell us your e-mail address."))
        if row.protocol == OrganisationLogin.Protocol.OIDC and row.require_verified_email:
            verified = any(a.verified for a in sociallogin.email_addresses if a.email.lower() == email)
            if not verified:
                raise SSORefused(
                    "unverified",
                    _("The login service did not confirm that %(email)s is verified.") % {"email": email},
                )
        return email

    def _staff_user_for(self, sociallogin, row: OrganisationLogin):
        organisation = row.organisation
        email = self._verified_email(sociallogin, row)
        domain = email.rpartition("@")[2]
        if domain not in row.domains:
            other = policy.login_for_domain(email)
            if other is not None and other.organisation_id != organisation.pk:
                message = _(
                    "%(email)s belongs to %(other)s, not to %(organisation)s. Log in through your own "
                    "organisation."
                ) % {"email": email, "other": other.organisation.name, "organisation": organisation.name}
            else:
                message = _(
                    "%(email)s is not an address of %(organisation)s, so it cannot log in through its login "
                    "service."
                ) % {"email": email, "organisation": organisation.name}
            raise SSORefused("domain", message)
        if sociallogin.is_existing:
            user = sociallogin.user
            if (user.email or "").strip().lower() != email:
                raise SSORefused("email_changed", _("This login belongs to another staff account."))
        else:
            from django.contrib.auth import get_user_model

            user = get_user_model().objects.filter(email__iexact=email).order_by("pk").first()
        if user is None or not user.is_active:
            raise SSORefused(
                "no_account",
                _(
                    "There is no staff account for %(email)s. Ask your organisation's administrator to give "
                    "you a role in DiMiOS."
                )
                % {"email": email},
            )
        if not RoleAssignment.objects.filter(user=user, organisation=organisation).exists():
            refusal = SSORefused(
                "no_role",
                _(
                    "%(email)s has no role in %(organisation)s. "
                    "Ask your organisation's administrator to give you one."
                )
                % {"email": email, "organisation": organisation.name},
            )
            refusal.user = user  # type: ignore[attr-defined]
            raise refusal
        return user

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        organisation_id = provider.app.settings.get("organisation_id") if provider is not None else None
        login_audit.record_sso_refusal(
            request=request, email="", organisation_id=organisation_id, reason=f"error:{error or 'unknown'}"
        )
        logger.warning("Single sign-on failed: %s %s", error, exception)
