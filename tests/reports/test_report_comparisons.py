"""The annual report's comparison with other organisations (issue 15): the sets the organisation admin
chose, each with its organisations, respondents, mean, middle half and the organisation's quarter band (never
a rank), non-sharing organisations left out, and the latest period with peers when the year has none."""

from __future__ import annotations

import pytest

from reports.selectors.report_content import get_report_content
from surveys.access import Visibility
from surveys.models import ComparisonNetwork, Organisation
from surveys.services.organisations import add_organisation, set_comparison_settings
from tests.reports.conftest import make_closed_round

pytestmark = pytest.mark.django_db


def _peers(codes, year=2025):
    peers = []
    for code in codes:
        peer, _created = add_organisation(code=code)
        from surveys.services.organisations import create_department

        create_department(organisation=peer, name="Förvaltningen")
        make_closed_round(peer, year=year, per_department=6)
        peers.append(peer)
    return peers


def _summary(organisation, year=2025):
    content = get_report_content(organisation=organisation, year=year, visibility=Visibility.everything())
    return content["summary"]


def test_the_report_shows_the_chosen_sets_with_bands_and_no_rank(organisation, org_admin):
    make_closed_round(organisation)
    # Six Östergötland municipalities (county 05) of SKR main group B and C; one does not share.
    peers = _peers(["0509", "0512", "0513", "0560", "0561", "0562", "0563"])
    Organisation.objects.filter(pk=peers[-1].pk).update(shares_comparisons=False)
    network = ComparisonNetwork.objects.create(organisation=organisation, name="Östgötanätverket")
    network.members.set(peers[:5])

    summary = _summary(organisation)
    rows = {row["basis"]: row for row in summary["comparisons"]}
    assert {"national", "kind", "county", "skr_main_group", f"network:{network.pk}"} <= set(rows)
    national = rows["national"]
    assert national["n_organisations"] == 6  # the one that does not share is left out
    assert national["n_respondents"] == 6 * 6
    assert national["overall_q1"] <= national["overall_median"] <= national["overall_q3"]
    assert national["position"] in {
        "lägsta fjärdedelen",
        "näst lägsta fjärdedelen",
        "näst högsta fjärdedelen",
        "högsta fjärdedelen",
    }
    assert "positions" not in summary  # no league table

    set_comparison_settings(organisation=organisation, shares=True, report_sets=["networks"], actor=org_admin)
    organisation.refresh_from_db()
    chosen = _summary(organisation)["comparisons"]
    assert [row["basis"] for row in chosen] == [f"network:{network.pk}"]
    assert chosen[0]["n_organisations"] == 5


def test_a_year_without_peers_shows_the_latest_period_that_has_them(organisation):
    make_closed_round(organisation, year=2025)
    make_closed_round(organisation, year=2024)
    _peers(["0509", "0512", "0513", "0560", "0561"], year=2024)
    summary = _summary(organisation, 2025)
    assert summary["comparison_fallback_from"] == "HT 2025"
    assert summary["comparison_period"] == "HT 2024"
    assert {row["basis"]: row for row in summary["comparisons"]}["national"]["n_organisations"] == 5


def test_the_matrix_bars_and_tables_follow_the_chosen_sets(organisation, org_admin):
    """The chosen sets are also the matrix's comparison points and the columns of the categories' and
    capabilities' tables, bars and XLSX sheets; each value is the unweighted mean of the set's
    organisations' own figures."""
    import io
    import statistics

    from openpyxl import load_workbook

    from maturity.models import OrganisationFigure
    from reports.annual_figures import build_figures
    from reports.xlsx_report import build_xlsx

    make_closed_round(organisation)
    peers = _peers(["0509", "0512", "0513", "0560", "0561", "0562"])
    network = ComparisonNetwork.objects.create(organisation=organisation, name="Östgötanätverket")
    network.members.set(peers[:5])
    set_comparison_settings(organisation=organisation, shares=True, report_sets=["networks"], actor=org_admin)
    organisation.refresh_from_db()

    content = get_report_content(organisation=organisation, year=2025, visibility=Visibility.everything())
    assert content["comparison_columns"] == [
        {"key": f"network:{network.pk}", "label": "Nätverk: Östgötanätverket"}
    ]
    comparison_points = [p for p in content["matrix"]["points"] if p["kind"] == "comparison"]
    assert [p["name"] for p in comparison_points] == ["Nätverk: Östgötanätverket"]

    def members_mean(figure):
        values = OrganisationFigure.objects.filter(
            organisation__in=peers[:5], figure=figure, round__isnull=False
        ).values_list("percent", flat=True)
        return statistics.fmean(values)

    assert comparison_points[0]["capability"] == pytest.approx(members_mean("capability"))
    assert comparison_points[0]["legacy"] == pytest.approx(members_mean("legacy"))
    for level, prefix in (("categories", "category"), ("capabilities", "capability")):
        for row in content[level]:
            assert row["comparisons"] == [pytest.approx(members_mean(f"{prefix}:{row['code']}"))]

    bars = build_figures(content)["chart-categories"]
    assert [trace["name"] for trace in bars["data"]] == [organisation.name, "Nätverk: Östgötanätverket"]
    sheet = load_workbook(io.BytesIO(build_xlsx(content)))["Kategorier"]
    header = [cell.value for cell in sheet[1]]
    assert header[-1] == "Nätverk: Östgötanätverket" and "Alla organisationer" not in header
    assert sheet.cell(row=2, column=len(header)).value == pytest.approx(
        members_mean(f"category:{content['categories'][0]['code']}")
    )


def test_changing_the_chosen_sets_outdates_a_built_report(organisation, org_admin):
    from reports.selectors.annual import compute_fingerprint

    make_closed_round(organisation)
    peer = _peers(["0509"])[0]
    before, _summary_before = compute_fingerprint(organisation=organisation, year=2025)
    set_comparison_settings(organisation=organisation, shares=True, report_sets=["national"], actor=org_admin)
    organisation.refresh_from_db()
    after_sets, _summary = compute_fingerprint(organisation=organisation, year=2025)
    assert after_sets != before
    network = ComparisonNetwork.objects.create(organisation=organisation, name="Nätverket")
    after_network, _summary = compute_fingerprint(organisation=organisation, year=2025)
    assert after_network != after_sets
    network.members.add(peer)
    after_member, _summary = compute_fingerprint(organisation=organisation, year=2025)
    assert after_member != after_network
    Organisation.objects.filter(pk=peer.pk).update(shares_comparisons=False)
    assert compute_fingerprint(organisation=organisation, year=2025)[0] != after_member
