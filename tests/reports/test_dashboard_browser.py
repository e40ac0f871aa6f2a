# ruff: noqa: F811 - pytest fixtures imported from tests.reports.dashboard_data
"""Browser journeys on the dashboards (Chromium): a department representative finds their dashboard from
the start page, sees the matrix drawn with their department's point, switches round and downloads the
XLSX; axe-core finds no WCAG 2.1 A/AA violation; the page works at 320 px."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import load_workbook

from surveys.models import Capability
from tests.conftest import assert_no_axe_violations
from tests.reports.dashboard_data import default_questionnaire, rounds  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _wait_for_charts(page) -> None:
    page.wait_for_selector("#matrix-chart.chart-drawn svg.main-svg", timeout=20_000)


def test_a_department_representative_sees_their_matrix_switches_round_and_downloads_the_xlsx(
    page, live_server, dept_rep, rounds, browser_login, tmp_path
):
    browser_login(page, dept_rep)
    page.get_by_role("link", name="Resultat för dina förvaltningar", exact=True).click()
    page.wait_for_load_state()
    assert re.search(r"/o/0580/resultat/\?department=\d+", page.url)
    assert page.get_by_role("heading", level=1).inner_text() == "Resultat: Socialförvaltningen, HT 2025"
    _wait_for_charts(page)
    matrix = page.locator("#matrix-chart")
    drawing = matrix.locator("svg.main-svg").first
    assert drawing.get_attribute("role") == "img"
    assert "Socialförvaltningen" in drawing.get_attribute("aria-label")
    assert page.get_by_role("figure", name="Mognadsmatrisen").count() == 1
    svg_texts = matrix.locator("svg text").all_text_contents()
    assert "Socialförvaltningen" in svg_texts  # the department's own point carries its name
    assert matrix.locator(".scatterlayer .trace .point").count() >= 3  # department, its unit, the total
    assert "Utbildningsförvaltningen" not in page.content()
    assert_no_axe_violations(page)

    page.get_by_label("Mätomgång", exact=True).select_option(label="HT 2024")
    page.get_by_role("button", name="Visa").click()
    page.wait_for_load_state()
    assert f"round={rounds[0].pk}" in page.url
    assert page.get_by_role("heading", level=1).inner_text() == "Resultat: Socialförvaltningen, HT 2024"
    _wait_for_charts(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Ladda ner XLSX").click()
    download = download_info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert path.suffix == ".xlsx"
    workbook = load_workbook(path)
    cells = [c for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for c in row]
    assert "Socialförvaltningen" in cells and "HT 2024" in cells, cells[:40]
    assert not any("Utbildningsförvaltningen" in str(c) for c in cells)


def test_the_organisation_dashboard_has_no_wcag_violations_and_fits_320_pixels(
    page, live_server, management, rounds, browser_login
):
    browser_login(page, management)
    page.goto(f"{live_server.url}/o/0580/resultat/")
    _wait_for_charts(page)
    for chart in ("categories", "capabilities", "groups", "trend", "departments"):
        page.wait_for_selector(f"#{chart}-chart.chart-drawn svg.main-svg")
    assert page.locator("script[src*='vendor/plotly']").count() == 1
    assert_no_axe_violations(page)
    page.set_viewport_size({"width": 320, "height": 800})
    page.reload()
    _wait_for_charts(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert page.locator("#matrix-chart svg.main-svg").first.bounding_box()["width"] <= 320
    assert_no_axe_violations(page)


def test_the_department_table_sorts_by_a_column_heading(page, live_server, management, rounds, browser_login):
    browser_login(page, management)
    page.goto(f"{live_server.url}/o/0580/resultat/")
    table = page.locator("#departments-table")
    table.get_by_role("button", name="Respondenter").click()
    header = table.locator("th", has=page.get_by_role("button", name="Respondenter"))
    assert header.get_attribute("aria-sort") == "ascending"
    names = table.locator("tbody th").all_inner_texts()
    # A unit keeps its indentation when sorted: the hook mark (hidden from screen readers) and its level.
    assert names == [
        "Utbildningsförvaltningen",
        "└ Äldreomsorg\n, nivå 2",
        "Socialförvaltningen",
    ]  # 9, 11, 17 (with its unit)
    table.get_by_role("button", name="Respondenter").click()
    assert header.get_attribute("aria-sort") == "descending"
    assert table.locator("tbody th").all_inner_texts()[0] == "Socialförvaltningen"


def test_a_representative_reads_a_suggestion_and_starts_an_action_from_it_on_a_phone(
    page, live_server, dept_rep, rounds, browser_login
):
    """The headline points to the suggestions; a card names its figures; "Skapa åtgärd" opens the action
    page with the department, the capability and the title filled in."""
    page.set_viewport_size({"width": 375, "height": 800})
    browser_login(page, dept_rep)
    page.goto(f"{live_server.url}/o/0580/resultat/")
    page.get_by_role("link", name=re.compile(r"förslag på var du kan börja")).click()
    section = page.locator("section[aria-labelledby=suggestions-heading]")
    assert section.get_by_role("heading", name="Förslag: var du kan börja").is_visible()
    first = section.locator("li.suggestion").first
    assert first.locator(".suggestion-kind").inner_text().lower() == "bland de svagaste"
    assert "Underlag" in first.inner_text() and "%" in first.locator("dd").first.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_no_axe_violations(page)
    link = first.get_by_role("link", name=re.compile("^Skapa åtgärd"))
    department = re.search(r"department=(\d+)", page.url).group(1)
    assert f"department={department}" in link.get_attribute("href")
    capability = first.get_by_role("heading", level=3).inner_text()
    link.click()
    page.wait_for_load_state()
    address = urlsplit(page.url)
    query = parse_qs(address.query)
    assert address.path == "/o/0580/atgarder/ny/" and query["department"] == [department]
    # the heading names the capability as its figure does (a reversed one "Lite teknisk skuld",
    # Capability.label), the proposed title as the questionnaire does ("Åtgärda ”Teknisk skuld”")
    (code,) = query["capability"]
    chosen = next(c for c in Capability.objects.filter(code=code).with_labels() if c.label == capability)
    assert query["title"][0].endswith(f"”{chosen.name}”")
    assert page.get_by_role("heading", name="Ny åtgärd").is_visible()
    assert page.get_by_label("Rubrik").input_value() == query["title"][0]
    assert page.get_by_role("checkbox", name=capability).is_checked()
    assert_no_axe_violations(page)
