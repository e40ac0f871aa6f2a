"""Seed a national-scale database on PostgreSQL: 1 500 organisations × 5 years (HT 2021 – HT 2025, one
measurement period a year) of closed rounds, each with stored results for the organisation and each of
its departments (2–6), on the real default questionnaire (``load_questionnaire``), so that the figure
codes are the real ones. Then the comparison figures and aggregates are rebuilt (``refresh_comparisons``).

Fast: the answers of the 1 499 other organisations are drawn in memory and scored with the real
``maturity.scoring`` and published with the real ``maturity.disclosure`` (so hidden departments and hidden
figures are real), and the rows are written with ``bulk_create``; no Response/Answer rows for them. The
benchmark's own organisation (code 0604, Aneby, with 10 departments and a management user) goes through the
full path (responses and answers → ``compute_round_results``), so its dashboard is a real one.

Run (DATABASE_URL required, a database of its own; it is created if missing and its tables emptied of an
earlier seeding):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_b DJANGO_DEBUG=1 DJANGO_READ_DOT_ENV=0 \
        .venv/bin/python benchmarks/seed_national.py [--organisations 1500] [--years 5]

Prints how long each step took (docs/performance.md, "Dashboards and comparisons at national scale")."""

from __future__ import annotations

import argparse
import os
import random
import sys
import time

import national_scale

national_scale.environment(
    "DATABASE_URL must name a PostgreSQL database of its own (e.g. postgres://postgres@127.0.0.1:5432/bench_b)"
)

BENCH_CODE = "0604"  # Aneby: the organisation whose dashboard the benchmark reads
FIRST_YEAR = 2021
KIND_WEIGHTS = {"municipality": 80, "region": 8, "agency": 12}


