"""The national overview at national scale (issue 15), on the data of ``benchmarks/seed_national.py``
(1 500 organisations × 5 years on PostgreSQL). Target: the overview under 1 s; compared with hand-written
SQL over the same rows.

Run (after seeding the same database):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_national_h3 DJANGO_DEBUG=1 DJANGO_READ_DOT_ENV=0 \
        DJANGO_SECRET_KEY=x .venv/bin/python benchmarks/national_overview.py

Printed:
- ``maturity.national.get_national_overview`` (the latest period, its change since the period a year before:
  the stored aggregates, the matrix and type GROUP BY, the panel GROUP BY) with its number of queries;
- the same with the page built from it (tables and charts, ``reports.selectors.national``) and its XLSX;
- the hand-written SQL: the same figures straight from the figure rows in three GROUP BYs (headline and
  dimension distributions with percentile_cont, the types by each row's questionnaire cut-offs, the
  like-for-like change), and the ratio of the selector to it."""

from __future__ import annotations

import sys

import national_scale

national_scale.setup_django()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

RUNS = 20
TARGET_MS = 1000

HAND_SQL = [
    # The headline and dimension distributions of the period's shared rows.
    """
    SELECT figure, count(*), count(percent), avg(percent), min(percent),
           percentile_cont(0.25) WITHIN GROUP (ORDER BY percent),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY percent),
           percentile_cont(0.75) WITHIN GROUP (ORDER BY percent), max(percent), sum(n_respondents)
    FROM maturity_organisationfigure
    WHERE period_id = %(later)s AND shared
      AND (figure IN ('overall', 'capability', 'legacy') OR figure LIKE 'dimension:%%')
    GROUP BY figure
    """,
    # The types, by each row's questionnaire cut-offs (50 % for a row without a round).
    """
    SELECT CASE WHEN t.legacy >= t.lc THEN CASE WHEN t.capability >= t.cc THEN 'D' ELSE 'C' END
                ELSE CASE WHEN t.capability >= t.cc THEN 'B' ELSE 'A' END END AS type, count(*)
    FROM (
        SELECT max(CASE WHEN f.figure = 'capability' THEN f.percent END) AS capability,
               max(CASE WHEN f.figure = 'legacy' THEN f.percent END) AS legacy,
               coalesce(max(q.capability_cutoff), 50) AS cc, coalesce(max(q.legacy_cutoff), 50) AS lc
        FROM maturity_organisationfigure f
        LEFT JOIN surveys_round r ON r.id = f.round_id
        LEFT JOIN maturity_questionnaireversion q ON q.id = r.questionnaire_id
        WHERE f.period_id = %(later)s AND f.shared AND f.figure IN ('capability', 'legacy')
        GROUP BY f.round_id, f.source_id, f.organisation_code
    ) t
    WHERE t.capability IS NOT NULL AND t.legacy IS NOT NULL
    GROUP BY 1
    """,
    # The change over the organisations with the figure in both periods.
    """
    SELECT a.figure, count(*), avg(b.percent - a.percent),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY b.percent - a.percent)
    FROM maturity_organisationfigure a
    JOIN maturity_organisationfigure b ON b.organisation_code = a.organisation_code AND b.figure = a.figure
    WHERE a.period_id = %(earlier)s AND b.period_id = %(later)s AND a.shared AND b.shared
      AND a.figure IN ('overall', 'capability', 'legacy')
      AND a.percent IS NOT NULL AND b.percent IS NOT NULL
    GROUP BY a.figure
    """,
]


def describe(label: str, times: list[float]) -> float:
    return national_scale.describe(label, times, decimals=1)


def main() -> int:
    from django.conf import settings

    from maturity import national
    from maturity.models import OrganisationFigure
    from reports.exports import national_overview_xlsx
    from reports.selectors.national import build_national_page

    overview = national.get_national_overview()
    if overview is None:
        sys.exit("no period has data: seed first")
    print(
        f"data: {OrganisationFigure.objects.count()} figure rows; period {overview.period.code}: "
        f"{overview.n_organisations} organisations, {overview.respondents} respondents, "
        f"{len(overview.points)} points, types {overview.types}; change "
        f"{overview.panel_from.code if overview.panel_from else '–'} → {overview.panel_to.code}: "
        f"n {overview.panel['overall'].n if overview.panel else 0}"
    )
    with CaptureQueriesContext(connection) as captured:
        national.get_national_overview()
    queries = len(captured)
    settings.DEBUG = False
    selector = describe(
        f"get_national_overview ({queries} queries)",
        national_scale.times_ms(lambda: national.get_national_overview(), RUNS),
    )
    describe(
        "get_national_overview + the page's tables and charts",
        national_scale.times_ms(lambda: build_national_page(national.get_national_overview()), RUNS),
    )
    describe(
        "… + its XLSX",
        national_scale.times_ms(
            lambda: national_overview_xlsx(build_national_page(national.get_national_overview())), runs=5
        ),
    )
    params = {
        "later": overview.period.pk,
        "earlier": overview.panel_from.pk if overview.panel_from else overview.period.pk,
    }

    def hand_sql():
        with connection.cursor() as cursor:
            for sql in HAND_SQL:
                cursor.execute(sql, params)
                cursor.fetchall()

    hand = describe(
        "hand-written SQL (three GROUP BYs: distributions, types, change)",
        national_scale.times_ms(hand_sql, RUNS),
    )
    print(f"ratio get_national_overview / hand SQL: {selector / hand:.2f}")
    ok = selector < TARGET_MS
    print("OK" if ok else "MISSES THE TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
