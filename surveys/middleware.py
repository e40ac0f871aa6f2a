"""The autosave's short way through the middleware (issue 14, docs/performance.md "Respondent path").

The page script's save is the product's most frequent request, and a successful one needs nothing of what
the inner middleware does: no session (the page's token names the draft), no user, no language (the answer
has no text), no messages, no CSRF token (the save token is the proof, ``surveys.views.respond``). This
middleware sits inside the ones that make every response safe (security headers, X-Frame-Options, the
Content-Security-Policy, no-store) and before the rest: a save with a valid token from this site that is
saved is answered here; every other request, and every save that is not simply saved (no token, another
origin, an answer off the scale, a refusal, a busy database), goes on through the whole middleware to
``respond_save``, which answers it as before."""

from __future__ import annotations

from django.urls import reverse

from .views.respond import save_from_page


class AutosaveMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._path: str | None = None

    def __call__(self, request):
        if request.method == "POST":
            if self._path is None:
                self._path = reverse("surveys:respond_save")
            if request.path == self._path:
                response = save_from_page(request)
                if response is not None:
                    return response
        return self.get_response(request)
