"""Fixtures of the respondent's survey: an open round with a small questionnaire, an invitation and its
personal link."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import InvitationFactory, RoundFactory, build_questionnaire, issue_link_token


@pytest.fixture(autouse=True)
def _own_cache(settings, request):
    """The unknown-token rate limit lives in the cache: every test gets an empty local-memory cache of its
    own (never the Redis that REDIS_URL may name, which other things share). Tests about Redis set it."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": request.node.nodeid,
        }
    }
    yield


@pytest.fixture
def questionnaire(db):
    """Two dimensions × two categories × three statements: four pages of three statements."""
    return build_questionnaire(categories_per_dimension=2, statements_per_category=3)


@pytest.fixture
def survey_round(questionnaire):
    return RoundFactory(questionnaire=questionnaire, status="open", anonymous=True)


@pytest.fixture
def invitation(survey_round):
    return InvitationFactory(round=survey_round)


@pytest.fixture
def token(invitation):
    return issue_link_token(invitation)


@pytest.fixture
def statements(questionnaire):
    from surveys.models import Statement

    return list(Statement.objects.filter(version=questionnaire))


@pytest.fixture
def respondent(client, token):
    """A browser session that has opened the personal link (token swapped for the session)."""
    response = client.get(reverse("surveys:respond_start", args=[token]))
    assert response.status_code == 302
    return client


def answer_page(client, number: int, values: dict, nav: str = "next"):
    data = {f"s{pk}": value for pk, value in values.items()}
    data["nav"] = nav
    return client.post(reverse("surveys:respond_page", args=[number]), data)


def released():
    """The responses after the response pool has been released (as the round's close does): anonymous
    responses wait in the pool, sealed, until then."""
    from surveys.models import PooledResponse, Response
    from surveys.services.pool import release_pool

    for round_id in set(PooledResponse.objects.values_list("round_id", flat=True)):
        release_pool(round_id=round_id, final=True)
    return Response.objects
