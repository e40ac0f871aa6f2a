"""Benchmark records of organisations that are not on this instance (issue 15; docs/benchmark-format.md):
published national figures, another instance's open-data export. Imported by a platform admin (the page
``maturity:benchmark_sources`` or ``manage.py import_benchmarks FILE``) as ``OrganisationFigure`` rows
without a round, one ``BenchmarkSource`` per source named in the file; the comparison aggregates of every
period concerned are refreshed in the same transaction.

All or nothing: a file with any problem imports nothing (``BenchmarkFileRejected`` lists them with their
lines). Importing a source again replaces all of its earlier records."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import IO

from django.db import transaction
from django.utils import timezone

from surveys.models import (
    Capability,
    Category,
    County,
    Dimension,
    MeasurementPeriod,
    Municipality,
    Organisation,
)
from surveys.services.audit import AuditAction, record_event

from ..benchmark_format import (
    MAX_FILE_BYTES,
    BenchmarkFileRejected,
    BenchmarkRecord,
    Reference,
    parse_benchmark_file,
)
from ..models import BenchmarkSource, OrganisationFigure
from .comparisons import COUNTING_FIGURE, refresh_period_comparisons

__all__ = [
    "BenchmarkFileRejected",
    "BenchmarkImportSummary",
    "delete_benchmark_source",
    "import_benchmarks",
    "list_benchmark_sources",
]

BATCH_SIZE = 2_000


@dataclass(frozen=True)
class BenchmarkImportSummary:
    sources: list[str]
    records: int
    figures: int
    periods: list[str]  # period codes with records in the file, e.g. "2026-HT"
    replaced: list[str] = field(default_factory=list)  # sources that had records before


def load_reference() -> Reference:
    """What the file's checks need to know about this instance (four small queries)."""
    part_codes: dict[str, set[str]] = {"dimension": set(), "category": set(), "capability": set()}
    for prefix, model in (("dimension", Dimension), ("category", Category), ("capability", Capability)):
        part_codes[prefix].update(model.objects.values_list("code", flat=True).distinct().order_by())
    return Reference(
        county_codes=frozenset(County.objects.values_list("code", flat=True)),
        municipality_counties=dict(Municipality.objects.values_list("code", "county_id")),
        local_organisation_codes=frozenset(Organisation.objects.values_list("code", flat=True)),
        part_codes={prefix: frozenset(codes) for prefix, codes in part_codes.items()},
    )


def read_upload(file: IO[bytes] | bytes) -> bytes:
    """The file's bytes, never more than one byte beyond the limit (so that a huge upload is refused
    without being read into memory)."""
    if isinstance(file, bytes | bytearray):
        return bytes(file)
    if hasattr(file, "seek"):
        file.seek(0)
    return file.read(MAX_FILE_BYTES + 1)


def _period(year: int, term: str, cache: dict[tuple[int, str], MeasurementPeriod]) -> MeasurementPeriod:
    """The period of a record, created with the national window's dates when missing (as
    ``surveys.services.periods`` does)."""
    key = (year, term)
    if key not in cache:
        starts_on, ends_on = MeasurementPeriod.window(year, term)
        cache[key], _created = MeasurementPeriod.objects.get_or_create(
            year=year, term=term, defaults={"starts_on": starts_on, "ends_on": ends_on}
        )
    return cache[key]


def _figure_rows(
    record: BenchmarkRecord, *, source: BenchmarkSource, period: MeasurementPeriod, skr_group: str
) -> list[OrganisationFigure]:
    # "overall" always has a row (the comparisons count organisations by it), a percent or not; any other
    # figure only when the file gives it.
    figures = dict(record.figures)
    figures.setdefault(COUNTING_FIGURE, None)
    return [
        OrganisationFigure(  # no round, no organisation: a record of an organisation not on this instance
            period_id=period.pk,
            source_id=source.pk,
            organisation_code=record.organisation_code,
            organisation_name=record.organisation_name,
            kind=record.kind,
            county_id=record.county_code,
            skr_group=skr_group,
            shared=True,
            figure=figure,
            percent=percent,
            n_respondents=record.n_respondents,
        )
        for figure, percent in figures.items()
        if percent is not None or figure == COUNTING_FIGURE
    ]


