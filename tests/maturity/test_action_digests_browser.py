"""The weekly digest's pages in Chromium (issue 16, docs/actions.md "Reminders"): a representative finds
their reminders from the action plan and switches the digest off and on; the e-mail's link switches it off
without a login, with a confirmation first. axe-core finds no WCAG 2.1 A/AA violation at 1366 and 375 px."""

from __future__ import annotations

import pytest
from django.urls import reverse

from maturity.models import ActionDigestPreference
from maturity.services import action_digests
from tests.conftest import assert_fits_and_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def enabled(user) -> bool:
    return action_digests.digest_enabled(user=user)


def test_a_representative_switches_their_digest_off_and_on(
    page, live_server, dept_rep, organisation, browser_login
):
    browser_login(page, dept_rep)
    page.goto(live_server.url + reverse("maturity:action_list", args=[organisation.code]))
    page.get_by_role("link", name="Dina påminnelser").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Påminnelser om dina åtgärder"
    assert_fits_and_accessible(page)
    page.get_by_role("button", name="Stäng av veckobrevet").click()
    page.wait_for_load_state()
    assert "avstängt" in page.locator("[role=status]").inner_text()
    assert not enabled(dept_rep)
    assert_fits_and_accessible(page)
    page.get_by_role("button", name="Slå på veckobrevet").click()
    page.wait_for_load_state()
    assert enabled(dept_rep)


def test_the_e_mails_link_asks_first_then_switches_off_without_a_login(page, live_server, dept_rep):
    url = action_digests.switch_off_url(dept_rep.pk).replace("http://127.0.0.1:8000", live_server.url)
    page.goto(url)
    assert page.get_by_role("heading", level=1).inner_text() == "Stäng av veckobrevet"
    assert enabled(dept_rep)  # a GET (a mail scanner following the link) changes nothing
    assert_fits_and_accessible(page)
    page.get_by_role("button", name="Stäng av veckobrevet").click()
    page.wait_for_load_state()
    assert not enabled(dept_rep)
    assert ActionDigestPreference.objects.get(user=dept_rep).enabled is False
    assert_fits_and_accessible(page)


def test_a_tampered_link_says_so_and_changes_nothing(page, live_server, dept_rep):
    url = action_digests.switch_off_url(dept_rep.pk).replace("http://127.0.0.1:8000", live_server.url)
    response = page.goto(url[:-3] + "xx/")
    assert response.status == 400
    assert page.locator("[role=alert]").is_visible()
    assert enabled(dept_rep)
    assert_fits_and_accessible(page)
