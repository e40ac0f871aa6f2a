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
from surveys.models import Capability
from tests.conftest import assert_fits_and_accessible
from tests.reports.dashboard_data import SMALL_PLAN, build_round, default_questionnaire, rounds  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = datetime.date.today()


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
    assert_fits_and_accessible(page, reload=True)  # (it reloads the page: the form is filled in after)
    # the title names the capability as the questionnaire does ("Ta itu med ”Teknisk skuld”"), the
    # heading and the figures by what a high figure means ("Lite teknisk skuld", Capability.label)
    chosen = Capability.objects.filter(version=default_questionnaire).with_labels()
    name = next(c.name for c in chosen if c.label == capability)
    assert name in page.get_by_label("Rubrik").input_value()
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
    assert [c.label for c in action.capabilities.with_labels()] == [capability]
    assert page.url.endswith(f"/o/0580/atgarder/{action.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == action.title
    assert_fits_and_accessible(page, reload=True)

    # the overview lists it for the department
    page.goto(f"{live_server.url}/o/0580/atgarder/")
    row = page.locator("tbody tr", has=page.get_by_role("link", name=action.title))
    assert row.count() == 1 and "Socialförvaltningen" in row.inner_text()
    assert_fits_and_accessible(page, reload=True)

    # before the organisation's next round: the action waits for it
    detail = f"{live_server.url}/o/0580/atgarder/{action.pk}/"
    page.goto(detail)
    followup = page.locator("section[aria-labelledby=followup-heading]")
    assert "Väntar på nästa omgång" in followup.inner_text()

    # the next round (HT 2026) closes: the action shows how its capability moved in the department
    later = build_round(
        organisation, year=2026, questionnaire=default_questionnaire, plan=SMALL_PLAN, seed=26, level=4.4
    )
    page.reload()
    followup = page.locator("section[aria-labelledby=followup-heading]")
    assert "Följs upp i mätomgången HT 2026." in followup.inner_text()
    headings = followup.locator("thead th").all_inner_texts()
    assert headings == ["Förmåga", "HT 2025", "HT 2026", "Förändring"]
    cells = followup.locator("tbody tr").first.locator("td").all_inner_texts()
    assert cells[0] == capability
    before, after = (float(c.replace("\u00a0%", "").replace(",", ".")) for c in cells[1:3])
    change = float(cells[3].split()[0].replace(",", ".").replace("−", "-").replace("±", ""))
    assert abs((after - before) - change) <= 0.11, cells  # each rounded to one decimal
    # the same figures the department's dashboards show for the two rounds
    for round_, value in ((rounds[1], before), (later, after)):
        page.goto(f"{live_server.url}/o/0580/resultat/?department={department}&round={round_.pk}")
        row = page.locator("tr", has=page.locator(f"th:text-is('{capability}')")).first
        assert f"{value:.1f}".replace(".", ",") in row.text_content(), (round_.period, row.text_content())
    # and on the overview, beside the capability
    page.goto(f"{live_server.url}/o/0580/atgarder/")
    row = page.locator("tbody tr", has=page.get_by_role("link", name=action.title))
    assert "HT 2026" in row.inner_text() and "p.e." in row.inner_text()
    page.goto(detail)
    assert_fits_and_accessible(page, reload=True)


def test_an_admin_records_a_reorganisation_on_an_accessible_page(
    page, live_server, org_admin, organisation, browser_login
):
    """The department successions (issue 16: a reorganised department keeps its history): the page, the
    added succession and the removal's confirmation, with axe-core at 1366 and 375 px."""
    from django.urls import reverse

    from surveys.models import DepartmentSuccession
    from surveys.services.organisations import create_department

    create_department(organisation=organisation, name="Vård- och omsorgsförvaltningen")
    page.set_viewport_size({"width": 1366, "height": 900})
    browser_login(page, org_admin)
    page.goto(live_server.url + reverse("surveys:department_list", args=[organisation.code]))
    page.get_by_role("link", name="Omorganisationer (förvaltningsefterföljder)").click()
    page.wait_for_load_state()
    assert_fits_and_accessible(page, reload=True)
    page.get_by_label("Tidigare förvaltning").select_option(label="Socialförvaltningen")
    page.get_by_label("Senare förvaltning").select_option(label="Vård- och omsorgsförvaltningen")
    page.get_by_role("button", name="Lägg till efterföljd").click()
    page.wait_for_load_state()
    succession = DepartmentSuccession.objects.get()
    assert succession.predecessor.name == "Socialförvaltningen"
    assert "Vård- och omsorgsförvaltningen" in page.locator("main").inner_text()
    assert_fits_and_accessible(page, reload=True)
    page.goto(
        live_server.url
        + reverse("surveys:department_succession_delete", args=[organisation.code, succession.pk])
    )
    assert_fits_and_accessible(page, reload=True)
