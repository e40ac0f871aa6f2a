"""The organisation dashboard and the comparison with other organisations at national scale, on the data of
``benchmarks/seed_national.py`` (1 500 organisations × 5 years on PostgreSQL). Targets (issue 14): the
dashboard under 150 ms median, its number of queries constant, and the comparison within 3 × of one
hand-written SQL aggregate over the same rows.

Run (after seeding the same database):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_b DJANGO_DEBUG=1 DJANGO_READ_DOT_ENV=0 \
        .venv/bin/python benchmarks/dashboard_national.py

Printed:
- the organisation dashboard of 0604 (latest period): median and p95 of RUNS full Django requests through
  the test client (middleware, view, template; DEBUG off while timing), and its number of queries;
- the comparison alone: ``get_comparison`` (national) and ``get_comparisons`` (national, county, kind, what
  the dashboard calls), from the stored aggregates; the same from the figure rows (the path taken when a
  change in ``surveys`` has not been refreshed yet, or a k is asked for); and the old computation (every
  organisation's stored result loaded and averaged in Python, tests/maturity/comparison_reference.py);
- the hand-written SQL: per figure avg(percent) and count over the period's figure rows of the other
  organisations (national), in one GROUP BY; and the ratio of the comparison to it;
- the refresh of one period's aggregates (what closing a round adds) and the full rebuild."""

from __future__ import annotations

import sys
import time

import national_scale

national_scale.setup_django()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

BENCH_CODE = "0604"
RUNS = 30
DASHBOARD_TARGET_MS = 150
RATIO_TARGET = 3.0

# With the distribution (issue 15): mean, quartiles and extremes of each figure over the other organisations
# that share their figures, one GROUP BY.
HAND_SQL_DISTRIBUTION = """
SELECT f.figure, avg(f.percent), count(f.percent), count(*), min(f.percent), max(f.percent),
       percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY f.percent), sum(f.n_respondents)
FROM maturity_organisationfigure f
LEFT JOIN surveys_round r ON r.id = f.round_id
WHERE f.period_id = %s AND f.shared AND (f.round_id IS NULL OR r.status = 'closed')
  AND f.organisation_id IS DISTINCT FROM %s {extra}
GROUP BY f.figure
"""
HAND_SQL_SECTOR = """
SELECT f.figure, avg(f.percent), count(f.percent), count(*), min(f.percent), max(f.percent),
       percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY f.percent), sum(f.n_respondents)
FROM maturity_departmentfigure f
WHERE f.period_id = %s AND f.shared AND f.sector = %s AND f.organisation_id <> %s
GROUP BY f.figure
"""
SETS_TARGET_MS = 100

HAND_SQL = """
SELECT f.figure, avg(f.percent), count(f.percent), count(*)
FROM maturity_organisationfigure f
JOIN surveys_round r ON r.id = f.round_id
WHERE f.period_id = %s AND r.status = 'closed' AND f.organisation_id <> %s
GROUP BY f.figure
"""


describe = national_scale.describe


