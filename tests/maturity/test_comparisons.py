"""The stored comparison figures and aggregates (issue 14) give exactly what the old computation over every
organisation's stored result gave (tests/maturity/comparison_reference.py), on a randomised set of
organisations: hidden organisations and figures, rounds that are not closed, counties, kinds, organisations
without a county, too few organisations; also after changes in ``surveys`` that the aggregates have not
followed yet, after refreshing, and with the rebuild command. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import io
import math
import random

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from maturity.models import ComparisonAggregate, OrganisationFigure, RoundResult
from maturity.selectors import ORGANISATION_BASES, get_comparison, get_comparisons
from maturity.services import comparisons
from surveys.models import County, Organisation, Round
from surveys.services.organisations import save_organisation
from tests.factories import MeasurementPeriodFactory, OrganisationFactory, QuestionnaireVersionFactory
from tests.maturity.comparison_reference import reference_comparison

pytestmark = pytest.mark.django_db

DIMENSIONS = ["F", "A"]
CATEGORIES = ["F.EFF", "F.INN", "A.ORG", "A.TEK"]
CAPABILITIES = [f"{c}.{i}" for c in CATEGORIES for i in (1, 2)]


def _percent(rng: random.Random):
    draw = rng.random()
    if draw < 0.1:
        return "suppressed"
    if draw < 0.15:
        return None
    return rng.uniform(0, 100)


def _part(rng: random.Random):
    draw = rng.random()
    if draw < 0.1:
        return "suppressed"  # a hidden part
    return {"percent": _percent(rng), "n": rng.randint(0, 40)}


def _published(rng: random.Random) -> tuple[dict, dict]:
    draw = rng.random()
    if draw < 0.05:
        return {}, {}  # stored before publishing was kept
    if draw < 0.15:
        hidden = {"hidden": True, "n": "suppressed", "overall_percent": "suppressed"}
        return hidden, dict.fromkeys(("dimensions", "categories", "capabilities"), "suppressed")
    headline = {
        "hidden": False,
        "n": rng.randint(5, 40),
        "capability_percent": _percent(rng),
        "legacy_percent": _percent(rng),
        "overall_percent": _percent(rng),
        "type": "B",
        "left_out": 0,
    }
    breakdown: dict = {}
    for level, codes in (
        ("dimensions", DIMENSIONS),
        ("categories", CATEGORIES),
        ("capabilities", CAPABILITIES),
    ):
        if rng.random() < 0.05:
            breakdown[level] = "suppressed"
            continue
        breakdown[level] = {code: _part(rng) for code in codes if rng.random() < 0.85}
    if rng.random() < 0.1 and isinstance(breakdown["capabilities"], dict):
        breakdown["capabilities"]["X.ONLY.1"] = _part(rng)  # a code few organisations have
    return headline, breakdown


def build_world(seed: int, *, n_organisations: int = 40):
    """Organisations in three counties (and none), of three kinds, with rounds in two periods of every
    status; each closed round's stored result written and its figures recorded as compute_round_results
    does."""
    rng = random.Random(seed)
    questionnaire = QuestionnaireVersionFactory()
    counties = [
        County.objects.get_or_create(code=code, defaults={"name": f"{code} län", "short_name": code})[0]
        for code in ("91", "92", "93")
    ]
    periods = [MeasurementPeriodFactory(year=2024), MeasurementPeriodFactory(year=2025)]
    organisations = []
    for i in range(n_organisations):
        organisations.append(
            OrganisationFactory(
                code=f"R{seed}{i:03d}",
                kind=rng.choice(list(Organisation.Kind.values)),
                county=rng.choice([*counties, None]) if rng.random() < 0.9 else None,
                skr_group=rng.choice(["A1", "A2", "B3", "C8", "C9", ""]),
                shares_comparisons=rng.random() < 0.85,
            )
        )
    for organisation in organisations:
        for period in periods:
            if rng.random() < 0.15:
                continue  # no round in this period
            status = rng.choices(
                [Round.Status.CLOSED, Round.Status.OPEN, Round.Status.DRAFT], weights=[8, 1, 1]
            )[0]
            round_ = Round.objects.create(
                organisation=organisation, period=period, questionnaire=questionnaire, status=status
            )
            published, breakdown = _published(rng)
            result = RoundResult.objects.create(
                round=round_,
                questionnaire=questionnaire,
                scope=RoundResult.Scope.ORGANISATION,
                scope_key="organisation",
                n_respondents=rng.randint(3, 40),
                published=published,
                published_figures=breakdown,
            )
            comparisons.record_round_figures(round_=round_, organisation_result=result)
    return organisations, periods


def assert_same(new, old, where):
    if old is None or new is None:
        assert new is old, where
        return
    assert set(new) == set(old), where
    for key, value in old.items():
        if isinstance(value, dict):
            assert_same(new[key], value, (*where, key))
        elif isinstance(value, float):
            assert isinstance(new[key], float), (*where, key)
            assert math.isclose(new[key], value, rel_tol=1e-9, abs_tol=1e-9), (*where, key, new[key], value)
        else:
            assert new[key] == value, (*where, key)


def assert_all_agree(organisations, periods, *, ks=(None, 12), minimums=(5, 3, 15)):
    compared = nonempty = 0
    for organisation in organisations:
        organisation.refresh_from_db()
        for period in periods:
            for k in ks:
                for minimum in minimums:
                    batch = get_comparisons(
                        organisation=organisation,
                        period=period,
                        bases=ORGANISATION_BASES,
                        k=k,
                        min_organisations=minimum,
                    )
                    for basis in ORGANISATION_BASES:
                        old = reference_comparison(
                            organisation=organisation,
                            period=period,
                            basis=basis,
                            k=k,
                            min_organisations=minimum,
                        )
                        new = get_comparison(
                            organisation=organisation,
                            period=period,
                            basis=basis,
                            k=k,
                            min_organisations=minimum,
                        )
                        where = (organisation.code, period.code, basis, k, minimum)
                        assert_same(new, old, where)
                        assert_same(batch[basis], old, where)
                        compared += 1
                        nonempty += old is not None
    # The random set has both outcomes: comparisons and too few organisations.
    assert 0 < nonempty < compared


@pytest.mark.parametrize("seed", [1, 2])
def test_stored_comparisons_equal_the_old_computation_on_a_randomised_set(seed):
    organisations, periods = build_world(seed)
    assert comparisons.stale_period_ids() == []
    assert_all_agree(organisations, periods)


def test_changes_made_in_surveys_are_followed_before_and_after_the_refresh():
    organisations, periods = build_world(3)
    closed = Round.objects.filter(status=Round.Status.CLOSED, results__isnull=False).order_by("pk")
    # A round reopened, one deleted, an organisation moved to another county and kind: surveys' own
    # services, which cannot reach the stored aggregates.
    Round.objects.filter(pk=closed[0].pk).update(status=Round.Status.OPEN)
    Round.objects.filter(pk=closed[1].pk).delete()
    moved = Organisation.objects.get(pk=closed[2].organisation_id)
    moved.county = (
        County.objects.get(code="93") if moved.county_id != County.objects.get(code="93").pk else None
    )
    moved.kind = (
        Organisation.Kind.AGENCY if moved.kind != Organisation.Kind.AGENCY else Organisation.Kind.REGION
    )
    save_organisation(organisation=moved, actor=None)
    stale = comparisons.stale_period_ids()
    assert stale
    assert_all_agree(organisations, periods, ks=(None,), minimums=(5, 3))  # computed from the rows
    assert comparisons.refresh_stale_comparisons() == stale
    assert comparisons.stale_period_ids() == []
    assert not OrganisationFigure.objects.filter(round=closed[0].pk).exists()  # the reopened round's rows
    assert set(OrganisationFigure.objects.filter(organisation=moved).values_list("kind", flat=True)) <= {
        moved.kind
    }
    assert_all_agree(organisations, periods, ks=(None,), minimums=(5, 3))  # from the refreshed aggregates


def test_the_rebuild_command_is_idempotent_and_gives_the_same_aggregates():
    organisations, periods = build_world(4, n_organisations=25)

    def snapshot():
        return sorted(
            (a.period_id, a.basis, a.basis_key, a.figure, a.n_rows, a.n_values, round(a.total, 6))
            for a in ComparisonAggregate.objects.all()
        )

    recorded = snapshot()
    figures = OrganisationFigure.objects.count()
    call_command("refresh_comparisons", stdout=io.StringIO())
    assert snapshot() == recorded
    assert OrganisationFigure.objects.count() == figures
    call_command("refresh_comparisons", stdout=io.StringIO())
    assert snapshot() == recorded
    assert_all_agree(organisations, periods, ks=(None,), minimums=(5,))


def test_a_hidden_figure_takes_no_part_and_the_organisation_is_not_its_own_peer():
    values = comparisons.published_figure_values(
        {
            "hidden": False,
            "overall_percent": 40.0,
            "capability_percent": "suppressed",
            "legacy_percent": None,
        },
        {"capabilities": {"F.EFF.1": "suppressed", "F.EFF.2": {"percent": 10}}, "dimensions": "suppressed"},
    )
    assert values == {
        "overall": 40.0,
        "capability": None,
        "legacy": None,
        "capability:F.EFF.1": None,
        "capability:F.EFF.2": 10.0,
    }
    assert comparisons.published_figure_values({"hidden": True}, {}) is None
    assert comparisons.published_figure_values({}, {}) is None


def _comparison_queries(organisation, period) -> int:
    with CaptureQueriesContext(connection) as captured:
        get_comparisons(organisation=organisation, period=period)
    return len(captured)


def test_reading_comparisons_takes_the_same_queries_for_n_and_3n_organisations():
    organisations, periods = build_world(5, n_organisations=15)
    small = _comparison_queries(organisations[0], periods[1])
    more, _ = build_world(6, n_organisations=45)
    assert _comparison_queries(organisations[0], periods[1]) == small == 3
    assert _comparison_queries(more[0], periods[1]) == small


def test_recording_a_round_takes_the_same_queries_for_n_and_3n_organisations():
    """The queries depend on the comparison sets and figures there are (the aggregates are written in
    batches), not on the organisations in them: the same world with each organisation's twin twice over
    (same kind, county and SKR group, the same stored result) records a round in as many queries."""
    organisations, _periods = build_world(7, n_organisations=10)
    result = (
        RoundResult.objects.filter(round__status=Round.Status.CLOSED, published__hidden=False)
        .select_related("round")
        .last()
    )

    def record_queries():
        with CaptureQueriesContext(connection) as captured:
            comparisons.record_round_figures(round_=result.round, organisation_result=result)
        return len(captured)

    small = record_queries()
    for twin in range(2):
        for stored in RoundResult.objects.filter(round__status=Round.Status.CLOSED).select_related(
            "round__organisation"
        ):
            original = stored.round.organisation
            copy = OrganisationFactory(
                code=f"{original.code}-{twin}",
                kind=original.kind,
                county=original.county,
                skr_group=original.skr_group,
                shares_comparisons=original.shares_comparisons,
            )
            round_ = Round.objects.create(
                organisation=copy,
                period=stored.round.period,
                questionnaire=stored.questionnaire,
                status=Round.Status.CLOSED,
            )
            twin_result = RoundResult.objects.create(
                round=round_,
                questionnaire=stored.questionnaire,
                scope=RoundResult.Scope.ORGANISATION,
                scope_key="organisation",
                n_respondents=stored.n_respondents,
                published=stored.published,
                published_figures=stored.published_figures,
            )
            comparisons.record_round_figures(round_=round_, organisation_result=twin_result)
    assert Organisation.objects.count() > 3 * len(organisations) - 1
    assert record_queries() == small
