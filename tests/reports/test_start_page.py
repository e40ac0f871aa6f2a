# ruff: noqa: F811 - pytest fixtures imported from tests.reports.dashboard_data
"""The start page says where each role stands and what to do next (issue 16; docs/start-pages.md): the
organisation admin's window, round, response rates and next steps; a department representative's own
departments in one line each, under the anonymity rule; management's headline and annual report; the
platform admin's open rounds, failed jobs and waiting imports; a fixed number of queries for each."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from maturity.models import RoundResult
from reports.models import Conclusion, ReportJob
from reports.selectors.annual import compute_fingerprint
from surveys.models import Department, Invitation, RespondentGroup, RespondentImport, RoleAssignment, Round
from surveys.services import periods
from tests.factories import (
    DepartmentFactory,
    InvitationFactory,
    OrganisationFactory,
    RoundFactory,
    UserFactory,
    build_questionnaire,
)
from tests.maturity.stored_rounds import close_round_with_results
from tests.reports.dashboard_data import build_round, period, small_questionnaire  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

TOO_FEW = "för få svar"


@pytest.fixture
def today(monkeypatch):
    """Freeze the start page's "today" (the seam ``surveys.services.periods.today``)."""

    def freeze(day: datetime.date) -> datetime.date:
        monkeypatch.setattr(periods, "today", lambda: day)
        return day

    return freeze


