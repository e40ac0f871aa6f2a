"""Cross-cutting response middleware (issue 11)."""

from __future__ import annotations

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import add_never_cache_headers


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the site's policy written once. django-csp builds the header from the
    settings on every response (a sixth of a save's own time, docs/performance.md); this site's policy has no
    nonce and no view changes it, so the same header is built once for each value of the settings and set
    on every response as django-csp would set it. A response or request that asks for more (a nonce used,
    ``@csp_update``, ``@csp_replace``, ``@csp``, ``@csp_exempt``) goes through django-csp's own code."""

    _OWN = (
        "_csp_config",
        "_csp_update",
        "_csp_replace",
        "_csp_config_ro",
        "_csp_update_ro",
        "_csp_replace_ro",
    )

    def __init__(self, get_response):
        super().__init__(get_response)
        self._built: tuple | None = None
        self._built_for: tuple | None = None

    def _policies(self) -> tuple[str, tuple[str, ...], str, tuple[str, ...]]:
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        report_only = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
        key = (id(policy), id(report_only))
        if self._built_for != key:  # the settings were changed (a test's override_settings)
            self._built = (
                build_policy(),
                tuple((policy or {}).get("EXCLUDE_URL_PREFIXES", None) or ()),
                build_policy(report_only=True),
                tuple((report_only or {}).get("EXCLUDE_URL_PREFIXES", None) or ()),
            )
            self._built_for = key
        assert self._built is not None
        return self._built

    def process_response(self, request, response):
        if (
            getattr(request, "_csp_nonce", None) is not None
            or getattr(response, "_csp_exempt", False)
            or getattr(response, "_csp_exempt_ro", False)
            or any(hasattr(response, name) for name in self._OWN)
            or (settings.DEBUG and response.status_code in (404, 500))
        ):
            return super().process_response(request, response)
        policy, excluded, report_only, excluded_ro = self._policies()
        path = request.path_info
        if policy and HEADER not in response and not path.startswith(excluded):
            response[HEADER] = policy
        if report_only and HEADER_REPORT_ONLY not in response and not path.startswith(excluded_ro):
            response[HEADER_REPORT_ONLY] = report_only
        # As django-csp: a nonce asked for after the header is written is an error, not a silent no-op.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


class NoStoreMiddleware:
    """Every page and download of this site is personal (a survey, a staff page, a file of results), so no
    browser or proxy may keep a copy: ``Cache-Control: no-store`` (with ``private`` and ``max-age=0``).
    Static files never get here: WhiteNoise answers them earlier with their long-lived caching headers.
    A response that already says ``no-store`` keeps its own header, and so does one that says ``public``:
    the open data's API (``maturity.api``, the same for everyone, revalidated with its ETag)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        cache_control = response.get("Cache-Control", "")
        if "no-store" not in cache_control and "public" not in cache_control:
            add_never_cache_headers(response)
        return response


class ProductNotFoundPageMiddleware:
    """With ``DEBUG`` on (``make run``'s demo) Django answers an unknown address with its technical 404 page,
    in English, listing the URL patterns; the demo's users get the product's own page instead, as in
    production (docs/error-pages.md). Only a 404 response that is Django's technical page is replaced (it is
    the one that says ``DEBUG = True``); a developer who wants it back sets ``DJANGO_TECHNICAL_404=1``. It
    sits innermost, so the page has the request's user and language. Without ``DEBUG`` it does nothing:
    Django's own handler renders ``404.html``."""

    MARK = b"<code>DEBUG = True</code>"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 404
            and settings.DEBUG
            and not settings.DIMIOS_TECHNICAL_404
            and not getattr(response, "streaming", False)
            and self.MARK in response.content
        ):
            return render(request, "404.html", status=404)
        return response


class RejectControlCharactersMiddleware:
    """A request whose path holds a NUL or another control character is no URL of this site: 400 at once.
    (PostgreSQL refuses a NUL in a text parameter, so such an organisation code would otherwise reach the
    database as an error, a 500.) The page is the product's 400 page, rendered without the request (it
    reads no session and no user, as Django's own 400 handler). Form fields are protected by Django's own
    null-character validator."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in request.path):
            # The product's 400 page (issue 17), in the reader's language (this runs before LocaleMiddleware).
            with translation.override(translation.get_language_from_request(request)):
                return HttpResponseBadRequest(render_to_string("400.html"))
        return self.get_response(request)


STAFF_SESSION_EXEMPT = "staff_session_exempt"


def staff_session_exempt(view):
    """Mark a view that never acts for a staff user (the respondent's autosave): the staff session's rules
    (timeouts, second factor: dimios_web.identity.middleware) are not applied to it, so that the request
    does not read the session to find out who is logged in."""
    setattr(view, STAFF_SESSION_EXEMPT, True)
    return view
