"""Annual reports in bulk (issue 14): build N organisations' reports with the real builder (content, charts,
PDF printed by Chromium, XLSX) one after another, as one worker process takes them off the queue, and
project the wall time of 1 500 reports; then time the platform admin's bulk order itself
(``order_all_reports``: one job, one audit event and one task per organisation) for many organisations.
Targets: one report under 30 s and under 1 GB.

Run (PostgreSQL, a database of its own is created and dropped; Redis at 127.0.0.1:6379 for the order):

    .venv/bin/python benchmarks/report_bulk.py                   # 6 reports, order timed for 1 500
    .venv/bin/python benchmarks/report_bulk.py --reports 10 --order 1500

Each organisation has 20 departments (10 förvaltningar with a unit each), 5 respondent groups and about
330 respondents a year, HT 2024 and HT 2025 (as benchmarks/report_build.py), compared with the demo's
municipalities. Peak memory: a sampler reads the memory of this process and all its children (Chromium's
browser, renderer, GPU and utility processes) every 100 ms and keeps the highest sum per report, as PSS
(proportional set size: a page shared by several processes counted once in all, split between them; the
target is judged on it) and as RSS summed (which counts shared pages once per process and overstates);
the kernel's own peaks (getrusage: this process, and the largest child) are printed beside them.

The projection: the reports are independent jobs taken by whichever worker is free (a separate test,
tests/reports/test_report_build.py, holds that two workers share a bulk order), so 1 500 reports take
1 500 × the mean time per report / the worker processes, given a core per worker process; on this 2-core
machine 4 processes would get 2 cores' worth, and that figure is printed too. The order: the jobs are
published to a Redis queue of this run's own that no worker consumes (deleted afterwards)."""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

TARGET_SECONDS = 30
TARGET_MB = 1024
CODES = ["0604", "0617", "0642", "0643", "0662", "0665", "0680", "0682", "0683", "0684", "0685", "0686"]


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=6, help=f"reports to build (1–{len(CODES)})")
    parser.add_argument("--order", type=int, default=1500, help="organisations in the timed bulk order")
    parser.add_argument("--workers", type=int, default=4, help="worker processes of the projection")
    parser.add_argument("--database", default="dimios_report_bulk")
    parser.add_argument("--redis-db", type=int, default=10)
    args = parser.parse_args(argv)
    if not 1 <= args.reports <= len(CODES) or not 0 <= args.order <= 5000:
        parser.error(f"--reports 1–{len(CODES)}, --order 0–5000")
    return args


def setup(args) -> None:
    import psycopg2

    admin = psycopg2.connect(dbname="postgres", user="postgres", host="127.0.0.1", port=5432)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{args.database}"')
    admin.close()
    import tempfile

    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    os.environ.setdefault("DJANGO_MEDIA_ROOT", tempfile.mkdtemp(prefix="dimios-bulk-media-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dimios_web.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_READ_DOT_ENV", "0")
    os.environ.setdefault("EMAIL_URL", "dummymail://")
    import django

    django.setup()


def drop(args) -> None:
    import psycopg2
    from django.db import connections

    connections.close_all()
    admin = psycopg2.connect(dbname="postgres", user="postgres", host="127.0.0.1", port=5432)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    admin.close()


class TreeMemory:
    """Samples the memory of this process plus all its descendants (Chromium's processes) and keeps the
    peaks: the sum of resident set sizes (counts the pages the processes share – libraries, Chromium's
    shared memory – once per process, so it overstates), and the sum of proportional set sizes (PSS: a
    shared page split between its sharers; what the processes together take from the machine)."""

    def __init__(self, interval: float = 0.1):
        import psutil

        self.process = psutil.Process()
        self.interval = interval
        self.peak_rss = 0
        self.peak_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> tuple[int, int]:
        import psutil

        rss = pss = 0
        for process in [self.process, *self.process.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                info = process.memory_full_info()
                rss += info.rss
                pss += info.pss
        return rss, pss

    def _run(self) -> None:
        while not self._stop.is_set():
            rss, pss = self._sample()
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_pss = max(self.peak_pss, pss)
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def build_reports(count: int) -> list[dict]:
    from report_build import _make_rounds

    from dimios_web.demo.load import load_demo_data
    from reports.models import ReportJob
    from reports.services import building, jobs
    from surveys.models import Department
    from surveys.services.organisations import add_organisation
    from surveys.services.questionnaires import ensure_default_questionnaire

    print("preparing: demo data (the comparison municipalities) …", flush=True)
    load_demo_data()
    version = ensure_default_questionnaire()
    organisations = []
    for code in CODES[:count]:
        organisation, _ = add_organisation(code=code)
        for i in range(10):
            top, _ = Department.objects.get_or_create(
                organisation=organisation, parent=None, name=f"Förvaltning {i + 1}"
            )
            Department.objects.get_or_create(organisation=organisation, parent=top, name=f"Enhet {i + 1}")
        _make_rounds(organisation, version)
        organisations.append(organisation)
        print(f"  results of {organisation.name}: {organisation.departments.count()} departments", flush=True)

    rows = []
    for organisation in organisations:
        job = ReportJob.objects.create(organisation=organisation, year=2025, language="sv")
        token = jobs.claim_job(job_id=job.pk)
        assert token
        with TreeMemory() as memory:
            started = time.perf_counter()
            building.build_report(job_id=job.pk, token=token)
            elapsed = time.perf_counter() - started
        job.refresh_from_db()
        rows.append(
            {
                "organisation": organisation.name,
                "state": job.state,
                "seconds": elapsed,
                "rss_mb": memory.peak_rss / 2**20,
                "pss_mb": memory.peak_pss / 2**20,
                "pdf_kb": job.pdf_file.size / 1024,
            }
        )
        print(
            f"  {organisation.name:<14} {job.state:<5} {elapsed:6.1f} s   peak, process + Chromium: PSS "
            f"{memory.peak_pss / 2**20:5.0f} MB, RSS summed {memory.peak_rss / 2**20:5.0f} MB",
            flush=True,
        )
    return rows


def seed_order(count: int) -> int:
    """Many organisations with stored results for 2025, cheaply: an organisation, a closed round and its
    organisation-level result row each (all that the bulk order looks at)."""
    from django.utils import timezone

    from maturity.models import RoundResult
    from surveys.models import County, MeasurementPeriod, Organisation, Round
    from surveys.services.questionnaires import ensure_default_questionnaire

    version = ensure_default_questionnaire()
    county = County.objects.first()
    period = MeasurementPeriod.objects.get(year=2025, term="HT")
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(code=f"B{i:04d}", name=f"Bulkkommun {i:04d}", kind="agency", county=county)
            for i in range(count)
        ],
        batch_size=1000,
    )
    rounds = Round.objects.bulk_create(
        [
            Round(
                organisation=o,
                period=period,
                questionnaire=version,
                status=Round.Status.CLOSED,
                opens_on=period.starts_on,
                closes_on=period.ends_on,
                closed_at=timezone.now(),
            )
            for o in organisations
        ],
        batch_size=1000,
    )
    RoundResult.objects.bulk_create(
        [
            RoundResult(
                round=r,
                questionnaire=version,
                scope=RoundResult.Scope.ORGANISATION,
                scope_key="organisation",
                n_respondents=30,
                capability_percent=55.0,
                legacy_percent=45.0,
                overall_percent=50.0,
            )
            for r in rounds
        ],
        batch_size=1000,
    )
    return (
        Organisation.objects.filter(rounds__period__year=2025, rounds__results__isnull=False)
        .distinct()
        .count()
    )


