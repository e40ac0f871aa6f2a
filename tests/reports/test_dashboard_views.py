# ruff: noqa: F811 - pytest fixtures imported from tests.reports.dashboard_data
"""The results dashboards and their downloads: who may see what, what is shown (suppressed as "för få
svar"), the filter in the URL, the downloads, and a fixed number of queries."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from maturity.read_model import HIDDEN
from surveys.models import Department, Invitation, RespondentGroup, Round
from tests.reports.dashboard_data import (  # noqa: F401 - fixtures
    SMALL_PLAN,
    build_round,
    default_questionnaire,
    rounds,
    small_questionnaire,
)

pytestmark = pytest.mark.django_db

TOO_FEW = "för få svar"


def url(organisation, *, fmt=None, **params) -> str:
    base = (
        reverse("reports:dashboard_export", args=[organisation.code, fmt])
        if fmt
        else reverse("reports:dashboard", args=[organisation.code])
    )
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{base}?{query}" if query else base


def dept(organisation, name) -> Department:
    return Department.objects.get(organisation=organisation, name=name)


# --- Permissions ----------------------------------------------------------------------------------------


def _targets(organisation):
    social = dept(organisation, "Socialförvaltningen").pk
    elder = dept(organisation, "Äldreomsorg").pk
    school = dept(organisation, "Utbildningsförvaltningen").pk
    return {
        "organisation": url(organisation),
        "social": url(organisation, department=social),
        "unit": url(organisation, department=elder),
        "other_department": url(organisation, department=school),
        "csv_organisation": url(organisation, fmt="csv"),
        "xlsx_organisation": url(organisation, fmt="xlsx"),
        "csv_social": url(organisation, fmt="csv", department=social),
        "xlsx_unit": url(organisation, fmt="xlsx", department=elder),
        "xlsx_other_department": url(organisation, fmt="xlsx", department=school),
    }


ALL = {
    "organisation": 200,
    "social": 200,
    "unit": 200,
    "other_department": 200,
    "csv_organisation": 200,
    "xlsx_organisation": 200,
    "csv_social": 200,
    "xlsx_unit": 200,
    "xlsx_other_department": 200,
}
NOTHING = dict.fromkeys(ALL, 404)
EXPECTED = {
    "org_admin": ALL,
    "management": ALL,
    "platform_admin": ALL,
    # the organisation view sends them on to their own department; never another department
    "dept_rep": {
        **ALL,
        "organisation": 302,
        "csv_organisation": 302,
        "xlsx_organisation": 302,
        "other_department": 404,
        "xlsx_other_department": 404,
    },
    "outsider": NOTHING,
    "no_role_user": NOTHING,
    "anonymous": dict.fromkeys(ALL, 302),
}


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_every_dashboard_url_and_download_answers_each_role_as_its_permissions_allow(
    persona, request, client, organisation, rounds
):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    for name, target in _targets(organisation).items():
        response = client.get(target)
        assert response.status_code == EXPECTED[persona][name], (persona, name, target)
        if response.status_code == 302 and persona == "anonymous":
            assert response["Location"].startswith(reverse("account_login"))
        elif response.status_code == 302:
            social = dept(organisation, "Socialförvaltningen").pk
            assert f"department={social}" in response["Location"]


def test_a_department_representative_never_sees_another_departments_figures(
    client, organisation, rounds, dept_rep
):
    client.force_login(dept_rep)
    page = client.get(
        url(organisation, department=dept(organisation, "Socialförvaltningen").pk)
    ).content.decode()
    assert "Utbildningsförvaltningen" not in page  # neither in a table, a chart nor the filter
    assert "Äldreomsorg" in page  # their unit
    assert "Linköpings kommun" in page  # and the organisation total
    workbook = client.get(
        url(organisation, fmt="xlsx", department=dept(organisation, "Socialförvaltningen").pk)
    )
    cells = _xlsx_cells(workbook.content)
    assert not any("Utbildningsförvaltningen" in str(c) for c in cells)


def test_the_department_filter_offers_a_representative_only_their_departments(
    client, organisation, rounds, dept_rep
):
    client.force_login(dept_rep)
    page = client.get(url(organisation, department=dept(organisation, "Äldreomsorg").pk)).content.decode()
    select = re.search(r'<select name="department".*?</select>', page, re.S).group(0)
    assert "Socialförvaltningen" in select and "Äldreomsorg" in select
    assert "Utbildningsförvaltningen" not in select
    assert "hela organisationen" not in select.lower()


# --- Content --------------------------------------------------------------------------------------------


def test_the_organisation_dashboard_shows_the_latest_closed_round_by_default(
    client, organisation, rounds, management
):
    client.force_login(management)
    response = client.get(url(organisation))
    assert response.context["dashboard"]["round"] == rounds[1]
    page = response.content.decode()
    assert "HT 2025" in page
    for section in ("matrix-chart", "categories-chart", "capabilities-chart", "groups-chart", "trend-chart"):
        assert f'id="{section}"' in page
    assert (
        '<figure class="dashboard-chart mb-4" aria-labelledby="matrix-title" aria-describedby="matrix-desc">'
        in page
    )
    assert '<figcaption id="matrix-title"' in page and 'id="matrix-desc"' in page


def test_switching_the_round_in_the_url_shows_that_round(client, organisation, rounds, management):
    client.force_login(management)
    response = client.get(url(organisation, round=rounds[0].pk))
    assert response.context["dashboard"]["round"] == rounds[0]
    assert response.context["dashboard"]["headline"]["previous"] is None
    latest = client.get(url(organisation, round=rounds[1].pk)).context["dashboard"]
    assert latest["headline"]["previous"]["period"] == "HT 2024"
    assert [str(r.period) for r in latest["trend_rounds"]] == ["HT 2024", "HT 2025"]


def test_an_unknown_round_in_the_url_gets_a_clear_message(client, organisation, rounds, management):
    client.force_login(management)
    response = client.get(url(organisation, round=999999))
    assert response.status_code == 400
    assert "Välj ett giltigt alternativ" in response.content.decode()


def test_figures_are_shown_swedish_style_with_one_decimal(client, organisation, rounds, management):
    client.force_login(management)
    response = client.get(url(organisation))
    overall = response.context["dashboard"]["headline"]["overall"]
    shown = f"{overall:.1f}".replace(".", ",") + "\u00a0%"
    assert shown in response.content.decode()


def test_a_set_below_k_shows_too_few_responses_instead_of_a_number(client, organisation, rounds, management):
    client.force_login(management)
    response = client.get(url(organisation, department=dept(organisation, "Utbildningsförvaltningen").pk))
    dashboard = response.context["dashboard"]
    strateger = RespondentGroup.objects.get(organisation=organisation, name="Strateger")
    heat = dashboard["tables"]["groups"]
    column = heat.columns.index(strateger.name)
    assert all(row[column] == HIDDEN for row in heat.rows)  # 2 respondents
    assert TOO_FEW in response.content.decode()


def test_the_organisation_view_places_every_department_in_the_matrix_and_the_comparison_table(
    client, organisation, rounds, management
):
    client.force_login(management)
    dashboard = client.get(url(organisation)).context["dashboard"]
    traces = {trace["meta"]["kind"]: trace for trace in dashboard["figures"]["matrix"]["data"]}
    assert traces["focus"]["meta"]["keys"] == ["organisation"]
    keys = set(traces["department"]["meta"]["keys"])
    names = [row[0] for row in dashboard["tables"]["departments"].rows]
    assert names == ["Socialförvaltningen", "Äldreomsorg", "Utbildningsförvaltningen"]
    assert {f"department:{dept(organisation, n).pk}" for n in names} == keys


def test_the_type_description_and_recommendations_follow_the_matrix(client, organisation, rounds, management):
    client.force_login(management)
    response = client.get(url(organisation))
    dashboard = response.context["dashboard"]
    assert dashboard["type_text"] is not None
    assert dashboard["type_text"].type == dashboard["headline"]["type"]
    assert dashboard["type_text"].recommendations_sv[:40] in response.content.decode()


def test_a_group_filter_narrows_the_figures_to_that_group(client, organisation, rounds, management):
    client.force_login(management)
    chefer = RespondentGroup.objects.get(organisation=organisation, name="Chefer")
    dashboard = client.get(url(organisation, group=chefer.pk)).context["dashboard"]
    assert dashboard["focus_key"] == f"group:{chefer.pk}"
    assert dashboard["headline"]["n"] == 6 + 5 + 7


def test_the_response_rate_comes_from_the_invitations_and_imported_rounds_say_they_have_none(
    client, organisation, rounds, management, default_questionnaire
):
    client.force_login(management)
    social = dept(organisation, "Socialförvaltningen")
    chefer = RespondentGroup.objects.get(organisation=organisation, name="Chefer")
    Invitation.objects.bulk_create(
        Invitation(
            round=rounds[1], email=f"p{i}@kommun.example", department=social, group=chefer, submitted=i < 30
        )
        for i in range(40)
    )
    rate = client.get(url(organisation)).context["dashboard"]["headline"]["response_rate"]
    assert rate["rate"] == pytest.approx(75.0)
    assert "75,0\u00a0%" in client.get(url(organisation)).content.decode()
    imported = build_round(
        organisation,
        year=2026,
        questionnaire=default_questionnaire,
        plan=SMALL_PLAN,
        source=Round.Source.IMPORT,
    )
    response = client.get(url(organisation, round=imported.pk))
    assert response.context["dashboard"]["headline"]["response_rate"]["available"] is False
    assert "Ingen svarsfrekvens: importerade svar." in response.content.decode()


def test_plotly_is_loaded_once_from_the_local_static_files(client, organisation, rounds, management):
    client.force_login(management)
    page = client.get(url(organisation)).content.decode()
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', page)
    plotly = [s for s in scripts if "plotly" in s]
    assert plotly == ["/static/vendor/plotly/plotly-cartesian.min.js", "/static/js/plotly-locale-sv.js"]
    assert not [s for s in scripts if s.startswith(("http:", "https:", "//"))]


# --- Downloads ------------------------------------------------------------------------------------------


def _xlsx_cells(content: bytes) -> list:
    workbook = load_workbook(io.BytesIO(content))
    return [
        cell for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for cell in row
    ]


def test_the_xlsx_download_holds_the_figures_shown_with_the_same_suppression(
    client, organisation, rounds, management
):
    client.force_login(management)
    school = dept(organisation, "Utbildningsförvaltningen").pk
    dashboard = client.get(url(organisation, department=school)).context["dashboard"]
    response = client.get(url(organisation, fmt="xlsx", department=school))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert "Matrisen" in " ".join(workbook.sheetnames) or len(workbook.sheetnames) == 1 + len(
        dashboard["tables"]
    )
    cells = _xlsx_cells(response.content)
    assert TOO_FEW in cells
    assert dashboard["headline"]["overall"] in cells  # full precision, shown with one decimal
    hidden = [row for row in dashboard["tables"]["groups"].rows if HIDDEN in row]
    assert hidden and "suppressed" not in cells


def test_the_csv_download_uses_semicolons_decimal_commas_and_too_few_responses(
    client, organisation, rounds, management
):
    client.force_login(management)
    school = dept(organisation, "Utbildningsförvaltningen").pk
    response = client.get(url(organisation, fmt="csv", department=school))
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    flat = [cell for row in rows for cell in row]
    assert TOO_FEW in flat
    overall = client.get(url(organisation, department=school)).context["dashboard"]["headline"]["overall"]
    assert f"{overall:.1f}".replace(".", ",") in flat
    assert "suppressed" not in text
    # numbers a spreadsheet reads as numbers: the ASCII minus, no grouping space, no percent sign
    numeric = [c for c in flat if re.fullmatch(r"[-+]?\d+,\d+", c)]
    assert numeric and not any(ch in text for ch in ("\u2212", "\u00a0", "±"))


# --- Queries --------------------------------------------------------------------------------------------


def _count_queries(client, target) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(target)
    assert response.status_code == 200
    return len(captured)


# 23: one of them is the second-factor rule of dimios_web.identity.middleware (does the user need MFA?);
# + 1 for the organisation's named comparison networks, + 1 for a department's own sector figures and + 1
# for the name of its county in the set's label (issue 15); + 1 for the action plans beside the
# capabilities (issue 16; the downloads do not read them)
MAX_QUERIES = 27


def test_the_dashboards_make_the_same_number_of_queries_for_a_small_and_a_large_organisation(
    client, organisation, management, small_questionnaire
):
    from surveys.models import RoleAssignment
    from surveys.services.organisations import add_organisation, create_department

    for year in (2024, 2025):
        build_round(organisation, year=year, questionnaire=small_questionnaire, plan=SMALL_PLAN, seed=year)
    big, _ = add_organisation(code="0180")
    plan = {}
    for i in range(12):
        top = create_department(organisation=big, name=f"Förvaltning {i}")
        unit = create_department(organisation=big, name=f"Enhet {i}", parent=top)
        for j, group in enumerate(RespondentGroup.objects.filter(organisation=big)):
            plan[(top.name, group.name)] = 3 + (i + j) % 5
            plan[(unit.name, group.name)] = 2 + (i * j) % 6
    big_rounds = [
        build_round(big, year=year, questionnaire=small_questionnaire, plan=plan, seed=year)
        for year in (2021, 2022, 2023, 2024, 2025)
    ]
    RoleAssignment.objects.create(user=management, organisation=big, role="management")
    # The action plans beside the capabilities (issue 16): many actions in the large case, none in the small.
    import datetime

    from maturity.services.actions import create_action
    from surveys.access import Visibility
    from surveys.models import Capability

    capabilities = list(Capability.objects.filter(version=small_questionnaire))
    big_departments = list(Department.objects.filter(organisation=big))
    today = datetime.date.today()
    for i in range(60):
        create_action(
            organisation=big,
            round=big_rounds[i % 5],
            department=None if i % 7 == 0 else big_departments[i % len(big_departments)],
            title=f"Åtgärd {i}",
            capabilities=capabilities[: 1 + i % 3],
            owner=management,
            starts_on=today - datetime.timedelta(days=90),
            due_on=today + datetime.timedelta(days=i - 30),
            scope=Visibility.everything(),
            actor=management,
        )
    client.force_login(management)
    small_dept = dept(organisation, "Socialförvaltningen").pk
    big_dept = Department.objects.get(organisation=big, name="Förvaltning 3").pk
    for view in ({}, {"department": "x"}):
        small_target = url(organisation, **({"department": small_dept} if view else {}))
        big_target = url(big, **({"department": big_dept} if view else {}))
        _count_queries(client, small_target)  # warm the suppression cache
        _count_queries(client, big_target)
        small, large = _count_queries(client, small_target), _count_queries(client, big_target)
        assert small == large, view
        assert large <= MAX_QUERIES
    small_xlsx = _count_queries(client, url(organisation, fmt="xlsx"))
    assert small_xlsx == _count_queries(client, url(big, fmt="xlsx"))


def test_an_organisation_without_closed_rounds_is_told_that_results_come_when_a_round_closes(
    client, organisation, management
):
    client.force_login(management)
    response = client.get(url(organisation))
    assert response.status_code == 200
    assert "Det finns inga resultat ännu" in response.content.decode()
    assert "plotly" not in response.content.decode()
    assert client.get(url(organisation, fmt="xlsx")).status_code == 404


def test_a_group_that_is_not_the_organisations_gets_a_clear_message(
    client, organisation, other_organisation, rounds, management
):
    client.force_login(management)
    foreign = RespondentGroup.objects.filter(organisation=other_organisation).first()
    response = client.get(url(organisation, group=foreign.pk))
    assert response.status_code == 400
    assert "Välj ett giltigt alternativ" in response.content.decode()
    assert "dashboard" not in response.context


def test_english_pages_use_the_english_decimal_point(client, organisation, rounds, management):
    client.force_login(management)
    response = client.get(url(organisation), HTTP_ACCEPT_LANGUAGE="en")
    overall = response.context["dashboard"]["headline"]["overall"]
    # CLDR's English percent: no space before the sign
    assert f"{overall:.1f}%" in response.content.decode()
    assert f"{overall:.1f}\u00a0%" not in response.content.decode()
    assert "Results: Linköpings kommun, HT 2025" in response.content.decode()


def test_statements_with_high_spread_or_many_dont_knows_are_flagged_in_words(
    client, organisation, rounds, management
):
    from maturity.models import RoundResult
    from maturity.services.results import publish_round_results

    row = RoundResult.objects.get(round=rounds[1], scope_key="organisation")
    codes = list(rounds[1].questionnaire.statements.values_list("code", flat=True))  # the page's order
    row.figures["statements"][codes[0]].update(sd=1.8, dont_know_share=0.05)
    row.figures["statements"][codes[1]].update(sd=0.9, dont_know_share=0.25)
    row.figures["statements"][codes[2]].update(sd=1.49, dont_know_share=0.19)
    row.save(update_fields=["figures"])
    publish_round_results(round_id=rounds[1].pk)
    client.force_login(management)
    response = client.get(url(organisation))
    spread = response.context["dashboard"]["tables"]["spread"]
    assert spread.marks[:3] == ["stor spridning", "många vet ej", ""]
    page = response.content.decode()
    assert "⚑ stor spridning" in page and "⚑ många vet ej" in page


def test_the_strongest_and_weakest_capabilities_are_named_in_words(client, organisation, rounds, management):
    client.force_login(management)
    response = client.get(url(organisation))
    dashboard = response.context["dashboard"]
    capabilities = dashboard["tables"]["capabilities"].rows
    shown = sorted((row[1], row[0]) for row in capabilities if isinstance(row[1], float))
    assert [name for name, _value in dashboard["strongest"]] == [name for _v, name in shown[::-1][:3]]
    assert [name for name, _value in dashboard["weakest"]] == [name for _v, name in shown[:3]]
    page = response.content.decode()
    assert "Starkaste förmågor:" in page and "Svagaste förmågor:" in page
    assert f"<strong>{shown[-1][1]}</strong>" in page


def test_a_reversed_capability_is_named_by_what_a_high_figure_means_and_the_matrix_is_numbered_as_its_table(
    client, organisation, rounds, management
):
    """Skugg-IT is measured only by a reverse-scored statement: a high figure is little shadow IT, so the
    dashboard says "Lite skugg-IT" in the bars, the heatmap, the tables and strongest/weakest; a capability
    with only some reversed statements (IT-kompetens och resurser) keeps its name. The matrix's department
    numbers are the table's."""
    from django.utils import translation

    from surveys.models import Capability

    client.force_login(management)
    dashboard = client.get(url(organisation)).context["dashboard"]
    labels = [row[0] for row in dashboard["tables"]["capabilities"].rows]
    assert "Lite skugg-IT" in labels and "Lite teknisk skuld" in labels and "Skugg-IT" not in labels
    assert "IT-kompetens och resurser" in labels
    assert "Lite skugg-IT" in dashboard["figures"]["capabilities"]["layout"]["yaxis"]["ticktext"]
    assert "Lite skugg-IT" in [row[0] for row in dashboard["tables"]["groups"].rows]
    ranked = [name for name, _value in dashboard["strongest"] + dashboard["weakest"]]
    assert "Skugg-IT" not in ranked
    shadow = Capability.objects.with_labels().get(version=rounds[1].questionnaire, code="A.ANV.3")
    assert shadow.is_reversed and shadow.label == "Lite skugg-IT"
    with translation.override("en"):
        assert (
            Capability.objects.get(pk=shadow.pk).label == "Little shadow IT"
        )  # counted without the annotation

    matrix = dashboard["tables"]["matrix"]
    numbers = {row[0]: row[1] for row in matrix.rows if row[1] is not None}
    departments = next(t for t in dashboard["figures"]["matrix"]["data"] if t["meta"]["kind"] == "department")
    for label, *_rest in departments["customdata"]:
        number, name = label.split(". ", 1)
        assert numbers[name] == int(number)
    fields = [
        a["text"] for a in dashboard["figures"]["matrix"]["layout"]["annotations"] if "field" in a["meta"]
    ]
    assert fields[0] == "<b>Typ A</b><br>Begränsad start"
