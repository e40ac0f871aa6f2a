"""Cross-cutting response middleware (issue 11)."""

from __future__ import annotations

from django.http import HttpResponseBadRequest
from django.utils.cache import add_never_cache_headers


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


class RejectControlCharactersMiddleware:
    """A request whose path holds a NUL or another control character is no URL of this site: 400 at once.
    (PostgreSQL refuses a NUL in a text parameter, so such an organisation code would otherwise reach the
    database as an error, a 500.) Form fields are protected by Django's own null-character validator."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in request.path):
            return HttpResponseBadRequest("Bad Request", content_type="text/plain")
        return self.get_response(request)


STAFF_SESSION_EXEMPT = "staff_session_exempt"


def staff_session_exempt(view):
    """Mark a view that never acts for a staff user (the respondent's autosave): the staff session's rules
    (timeouts, second factor: dimios_web.identity.middleware) are not applied to it, so that the request
    does not read the session to find out who is logged in."""
    setattr(view, STAFF_SESSION_EXEMPT, True)
    return view
