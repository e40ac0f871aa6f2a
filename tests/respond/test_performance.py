"""The questionnaire page: a fixed number of queries whatever the number of statements, no chart library,
and under 150 KB compressed with the assets it links (computed exactly, not timed)."""

from __future__ import annotations

import gzip
import re

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import InvitationFactory, RoundFactory, build_questionnaire, issue_link_token

pytestmark = pytest.mark.django_db

MAX_QUERIES = 8
PAGE_BUDGET = 150 * 1024


def _respondent_for(statements_per_category: int) -> Client:
    questionnaire = build_questionnaire(
        categories_per_dimension=3, statements_per_category=statements_per_category
    )
    invitation = InvitationFactory(round=RoundFactory(questionnaire=questionnaire))
    client = Client()
    client.get(reverse("surveys:respond_start", args=[issue_link_token(invitation)]))
    return client


def _queries(client: Client, url: str, data=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.post(url, data) if data is not None else client.get(url)
    assert response.status_code in (200, 302)
    return len(captured)


def test_the_questionnaire_page_makes_the_same_number_of_queries_for_few_or_many_statements():
    few = _respondent_for(1)
    many = _respondent_for(25)
    url = reverse("surveys:respond_page", args=[1])
    few_count, many_count = _queries(few, url), _queries(many, url)
    assert few_count == many_count
    assert many_count <= MAX_QUERIES


def test_saving_a_page_of_many_answers_makes_a_fixed_number_of_queries():
    from surveys.models import Statement

    counts = []
    for per_category in (1, 25):
        client = _respondent_for(per_category)
        page = client.get(reverse("surveys:respond_page", args=[1])).content.decode()
        ids = [int(pk) for pk in re.findall(r'data-statement="(\d+)"', page)]
        assert Statement.objects.filter(pk__in=ids).count() == per_category
        counts.append(
            _queries(client, reverse("surveys:respond_page", args=[1]), {f"s{pk}": "3" for pk in ids})
        )
    assert counts[0] == counts[1]


def test_the_summary_makes_a_fixed_number_of_queries():
    few, many = _respondent_for(1), _respondent_for(25)
    url = reverse("surveys:respond_summary")
    assert _queries(few, url) == _queries(many, url)


def _assets(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="/static/([^"]+)"', html)


def test_the_questionnaire_page_loads_no_chart_library_and_weighs_under_150_kb_compressed():
    client = _respondent_for(25)  # a long page: 25 statements
    html = client.get(reverse("surveys:respond_page", args=[1])).content.decode()
    assets = _assets(html)
    assert assets, "the page links its stylesheet and script"
    assert not [a for a in assets if "plotly" in a or "htmx" in a or "bootstrap.bundle" in a]
    sizes = {"page": len(gzip.compress(html.encode(), compresslevel=6))}
    for asset in assets:
        path = finders.find(asset)
        assert path, f"{asset} is not a static file"
        with open(path, "rb") as handle:
            sizes[asset] = len(gzip.compress(handle.read(), compresslevel=6))
    total = sum(sizes.values())
    assert total < PAGE_BUDGET, f"{total} bytes compressed: {sizes}"
