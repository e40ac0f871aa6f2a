"""The open-data export at national scale (issue 15, docs/open-data.md), on the data of
``benchmarks/seed_national.py`` (1 500 organisations × 5 years on PostgreSQL). Target: the export under 10 s
in every format.

Run (after seeding the same database):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_i15 DJANGO_DEBUG=1 DJANGO_READ_DOT_ENV=0 \
        DJANGO_SECRET_KEY=x .venv/bin/python benchmarks/open_data_export.py

Printed, RUNS times each and their median:
- ``manage.py export_open_data --format csv|json|xlsx --output FILE`` end to end (``call_command``: the
  query, the grouping into records, the writer, the file), with the number of records, the file's size and
  the number of queries;
- its parts: the selector alone (``list_open_data_records``: one query, grouped in Python), then each
  writer alone on those records;
- the hand-written SQL: the same rows (the published figure rows of every sharing organisation's closed
  rounds with their organisation and period) fetched by one plain cursor, and the ratio of the selector
  to it;
- one page of the JSON API (``/api/v1/open-data/``, the first 100 records, through the test client)."""

from __future__ import annotations

import io
import statistics
import tempfile
import time
from pathlib import Path

import national_scale

national_scale.setup_django()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

RUNS = 3
TARGET_S = 10.0

HAND_SQL = """
SELECT f.round_id, o.code, o.name, o.kind, o.county_id, p.year, p.term, f.n_respondents, f.figure, f.percent
FROM maturity_organisationfigure f
JOIN surveys_round r ON r.id = f.round_id
JOIN surveys_organisation o ON o.id = f.organisation_id
JOIN surveys_measurementperiod p ON p.id = f.period_id
WHERE f.source_id IS NULL AND f.shared AND r.status = 'closed' AND o.shares_comparisons
ORDER BY p.starts_on, o.code, f.round_id, f.figure
"""


def _median(seconds: list[float]) -> str:
    return f"median {statistics.median(seconds):.2f} s (runs: {', '.join(f'{s:.2f}' for s in seconds)})"


def _timed(function, runs: int = RUNS) -> tuple[list[float], object]:
    seconds, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        seconds.append(time.perf_counter() - start)
    return seconds, result


def main() -> None:
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings

    from maturity import open_data

    records = open_data.list_open_data_records()
    print(f"data: {len(records)} records of {len({r.organisation_code for r in records})} organisations")

    with tempfile.TemporaryDirectory() as folder:
        for fmt in ("csv", "json", "xlsx"):
            target = Path(folder) / f"open-data.{fmt}"

            def export(fmt=fmt, target=target):
                call_command("export_open_data", format=fmt, output=str(target), stderr=io.StringIO())

            with CaptureQueriesContext(connection) as queries:
                export()
            seconds, _ = _timed(export)
            verdict = "met" if statistics.median(seconds) < TARGET_S else "NOT met"
            print(
                f"export_open_data --format {fmt}: {_median(seconds)}, {target.stat().st_size / 1e6:.1f} MB, "
                f"{len(queries)} queries (target < {TARGET_S:.0f} s: {verdict})"
            )

    selector, records = _timed(open_data.list_open_data_records)
    print(f"  selector list_open_data_records (1 query, grouped in Python): {_median(selector)}")
    for fmt in ("csv", "json", "xlsx"):
        writer, _ = _timed(lambda fmt=fmt: open_data.write_records(fmt, records))
        print(f"  writer {fmt} alone: {_median(writer)}")

    def hand():
        with connection.cursor() as cursor:
            cursor.execute(HAND_SQL)
            return cursor.fetchall()

    hand_seconds, rows = _timed(hand)
    print(f"hand-written SQL, the same {len(rows)} rows by one cursor: {_median(hand_seconds)}")
    print(f"ratio selector / hand SQL: {statistics.median(selector) / statistics.median(hand_seconds):.2f}")

    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver", *settings.ALLOWED_HOSTS]):
        client = Client()
        url = "/api/v1/open-data/"
        client.get(url)
        page = []
        for _ in range(10):
            start = time.perf_counter()
            response = client.get(url)
            page.append((time.perf_counter() - start) * 1000)
        print(
            f"API {url} (first page, status {response.status_code}): median {statistics.median(page):.0f} ms"
        )


if __name__ == "__main__":
    main()
