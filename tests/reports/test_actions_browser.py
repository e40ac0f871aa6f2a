"""Where actions show, in Chromium (issue 16): a department representative's dashboard with its actions
beside the capabilities, and their start page with what is due; no WCAG 2.1 A/AA violation (axe-core) and
no horizontal overflow on a desktop (1366 px) and a phone (375 px)."""

from __future__ import annotations

import datetime

import pytest

from maturity.models import Action
from maturity.services import actions as services
from surveys.access import Visibility
from surveys.models import Capability
from surveys.services import periods
from tests.conftest import assert_no_axe_violations
from tests.reports.conftest import make_closed_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = datetime.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def twentieth_of_november(monkeypatch):
    monkeypatch.setattr(periods, "today", lambda: TODAY)


@pytest.fixture
def actions(organisation, org_admin, dept_rep, social_department, school_department):
    round_ = make_closed_round(organisation, year=2025)
    capabilities = list(Capability.objects.filter(version=round_.questionnaire))
    unit = social_department.children.get()

    def make(title, department, aims, due, status=None):
        action = services.create_action(
            organisation=organisation,
            round=round_,
            department=department,
            title=title,
            capabilities=aims,
            owner=dept_rep,
            starts_on=TODAY - datetime.timedelta(days=60),
            due_on=TODAY + datetime.timedelta(days=due),
            plan_reference="Budgetuppdrag 2025:14",
            scope=Visibility.everything(),
            actor=org_admin,
        )
        if status:
            services.set_action_status(
                action=action, status=status, scope=Visibility.everything(), actor=org_admin
            )
        return action

    make("Digital signering av genomförandeplaner i hemtjänsten", unit, capabilities[:2], 8)
    make(
        "Kompetenslyft i informationssäkerhet för alla chefer i förvaltningen",
        social_department,
        capabilities[2:4],
        -12,
    )
    make("Nyttorealisering i digitaliseringsprojekten", social_department, capabilities[:1], 120)
    make("Klar: e-tjänst för ansökan", social_department, capabilities[4:5], -40, Action.Status.DONE)
    make("Gemensam förvaltningsmodell för verksamhetssystemen", None, capabilities[1:2], 300)
    make("Skolans lärplattform i molnet", school_department, capabilities[:1], 30)
    return round_


def check_both_widths(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    assert_no_axe_violations(page)
    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, "the page is wider than the phone"
    assert_no_axe_violations(page)


def test_a_representative_sees_their_departments_actions_beside_the_capabilities(
    page, live_server, dept_rep, actions, social_department, browser_login
):
    page.set_viewport_size({"width": 1366, "height": 900})
    browser_login(page, dept_rep)
    page.goto(f"{live_server.url}/o/0580/resultat/?department={social_department.pk}")
    section = page.locator("section.dashboard-actions")
    assert section.get_by_role("heading", name="Åtgärder för Socialförvaltningen").is_visible()
    overdue = section.locator("li.action-overdue")
    assert overdue.count() == 1 and "försenad" in overdue.inner_text()
    assert "Kompetenslyft" in section.locator("#actions-own li").first.inner_text()  # overdue first
    assert "Gemensam förvaltningsmodell" in section.locator("#actions-also").inner_text()
    assert "Skolans lärplattform" not in page.content()
    badge = page.locator("#capability-actions a.badge").first
    assert badge.inner_text().splitlines()[0].strip() in ("1 åtgärd", "2 åtgärder", "3 åtgärder")
    check_both_widths(page)
    page.locator("#capability-actions a.badge").first.click()
    page.wait_for_load_state()
    assert "/atgarder/?department=" in page.url and "capability=" in page.url


def test_a_representative_sees_what_is_due_on_their_start_page(
    page, live_server, dept_rep, actions, browser_login
):
    page.set_viewport_size({"width": 1366, "height": 900})
    browser_login(page, dept_rep)
    due = page.locator("[data-actions-due]")
    assert due.get_by_text("1 åtgärd är försenad").is_visible()
    assert due.get_by_text("1 åtgärd ska vara klar inom 14 dagar").is_visible()
    assert due.get_by_role(
        "link", name="Kompetenslyft i informationssäkerhet för alla chefer i förvaltningen"
    ).is_visible()
    assert "Skolans lärplattform" not in page.content()
    check_both_widths(page)
    due.get_by_role("link", name="Digital signering av genomförandeplaner i hemtjänsten").click()
    page.wait_for_load_state()
    assert "/atgarder/" in page.url