def import_benchmarks(*, file: IO[bytes] | bytes, file_name: str, actor=None) -> BenchmarkImportSummary:
    """Check the whole file and, when it has no problem, replace the records of every source it names and
    refresh the comparison aggregates of every period concerned (the old records' and the new ones'), in
    one transaction. Raises ``BenchmarkFileRejected`` (nothing imported) otherwise. ``actor`` is who
    imports (the platform admin; None for the command line)."""
    content = read_upload(file)
    with transaction.atomic():
        records = parse_benchmark_file(content, file_name=file_name, reference=load_reference())
        by_source: dict[str, list[BenchmarkRecord]] = defaultdict(list)
        for record in records:
            by_source[record.source].append(record)
        now = timezone.now()
        sources: dict[str, BenchmarkSource] = {}
        replaced = []
        for name, source_records in sorted(by_source.items()):
            source, created = BenchmarkSource.objects.select_for_update().get_or_create(name=name)
            if not created:
                replaced.append(name)
            source.imported_at = now
            source.file_name = (file_name or "")[:255]
            source.n_records = len(source_records)
            source.save(update_fields=["imported_at", "file_name", "n_records"])
            sources[name] = source
        old_rows = OrganisationFigure.objects.filter(source__in=list(sources.values()))
        affected = set(old_rows.values_list("period_id", flat=True).distinct().order_by())
        old_rows.delete()
        skr_groups = dict(
            Municipality.objects.filter(
                code__in={r.organisation_code for r in records if r.kind == Organisation.Kind.MUNICIPALITY}
            ).values_list("code", "skr_group")
        )
        periods: dict[tuple[int, str], MeasurementPeriod] = {}
        batch: list[OrganisationFigure] = []
        written = 0
        for record in records:
            period = _period(record.year, record.term, periods)
            skr_group = skr_groups.get(record.organisation_code, "") if record.kind == "municipality" else ""
            batch.extend(
                _figure_rows(record, source=sources[record.source], period=period, skr_group=skr_group)
            )
            if len(batch) >= BATCH_SIZE:
                OrganisationFigure.objects.bulk_create(batch)
                written += len(batch)
                batch = []
        OrganisationFigure.objects.bulk_create(batch)
        written += len(batch)
        affected |= {period.pk for period in periods.values()}
        for period_id in sorted(affected):
            refresh_period_comparisons(period_id=period_id)
        period_codes = sorted(period.code for period in periods.values())
        record_event(
            action=AuditAction.BENCHMARKS_IMPORTED,
            actor=actor,
            target=file_name or "",
            details={
                "sources": sorted(sources),
                "records": len(records),
                "figures": written,
                "periods": period_codes,
                "replaced": replaced,
            },
        )
    return BenchmarkImportSummary(
        sources=sorted(sources),
        records=len(records),
        figures=written,
        periods=period_codes,
        replaced=replaced,
    )


def delete_benchmark_source(*, source: BenchmarkSource, actor=None) -> int:
    """Delete a source with all of its records and refresh the comparison aggregates of the periods they
    were in. Returns the records deleted."""
    with transaction.atomic():
        source = BenchmarkSource.objects.select_for_update().get(pk=source.pk)
        periods = set(
            OrganisationFigure.objects.filter(source=source)
            .values_list("period_id", flat=True)
            .distinct()
            .order_by()
        )
        n_records = source.n_records
        source.delete()  # its figure rows go with it (CASCADE)
        for period_id in sorted(periods):
            refresh_period_comparisons(period_id=period_id)
        record_event(
            action=AuditAction.BENCHMARK_SOURCE_DELETED,
            actor=actor,
            target=source.name,
            details={"records": n_records},
        )
    return n_records


def list_benchmark_sources() -> list[BenchmarkSource]:
    return list(BenchmarkSource.objects.order_by("name"))
