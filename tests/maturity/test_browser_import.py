"""An organisation admin imports an earlier round in Chromium: upload, see the problems, fix the file,
confirm, download the results. Every page passes axe-core."""

from __future__ import annotations

import pytest

from surveys.models import Round
from tests.conftest import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BAD = (
    "respondent;department;group;F.EFF.1.1\n1;Socialförvaltningen;Chefer;9\n1;Socialförvaltningen;Chefer;3\n"
)
GOOD = "respondent;department;group;F.EFF.1.1;A.ORG.1.1\n" + "".join(
    f"r{i};Socialförvaltningen;Chefer;{1 + i % 6};vet ej\n" for i in range(8)
)


def _choose_file(page, tmp_path, content):
    path = tmp_path / "svar.csv"
    path.write_text(content, encoding="utf-8")
    page.get_by_label("Mätperiod").select_option(label="HT 2025")
    page.get_by_label("Svarsfil (CSV)").set_input_files(str(path))
    page.get_by_role("button", name="Kontrollera filen").click()
    page.wait_for_load_state()


def test_org_admin_imports_an_earlier_round_and_downloads_its_results(
    page, live_server, org_admin, organisation, questionnaire, period_2025, browser_login, tmp_path
):
    browser_login(page, org_admin)
    page.get_by_role("link", name="Importera svar från en tidigare mätomgång").first.click()
    assert page.get_by_role("heading", name="Importera svar från en tidigare mätomgång").is_visible()
    assert_no_axe_violations(page)

    _choose_file(page, tmp_path, BAD)
    assert page.get_by_text("Rad 2, F.EFF.1.1").is_visible()
    assert page.get_by_text("Rad 3: respondent-id ”1” används redan på rad 2.").is_visible()
    assert_no_axe_violations(page)
    assert not Round.objects.exists()

    _choose_file(page, tmp_path, GOOD)
    assert page.get_by_role("heading", name="Kontrollera innan du importerar").is_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Ja, importera de här svaren").check()
    page.get_by_role("button", name="Importera", exact=True).click()
    page.wait_for_load_state()

    assert page.get_by_text("8 svar importerades").is_visible()
    assert_no_axe_violations(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV HT 2025").click()
    assert download.value.suggested_filename == "dimios-0580-2025-HT.csv"
    assert Round.objects.get(organisation=organisation).responses.count() == 8
