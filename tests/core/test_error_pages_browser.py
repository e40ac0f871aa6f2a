"""The error pages in Chromium (issue 17): each one, as a reader meets it, has no WCAG 2.1 A/AA violation
(axe-core) and fits a desktop (1366 px) and a phone (375 px); its way back works."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import assert_fits_and_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check_both_widths(page, heading: str) -> None:
    assert page.get_by_role("heading", level=1).inner_text() == heading
    assert_fits_and_accessible(page)
    assert page.get_by_role("heading", level=1).inner_text() == heading


def test_an_unknown_address_and_its_way_back(page, live_server):
    response = page.goto(f"{live_server.url}/finns-inte/")
    assert response.status == 404
    check_both_widths(page, "Sidan finns inte")
    page.get_by_role("link", name="Till startsidan").click()
    page.wait_for_load_state()
    assert page.url.rstrip("/") == live_server.url or "/konto/logga-in/" in page.url


def test_a_missing_role(page, live_server, dept_rep, organisation, browser_login):
    browser_login(page, dept_rep)
    response = page.goto(live_server.url + reverse("surveys:department_list", args=[organisation.code]))
    assert response.status == 403, page.url
    check_both_widths(page, "Du har inte behörighet till den här sidan")
    page.get_by_role("link", name="Till startsidan").click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/"


def test_a_form_refused_by_the_csrf_check(page, live_server):
    page.goto(f"{live_server.url}/konto/logga-in/")
    page.context.clear_cookies()  # the CSRF cookie is gone, as after a long pause or another tab's logout
    page.get_by_role("button", name="Byt").click()
    page.wait_for_load_state()
    check_both_widths(page, "Formuläret kunde inte skickas")


def test_a_server_error(page, live_server, settings):
    settings.ROOT_URLCONF = "tests.core.error_urls"
    response = page.goto(f"{live_server.url}/test-serverfel/")
    assert response.status == 500
    check_both_widths(page, "Något gick fel")


def test_a_bad_request(page, live_server):
    response = page.goto(f"{live_server.url}/o/05%0180/")
    assert response.status == 400
    check_both_widths(page, "Begäran kunde inte hanteras")