def _ensure_database() -> None:
    import psycopg2

    url = os.environ["DATABASE_URL"]
    base, name = url.rsplit("/", 1)
    conn = psycopg2.connect(f"{base}/postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def _respondents(rng: random.Random, statements, n: int, level: float) -> list[dict]:
    rows = []
    for _ in range(n):
        answers = {}
        for code in statements:
            draw = rng.random()
            answers[code] = None if draw < 0.05 else min(6, max(1, round(rng.gauss(level, 1.1))))
        rows.append(answers)
    return rows


def _seed_others(n_organisations: int, years: list[int], version, periods) -> int:
    from django.db import transaction
    from django.utils import timezone

    from maturity import disclosure, scoring
    from maturity.models import ResultTree, RoundResult
    from maturity.selectors import get_structure
    from maturity.suppression import effective_k
    from surveys.models import County, Department, Organisation, Round, Sector
    from surveys.skr_groups import SKR_GROUPS, SKR_VERSION

    structure = get_structure(version)
    settings = structure.settings()
    statements = [s.code for s in structure.statements]
    k = effective_k(version.k_anonymity)
    counties = list(County.objects.all())
    rng = random.Random("seed-national")
    kinds = list(KIND_WEIGHTS)
    existing = Organisation.objects.filter(code__startswith="N").count()
    organisations = [
        Organisation(
            code=f"N{i:04d}",
            name=f"Jämförelseorganisation {i:04d}",
            kind=(kind := rng.choices(kinds, weights=list(KIND_WEIGHTS.values()))[0]),
            county=rng.choice(counties),
            # SKR groups for the municipalities, 5 % that do not share (issue 15's comparison sets)
            skr_group=rng.choice(list(SKR_GROUPS)) if kind == "municipality" else "",
            skr_group_version=SKR_VERSION if kind == "municipality" else "",
            shares_comparisons=rng.random() >= 0.05,
        )
        for i in range(existing, n_organisations)
    ]
    Organisation.objects.bulk_create(organisations, batch_size=1000)
    organisations = list(Organisation.objects.filter(code__startswith="N").order_by("code"))
    departments = []
    for organisation in organisations:
        departments += [
            Department(
                organisation=organisation, name=f"Förvaltning {j + 1}", sector=rng.choice(Sector.values)
            )
            for j in range(rng.randint(2, 6))
        ]
    Department.objects.bulk_create(departments, batch_size=2000)
    by_organisation: dict[int, list[int]] = {}
    for dept_id, org_id in Department.objects.filter(organisation__in=organisations).values_list(
        "pk", "organisation_id"
    ):
        by_organisation.setdefault(org_id, []).append(dept_id)
    written = 0
    now = timezone.now()
    for year, period in zip(years, periods, strict=True):
        with transaction.atomic():
            rounds = Round.objects.bulk_create(
                [
                    Round(
                        organisation=o,
                        period=period,
                        questionnaire=version,
                        status=Round.Status.CLOSED,
                        closed_at=now,
                    )
                    for o in organisations
                ],
                batch_size=1000,
            )
            results, trees = [], []
            for round_ in rounds:
                dept_ids = by_organisation[round_.organisation_id]
                level = 2.6 + rng.random() * 1.8 + (year - FIRST_YEAR) * 0.05
                members = {
                    f"department:{d}": _respondents(rng, statements, rng.randint(2, 14), level)
                    for d in dept_ids
                }
                everyone = [r for rows in members.values() for r in rows]
                scored = {"organisation": scoring.score(structure, everyone)}
                scored.update({key: scoring.score(structure, rows) for key, rows in members.items()})
                stored = {
                    key: disclosure.Stored(
                        result.n_respondents,
                        {
                            n: result.as_dict()[n]
                            for n in ("statements", "capabilities", "categories", "dimensions")
                        },
                    )
                    for key, result in scored.items()
                }
                published = disclosure.publish(
                    stored, structure=structure, parents=dict.fromkeys(dept_ids), k=k
                )
                for key, result in scored.items():
                    view = published[key]
                    department_id = None if key == "organisation" else int(key.split(":")[1])
                    results.append(
                        RoundResult(
                            round=round_,
                            questionnaire=version,
                            scope="organisation" if department_id is None else "department",
                            scope_key=key,
                            department_id=department_id,
                            n_respondents=result.n_respondents,
                            capability_percent=result.capability_percent,
                            legacy_percent=result.legacy_percent,
                            overall_percent=result.overall_percent,
                            type=result.type or "",
                            figures=stored[key].figures,
                            settings=settings,
                            computed_at=now,
                            published={name: view[name] for name in disclosure.HEADLINE},
                            published_figures={name: view[name] for name in disclosure.LEVELS},
                        )
                    )
                trees.append(
                    ResultTree(
                        round=round_,
                        departments=[{"id": d, "parent": None, "name": f"Förvaltning {d}"} for d in dept_ids],
                        groups=[],
                        k=k,
                        frozen_at=now,
                    )
                )
            RoundResult.objects.bulk_create(results, batch_size=1000)
            ResultTree.objects.bulk_create(trees, batch_size=1000)
            written += len(results)
        print(f"  {period.code}: {len(rounds)} rounds, {len(results)} result rows", flush=True)
    return written


def _seed_focus(years: list[int], version) -> None:
    """The benchmark's own organisation, through the real path (as benchmarks/dashboard_render.py)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from maturity.services.results import compute_round_results
    from surveys.models import Answer, Department, MeasurementPeriod, Response, RoleAssignment, Round, Sector
    from surveys.services.organisations import add_organisation, create_department

    organisation, _ = add_organisation(code=BENCH_CODE)
    if not Department.objects.filter(organisation=organisation).exists():
        for i in range(5):
            sector = Sector.values[i % len(Sector.values)]
            top = create_department(organisation=organisation, name=f"Förvaltning {i + 1:02d}", sector=sector)
            create_department(organisation=organisation, name=f"Enhet {i + 1:02d}", parent=top, sector=sector)
    departments = list(organisation.departments.all())
    groups = list(organisation.respondent_groups.all())
    statements = list(version.statements.values_list("pk", flat=True))
    for index, year in enumerate(years):
        period = MeasurementPeriod.objects.get(year=year, term="HT")
        rng = random.Random(f"bench-national-{year}")
        with transaction.atomic():
            round_ = Round.objects.create(
                organisation=organisation, period=period, questionnaire=version, status=Round.Status.CLOSED
            )
            responses, answers = [], []
            for department in departments:
                for _ in range(rng.randint(5, 13)):
                    response = Response(round=round_, department=department, group=rng.choice(groups))
                    responses.append(response)
                    for sid in statements:
                        value = (
                            None
                            if rng.random() < 0.05
                            else min(6, max(1, round(rng.gauss(3 + index * 0.2, 1.1))))
                        )
                        answers.append(Answer(response=response, statement_id=sid, value=value))
            Response.objects.bulk_create(responses, batch_size=1000)
            Answer.objects.bulk_create(answers, batch_size=5000)
            compute_round_results(round_id=round_.pk)
    user, _ = get_user_model().objects.get_or_create(username="bench.ledning@kommun.example")
    RoleAssignment.objects.get_or_create(user=user, organisation=organisation, role="management")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--organisations", type=int, default=1500)
    parser.add_argument("--years", type=int, default=5)
    args = parser.parse_args()
    _ensure_database()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from maturity.services.comparisons import refresh_comparisons
    from surveys.models import MeasurementPeriod
    from surveys.services.questionnaires import ensure_default_questionnaire

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_municipalities", verbosity=0)
    version = ensure_default_questionnaire()
    with connection.cursor() as cursor:  # an earlier seeding's rows
        cursor.execute(
            "TRUNCATE maturity_comparisonaggregate, maturity_organisationfigure, maturity_departmentfigure, "
            "maturity_resulttree, "
            "maturity_roundresult, surveys_answer, surveys_response, surveys_round_departments, "
            "surveys_round, surveys_department CASCADE"
        )
    years = [FIRST_YEAR + i for i in range(args.years)]
    periods = []
    for year in years:
        starts_on, ends_on = MeasurementPeriod.window(year, "HT")
        periods.append(
            MeasurementPeriod.objects.get_or_create(
                year=year, term="HT", defaults={"starts_on": starts_on, "ends_on": ends_on}
            )[0]
        )
    print(f"schema and reference data: {time.perf_counter() - started:.1f} s", flush=True)
    step = time.perf_counter()
    rows = _seed_others(args.organisations - 1, years, version, periods)
    print(
        f"{args.organisations - 1} organisations × {len(years)} years: {rows} result rows "
        f"in {time.perf_counter() - step:.1f} s"
    )
    step = time.perf_counter()
    _seed_focus(years, version)
    print(f"organisation {BENCH_CODE} through compute_round_results: {time.perf_counter() - step:.1f} s")
    step = time.perf_counter()
    written = refresh_comparisons()
    print(
        f"refresh_comparisons: {written['figures']} figure rows, {written['aggregates']} aggregates in "
        f"{written['periods']} periods: {time.perf_counter() - step:.1f} s"
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"seeded in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
