"""Staff pages on a phone (issue 17, "Staff tables do not overflow at 375 px"): every page an organisation
admin reaches from the start page, two links deep, fits 375 px in Chromium with a long Swedish department
name, units, roles and a network: tables scroll inside their own box, long words break."""

from __future__ import annotations

import pytest

from surveys.models import ComparisonNetwork
from surveys.services.organisations import create_department, grant_role
from tests.core.walk import crawl

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SKIP = ("export", ".csv", ".xlsx", ".pdf", ".json", "/admin/", "/api/", "dcat", "/ladda-ner", "/download")


@pytest.fixture
def long_names(organisation, org_admin):
    parent = create_department(organisation=organisation, name="Kommunledningsförvaltningen")
    create_department(organisation=organisation, name="Digitaliseringsstaben", parent=parent)
    create_department(organisation=organisation, name="Samhällsbyggnadsförvaltningen")
    grant_role(
        organisation=organisation,
        email="forvaltningsrepresentant.kommunledningsforvaltningen@kommun.example",
        role="department_rep",
        departments=[parent],
        granted_by=org_admin,
    )
    ComparisonNetwork.objects.create(organisation=organisation, name="Östgötanätverket")
    return parent


def test_every_page_of_an_organisation_admin_fits_a_phone(
    page, live_server, client, org_admin, long_names, browser_login
):
    client.force_login(org_admin)
    pages = [
        path
        for path, status in crawl(client, "/", limit=80, depth=2).items()
        if status == 200 and not any(s in path for s in SKIP)
    ]
    assert len(pages) >= 15, pages
    browser_login(page, org_admin)
    page.set_viewport_size({"width": 375, "height": 800})
    too_wide = {}
    for path in pages:
        response = page.goto(live_server.url + path)
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        page.wait_for_load_state()
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 375:
            too_wide[path] = width
    assert not too_wide, too_wide
