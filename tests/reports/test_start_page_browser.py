"""The start page of each role in Chromium (issue 16): what the user sees first, and no WCAG 2.1 A/AA
violation (axe-core), on a desktop and on a phone."""

from __future__ import annotations

import datetime

import pytest

from surveys.models import RespondentGroup, Round
from surveys.services import periods
from tests.conftest import assert_no_axe_violations, login_with_second_factor
from tests.factories import InvitationFactory, RoundFactory
from tests.reports.conftest import make_closed_round
from tests.reports.dashboard_data import period

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def twentieth_of_november(monkeypatch):
    monkeypatch.setattr(periods, "today", lambda: datetime.date(2026, 11, 20))


def check_both_widths(page) -> None:
    assert_no_axe_violations(page)
    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, "the page is wider than the phone"
    assert_no_axe_violations(page)


def test_the_org_admin_sees_the_window_warning_the_rates_and_what_to_do(
    page, live_server, org_admin, organisation, social_department, browser_login
):
    round_ = RoundFactory(organisation=organisation, period=period(2026), status=Round.Status.OPEN)
    group = RespondentGroup.objects.filter(organisation=organisation).first()
    for i in range(8):
        InvitationFactory(round=round_, department=social_department, group=group, submitted=i < 5)
    browser_login(page, org_admin)
    assert page.get_by_text("Mätperioden HT 2026 stänger om 11 dagar, 1 december 2026.").is_visible()
    assert page.get_by_text("62,5 %").first.is_visible()
    assert page.get_by_role("link", name="Skicka en påminnelse till dem som inte har svarat").is_visible()
    check_both_widths(page)


def test_the_department_rep_sees_their_department_in_one_line(
    page, live_server, dept_rep, organisation, browser_login
):
    make_closed_round(organisation, year=2025)
    browser_login(page, dept_rep)
    line = page.locator('li[data-department="Socialförvaltningen"]')
    assert line.is_visible() and "Digital förmåga" in line.inner_text()
    assert page.get_by_text("Utbildningsförvaltningen").count() == 0
    check_both_widths(page)


def test_management_sees_the_headline_and_the_annual_report(
    page, live_server, management, organisation, browser_login
):
    make_closed_round(organisation, year=2024, seed="a")
    make_closed_round(organisation, year=2025, seed="b")
    browser_login(page, management)
    assert page.get_by_text("Hela organisationen i HT 2025, den senast avslutade mätomgången").is_visible()
    assert page.get_by_role("heading", name="Årsrapport 2025").is_visible()
    assert page.get_by_role("link", name="Beställ den").is_visible()
    check_both_widths(page)


def test_the_platform_admin_sees_the_open_rounds(page, live_server, platform_admin, organisation, settings):
    RoundFactory(organisation=organisation, period=period(2026), status=Round.Status.OPEN)
    settings.MFA_TOTP_TOLERANCE = 1
    login_with_second_factor(page, live_server, platform_admin.username)
    page.goto(f"{live_server.url}/")
    assert page.get_by_role("heading", name="Öppna mätomgångar").is_visible()
    assert page.get_by_role("link", name="Linköpings kommun").first.is_visible()
    check_both_widths(page)
