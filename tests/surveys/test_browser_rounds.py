"""An organisation admin's round, end to end in Chromium: create the round → import respondents → open →
see the response rates → close."""

import re

import pytest
from django.core import mail

from surveys.models import Invitation, Response, Round
from tests.conftest import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = (
    "namn;e-post;förvaltning;grupp\n"
    + "".join(f"Person {i};person{i}@example.se;Socialförvaltningen;Chefer\n" for i in range(5))
    + "Utbildaren;larare@example.se;Utbildningsförvaltningen;Strateger\n"
).encode()


def test_an_admin_runs_a_round_from_creation_to_closing(
    page, live_server, org_admin, browser_login, running_period, questionnaire
):
    browser_login(page, org_admin)
    page.get_by_role("link", name="Mätomgångar och svarsfrekvens").click()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Ny mätomgång").click()
    page.get_by_label("Mätperiod").select_option(str(running_period.pk))
    page.get_by_label("Enkätversion").select_option(str(questionnaire.pk))
    assert page.get_by_label("Anonym mätomgång").is_checked()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Spara mätomgången").click()

    # Respondents: the file is checked first, then imported.
    page.get_by_label("Fil med respondenter (CSV eller Excel .xlsx)").set_input_files(
        {"name": "respondenter.csv", "mimeType": "text/csv", "buffer": CSV}
    )
    page.get_by_role("button", name="Kontrollera filen").click()
    assert page.locator("#import-summary").inner_text() == "6 rader: 6 kan importeras, 0 har problem."
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Importera 6 respondenter").click()
    assert page.get_by_text("6 respondenter importerades.").is_visible()
    assert_no_axe_violations(page)

    # Open, with a confirmation.
    page.get_by_role("link", name="Tillbaka till mätomgången").click()
    page.get_by_role("link", name="Öppna mätomgången").click()
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Öppna mätomgången").click()
    assert page.locator("#round-status").inner_text() == "Öppen"
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [f"person{i}@example.se" for i in range(5)] + ["larare@example.se"]
    )

    # Five people answer (the respondent pages are issue 5's; here the ledger and responses are written).
    round_ = Round.objects.get()
    social = round_.organisation.departments.get(name="Socialförvaltningen")
    for invitation in Invitation.objects.filter(department=social):
        Invitation.objects.filter(pk=invitation.pk).update(submitted=True)
        Response.objects.create(round=round_, department=social, group=invitation.group)
    page.reload()
    assert page.locator('[data-rate="invited"]').inner_text() == "6"
    assert page.locator('[data-rate="submitted"]').inner_text() == "5"
    assert page.locator('[data-rate="rate"]').inner_text() == "83,3\u00a0%"
    # Utbildningsförvaltningen has one person: in an anonymous round nobody may see whether they answered.
    school_row = page.locator("#rates-departments tr", has_text="Utbildningsförvaltningen")
    assert school_row.locator("td").nth(2).inner_text() == "–"
    page.wait_for_function("() => document.querySelector('#submission-curve .main-svg') !== null")
    # the days in Swedish (issue 17): "3 dec", never "3/12" or "Dec"
    ticks = page.locator("#submission-curve .xtick text").all_text_contents()
    months = "jan|feb|mar|apr|maj|jun|jul|aug|sep|okt|nov|dec"
    assert ticks and all(re.fullmatch(rf"\d{{1,2}} ({months})", t) for t in ticks), ticks
    assert_no_axe_violations(page)

    # Close, with a confirmation: the results are frozen.
    page.get_by_role("link", name="Stäng mätomgången").click()
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Stäng mätomgången").click()
    assert page.locator("#round-status").inner_text() == "Stängd"
    assert page.get_by_text("Mätomgången är stängd och dess resultat är sparade.").is_visible()
    round_.refresh_from_db()
    assert round_.status == "closed"
