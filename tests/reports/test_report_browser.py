"""The annual report in Chromium: management finds it from the start page, orders it, reads the finished
report as a web page with its interactive charts; the org admin writes a conclusion. axe-core finds no
WCAG 2.1 A/AA violation on any of the pages."""

from __future__ import annotations

import pytest

from reports.models import ReportJob
from reports.services import building, jobs
from tests.conftest import assert_no_axe_violations
from tests.reports.conftest import make_closed_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def built_report(organisation, management, monkeypatch):
    """A finished report, built by the real build service; the PDF engine is replaced by a stand-in here
    because Playwright's sync API cannot print from inside this test's own browser session (the real
    printing is tested in test_report_build.py)."""
    make_closed_round(organisation)
    job = ReportJob.objects.create(organisation=organisation, year=2025, ordered_by=management)
    token = jobs.claim_job(job_id=job.pk)
    monkeypatch.setattr(building.pdf_engine, "print_pdf", lambda render, **kwargs: b"%PDF-1.7 stand-in")
    building.build_report(job_id=job.pk, token=token)
    return job


def test_management_finds_orders_and_reads_the_annual_report(
    page, live_server, management, built_report, browser_login, monkeypatch
):
    sent = []
    monkeypatch.setattr(jobs, "_publish", lambda job_id, language: sent.append(job_id) or True)
    browser_login(page, management)
    page.get_by_role("link", name="Årsrapport", exact=True).first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Årsrapport 2025 – Linköpings kommun").is_visible()
    assert page.get_by_role("link", name="Ladda ner PDF").is_visible()
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Ta fram rapporten igen").click()
    page.wait_for_load_state()
    assert page.get_by_text("Rapporten är beställd och ligger i kö.").is_visible()
    assert page.locator('#report-status[data-state="queued"]').count() == 1
    assert len(sent) == 1
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Läs som webbsida").click()
    page.wait_for_function("() => window.reportChartsDone === true")
    assert page.get_by_role("heading", name="Linköpings kommun: digital mognad 2025").is_visible()
    assert page.locator("#chart-matrix svg").count() > 0  # plotly drew the matrix
    assert page.get_by_role("heading", name="4.1 Socialförvaltningen").count() == 1
    assert_no_axe_violations(page)


def test_the_org_admin_writes_a_conclusion_that_the_page_lists(
    page, live_server, org_admin, built_report, browser_login
):
    browser_login(page, org_admin)
    page.goto(f"{live_server.url}/o/0580/arsrapport/2025/")
    page.get_by_role("link", name="Skriv en slutsats").click()
    page.wait_for_load_state()
    assert_no_axe_violations(page)
    page.get_by_label("Rubrik").fill("Styrningen behöver stärkas")
    page.get_by_label("Text").fill("**Tydligare** ägarskap för systemen.")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_load_state()
    assert page.get_by_text("Slutsatsen är sparad.").is_visible()
    assert page.get_by_text("Styrningen behöver stärkas").is_visible()
    # The built report is now outdated: the conclusions changed.
    assert page.get_by_text("Inaktuell").is_visible()
    assert_no_axe_violations(page)
