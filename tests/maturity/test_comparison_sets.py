"""Comparison sets (issue 15): the figures of every set against a hand computation (means, quartiles,
min/max, percentile bands, respondents), the five-organisation rule with the SKR group's fallback to its
main group, organisations that do not share, named networks, departments of the same sector, the latest
period with peers, and the query count. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from maturity import distribution
from maturity.selectors import get_comparison, get_comparison_sets, get_comparisons
from maturity.services import comparisons
from surveys.models import ComparisonNetwork, Organisation, Sector
from tests.factories import (
    CountyFactory,
    DepartmentFactory,
    MeasurementPeriodFactory,
    OrganisationFactory,
    QuestionnaireVersionFactory,
)
from tests.maturity.stored_rounds import close_round_with_results

pytestmark = pytest.mark.django_db


@pytest.fixture
def questionnaire():
    return QuestionnaireVersionFactory()


close_round = close_round_with_results


def test_distribution_by_hand():
    values = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0]
    # Linear interpolation between ranks: position (n − 1)·p = 1.25, 2.5, 3.75.
    assert distribution.quantile(values, 0.25) == pytest.approx(22.5)
    assert distribution.quantile(values, 0.5) == pytest.approx(35.0)
    assert distribution.quantile(values, 0.75) == pytest.approx(47.5)
    d = distribution.distribution(values)
    assert (d.minimum, d.maximum, d.mean, d.n) == (10.0, 60.0, 35.0, 6)
    # 25.0 is above 2 of 6 (33 %): the 25–50 band; a tie counts half.
    assert distribution.percentile_rank(values, 25.0) == pytest.approx(100 * 2 / 6)
    assert distribution.band(values, 25.0) == (25, 50)
    assert distribution.percentile_rank(values, 30.0) == pytest.approx(100 * 2.5 / 6)
    assert distribution.band(values, 5.0) == (0, 25)
    assert distribution.band(values, 60.0) == (75, 100)
    assert distribution.band(values, 99.0) == (75, 100)
    assert distribution.without(values, [30.0, 99.0]) == [10.0, 20.0, 40.0, 50.0, 60.0]
    assert distribution.distribution([]) is None


def test_sets_by_hand_with_skr_groups_counties_kinds_and_sharing(questionnaire):
    period = MeasurementPeriodFactory(year=2025)
    east, west = CountyFactory(code="81"), CountyFactory(code="82")
    own = OrganisationFactory(code="X000", county=east, skr_group="C8")
    close_round(own, period, questionnaire, 50.0, n=30)
    peers = [
        # (overall, county, SKR group, kind, shares, respondents)
        (10.0, east, "C8", "municipality", True, 11),
        (20.0, east, "C8", "municipality", True, 12),
        (30.0, west, "C8", "municipality", True, 13),
        (40.0, west, "C9", "municipality", True, 14),
        (60.0, west, "C9", "municipality", True, 15),
        (70.0, east, "B3", "municipality", True, 16),
        (80.0, east, "", "region", True, 17),
        (90.0, east, "C8", "municipality", False, 18),  # does not share: in nobody's set
    ]
    for i, (value, county, group, kind, shares, n) in enumerate(peers):
        peer = OrganisationFactory(
            code=f"X{i + 1:03d}", county=county, skr_group=group, kind=kind, shares_comparisons=shares
        )
        close_round(peer, period, questionnaire, value, n=n)

    result = get_comparison_sets(organisation=own, period=period)
    sets = {s["key"]: s for s in result["sets"]}
    assert result["fallback_from"] is None
    assert result["own"]["overall"] == 50.0

    national = sets["national"]
    assert national["n_organisations"] == 7  # itself and the non-sharing one are not in it
    assert national["n_respondents"] == 11 + 12 + 13 + 14 + 15 + 16 + 17
    overall = national["figures"]["overall"]
    values = [10.0, 20.0, 30.0, 40.0, 60.0, 70.0, 80.0]
    assert overall["mean"] == pytest.approx(sum(values) / 7)
    assert (overall["min"], overall["max"]) == (10.0, 80.0)
    # positions 1.5, 3, 4.5 of 0…6
    assert overall["q1"] == pytest.approx(25.0)
    assert overall["median"] == pytest.approx(40.0)
    assert overall["q3"] == pytest.approx(65.0)
    assert overall["own"] == 50.0
    assert overall["band"] == (50, 75)  # above 4 of 7 (57 %)

    kind = sets["kind"]  # municipalities only: the region is out
    assert kind["n_organisations"] == 6
    assert kind["figures"]["overall"]["mean"] == pytest.approx(sum(values[:6]) / 6)

    county = sets["county"]  # east: 10, 20, 70, 80 (the non-sharing 90 is out): too few
    assert county["n_organisations"] == 4
    assert county["too_few"] and county["figures"] == {}

    # SKR group C8 has 2 sharing others (10, 20, 30 → 3): too few, so its main group C is shown, and said.
    assert "skr_group" not in sets
    main = sets["skr_main_group"]
    assert main["n_organisations"] == 5  # C8 × 3 + C9 × 2
    assert main["figures"]["overall"]["mean"] == pytest.approx((10 + 20 + 30 + 40 + 60) / 5)
    assert "C8" in main["note"]
    assert "C" in main["label"]


def test_a_non_sharing_organisation_is_absent_from_others_sets_but_sees_its_own(questionnaire):
    period = MeasurementPeriodFactory(year=2025)
    private = OrganisationFactory(code="P000", shares_comparisons=False)
    close_round(private, period, questionnaire, 99.0)
    others = [OrganisationFactory(code=f"P{i:03d}") for i in range(1, 7)]
    for i, organisation in enumerate(others):
        close_round(organisation, period, questionnaire, 10.0 * (i + 1))
    seen = get_comparison(organisation=others[0], period=period)
    assert seen["n_organisations"] == 5
    assert 99.0 not in [seen["overall_percent"], seen["distribution"]["overall"]["max"]]
    assert seen["distribution"]["overall"]["max"] == 60.0
    # It compares with the others itself.
    own_view = get_comparison(organisation=private, period=period)
    assert own_view["n_organisations"] == 6
    assert own_view["overall_percent"] == pytest.approx(35.0)
    # Switching sharing back on is followed (the aggregates notice the change, then are refreshed).
    Organisation.objects.filter(pk=private.pk).update(shares_comparisons=True)
    assert get_comparison(organisation=others[0], period=period)["n_organisations"] == 6
    comparisons.refresh_stale_comparisons()
    assert get_comparison(organisation=others[0], period=period)["distribution"]["overall"]["max"] == 99.0


def test_a_named_network_and_the_sector_of_a_department(questionnaire):
    period = MeasurementPeriodFactory(year=2025)
    own = OrganisationFactory(code="N000")
    school = DepartmentFactory(organisation=own, name="Utbildning", sector=Sector.EDUCATION)
    others = []
    for i in range(8):
        organisation = OrganisationFactory(code=f"N{i + 1:03d}", shares_comparisons=i != 7)
        department = DepartmentFactory(
            organisation=organisation,
            name="Skola",
            sector=Sector.EDUCATION if i < 6 or i == 7 else Sector.ELDERLY_CARE,
        )
        close_round(
            organisation, period, questionnaire, 10.0 * (i + 1), departments=[(department, 5.0 * (i + 1), 8)]
        )
        others.append(organisation)
    close_round(own, period, questionnaire, 45.0, departments=[(school, 33.0, 9)])
    network = ComparisonNetwork.objects.create(organisation=own, name="Vårt nätverk")
    network.members.set(others[:5] + [others[7], own])  # itself and a non-sharing member take no part

    result = get_comparison_sets(organisation=own, period=period)
    sets = {s["key"]: s for s in result["sets"]}
    mine = sets[f"network:{network.pk}"]
    assert mine["label"].endswith("Vårt nätverk")
    assert mine["n_organisations"] == 5
    assert mine["figures"]["overall"]["mean"] == pytest.approx(30.0)
    assert mine["figures"]["overall"]["band"] == (75, 100)  # 45 is above all five

    department_sets = get_comparison_sets(organisation=own, period=period, department=school)
    sector = {s["key"]: s for s in department_sets["sets"]}["sector"]
    # Education departments of the other sharing organisations: 5, 10, …, 30 (the non-sharing one is out).
    assert sector["n_organisations"] == 6
    assert sector["n_respondents"] == 6 * 8
    assert sector["figures"]["overall"]["mean"] == pytest.approx(17.5)
    assert sector["figures"]["overall"]["own"] == 33.0
    assert sector["figures"]["overall"]["band"] == (75, 100)
    # The department's sector changed: followed before the refresh.
    Organisation.objects.filter(pk=others[0].pk)  # (no change to organisations)
    from surveys.models import Department

    Department.objects.filter(organisation=others[0]).update(sector=Sector.ELDERLY_CARE)
    assert not comparisons.period_is_current(period.pk)
    # Both sectors notice it: the one it left (its row's sector) and the one it joined.
    assert not comparisons.sector_is_current(period.pk, Sector.EDUCATION)
    assert not comparisons.sector_is_current(period.pk, Sector.ELDERLY_CARE)
    assert comparisons.sector_is_current(period.pk, Sector.CULTURE_LEISURE)
    moved = {
        s["key"]: s for s in get_comparison_sets(organisation=own, period=period, department=school)["sets"]
    }
    assert moved["sector"]["n_organisations"] == 5
    comparisons.refresh_stale_comparisons()
    assert comparisons.period_is_current(period.pk)
    assert comparisons.sector_is_current(period.pk, Sector.EDUCATION)
    assert comparisons.sector_is_current(period.pk, Sector.ELDERLY_CARE)
    again = {
        s["key"]: s for s in get_comparison_sets(organisation=own, period=period, department=school)["sets"]
    }
    assert again["sector"]["n_organisations"] == 5
    assert again["sector"]["too_few"] is False


def test_without_peers_in_the_period_the_latest_period_with_peers_is_offered(questionnaire):
    earlier, current = MeasurementPeriodFactory(year=2024), MeasurementPeriodFactory(year=2025)
    own = OrganisationFactory(code="L000")
    close_round(own, current, questionnaire, 50.0)
    close_round(own, earlier, questionnaire, 40.0)
    for i in range(5):
        close_round(OrganisationFactory(code=f"L{i + 1:03d}"), earlier, questionnaire, 10.0 * (i + 1))
    result = get_comparison_sets(organisation=own, period=current)
    assert result["fallback_from"] == "HT 2025"
    assert result["period_label"] == "HT 2024"
    national = {s["key"]: s for s in result["sets"]}["national"]
    assert national["n_organisations"] == 5
    assert national["figures"]["overall"]["own"] == 40.0  # its own figure of that period
    # With peers in the period itself, no fallback.
    for i in range(5):
        close_round(OrganisationFactory(code=f"M{i + 1:03d}"), current, questionnaire, 60.0)
    assert get_comparison_sets(organisation=own, period=current)["fallback_from"] is None


def test_the_five_organisation_rule(questionnaire):
    period = MeasurementPeriodFactory(year=2025)
    own = OrganisationFactory(code="F000")
    close_round(own, period, questionnaire, 50.0)
    others = [OrganisationFactory(code=f"F{i + 1:03d}") for i in range(5)]
    for organisation in others[:4]:
        close_round(organisation, period, questionnaire, 30.0)
    assert get_comparison(organisation=own, period=period) is None
    national = {s["key"]: s for s in get_comparison_sets(organisation=own, period=period)["sets"]}["national"]
    assert national["too_few"] and national["n_organisations"] == 4
    close_round(others[4], period, questionnaire, 80.0)
    assert get_comparison(organisation=own, period=period)["n_organisations"] == 5


def _queries(func) -> int:
    with CaptureQueriesContext(connection) as captured:
        func()
    return len(captured)


def test_the_comparison_sets_take_the_same_queries_for_few_and_many_organisations(questionnaire):
    period = MeasurementPeriodFactory(year=2025)
    county = CountyFactory(code="83")
    own = OrganisationFactory(code="Q000", county=county, skr_group="B3")
    department = DepartmentFactory(organisation=own, sector=Sector.EDUCATION)
    close_round(own, period, questionnaire, 50.0, departments=[(department, 40.0, 9)])
    network = ComparisonNetwork.objects.create(organisation=own, name="Nätverket")

    def add(n, start):
        for i in range(start, start + n):
            organisation = OrganisationFactory(code=f"Q{i:03d}", county=county, skr_group="B3")
            school = DepartmentFactory(organisation=organisation, sector=Sector.EDUCATION)
            close_round(organisation, period, questionnaire, float(i % 97), departments=[(school, 50.0, 8)])
            network.members.add(organisation)

    add(6, 1)
    own = Organisation.objects.select_related("county").get(pk=own.pk)
    few = _queries(lambda: get_comparison_sets(organisation=own, period=period, department=department))
    few_organisation = _queries(lambda: get_comparisons(organisation=own, period=period))
    add(24, 7)
    own = Organisation.objects.select_related("county").get(pk=own.pk)
    assert (
        _queries(lambda: get_comparison_sets(organisation=own, period=period, department=department)) == few
    )
    assert _queries(lambda: get_comparisons(organisation=own, period=period)) == few_organisation == 3
