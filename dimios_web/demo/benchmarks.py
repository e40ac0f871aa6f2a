"""Imported benchmark records of the demo (issue 15): published figures of municipalities that are not on
this instance, as a platform admin would import them (benchmark format v1, docs/benchmark-format.md),
through the same import as ``manage.py import_benchmarks``. Fictitious figures, deterministic; importing
again replaces the source's records, so the demo stays the same."""

from __future__ import annotations

import csv
import io
import random

from django.conf import settings

from maturity.services.benchmarks import import_benchmarks
from surveys.models import MeasurementPeriod, Municipality, Organisation

DEMO_SOURCE = "Demo: publicerade siffror från andra kommuner (fiktiva)"
DEMO_BENCHMARK_MUNICIPALITIES = 40


def demo_benchmark_csv(periods: list[MeasurementPeriod]) -> bytes:
    """The demo's benchmark file: every fortieth or so municipality that has no organisation here."""
    local = set(Organisation.objects.values_list("code", flat=True))
    municipalities = [m for m in Municipality.objects.order_by("code") if m.code not in local]
    step = max(1, len(municipalities) // DEMO_BENCHMARK_MUNICIPALITIES)
    chosen = municipalities[::step][:DEMO_BENCHMARK_MUNICIPALITIES]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "organisation_code",
            "organisation_name",
            "kind",
            "county_code",
            "period",
            "n_respondents",
            "source",
            "overall",
            "capability",
            "legacy",
        ]
    )
    for municipality in chosen:
        rng = random.Random(f"demo-benchmark-{municipality.code}")
        capability, legacy = rng.uniform(32, 62), rng.uniform(35, 65)
        for index, period in enumerate(sorted(periods, key=lambda p: p.starts_on)):
            capability_now = min(95.0, capability + index * rng.uniform(0.5, 3.0))
            legacy_now = min(95.0, legacy + index * rng.uniform(0.0, 2.5))
            writer.writerow(
                [
                    municipality.code,
                    municipality.name,
                    "municipality",
                    municipality.county_id,
                    period.code,
                    rng.randint(25, 180),
                    DEMO_SOURCE,
                    f"{(capability_now + legacy_now) / 2:.1f}",
                    f"{capability_now:.1f}",
                    f"{legacy_now:.1f}",
                ]
            )
    return out.getvalue().encode("utf-8")


def load_demo_benchmarks(summary: dict, periods: list[MeasurementPeriod]) -> None:
    imported = import_benchmarks(file=demo_benchmark_csv(periods), file_name="demo-jamforelsedata.csv")
    summary["notes"].append(
        f"Benchmark demo: {imported.records} imported records of municipalities not on this instance "
        f"(source “{DEMO_SOURCE}”), in the comparisons beside the local ones; "
        f"{settings.SITE_URL}/jamforelsedata/ lists them."
    )