def start_page(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def link(html: str, url: str, label: str) -> bool:
    """Whether the page has a link to ``url`` that says ``label``."""
    pattern = rf'<a [^>]*href="{re.escape(url)}"[^>]*>\s*{re.escape(label)}\s*</a>'
    return re.search(pattern, html) is not None


def invite(round_, department, group, n, *, submitted=0, status="sent"):
    for i in range(n):
        InvitationFactory(
            round=round_, department=department, group=group, send_status=status, submitted=i < submitted
        )


# --- The organisation admin -------------------------------------------------------------------------------


@pytest.fixture
def autumn_round(organisation):
    return RoundFactory(organisation=organisation, period=period(2026), status=Round.Status.OPEN)


@pytest.mark.parametrize(
    ("day", "warned"), [(datetime.date(2026, 11, 17), True), (datetime.date(2026, 11, 16), False)]
)
def test_the_admin_is_warned_14_days_before_the_window_closes_and_not_15(
    client, org_admin, autumn_round, social_department, today, day, warned
):
    today(day)
    invite(autumn_round, social_department, RespondentGroup.objects.first(), 6, submitted=2)
    page = text_of(start_page(client, org_admin))
    assert ("Mätperioden HT 2026 stänger om 14 dagar, 1 december 2026." in page) is warned
    assert "HT 2026, 1 augusti – 1 december 2026: pågår" in page
    assert "sista svarsdag 1 december 2026" in page


def test_the_warning_says_so_on_the_last_day_and_is_gone_after_the_window(
    client, org_admin, autumn_round, today
):
    today(datetime.date(2026, 12, 1))
    assert "Mätperioden HT 2026 stänger i dag." in text_of(start_page(client, org_admin))
    today(datetime.date(2026, 12, 2))
    page = text_of(start_page(client, org_admin))
    assert "stänger" not in page.split("Att göra nu")[0]
    assert (
        "Ingen mätperiod pågår just nu. Nästa: VT 2027, 1 februari – 1 juni 2027 (börjar om 61 dagar)" in page
    )


def test_without_a_round_the_next_step_is_to_create_it(client, org_admin, organisation, today):
    today(datetime.date(2026, 9, 1))
    page = start_page(client, org_admin)
    assert "Ingen mätomgång för HT 2026 ännu" in text_of(page)
    assert link(
        page, reverse("surveys:round_create", args=[organisation.code]), "Skapa mätomgången för HT 2026"
    )


def test_a_draft_without_respondents_asks_for_them_and_then_for_opening(
    client, org_admin, organisation, social_department, today
):
    today(datetime.date(2026, 9, 1))
    draft = RoundFactory(organisation=organisation, period=period(2026), status=Round.Status.DRAFT)
    page = start_page(client, org_admin)
    respondents = reverse("surveys:round_respondents", args=[organisation.code, draft.pk])
    assert link(page, respondents, "Lägg till mätomgångens respondenter")
    invite(draft, social_department, RespondentGroup.objects.first(), 3, status="pending")
    page = start_page(client, org_admin)
    assert not link(page, respondents, "Lägg till mätomgångens respondenter")
    assert link(
        page,
        reverse("surveys:round_open", args=[organisation.code, draft.pk]),
        "Öppna mätomgången och skicka inbjudningarna",
    )


def test_an_open_round_asks_to_send_what_has_not_gone_out_and_to_remind(
    client, org_admin, organisation, autumn_round, social_department, today
):
    today(datetime.date(2026, 9, 20))
    group = RespondentGroup.objects.first()
    invite(autumn_round, social_department, group, 3, status="pending")
    invite(autumn_round, social_department, group, 6, submitted=2)
    page = start_page(client, org_admin)
    detail = reverse("maturity:round_detail", args=[organisation.code, autumn_round.pk])
    assert link(page, f"{detail}#sending-heading", "Skicka inbjudningarna som inte har gått iväg (3)")
    assert link(page, f"{detail}#sending-heading", "Skicka en påminnelse till dem som inte har svarat")
    assert "Stäng omgången" not in page  # its last day is more than 14 days away
    assert "Mätperioden HT 2026 stänger" not in page


def test_an_open_round_near_its_last_day_asks_to_be_closed(
    client, org_admin, organisation, autumn_round, social_department, today
):
    autumn_round.closes_on = datetime.date(2026, 10, 15)
    autumn_round.save()
    invite(autumn_round, social_department, RespondentGroup.objects.first(), 6, submitted=6)
    close = reverse("maturity:round_close", args=[organisation.code, autumn_round.pk])
    today(datetime.date(2026, 9, 30))
    assert not link(start_page(client, org_admin), close, "Stäng mätomgången och räkna fram resultaten")
    today(datetime.date(2026, 10, 1))
    page = start_page(client, org_admin)
    assert link(page, close, "Stäng mätomgången och räkna fram resultaten")
    assert "Sista svarsdagen är 15 oktober 2026; därefter stängs mätomgången automatiskt." in text_of(page)


def test_after_closing_the_next_steps_are_the_conclusions_and_the_annual_report(
    client, org_admin, organisation, small_questionnaire, today
):
    today(datetime.date(2026, 12, 10))
    close_round_with_results(organisation, period(2026), small_questionnaire, 55.0)
    code = organisation.code
    page = start_page(client, org_admin)
    assert link(page, reverse("reports:conclusion_create", args=[code, 2026]), "Skriv slutsatserna för 2026")
    assert link(page, reverse("reports:annual_report", args=[code, 2026]), "Beställ årsrapporten för 2026")
    assert "Årsrapporten för 2026: inte beställd ännu." in text_of(page)

    Conclusion.objects.create(organisation=organisation, year=2026, number=1, title="Styr mot nyttan")
    job = ReportJob.objects.create(
        organisation=organisation,
        year=2026,
        language="sv",
        state=ReportJob.State.DONE,
        finished_at=timezone.now(),
        fingerprint=compute_fingerprint(organisation=organisation, year=2026)[0],
    )
    page = start_page(client, org_admin)
    assert "Skriv slutsatserna" not in page and "Beställ årsrapporten" not in page
    assert "Årsrapporten för 2026: klar." in text_of(page)
    download = reverse("reports:annual_report_download", args=[code, job.pk, "pdf"])
    assert link(page, download, "Ladda ner årsrapporten för 2026 (PDF)")


def test_the_admin_sees_the_response_rate_per_department_under_the_anonymity_rule(
    client, org_admin, organisation, autumn_round, social_department, school_department, today
):
    today(datetime.date(2026, 9, 20))
    group = RespondentGroup.objects.first()
    invite(autumn_round, social_department, group, 10, submitted=6)
    invite(autumn_round, school_department, group, 3, submitted=2)  # fewer than k invited
    page = start_page(client, org_admin)
    rows = {
        m.group(1): text_of(m.group(2))
        for m in re.finditer(r'<li class="start-line[^"]*" data-department="([^"]+)">(.*?)</li>', page, re.S)
    }
    assert "visas inte" in rows["Utbildningsförvaltningen"]
    # The school's two answers must not be derivable: the total and the social department's count are not
    # both shown (8 of 13 and 6 would give 2).
    shown_total = "8 av 13 inbjudna har svarat" in text_of(page)
    assert not (shown_total and " 6 " in rows["Socialförvaltningen"])
    assert "anonyma" in text_of(page)


# --- The department representative -----------------------------------------------------------------------


@pytest.fixture
def rep_rounds(organisation, small_questionnaire):
    """HT 2025 and HT 2026 of the persona organisation, with a small group in the rep's department and a
    department (Kulturförvaltningen) of three respondents."""
    DepartmentFactory(organisation=organisation, name="Kulturförvaltningen")
    plan = {
        ("Socialförvaltningen", "Chefer"): 6,
        ("Äldreomsorg", "Chefer"): 5,
        ("Äldreomsorg", "Strateger"): 2,
        ("Utbildningsförvaltningen", "Chefer"): 7,
        ("Kulturförvaltningen", "Chefer"): 3,
    }
    return [
        build_round(organisation, year=2025, questionnaire=small_questionnaire, plan=plan, seed=3, level=3.0),
        build_round(organisation, year=2026, questionnaire=small_questionnaire, plan=plan, seed=4, level=4.2),
    ]


def _percent(value: float) -> str:
    return f"{value:.1f}".replace(".", ",") + "\u00a0%"


def test_a_rep_sees_their_departments_latest_results_and_change_in_one_line(
    client, dept_rep, rep_rounds, social_department
):
    page = start_page(client, dept_rep)
    text = text_of(page)
    stored = RoundResult.objects.get(round=rep_rounds[1], scope_key=f"department:{social_department.pk}")
    before = RoundResult.objects.get(round=rep_rounds[0], scope_key=f"department:{social_department.pk}")
    assert "Dina förvaltningar i HT 2026, med förändringen sedan HT 2025" in text
    assert _percent(stored.capability_percent) in page and _percent(stored.legacy_percent) in page
    change = stored.capability_percent - before.capability_percent
    assert f"+{change:.1f}".replace(".", ",") + " p.e." in text
    assert stored.type in text


def test_a_rep_sees_no_other_department_and_no_small_group(client, dept_rep, rep_rounds, organisation):
    page = start_page(client, dept_rep)
    for other in ("Utbildningsförvaltningen", "Kulturförvaltningen", "Äldreomsorg", "Strateger", "Chefer"):
        assert other not in page
    for result in RoundResult.objects.filter(round=rep_rounds[1]).exclude(
        scope_key__startswith="department:"
    ):
        if result.capability_percent is not None and result.scope_key != "organisation":
            assert _percent(result.capability_percent) not in page, result.scope_key


def test_a_rep_of_a_small_department_sees_its_figures_as_hidden_with_the_reason(
    client, organisation, rep_rounds
):
    culture = Department.objects.get(organisation=organisation, name="Kulturförvaltningen")
    rep = UserFactory(username="kultur.rep@kommun.example")
    RoleAssignment.objects.create(
        user=rep, organisation=organisation, role=RoleAssignment.Role.DEPARTMENT_REP
    ).departments.set([culture])
    page = start_page(client, rep)
    stored = RoundResult.objects.get(round=rep_rounds[1], scope_key=f"department:{culture.pk}")
    assert stored.capability_percent is not None
    assert _percent(stored.capability_percent) not in page and _percent(stored.legacy_percent) not in page
    row = re.search(r'<li class="start-line" data-department="Kulturförvaltningen">(.*?)</li>', page, re.S)
    assert row is not None
    line = text_of(row.group(1)).strip()
    hidden = f"Digital förmåga {TOO_FEW} · Digitalt arv {TOO_FEW} · Typ {TOO_FEW}"
    assert line == f"Kulturförvaltningen {hidden}"
    assert "”För få svar”: siffran bygger på färre än 5 svar" in text_of(page)
    assert "p.e." not in row.group(1)  # no change derived from a hidden figure


def test_a_rep_before_any_closed_round_is_told_when_results_appear(client, dept_rep):
    assert "Det finns inga resultat ännu" in text_of(start_page(client, dept_rep))


def test_the_rep_card_says_when_their_departments_have_no_action_yet(
    client, dept_rep, rep_rounds, organisation
):
    text = text_of(start_page(client, dept_rep))
    assert "Dina åtgärder" in text
    assert "Inga åtgärder har registrerats för dina förvaltningar ännu." in text
    assert "försenad" not in text.lower()


# --- Management -------------------------------------------------------------------------------------------


def test_management_sees_the_headline_with_its_change_and_the_report_state(
    client, management, organisation, rep_rounds
):
    code = organisation.code
    now = RoundResult.objects.get(round=rep_rounds[1], scope_key="organisation")
    before = RoundResult.objects.get(round=rep_rounds[0], scope_key="organisation")
    page = start_page(client, management)
    text = text_of(page)
    assert (
        "Hela organisationen i HT 2026, den senast avslutade mätomgången, med förändringen sedan HT 2025"
        in text
    )
    assert _percent(now.capability_percent) in page and _percent(now.legacy_percent) in page
    assert f"{now.legacy_percent - before.legacy_percent:+.1f}".replace(".", ",") + " p.e." in text
    assert "Inte beställd ännu." in text
    assert link(page, reverse("reports:annual_report", args=[code, 2026]), "Beställ den")

    job = ReportJob.objects.create(organisation=organisation, year=2026, language="sv", state="queued")
    assert "Beställd, väntar på att tas fram." in text_of(start_page(client, management))
    ReportJob.objects.filter(pk=job.pk).update(state="failed", error="Servern för PDF saknas.")
    page = start_page(client, management)
    assert "Den senaste framtagningen misslyckades." in text_of(page) and "Servern för PDF saknas." in page
    done = ReportJob.objects.create(
        organisation=organisation,
        year=2026,
        language="sv",
        state="done",
        finished_at=timezone.now(),
        fingerprint=compute_fingerprint(organisation=organisation, year=2026)[0],
    )
    page = start_page(client, management)
    download = reverse("reports:annual_report_download", args=[code, done.pk, "pdf"])
    assert "Klar." in text_of(page) and link(page, download, "Ladda ner årsrapporten för 2026 (PDF)")
    ReportJob.objects.filter(pk=done.pk).update(fingerprint="earlier data")
    page = start_page(client, management)
    assert "Inaktuell: underlaget har ändrats sedan den togs fram." in text_of(page)
    assert link(page, download, "Ladda ner årsrapporten för 2026 (PDF)")
    assert link(page, reverse("reports:annual_report", args=[code, 2026]), "Beställ den igen")


def test_management_of_an_organisation_too_small_to_show_sees_too_few_responses(
    client, management, organisation, small_questionnaire
):
    build_round(
        organisation,
        year=2026,
        questionnaire=small_questionnaire,
        plan={("Socialförvaltningen", "Chefer"): 3},
    )
    assert text_of(start_page(client, management)).count(TOO_FEW) >= 3


# --- The platform admin -------------------------------------------------------------------------------------


def test_the_platform_admin_sees_open_rounds_failed_jobs_and_waiting_imports(
    client, platform_admin, organisation, other_organisation, autumn_round, social_department, today
):
    today(datetime.date(2026, 9, 20))
    invite(autumn_round, social_department, RespondentGroup.objects.first(), 2, status="failed")
    RespondentImport.objects.create(round=autumn_round, filename="svarande-hosten.csv", parsed={})
    ReportJob.objects.create(
        organisation=other_organisation, year=2025, language="sv", state="failed", error="Tiden tog slut."
    )
    retried = OrganisationFactory(name="Testkommun som försökte igen")
    ReportJob.objects.create(organisation=retried, year=2025, language="sv", state="failed")
    ReportJob.objects.create(organisation=retried, year=2025, language="sv", state="done")
    page = start_page(client, platform_admin)
    text = text_of(page)
    assert link(
        page, reverse("maturity:round_detail", args=[organisation.code, autumn_round.pk]), organisation.name
    )
    assert "Årsrapport 2025 för Stockholms kommun (svenska)" in text and "Tiden tog slut." in text
    assert "Testkommun som försökte igen" not in text.split("Inläsningar som väntar")[0]
    assert "Linköpings kommun, HT 2026: 2 inbjudningsmejl kunde inte skickas" in text
    assert "respondentfilen ”svarande-hosten.csv”" in text


def test_the_platform_admin_is_told_when_nothing_needs_attention(client, platform_admin, today):
    today(datetime.date(2026, 12, 20))
    text = text_of(start_page(client, platform_admin))
    assert "Ingen organisation har en öppen mätomgång." in text
    assert "Ingen framtagning av årsrapport och inget utskick av inbjudningar har misslyckats." in text
    assert "Ingen respondentfil väntar på att läsas in." in text


# --- Queries: the same from small to large data -----------------------------------------------------------


def _organisation_of(n_departments: int, n_rounds: int, questionnaire):
    """An organisation with ``n_departments`` departments, ``n_rounds`` closed autumn rounds with stored
    results for each department and an open round of HT 2026 with invitations in each department."""
    organisation = OrganisationFactory()
    group = RespondentGroup.objects.create(organisation=organisation, name="Chefer")
    departments = [DepartmentFactory(organisation=organisation) for _ in range(n_departments)]
    for year in range(2026 - n_rounds, 2026):
        close_round_with_results(
            organisation,
            period(year),
            questionnaire,
            50.0 + year - 2020,
            departments=[(d, 40.0 + i % 20, 6 if i % 3 else 3) for i, d in enumerate(departments)],
        )
    open_round = RoundFactory(organisation=organisation, period=period(2026), questionnaire=questionnaire)
    Invitation.objects.bulk_create(
        Invitation(
            round=open_round,
            email=f"s{d.pk}-{i}@kommun.example",
            department=d,
            group=group,
            send_status="sent",
            submitted=i < 3,
        )
        for d in departments
        for i in range(6)
    )
    ReportJob.objects.create(
        organisation=organisation,
        year=2025,
        language="sv",
        state="done",
        finished_at=timezone.now(),
        fingerprint=compute_fingerprint(organisation=organisation, year=2025)[0],
    )
    return organisation, departments


@pytest.mark.parametrize("role", ["org_admin", "management", "department_rep"])
def test_a_start_page_reads_as_many_queries_for_two_departments_as_for_thirty(
    client, django_assert_max_num_queries, today, role
):
    today(datetime.date(2026, 11, 20))
    questionnaire = build_questionnaire(categories_per_dimension=1, statements_per_category=1)
    # + 1 each for the action plans (issue 16): the admin's overdue count, the representative's actions due
    limits = {"org_admin": 26, "management": 21, "department_rep": 13}
    for n_departments, n_rounds in ((2, 1), (30, 5)):
        organisation, departments = _organisation_of(n_departments, n_rounds, questionnaire)
        user = UserFactory()
        assignment = RoleAssignment.objects.create(user=user, organisation=organisation, role=role)
        if role == "department_rep":
            assignment.departments.set(departments)
        client.force_login(user)
        with django_assert_max_num_queries(limits[role]):
            page = client.get(reverse("home")).content.decode()
        expected = {
            "org_admin": "Svarsfrekvens per förvaltning",
            "management": "Hela organisationen i HT 2025",
            "department_rep": "Dina förvaltningar i HT 2025",
        }[role]
        assert expected in page, (role, n_departments)
        if role == "department_rep":
            assert page.count('<li class="start-line"') == n_departments
        if role == "org_admin":
            assert page.count('<li class="start-line d-flex') == n_departments


def test_the_platform_admin_start_page_reads_as_many_queries_for_one_organisation_as_for_twenty(
    client, platform_admin, django_assert_max_num_queries, today
):
    today(datetime.date(2026, 9, 20))
    questionnaire = build_questionnaire(categories_per_dimension=1, statements_per_category=1)
    created = 0
    for total in (1, 20):
        while created < total:
            organisation = OrganisationFactory()
            department = DepartmentFactory(organisation=organisation)
            group = RespondentGroup.objects.create(organisation=organisation, name="Chefer")
            round_ = RoundFactory(organisation=organisation, period=period(2026), questionnaire=questionnaire)
            invite(round_, department, group, 2, status="failed")
            RespondentImport.objects.create(round=round_, filename=f"fil-{organisation.code}.csv", parsed={})
            ReportJob.objects.create(organisation=organisation, year=2025, language="sv", state="failed")
            created += 1
        client.force_login(platform_admin)
        with django_assert_max_num_queries(14):
            page = client.get(reverse("home")).content.decode()
        assert page.count("inbjudningsmejl kunde inte skickas") == total
        assert page.count("väntar på att läsas in eller avbrytas") == total
