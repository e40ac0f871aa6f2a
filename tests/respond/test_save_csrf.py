"""Cross-site request forgery against the autosave (surveys/views/respond.py ``respond_save``), played by the
forging site: a page on another origin that makes the respondent's browser POST to the save address. The
browser sends the respondent's cookies (as a browser would without ``SameSite``), never the questionnaire
page's contents, which the other site cannot read.

The save is exempt from Django's CSRF middleware only because the page's save token is itself a
synchroniser token (signed, bound to the session cookie's key, written only into the questionnaire page).
Each test here fails when that proof is weakened: a save accepted without a valid token and without
Django's CSRF token, with another session's token, with an edited token, or from another origin."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from surveys.models import DraftAnswer
from tests.factories import issue_link_token

TOKEN = re.compile(r'data-save-token="([^"]+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
OWN = "http://testserver"
FORGER = "https://forger.example"


def _browser(invitation) -> tuple[Client, str, str]:
    """A respondent's browser with Django's CSRF checks on (as in production), on the first page: its
    client, the page's save token and the page's CSRF token."""
    client = Client(enforce_csrf_checks=True)
    opened = client.get(reverse("surveys:respond_start", args=[issue_link_token(invitation)]))
    assert opened.status_code == 302
    html = client.get(reverse("surveys:respond_page", args=[1])).content.decode()
    return client, TOKEN.search(html).group(1), CSRF.search(html).group(1)


def _save(client: Client, data: dict, *, origin: str | None = OWN):
    headers = {"HTTP_ORIGIN": origin} if origin else {}
    return client.post(reverse("surveys:respond_save"), data, **headers)


def _stored() -> int:
    return DraftAnswer.objects.count()


def test_the_page_script_saves_with_its_token(respondent_invitation, statements):
    client, token, _csrf = _browser(respondent_invitation)
    response = _save(client, {f"s{statements[0].pk}": "4", "t": token})
    assert response.status_code == 200, response.content
    assert response.json()["ok"] is True
    assert _stored() == 1


def test_a_forged_save_without_a_token_meets_djangos_csrf_check(respondent_invitation, statements):
    client, _token, _csrf = _browser(respondent_invitation)
    response = _save(client, {f"s{statements[0].pk}": "4"}, origin=FORGER)
    assert response.status_code == 403
    response = _save(client, {f"s{statements[0].pk}": "4"}, origin=None)  # no Origin, no Referer either
    assert response.status_code == 403
    assert _stored() == 0


def test_the_forgers_own_token_is_worth_nothing_in_the_respondents_browser(
    respondent_invitation, invitation_factory, statements
):
    """The forging site opens a link of its own, reads its own page's token and makes the respondent's
    browser send it: the token is bound to another session's key, so it is no proof, and Django's check
    (which the forger cannot pass either) refuses the request."""
    victim, _token, _csrf = _browser(respondent_invitation)
    _forger, forgers_token, _forgers_csrf = _browser(invitation_factory())
    response = _save(victim, {f"s{statements[0].pk}": "4", "t": forgers_token}, origin=FORGER)
    assert response.status_code == 403
    response = _save(victim, {f"s{statements[0].pk}": "4", "t": forgers_token}, origin=OWN)
    assert response.status_code == 403
    assert _stored() == 0


def test_an_edited_token_is_no_proof(respondent_invitation, statements):
    client, token, _csrf = _browser(respondent_invitation)
    edited = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    response = _save(client, {f"s{statements[0].pk}": "4", "t": edited})
    assert response.status_code == 403
    assert _stored() == 0


def test_a_valid_token_sent_from_another_origin_is_refused(respondent_invitation, statements):
    """Defence in depth: should a token ever leak to another site, the browser's Origin still gives the
    request away."""
    client, token, _csrf = _browser(respondent_invitation)
    response = _save(client, {f"s{statements[0].pk}": "4", "t": token}, origin=FORGER)
    assert response.status_code == 403
    assert response.json() == {
        "ok": False,
        "message": "Svaren sparades inte: begäran kom inte från den här webbplatsen.",
    }
    response = _save(client, {f"s{statements[0].pk}": "4", "t": token}, origin="null")
    assert response.status_code == 403
    assert _stored() == 0


def test_without_a_token_the_csrf_token_still_saves(respondent_invitation, statements):
    """An older page (no save token) saves as before: Django's CSRF token, then the session."""
    client, _token, csrf = _browser(respondent_invitation)
    response = _save(client, {f"s{statements[0].pk}": "4", "csrfmiddlewaretoken": csrf})
    assert response.status_code == 200, response.content
    assert _stored() == 1


@pytest.fixture
def respondent_invitation(invitation):
    return invitation


@pytest.fixture
def invitation_factory(survey_round):
    from tests.factories import InvitationFactory

    return lambda: InvitationFactory(round=survey_round)
