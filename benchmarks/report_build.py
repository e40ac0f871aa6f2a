"""Time and peak memory to build one annual report (content, charts, PDF printed by Chromium, XLSX) for an
organisation with 20 departments (10 förvaltningar with one unit each), 5 respondent groups and ~330
respondents a year, compared with the demo's 18 other municipalities. Target: under 30 s and under 1 GB.

Run: DJANGO_DEBUG=1 DJANGO_READ_DOT_ENV=0 .venv/bin/python benchmarks/report_build.py
(uses a throw-away SQLite database and MEDIA_ROOT unless DATABASE_URL is set; then the tables must exist).

Peak memory is reported for this Python process (the worker's side: content, charts, XLSX) and for the
largest child process (Chromium's renderer), as maximum resident set sizes."""

from __future__ import annotations

import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
os.environ.setdefault("DJANGO_MEDIA_ROOT", tempfile.mkdtemp(prefix="dimios-bench-media-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dimios_web.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DJANGO_READ_DOT_ENV", "0")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

BENCH_CODE = "0604"  # Aneby: not one of the demo's comparison municipalities
TARGET_SECONDS = 30
TARGET_MB = 1024


def _make_rounds(organisation, version) -> None:
    import datetime

    from django.utils import timezone

    from maturity.services.results import compute_round_results
    from surveys.models import Answer, MeasurementPeriod, Response, Round

    departments = list(organisation.departments.all())
    groups = list(organisation.respondent_groups.all())
    statements = list(version.statements.values_list("pk", "reverse_scored"))
    for index, year in enumerate((2024, 2025)):
        starts_on, ends_on = MeasurementPeriod.window(year, "HT")
        period, _ = MeasurementPeriod.objects.get_or_create(
            year=year, term="HT", defaults={"starts_on": starts_on, "ends_on": ends_on}
        )
        if Round.objects.filter(organisation=organisation, period=period).exists():
            continue
        rng = random.Random(f"bench-{year}")
        with transaction.atomic():
            round_ = Round.objects.create(
                organisation=organisation,
                period=period,
                questionnaire=version,
                status=Round.Status.CLOSED,
                opens_on=starts_on,
                closes_on=starts_on + datetime.timedelta(days=40),
                closed_at=timezone.now(),
            )
            round_.departments.set(departments)
            responses, answers = [], []
            for d, department in enumerate(departments):
                for i in range(14 + (d % 5)):
                    response = Response(
                        round=round_,
                        department=department,
                        group=groups[i % len(groups)],
                    )
                    responses.append(response)
                    level = 3.0 + index * 0.3 + (d % 7 - 3) * 0.15
                    for sid, _reverse in statements:
                        value = min(6, max(1, round(rng.gauss(level, 1.0))))
                        answers.append(Answer(response=response, statement_id=sid, value=value))
            Response.objects.bulk_create(responses, batch_size=500)
            Answer.objects.bulk_create(answers, batch_size=2000)
        compute_round_results(round_id=round_.pk)


def main() -> None:
    call_command("migrate", verbosity=0)
    from dimios_web.demo.load import load_demo_data
    from reports.models import ReportJob
    from reports.services import building, jobs
    from surveys.models import Department
    from surveys.services.organisations import add_organisation
    from surveys.services.questionnaires import ensure_default_questionnaire

    print("preparing: demo data (comparison municipalities) and a 20-department organisation …", flush=True)
    load_demo_data()
    version = ensure_default_questionnaire()
    organisation, _ = add_organisation(code=BENCH_CODE)
    for i in range(10):
        top, _ = Department.objects.get_or_create(
            organisation=organisation, parent=None, name=f"Förvaltning {i + 1}"
        )
        Department.objects.get_or_create(organisation=organisation, parent=top, name=f"Enhet {i + 1}")
    _make_rounds(organisation, version)
    n_departments = organisation.departments.count()

    job = ReportJob.objects.create(organisation=organisation, year=2025, language="sv")
    token = jobs.claim_job(job_id=job.pk)
    started = time.perf_counter()
    building.build_report(job_id=job.pk, token=token)
    elapsed = time.perf_counter() - started
    job.refresh_from_db()
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    from pypdf import PdfReader

    # Through the storage API, as every report file is read (docs/deployment.md).
    with job.pdf_file.open("rb") as pdf:
        pages = len(PdfReader(pdf).pages)
    print(f"organisation: {organisation.name}, {n_departments} departments, report {job.year}: {job.state}")
    print(f"build time: {elapsed:.1f} s (target < {TARGET_SECONDS} s)")
    print(f"peak memory, this process: {self_mb:.0f} MB; largest child (Chromium): {child_mb:.0f} MB")
    print(f"peak memory, process + largest child: {self_mb + child_mb:.0f} MB (target < {TARGET_MB} MB)")
    print(f"PDF: {pages} pages, {job.pdf_file.size / 1024:.0f} KB; XLSX: {job.xlsx_file.size / 1024:.0f} KB")
    ok = elapsed < TARGET_SECONDS and self_mb + child_mb < TARGET_MB
    print("within target" if ok else "OVER TARGET")


if __name__ == "__main__":
    main()
