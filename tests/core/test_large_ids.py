"""Ids and counts in markup are never grouped (CI on PostgreSQL, stop 25): with ``USE_THOUSAND_SEPARATOR``
Django renders ``{{ round.pk }}`` as "2 044" once a sequence passes 999, and the link "?round=2 044" then
opens the wrong page or none. A fresh test database on SQLite has small ids, so every table's sequence is
moved past a million first, as on an installation that has run for some years, and every page an
organisation admin and a department representative reach is read for grouped digits inside a link, an id,
a data attribute or a form value."""

from __future__ import annotations

import datetime
import html as html_lib
import re

import pytest
from django.db import connection
from django.utils import timezone

from tests.core.walk import links

pytestmark = pytest.mark.django_db

START = 1_000_000
ATTRIBUTES = re.compile(r'\s(href|id|for|value|max|min|action|src|hx-get|hx-post|data-[\w-]+)="([^"]*)"')
GROUPED = re.compile(r"\d[\s\u00a0\u202f]\d{3}\b")


def _move_sequences_past(start: int) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT c.relname FROM pg_class c WHERE c.relkind = 'S'")
            for (name,) in cursor.fetchall():
                cursor.execute(f'ALTER SEQUENCE "{name}" RESTART WITH {start}')
        else:
            for table in connection.introspection.django_table_names(only_existing=True):
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, start])


@pytest.fixture
def large_ids(db):
    _move_sequences_past(START)


def _grouped_attributes(html: str) -> list[str]:
    return [
        f'{name}="{value}"'
        for name, value in ATTRIBUTES.findall(html)
        if GROUPED.search(html_lib.unescape(value))
    ]


def _walk(client, start: str = "/", *, limit: int = 90) -> dict[str, str]:
    pages: dict[str, str] = {}
    queue = [start]
    while queue and len(pages) < limit:
        path = queue.pop(0)
        if path in pages or any(s in path for s in ("export", ".csv", ".xlsx", ".pdf", "/ladda-ner")):
            continue
        response = client.get(path, follow=True)
        body = response.content.decode() if "text/html" in response.get("Content-Type", "") else ""
        pages[path] = body
        queue.extend(link for link in links(body) if link not in pages)
    return pages


def test_no_page_groups_the_digits_of_an_id_or_a_count_in_its_markup(
    large_ids, client, organisation, org_admin, dept_rep, social_department
):
    from maturity.services import actions as services
    from surveys.access import Visibility
    from surveys.models import Capability
    from tests.reports.conftest import make_closed_round

    closed = make_closed_round(organisation, year=2024)
    assert closed.pk >= START, "the sequences were not moved: the test would prove nothing"
    today = timezone.localdate()
    services.create_action(
        organisation=organisation,
        round=closed,
        department=social_department,
        title="Införa e-tjänst för ansökan om hemtjänst",
        capabilities=list(Capability.objects.filter(version=closed.questionnaire)[:1]),
        owner=dept_rep,
        starts_on=today - datetime.timedelta(days=30),
        due_on=today + datetime.timedelta(days=7),
        scope=Visibility.everything(),
        actor=org_admin,
    )
    found = {}
    for user in (org_admin, dept_rep):
        client.force_login(user)
        pages = _walk(client)
        assert len(pages) >= 10, pages.keys()
        assert any(f"round={closed.pk}" in body for body in pages.values()) or user is dept_rep
        for path, body in pages.items():
            if bad := _grouped_attributes(body):
                found[f"{user.username} {path}"] = bad[:3]
    assert not found, found