def main() -> int:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from maturity.models import OrganisationFigure, RoundResult
    from maturity.selectors import get_comparison, get_comparison_sets, get_comparisons
    from maturity.services.comparisons import refresh_comparisons, refresh_period_comparisons
    from surveys.models import Department, Organisation, Round
    from tests.maturity.comparison_reference import reference_comparison

    settings.ALLOWED_HOSTS = ["*"]
    organisation = Organisation.objects.get(code=BENCH_CODE)
    round_ = (
        Round.objects.filter(organisation=organisation).select_related("period").latest("period__starts_on")
    )
    period = round_.period
    n_organisations = Organisation.objects.count()
    n_periods = Round.objects.values("period").distinct().count()
    print(
        f"data: {n_organisations} organisations, {n_periods} periods, "
        f"{RoundResult.objects.count()} result rows, {OrganisationFigure.objects.count()} figure rows; "
        f"period {period.code}"
    )
    user = get_user_model().objects.get(username="bench.ledning@kommun.example")
    client = Client()
    client.force_login(user)
    url = reverse("reports:dashboard", args=[organisation.code])

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    queries = len(captured)
    with CaptureQueriesContext(connection) as captured:
        get_comparisons(organisation=organisation, period=period)
    comparison_queries = len(captured)

    settings.DEBUG = False
    dashboard = describe(
        f"organisation dashboard ({queries} queries)", national_scale.times_ms(lambda: client.get(url), RUNS)
    )
    national = describe(
        f"get_comparison national, stored aggregates ({comparison_queries} queries for all three bases)",
        national_scale.times_ms(lambda: get_comparison(organisation=organisation, period=period), RUNS),
    )
    describe(
        "get_comparisons national+county+kind (the dashboard's)",
        national_scale.times_ms(lambda: get_comparisons(organisation=organisation, period=period), RUNS),
    )
    from_rows = describe(
        "get_comparisons from the figure rows (stale or with k)",
        national_scale.times_ms(lambda: get_comparisons(organisation=organisation, period=period, k=5), RUNS),
    )
    old = describe(
        "old computation in Python, national+county+kind",
        national_scale.times_ms(
            lambda: [
                reference_comparison(organisation=organisation, period=period, basis=b)
                for b in ("national", "county", "kind")
            ],
            runs=5,
        ),
    )

    def hand_sql():
        with connection.cursor() as cursor:
            cursor.execute(HAND_SQL, [period.pk, organisation.pk])
            return cursor.fetchall()

    hand = describe(
        "hand-written SQL aggregate (national, one GROUP BY)", national_scale.times_ms(hand_sql, RUNS)
    )
    print(f"ratio get_comparison national / hand SQL: {national / hand:.2f} (target ≤ {RATIO_TARGET})")

    # Issue 15: every comparison set with its distribution, for the organisation and for a department.
    department = Department.objects.filter(organisation=organisation, parent=None).exclude(sector="").first()
    with CaptureQueriesContext(connection) as captured:
        result = get_comparison_sets(organisation=organisation, period=period, department=department)
    sets_queries = len(captured)
    listed = ", ".join("{} ({})".format(e["key"], e["n_organisations"]) for e in result["sets"])
    print(f"sets: {listed}")
    sets_org = describe(
        "get_comparison_sets, organisation (every set with its distribution)",
        national_scale.times_ms(lambda: get_comparison_sets(organisation=organisation, period=period), RUNS),
    )
    sets_department = describe(
        f"get_comparison_sets, department with its sector ({sets_queries} queries)",
        national_scale.times_ms(
            lambda: get_comparison_sets(organisation=organisation, period=period, department=department), RUNS
        ),
    )

    def hand_sql_sets():
        county, kind, group = organisation.county_id, organisation.kind, organisation.skr_group
        extras = [
            ("", []),
            ("AND f.kind = %s", [kind]),
            ("AND f.county_id = %s", [county]),
            ("AND f.skr_group = %s", [group]),
            ("AND f.skr_group LIKE %s", [group[:1] + "%"]),
        ]
        with connection.cursor() as cursor:
            for extra, params in extras:
                cursor.execute(
                    HAND_SQL_DISTRIBUTION.format(extra=extra), [period.pk, organisation.pk, *params]
                )
                cursor.fetchall()
            cursor.execute(HAND_SQL_SECTOR, [period.pk, department.sector, organisation.pk])
            cursor.fetchall()

    def hand_sql_national_distribution():
        with connection.cursor() as cursor:
            cursor.execute(HAND_SQL_DISTRIBUTION.format(extra=""), [period.pk, organisation.pk])
            return cursor.fetchall()

    hand_national = describe(
        "hand-written SQL with the distribution (national, one GROUP BY with percentile_cont)",
        national_scale.times_ms(hand_sql_national_distribution, RUNS),
    )
    hand_sets = describe(
        "hand-written SQL with the distribution, every set of the department (6 GROUP BYs)",
        national_scale.times_ms(hand_sql_sets, RUNS),
    )
    print(
        "ratio get_comparison national (with distribution) / hand SQL with distribution: "
        f"{national / hand_national:.2f}"
    )
    print(
        "ratio get_comparison_sets department / hand SQL of its sets: "
        f"{sets_department / hand_sets:.2f} (target ≤ {RATIO_TARGET})"
    )
    print(f"ratio from the figure rows (3 bases) / hand SQL: {from_rows / hand:.2f}")
    print(f"old computation / dashboard's comparison now: {old / national:.0f} ×")

    def refresh_one():
        with transaction.atomic():
            refresh_period_comparisons(period_id=period.pk)

    describe(
        "refresh of one period's aggregates (added to closing a round)",
        national_scale.times_ms(refresh_one, runs=5),
    )
    started = time.perf_counter()
    written = refresh_comparisons()
    print(
        f"refresh_comparisons (full rebuild, {written['figures']} figure rows, {written['aggregates']} "
        f"aggregates): {(time.perf_counter() - started):.1f} s"
    )
    ok = (
        dashboard < DASHBOARD_TARGET_MS
        and national / hand <= RATIO_TARGET
        and max(sets_org, sets_department) < SETS_TARGET_MS
        and sets_department / hand_sets <= RATIO_TARGET
    )
    print("OK" if ok else "MISSES A TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
