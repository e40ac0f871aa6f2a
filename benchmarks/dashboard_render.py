"""Server-side render time of the organisation dashboard for an organisation with 50 departments (25
förvaltningar with one unit each), 5 respondent groups and 5 years of closed rounds (~450 respondents a
year), compared with the demo's other municipalities. Target: under 300 ms.

Run: DJANGO_DEBUG=1 DJANGO_READ_DOT_ENV=0 .venv/bin/python benchmarks/dashboard_render.py
(uses a throw-away SQLite database unless DATABASE_URL is set; then the tables must exist).

Printed: the first render (suppression of each round's scopes computed and cached), the median and worst
of the following renders (what users get), the department dashboard, the XLSX download, and the number of
queries of each. Rendering goes through the full Django stack (middleware, view, template) with the test
client; only the browser's drawing of the plotly figures is left out."""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dimios_web.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DJANGO_READ_DOT_ENV", "0")
os.environ.setdefault("EMAIL_URL", "consolemail://")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

BENCH_CODE = "0604"  # Aneby: not one of the demo's comparison municipalities
YEARS = (2021, 2022, 2023, 2024, 2025)
TARGET_MS = 300
RUNS = 15


def _make_rounds(organisation, version) -> None:
    from maturity.services.results import compute_round_results
    from surveys.models import Answer, MeasurementPeriod, Response, Round

    departments = list(organisation.departments.all())
    groups = list(organisation.respondent_groups.all())
    statements = list(version.statements.values_list("pk", flat=True))
    for index, year in enumerate(YEARS):
        starts_on, ends_on = MeasurementPeriod.window(year, "HT")
        period, _ = MeasurementPeriod.objects.get_or_create(
            year=year, term="HT", defaults={"starts_on": starts_on, "ends_on": ends_on}
        )
        if Round.objects.filter(organisation=organisation, period=period).exists():
            continue
        rng = random.Random(f"bench-dashboard-{year}")
        with transaction.atomic():
            round_ = Round.objects.create(
                organisation=organisation, period=period, questionnaire=version, status=Round.Status.CLOSED
            )
            responses, answers = [], []
            for department in departments:
                offset = rng.uniform(-0.8, 0.8)
                for _ in range(rng.randint(5, 13)):
                    response = Response(round=round_, department=department, group=rng.choice(groups))
                    responses.append(response)
                    level = 3.0 + index * 0.25 + offset
                    for sid in statements:
                        draw = rng.random()
                        value = None if draw < 0.05 else min(6, max(1, round(rng.gauss(level, 1.1))))
                        answers.append(Answer(response=response, statement_id=sid, value=value))
            Response.objects.bulk_create(responses, batch_size=1000)
            Answer.objects.bulk_create(answers, batch_size=5000)
            compute_round_results(round_id=round_.pk)


def _setup():
    from django.contrib.auth import get_user_model

    from surveys.models import Department, RoleAssignment
    from surveys.services.organisations import add_organisation, create_department
    from surveys.services.questionnaires import ensure_default_questionnaire

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("load_demo_data", verbosity=0)
    version = ensure_default_questionnaire()
    organisation, _ = add_organisation(code=BENCH_CODE)
    if not Department.objects.filter(organisation=organisation).exists():
        for i in range(25):
            top = create_department(organisation=organisation, name=f"Förvaltning {i + 1:02d}")
            create_department(organisation=organisation, name=f"Enhet {i + 1:02d}", parent=top)
    _make_rounds(organisation, version)
    user, _ = get_user_model().objects.get_or_create(username="bench.ledning@kommun.example")
    RoleAssignment.objects.get_or_create(user=user, organisation=organisation, role="management")
    print(f"set-up (demo data, 50 departments, {len(YEARS)} rounds): {time.perf_counter() - started:.1f} s")
    return organisation, user


def _time(client, url: str) -> tuple[float, int, int]:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.status_code
    return elapsed, len(queries), len(response.content)


def main() -> int:
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from surveys.models import Department

    settings.ALLOWED_HOSTS = ["*"]
    organisation, user = _setup()
    client = Client()
    client.force_login(user)
    url = reverse("reports:dashboard", args=[organisation.code])
    department = Department.objects.get(organisation=organisation, name="Förvaltning 07")
    department_url = f"{url}?department={department.pk}"
    export_url = reverse("reports:dashboard_export", args=[organisation.code, "xlsx"])

    first, queries, size = _time(client, url)
    print(
        f"organisation dashboard, first render (suppression computed): {first:.0f} ms, {queries} queries, "
        f"{size / 1024:.0f} KB HTML"
    )
    times = [_time(client, url)[0] for _ in range(RUNS)]
    median = statistics.median(times)
    print(
        f"organisation dashboard, {RUNS} renders: median {median:.0f} ms, worst {max(times):.0f} ms "
        f"(target < {TARGET_MS} ms)"
    )
    _time(client, department_url)
    dept_times = [_time(client, department_url) for _ in range(RUNS)]
    print(
        f"department dashboard: median {statistics.median(t for t, _q, _s in dept_times):.0f} ms, "
        f"{dept_times[0][1]} queries"
    )
    xlsx = [_time(client, export_url) for _ in range(5)]
    print(f"XLSX download: median {statistics.median(t for t, _q, _s in xlsx):.0f} ms, {xlsx[0][1]} queries")
    ok = median < TARGET_MS
    print("OK" if ok else "SLOWER THAN THE TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
