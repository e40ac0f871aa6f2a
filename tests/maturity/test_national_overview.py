"""The national overview (issue 15): its figures against a hand computation on a small world (means,
quartiles, type shares by each row's own cut-offs, the change only over organisations in both periods),
organisations that do not share left out, the public page off by default and never naming an
organisation, who may see the platform admin's page, the XLSX's cells, and the query count."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from maturity import national
from maturity.models import BenchmarkSource, OrganisationFigure
from maturity.services import comparisons
from maturity.services.site_settings import set_public_national_overview
from surveys.models import Organisation
from tests.factories import MeasurementPeriodFactory, OrganisationFactory, QuestionnaireVersionFactory
from tests.maturity.stored_rounds import close_round_with_results

pytestmark = pytest.mark.django_db

# (code, name, kind, shares, 2025: (overall, capability, legacy), 2024: overall or None)
WORLD = [
    ("N01", "Alfa kommun", "municipality", True, (35.0, 30.0, 40.0), 30.0),
    ("N02", "Beta kommun", "municipality", True, (50.0, 60.0, 40.0), 40.0),  # questionnaire with cut-off 70
    ("N03", "Gamma kommun", "municipality", True, (50.0, 30.0, 70.0), 52.0),
    ("N04", "Delta kommun", "municipality", True, (85.0, 80.0, 90.0), 77.0),
    ("N05", "Epsilon kommun", "municipality", True, (55.0, 55.0, 55.0), 50.0),
    ("N06", "Zeta region", "region", True, (32.5, 45.0, 20.0), None),
    ("N07", "Hemlig kommun", "municipality", False, (99.0, 99.0, 99.0), 90.0),
    ("N08", "Eta kommun", "municipality", True, None, 10.0),
]


def close_round(organisation, period, questionnaire, overall, capability, legacy, n=20):
    return close_round_with_results(
        organisation,
        period,
        questionnaire,
        overall,
        capability=capability,
        legacy=legacy,
        n=n,
        dimension_figures=True,
    )


def benchmark_record(period, code, overall, capability, legacy, n=30):
    source, _ = BenchmarkSource.objects.get_or_create(name="Nationella siffror")
    for figure, percent in (("overall", overall), ("capability", capability), ("legacy", legacy)):
        OrganisationFigure.objects.create(
            period=period,
            source=source,
            organisation_code=code,
            organisation_name="Importerad kommun",
            kind="municipality",
            figure=figure,
            percent=percent,
            n_respondents=n,
        )
    comparisons.refresh_period_comparisons(period_id=period.pk)


@pytest.fixture
def world():
    q50 = QuestionnaireVersionFactory(code="nat-q50")
    q70 = QuestionnaireVersionFactory(code="nat-q70", capability_cutoff=70)
    p2024 = MeasurementPeriodFactory(year=2024)
    p2025 = MeasurementPeriodFactory(year=2025)
    for code, name, kind, shares, now, before in WORLD:
        organisation = OrganisationFactory(code=code, name=name, kind=kind, shares_comparisons=shares)
        questionnaire = q70 if code == "N02" else q50
        if before is not None:
            close_round(organisation, p2024, q50, before, before, before)
        if now is not None:
            close_round(organisation, p2025, questionnaire, *now)
    # An imported record: typed by the period's questionnaire (q50: most of its rounds), B at 50 / 49.9.
    benchmark_record(p2025, "9999", 49.0, 50.0, 49.9)
    return {"p2024": p2024, "p2025": p2025}


def test_the_headline_figures_are_those_of_a_hand_computation(world):
    overview = national.get_national_overview()
    assert overview.period == world["p2025"]
    # Sharing organisations of 2025: N01–N06 and the imported record; N07 does not share.
    assert overview.n_organisations == 7
    assert overview.respondents == 6 * 20 + 30
    overall = overview.headline["overall"]
    values = [32.5, 35.0, 49.0, 50.0, 50.0, 55.0, 85.0]
    assert overall.n == 7
    assert overall.mean == pytest.approx(sum(values) / 7)
    assert (overall.minimum, overall.maximum) == (32.5, 85.0)
    # (n − 1)·p = 1.5, 3, 4.5: 35 + 0.5·14, 50, 50 + 0.5·5
    assert overall.q1 == pytest.approx(42.0)
    assert overall.median == pytest.approx(50.0)
    assert overall.q3 == pytest.approx(52.5)
    capability = overview.headline["capability"]
    assert capability.mean == pytest.approx((30 + 60 + 30 + 80 + 55 + 45 + 50) / 7)
    dimensions = {code: d for code, _name, d in overview.dimensions}
    # The imported record has no dimension rows: six organisations.
    assert dimensions["legacy"].n == 6
    assert dimensions["legacy"].mean == pytest.approx((40 + 40 + 70 + 90 + 55 + 20) / 6)


def test_types_follow_each_rows_own_questionnaire_cut_offs(world):
    overview = national.get_national_overview()
    # N01 A, N02 A (60 < its cut-off 70), N03 C, N04 D, N05 D, N06 A, the record B.
    assert overview.types == {"A": 3, "B": 1, "C": 1, "D": 2}
    assert len(overview.points) == 7
    assert all(99.0 not in (p.capability, p.legacy) for p in overview.points)


def test_the_change_counts_only_organisations_measured_in_both_periods(world):
    overview = national.get_national_overview()
    assert (overview.panel_from, overview.panel_to) == (world["p2024"], world["p2025"])
    change = overview.panel["overall"]
    # N01–N05: 35−30, 50−40, 50−52, 85−77, 55−50; N06 and the record only 2025, N08 only 2024, N07 hidden.
    assert change.n == 5
    assert change.distribution.mean == pytest.approx((5 + 10 - 2 + 8 + 5) / 5)
    assert (change.distribution.minimum, change.distribution.median, change.distribution.maximum) == (
        -2.0,
        5.0,
        10.0,
    )
    assert change.distribution.q1 == pytest.approx(5.0)
    assert change.distribution.q3 == pytest.approx(8.0)
    assert change.earlier_mean == pytest.approx((30 + 40 + 52 + 77 + 50) / 5)


def test_sets_below_five_organisations_are_too_few(world):
    overview = national.get_national_overview()
    kinds = {row.key: row for row in overview.sets["kind"]}
    assert kinds["municipality"].n == 6 and kinds["municipality"].distribution is not None
    assert kinds["region"].n == 1 and kinds["region"].distribution is None


def test_a_period_can_be_chosen_and_the_panel_needs_five(world):
    overview = national.get_national_overview(period_code="2024-HT", panel_from_code="2024-HT")
    assert overview.period == world["p2024"]
    # 2024 has six sharing organisations (N07 does not share).
    assert overview.n_organisations == 6
    assert overview.panel_from is None and overview.panel == {}
    assert national.get_national_overview(period_code="nonsense").period == world["p2025"]


def test_the_public_page_is_not_found_until_switched_on(client, world):
    url = reverse("reports:national_overview_public")
    assert client.get(url).status_code == 404
    assert client.get(reverse("reports:national_overview_public_export")).status_code == 404
    set_public_national_overview(enabled=True, actor=None)
    response = client.get(url)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Nationell översikt" in text
    for _code, name, *_rest in WORLD:
        assert name not in text
    assert "Importerad kommun" not in text
    assert "N01" not in text and "9999" not in text
    assert "för få organisationer" in text  # the region
    set_public_national_overview(enabled=False, actor=None)
    assert client.get(url).status_code == 404


def test_only_a_platform_admin_reaches_the_admin_page_and_switches(client, world, org_admin, platform_admin):
    url = reverse("reports:national_overview")
    response = client.get(url)
    assert response.status_code == 302 and "/konto/logga-in/" in response["Location"]
    client.force_login(org_admin)
    assert client.get(url).status_code == 403
    assert client.post(url, {"public": "on"}).status_code == 403
    assert client.get(reverse("reports:national_overview_export")).status_code == 403
    assert not national.is_national_overview_public()
    client.force_login(platform_admin)
    response = client.get(url)
    assert response.status_code == 200
    for _code, name, *_rest in WORLD:
        assert name not in response.content.decode()
    assert client.post(url, {"public": "on"}).status_code == 302
    assert national.is_national_overview_public()
    assert client.post(url, {"public": "on"}).status_code == 302  # the same state again: nothing changes
    assert client.post(url, {}).status_code == 302
    assert not national.is_national_overview_public()
    # Each real switch is audited, with who did it and the new state, and reads as a sentence.
    from surveys.audit_texts import describe
    from surveys.models import AuditAction, AuditEvent

    events = list(
        AuditEvent.objects.filter(action=AuditAction.NATIONAL_OVERVIEW_PUBLIC_CHANGED).order_by("pk")
    )
    assert [(e.actor_id, e.details["public"]) for e in events] == [
        (platform_admin.pk, True),
        (platform_admin.pk, False),
    ]
    assert describe(events[0]) == "Ändrade den offentliga nationella översikten: påslagen, alla kan läsa den"
    assert describe(events[1]) == "Ändrade den offentliga nationella översikten: avslagen"


def test_the_xlsx_holds_the_figures_as_numbers(client, world, platform_admin):
    client.force_login(platform_admin)
    response = client.get(reverse("reports:national_overview_export"))
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    overview = {row[0]: row[1] for row in workbook["Översikt"].iter_rows(values_only=True)}
    assert overview["År"] == 2025 and isinstance(overview["År"], int)
    assert overview["Organisationer"] == 7
    headline = list(workbook[workbook.sheetnames[1]].iter_rows(values_only=True))
    assert headline[0][:3] == ("Mått", "Organisationer", "Medelvärde")
    assert headline[1][0] == "Sammanlagd mognad" and headline[1][1] == 7
    assert headline[1][2] == pytest.approx(356.5 / 7)
    assert headline[1][4] == pytest.approx(42.0)
    names = " ".join(str(c) for ws in workbook for row in ws.iter_rows(values_only=True) for c in row)
    assert "Alfa kommun" not in names and "Importerad kommun" not in names
    points = list(workbook[workbook.sheetnames[-1]].iter_rows(values_only=True))
    assert len(points) == 1 + 7
    assert all(isinstance(row[1], int | float) and isinstance(row[2], int | float) for row in points[1:])


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("reports:national_overview")).status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_the_organisations(client, world, platform_admin):
    client.force_login(platform_admin)
    few = _queries(client)
    q50 = QuestionnaireVersionFactory(code="nat-q50")
    for i in range(30):
        organisation = OrganisationFactory(code=f"M{i:02d}", kind=Organisation.Kind.MUNICIPALITY)
        close_round(organisation, world["p2024"], q50, 40.0 + i, 40.0 + i, 50.0)
        close_round(organisation, world["p2025"], q50, 45.0 + i, 45.0 + i, 55.0)
    assert national.get_national_overview().n_organisations == 37
    assert _queries(client) == few


def test_a_sector_needs_five_organisations_not_five_departments():
    from tests.factories import DepartmentFactory

    questionnaire = QuestionnaireVersionFactory(code="nat-sector")
    period = MeasurementPeriodFactory(year=2025)
    for i in range(6):
        organisation = OrganisationFactory(code=f"S{i:02d}")
        departments = [DepartmentFactory(organisation=organisation, name="Skola", sector="education")]
        if i == 0:  # one organisation with six culture departments
            departments += [
                DepartmentFactory(organisation=organisation, name=f"Kultur {j}", sector="culture_leisure")
                for j in range(6)
            ]
        close_round_with_results(
            organisation,
            period,
            questionnaire,
            50.0 + i,
            n=60,
            departments=[(department, 40.0 + i + j, 10) for j, department in enumerate(departments)],
        )
    sectors = {row.key: row for row in national.get_national_overview().sets["sector"]}
    assert (sectors["education"].n, sectors["education"].n_organisations) == (6, 6)
    assert sectors["education"].distribution.mean == pytest.approx(sum(40.0 + i for i in range(6)) / 6)
    assert (sectors["culture_leisure"].n, sectors["culture_leisure"].n_organisations) == (6, 1)
    assert sectors["culture_leisure"].distribution is None
