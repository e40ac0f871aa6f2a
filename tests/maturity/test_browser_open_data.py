"""The open data's page in Chromium (issue 15): in Swedish, axe-core finds no WCAG 2.1 A/AA violation, and
its download link gives the CSV."""

from __future__ import annotations

import pytest

from tests.conftest import assert_no_axe_violations
from tests.maturity.test_open_data import CSV_TEXT, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_open_data_page_is_accessible_and_links_the_files(
    page, live_server, settings, organisation, other_organisation
):
    build_world(settings, organisation, other_organisation)
    response = page.goto(f"{live_server.url}/oppna-data/")
    assert response is not None and response.status == 200
    assert page.get_by_role("heading", name="Öppna data", exact=True).is_visible()
    assert_no_axe_violations(page)
    href = page.get_by_role("link", name="CSV (UTF-8)").get_attribute("href")
    assert href == "/oppna-data/dimios-oppna-data.csv"
    csv = page.request.get(f"{live_server.url}/oppna-data/dimios-oppna-data.csv")
    assert csv.ok and csv.text() == CSV_TEXT
