"""How long compute_round_results takes for a round of 300 respondents × the default questionnaire
(31 statements), and how long reading it back with the anonymity rules takes.

Run: DJANGO_DEBUG=1 DJANGO_READ_DOT_ENV=0 .venv/bin/python benchmarks/scoring_compute.py
(uses a throw-away SQLite database unless DATABASE_URL is set; then the tables must exist)."""

from __future__ import annotations

import os
import random
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

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402


def main(n_respondents: int = 300) -> None:
    call_command("migrate", verbosity=0)
    from maturity.selectors import get_round_results
    from maturity.services.results import compute_round_results
    from surveys.models import (
        Answer,
        Department,
        MeasurementPeriod,
        Organisation,
        RespondentGroup,
        Response,
        Round,
    )
    from surveys.services.questionnaires import ensure_default_questionnaire

    version = ensure_default_questionnaire()
    with transaction.atomic():
        organisation, _ = Organisation.objects.get_or_create(code="BENCH", defaults={"name": "Benchmark"})
        Round.objects.filter(organisation=organisation).delete()
        parents = []
        for i in range(6):
            top, _ = Department.objects.get_or_create(
                organisation=organisation, parent=None, name=f"Förvaltning {i}"
            )
            parents.append(top)
            Department.objects.get_or_create(organisation=organisation, parent=top, name=f"Enhet {i}")
        departments = list(Department.objects.filter(organisation=organisation))
        groups = [
            RespondentGroup.objects.get_or_create(organisation=organisation, name=f"Grupp {g}")[0]
            for g in range(5)
        ]
        start, end = MeasurementPeriod.window(2025, "HT")
        period, _ = MeasurementPeriod.objects.get_or_create(
            year=2025, term="HT", defaults={"starts_on": start, "ends_on": end}
        )
        round_ = Round.objects.create(
            organisation=organisation, period=period, questionnaire=version, status="closed"
        )
        rng = random.Random(1)
        statements = list(version.statements.values_list("pk", flat=True))
        responses = [
            Response(round=round_, department=rng.choice(departments), group=rng.choice(groups))
            for _ in range(n_respondents)
        ]
        Response.objects.bulk_create(responses)
        Answer.objects.bulk_create(
            Answer(response=r, statement_id=s, value=rng.choice([None, 1, 2, 3, 4, 5, 6]))
            for r in responses
            for s in statements
        )

    timings = []
    for _ in range(5):
        started = time.perf_counter()
        rows = compute_round_results(round_id=round_.pk)
        timings.append(time.perf_counter() - started)
    read = []
    for _ in range(5):
        started = time.perf_counter()
        get_round_results(round_id=round_.pk)
        read.append(time.perf_counter() - started)
    best, worst = min(timings) * 1000, max(timings) * 1000
    print(f"compute_round_results: {n_respondents} respondents × {len(statements)} statements, {rows} rows")
    print(f"  best {best:.0f} ms, worst {worst:.0f} ms (target: well under 1000 ms)")
    print(
        f"get_round_results (with suppression): best {min(read) * 1000:.0f} ms, worst {max(read) * 1000:.0f}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
