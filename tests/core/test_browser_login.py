"""A staff user logs in through the real login page in Chromium and sees their start page."""

import pytest

from tests.conftest import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_page_is_swedish_and_has_no_wcag_violations(page, live_server):
    page.goto(f"{live_server.url}/konto/logga-in/")
    assert page.locator("html").get_attribute("lang") == "sv-SE"
    assert page.get_by_role("heading", name="Logga in", exact=True).is_visible()
    assert_no_axe_violations(page)


def test_org_admin_logs_in_and_sees_their_start_page(page, live_server, org_admin, browser_login):
    browser_login(page, org_admin)
    assert page.url == f"{live_server.url}/"
    assert page.get_by_role(
        "heading", name="Linköpings kommun – Organisationsadministratör (digitaliseringsstab)"
    ).is_visible()
    assert page.get_by_role("link", name="Förvaltningar").first.is_visible()
    assert_no_axe_violations(page)


def test_department_rep_start_page_names_their_departments(page, live_server, dept_rep, browser_login):
    browser_login(page, dept_rep)
    assert page.get_by_text("Socialförvaltningen").first.is_visible()
    assert page.get_by_role("link", name="Förvaltningar", exact=True).count() == 0
    assert_no_axe_violations(page)


def test_wrong_password_gives_a_swedish_message(page, live_server, org_admin, browser_login):
    browser_login(page, org_admin, password="fel lösenord")
    assert "/konto/logga-in/" in page.url
    assert page.get_by_text("E-postadressen eller användarnamnet och lösenordet stämmer inte").is_visible()


def test_language_switch_to_english_is_kept(page, live_server, management, browser_login):
    browser_login(page, management)
    page.get_by_label("Språk").select_option("en")
    page.get_by_role("button", name="Byt").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Linköpings kommun – Management").is_visible()
    page.goto(f"{live_server.url}/")
    assert page.get_by_role("button", name="Log out").is_visible()
    assert_no_axe_violations(page)
