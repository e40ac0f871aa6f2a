"""The platform admin's new pages of issue 15 in Chromium, after a login with the second factor: the
benchmark data (a bad file's errors by line, a good file's import) and the national overview with its public
switch; axe-core finds no WCAG 2.1 A/AA violation on any of them."""

from __future__ import annotations

import pytest

from maturity.models import BenchmarkSource
from tests.conftest import assert_no_axe_violations, login_with_second_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GOOD = (
    "organisation_code,organisation_name,kind,county_code,period,n_respondents,source,overall,capability,legacy\n"
    "0114,Upplands Väsby kommun,municipality,01,2025-HT,40,Testkälla,55.5,50.0,61.0\n"
)
BAD = GOOD + "0115,Vallentuna kommun,municipality,01,2025-HT,40,Testkälla,155.5,50.0,61.0\n"


def test_the_platform_admin_imports_benchmark_data_and_opens_the_national_overview(
    page, live_server, platform_admin, settings, tmp_path
):
    from surveys.services.organisations import load_reference_data
    from surveys.services.questionnaires import ensure_default_questionnaire

    load_reference_data()
    ensure_default_questionnaire()
    settings.MFA_TOTP_TOLERANCE = 1
    login_with_second_factor(page, live_server, platform_admin.username)

    page.goto(f"{live_server.url}/jamforelsedata/")
    assert_no_axe_violations(page)
    bad, good = tmp_path / "bad.csv", tmp_path / "good.csv"
    bad.write_text(BAD, encoding="utf-8")
    good.write_text(GOOD, encoding="utf-8")
    page.locator("input[type=file]").set_input_files(str(bad))
    page.locator("form[enctype] button[type=submit], form[enctype] input[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.get_by_text("Rad 3").first.is_visible()
    assert not BenchmarkSource.objects.exists()
    assert_no_axe_violations(page)
    page.locator("input[type=file]").set_input_files(str(good))
    page.locator("form[enctype] button[type=submit], form[enctype] input[type=submit]").first.click()
    page.wait_for_load_state()
    assert BenchmarkSource.objects.get().name == "Testkälla"
    assert page.get_by_role("cell", name="Testkälla").first.is_visible()
    assert_no_axe_violations(page)

    page.goto(f"{live_server.url}/plattform/nationell-oversikt/")
    assert page.get_by_role("heading", level=1).is_visible()
    assert_no_axe_violations(page)
