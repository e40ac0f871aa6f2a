"""Cross-cutting response middleware (issue 11)."""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """Every page and download of this site is personal (a survey, a staff page, a file of results), so no
    browser or proxy may keep a copy: ``Cache-Control: no-store`` (with ``private`` and ``max-age=0``).
    Static files never get here: WhiteNoise answers them earlier with their long-lived caching headers.
    A response that already says ``no-store`` keeps its own header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response
