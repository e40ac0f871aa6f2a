"""The autosave's short way (surveys.middleware.AutosaveMiddleware): a save with a valid page token from this
site is answered inside the middleware that makes every response safe and before the rest; everything else
goes the whole way to ``respond_save``. Held here: the short way really answers (no language, no session
middleware ran), its response carries every header the whole way's response carries with the same value,
and what it does not simply save gets the whole way's translated answer."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from surveys.models import DraftAnswer
from tests.factories import issue_link_token

TOKEN = re.compile(r'data-save-token="([^"]+)"')
# Set by the response's moment or by the inner middleware for texts in a language: the short way's answer
# has no text.
VARYING = {"expires", "date", "content-language", "vary", "content-length"}


def _page(invitation, **client_options) -> tuple[Client, str]:
    client = Client(**client_options)
    client.get(reverse("surveys:respond_start", args=[issue_link_token(invitation)]))
    html = client.get(reverse("surveys:respond_page", args=[1])).content.decode()
    return client, TOKEN.search(html).group(1)


def _save(client, data, **extra):
    return client.post(reverse("surveys:respond_save"), data, **extra)


def test_a_saved_answer_is_answered_on_the_short_way(invitation, statements):
    client, token = _page(invitation)
    with mock.patch("surveys.views.respond._save_with_session") as whole_way:
        response = _save(client, {f"s{statements[0].pk}": "5", "t": token})
    assert response.status_code == 200
    assert response.json() == {"ok": True, "answered": 1}
    assert "Content-Language" not in response  # LocaleMiddleware, inside, did not run
    assert response["Content-Length"] == str(len(response.content))
    whole_way.assert_not_called()
    assert DraftAnswer.objects.get().value == 5


def test_the_short_ways_headers_are_the_whole_ways(invitation, statements, settings):
    """Every header of the whole way's save response (security headers, the policy, no-store), with the same
    value, behind the TLS proxy as in production. Fails when a middleware outside the short way is moved
    inside it, or a new header middleware is added inside."""
    settings.SECURE_HSTS_SECONDS = 3600
    client, token = _page(invitation, secure=True)
    short = _save(client, {f"s{statements[0].pk}": "5", "t": token}, secure=True)
    with mock.patch("surveys.middleware.save_from_page", return_value=None):
        whole = _save(client, {f"s{statements[0].pk}": "4", "t": token}, secure=True)
    assert short.status_code == whole.status_code == 200
    assert "Content-Language" in whole  # the whole way
    whole_headers = {k.lower(): v for k, v in whole.headers.items() if k.lower() not in VARYING}
    short_headers = {k.lower(): v for k, v in short.headers.items() if k.lower() not in VARYING}
    assert short_headers == whole_headers
    for header in (
        "strict-transport-security",
        "x-content-type-options",
        "referrer-policy",
        "cross-origin-opener-policy",
        "x-frame-options",
        "content-security-policy",
    ):
        assert header in short_headers, header
    assert "no-store" in short["Cache-Control"]


def test_a_refused_save_gets_the_whole_ways_translated_answer(invitation, statements):
    client, token = _page(invitation)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    response = _save(client, {f"s{statements[0].pk}": "5", "t": token}, HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 409
    assert response["Content-Language"] == "sv"
    assert response.json()["ok"] is False and response.json()["message"]
    assert not DraftAnswer.objects.exists()


def test_an_answer_off_the_scale_gets_the_whole_ways_message(invitation, statements):
    client, token = _page(invitation)
    response = _save(client, {f"s{statements[0].pk}": "7", "t": token})
    assert response.status_code == 400
    assert (
        response.json()["message"] == "Svaren sparades inte: något av dem var inte ett av svarsalternativen."
    )
    assert not DraftAnswer.objects.exists()


def test_an_unknown_host_is_djangos_bad_request(invitation, statements):
    client, token = _page(invitation)
    response = _save(client, {f"s{statements[0].pk}": "5", "t": token}, HTTP_HOST="elsewhere.example")
    assert response.status_code == 400
    assert not DraftAnswer.objects.exists()


@pytest.fixture
def statements(questionnaire):
    from surveys.models import Statement

    return list(Statement.objects.filter(version=questionnaire).order_by("pk"))
