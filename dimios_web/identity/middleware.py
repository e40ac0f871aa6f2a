"""Per-request rules for logged-in staff: session timeouts, and a second factor for those who need one.

A deactivated user or a revoked role needs nothing here: Django's authentication middleware drops an inactive
user on the next request, and ``surveys.scoping`` reads the roles afresh on every request."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from dimios_web.middleware import STAFF_SESSION_EXEMPT

from . import policy, sessions
from .services import logins as login_audit

# Keys of the survey pages' own session data, kept when a staff session in the same browser times out.
RESPONDENT_KEYS = ("dimios_respondent", "dimios_open_round", "dimios_receipt")


class StaffSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, STAFF_SESSION_EXEMPT, False):
            return None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            reason = sessions.expired(request)
            if reason is not None:
                return self._end(request, reason)
            response = self._require_mfa(request, user)
            if response is not None:
                return response
        return None

    def _end(self, request, reason: str):
        user = request.user
        login_audit.record_logout(request=request, user=user, reason=reason)
        kept = {key: request.session[key] for key in RESPONDENT_KEYS if key in request.session}
        sessions.end(request)
        logout(request)
        request.session.update(kept)
        if reason == "idle":
            text = _("You were logged out after %(minutes)s minutes without activity. Log in again.") % {
                "minutes": sessions.idle_seconds() // 60
            }
        else:
            text = _(
                "You were logged out because you had been logged in for %(hours)s hours. Log in again."
            ) % {"hours": sessions.absolute_seconds() // 3600}
        messages.info(request, text)
        login_url = reverse("account_login")
        if request.method == "GET" and not request.headers.get("HX-Request"):
            return redirect(f"{login_url}?next={request.get_full_path()}")
        return redirect(login_url)

    # Pages a user who must enrol a second factor can still reach.
    _MFA_ALLOWED = ("mfa_", "account_logout", "account_reauthenticate", "set_language")

    def _require_mfa(self, request, user):
        path = request.path_info
        if path.startswith(("/static/", "/media/", "/i18n/", "/healthz")):
            return None
        from django.urls import Resolver404, resolve

        try:
            match = resolve(path)
        except Resolver404:
            return None
        if match.url_name and match.url_name.startswith(self._MFA_ALLOWED):
            return None
        if sessions.login_method(request).startswith("sso") and not user.is_superuser:
            return None  # the organisation's own login service handles the second factor
        if not policy.mfa_required(user) or policy.has_mfa(user):
            return None
        messages.warning(
            request,
            _("You need a second factor to use DiMiOS: set up an authenticator app to continue."),
        )
        return redirect(f"{reverse('mfa_activate_totp')}?next={request.get_full_path()}")