def time_order(count: int, redis_db: int) -> dict:
    from django.db import connection

    from dimios_web.celery import app
    from reports.models import ReportJob
    from reports.services import jobs
    from surveys.models import AuditEvent
    from tests.factories import UserFactory

    organisations = seed_order(count)
    broker = f"redis://127.0.0.1:6379/{redis_db}"
    queue = f"report-bulk-{uuid.uuid4().hex[:8]}"
    app.conf.update(broker_url=broker, task_always_eager=False, task_default_queue=queue)
    from kombu import pools

    pools.reset()
    app._pool = None
    app.__dict__.pop("amqp", None)
    admin = UserFactory(username="bulk@plattform.example", is_staff=True, is_superuser=True)
    try:
        queries = []

        def count(execute, sql, params, many, context):
            queries.append(1)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            started = time.perf_counter()
            outcomes = jobs.order_all_reports(year=2025, language="sv", actor=admin)
            elapsed = time.perf_counter() - started
        import redis

        client = redis.Redis.from_url(broker)
        published = client.llen(queue)
    finally:
        import redis

        redis.Redis.from_url(broker).delete(queue)
    return {
        "organisations": organisations,
        "jobs": len(outcomes),
        "created": sum(1 for o in outcomes if o.created),
        "queued": sum(1 for o in outcomes if o.queued),
        "published": published,
        "events": AuditEvent.objects.filter(action="report.ordered").count(),
        "active_jobs": ReportJob.objects.filter(state__in=ReportJob.ACTIVE_STATES).count(),
        "seconds": elapsed,
        "queries": len(queries),
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    setup(args)
    from django.core.management import call_command

    try:
        call_command("migrate", "--no-input", verbosity=0)
        rows = build_reports(args.reports)
        order = time_order(args.order, args.redis_db) if args.order else None
    finally:
        self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        drop(args)

    times = [r["seconds"] for r in rows]
    mean = statistics.mean(times)
    peak = max(r["pss_mb"] for r in rows)
    peak_rss = max(r["rss_mb"] for r in rows)
    print(f"\nreports built: {len(rows)}, states {sorted({r['state'] for r in rows})}")
    print(
        f"time per report: mean {mean:.1f} s, median {statistics.median(times):.1f} s, "
        f"slowest {max(times):.1f} s (target < {TARGET_SECONDS} s)"
    )
    print(
        f"peak memory of one build, process + all children: PSS {peak:.0f} MB (target < {TARGET_MB} MB); "
        f"RSS summed {peak_rss:.0f} MB"
    )
    print(f"  kernel peaks (getrusage): this process {self_mb:.0f} MB, largest child {child_mb:.0f} MB")
    cores = os.cpu_count() or 1
    for workers in sorted({args.workers, 2, 1}):
        wall = 1500 * mean / workers
        print(
            f"projected wall time of 1 500 reports, {workers} worker process(es) with a core each: "
            f"{wall / 60:.0f} min"
        )
    if args.workers > cores:
        wall = 1500 * mean / cores
        print(
            f"  on this {cores}-core machine {args.workers} processes share {cores} cores: "
            f"{wall / 60:.0f} min"
        )
    if order:
        jobs_made = max(order["jobs"], 1)
        per = order["seconds"] / jobs_made * 1000
        print(
            f"\nbulk order of {order['organisations']} organisations (one request of a platform admin): "
            f"{order['seconds']:.1f} s ({per:.1f} ms an organisation), {order['queries']} queries in all"
        )
        print(
            f"  {order['created']} jobs created, {order['queued']} queued, {order['published']} messages on "
            f"the queue, {order['events']} audit events, {order['active_jobs']} active jobs"
        )
    ok = max(times) < TARGET_SECONDS and peak < TARGET_MB and {r["state"] for r in rows} == {"done"}
    print("within target" if ok else "OVER TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
