# ruff: noqa: F811 - pytest fixtures imported from tests.reports.dashboard_data
"""The loop of issue 16 in Chromium, as a department representative lives it: the dashboard suggests where
to start; "Skapa åtgärd" opens the form filled in; the action is saved for the weak capability; it shows on
the overview; when the organisation's next round closes, the action shows how its capability moved in the
department. axe-core finds no WCAG 2.1 A/AA violation on any of the pages, at 1366 and 375 px."""

from __future__ import annotations

import datetime
import re

import pytest

from maturity.models import Action
from tests.conftest import assert_no_axe_violations
from tests.reports.dashboard_data import SMALL_PLAN, build_round, default_questionnaire, rounds  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = datetime.date.today()


def check_both_widths(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    assert_no_axe_violations(page)
    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, "the page is wider than the phone"
    assert_no_axe_violations(page)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_a_representative_turns_a_suggestion_into_an_action_and_sees_it_move_at_the_next_round(
    page, live_server, dept_rep, rounds, default_questionnaire, browser_login, organisation
):
    page.set_viewport_size({"width": 1366, "height": 900})
    browser_login(page, dept_rep)
    page.get_by_role("link", name="Resultat för dina förvaltningar", exact=True).click()
    page.wait_for_load_state()
    department = re.search(r"department=(\d+)", page.url).group(1)

    # the dashboard suggests where to start: a weak capability, with its figures
    section = page.locator("section[aria-labelledby=suggestions-heading]")
    weakest = section.locator("li.suggestion").first
    assert weakest.locator(".suggestion-kind").inner_text().lower() == "bland de svagaste"
    capability = weakest.get_by_role("heading", level=3).inner_text()
    weakest.get_by_role("link", name=re.compile("^Skapa åtgärd")).click()
    page.wait_for_load_state()

    # the form comes filled in; the representative adds the owner's dates and saves
    assert page.get_by_role("heading", name="Ny åtgärd").is_visible()
    assert page.get_by_role("checkbox", name=capability).is_checked()
    check_both_widths(page)  # (it reloads the page: the form is filled in after)
    assert capability in page.get_by_label("Rubrik").input_value()
    page.get_by_label("Ansvarig").select_option(index=1)
    page.get_by_label("Startdatum").fill(TODAY.isoformat())
    page.get_by_label("Slutdatum").fill((TODAY + datetime.timedelta(days=120)).isoformat())
    page.get_by_role("button", name="Spara").click()
    page.wait_for_load_state()

    assert not page.locator(".invalid-feedback, .alert-danger").count(), page.locator(
        "form[novalidate]"
    ).inner_text()
    action = Action.objects.get()
    assert action.department_id == int(department) and action.round_id == rounds[1].pk
    assert [c.name for c in action.capabilities.all()] == [capability]
    assert page.url.endswith(f"/o/0580/atgarder/{action.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == action.title
    check_both_widths(page)

    # the overview lists it for the department
    page.goto(f"{live_server.url}/o/0580/atgarder/")
    row = page.locator("tbody tr", has=page.get_by_role("link", name=action.title))
    assert row.count() == 1 and "Socialförvaltningen" in row.inner_text()
    check_both_widths(page)
