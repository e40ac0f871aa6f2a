"""The instance's open data (issue 15, docs/open-data.md): per sharing organisation and measurement period
the organisation-wide figures it publishes, in benchmark format v1 (docs/benchmark-format.md), so that an
export of this instance can be imported into another one.

What is published is exactly the ``OrganisationFigure`` rows of this instance's closed rounds whose
organisation shares its figures: rows exist only for a round whose organisation figure is shown, with the
k-anonymity rules already applied (a hidden part has no percent and is written as an empty cell or null).
Nothing here reads answers, departments or groups, and nothing is computed: the rows are grouped into one
record per organisation × period.

- ``open_data_rows`` / ``list_open_data_records``: the selector (one query for a whole export);
- ``list_open_data_periods``: the periods that have records;
- ``records_as_csv`` / ``records_as_json`` / ``records_as_xlsx``: the writers of the three formats.
"""

from __future__ import annotations

import datetime
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext as _

from dimios_web.spreadsheets import add_sheet, csv_writer, new_workbook, workbook_bytes
from surveys.models import MeasurementPeriod, Organisation, Round

from .models import OrganisationFigure

FORMAT_NAME = "dimios-benchmarks"
FORMAT_VERSION = 1
IDENTITY_COLUMNS = [
    "organisation_code",
    "organisation_name",
    "kind",
    "county_code",
    "period",
    "n_respondents",
    "source",
]
HEADLINE_FIGURES = ["overall", "capability", "legacy"]
# The parts' columns follow the headline, level by level, each level's codes sorted.
PART_PREFIXES = ["dimension", "category", "capability"]
# Every record has this row (its percent may be missing): one per organisation × period (the comparisons'
# counting figure, maturity.services.comparisons).
RECORD_FIGURE = "overall"
# A period's code; the pattern as the OpenAPI document gives it (ECMA-262: no named groups).
PERIOD_PATTERN = r"^\d{4}-(VT|HT)$"
PERIOD_CODE = re.compile(r"(?P<year>\d{4})-(?P<term>VT|HT)")
KINDS = [kind.value for kind in Organisation.Kind]

LICENCE_NAME = "CC0 1.0"
LICENCE_URL = "http://creativecommons.org/publicdomain/zero/1.0/"

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
JSON_CONTENT_TYPE = "application/json"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"csv": CSV_CONTENT_TYPE, "json": JSON_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}


@dataclass
class OpenDataRecord:
    """One organisation's published figures in one period; a figure without a percent is None."""

    organisation_code: str
    organisation_name: str
    kind: str
    county_code: str | None
    period: str
    n_respondents: int
    figures: dict[str, float | None] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "organisation_code": self.organisation_code,
            "organisation_name": self.organisation_name,
            "kind": self.kind,
            "county_code": self.county_code,
            "period": self.period,
            "n_respondents": self.n_respondents,
            "figures": dict(self.figures),
        }


def open_data_source() -> str:
    """The name of this instance as the records' source (``DIMIOS_OPEN_DATA_SOURCE``)."""
    return settings.DIMIOS_OPEN_DATA_SOURCE


def parse_period_code(code: str) -> tuple[int, str] | None:
    """``"2026-HT"`` as (2026, "HT"); None for anything else."""
    match = PERIOD_CODE.fullmatch(code or "")
    return (int(match["year"]), match["term"]) if match else None


def _published_filter() -> Q:
    """This instance's rows (a round, no import source) of closed rounds of organisations that share their
    figures: the row's own ``shared`` (copied when the round's figures were written) and the organisation's
    setting now, so that withdrawing consent takes effect at once."""
    return Q(
        round__isnull=False,
        source__isnull=True,
        shared=True,
        round__status=Round.Status.CLOSED,
        organisation__shares_comparisons=True,
    )


def open_data_rows(*, period: str | None = None, kind: str | None = None) -> QuerySet[OrganisationFigure]:
    """The published rows, optionally of one period (its code) and one kind of organisation."""
    rows = OrganisationFigure.objects.filter(_published_filter())
    if period is not None:
        parsed = parse_period_code(period)
        if parsed is None:
            return rows.none()
        rows = rows.filter(period__year=parsed[0], period__term=parsed[1])
    if kind is not None:
        rows = rows.filter(organisation__kind=kind)
    return rows


def list_open_data_record_keys(*, period: str | None = None, kind: str | None = None) -> QuerySet:
    """One row per record (its round), in the records' order: the thing to paginate. Each value is a
    round id."""
    return (
        open_data_rows(period=period, kind=kind)
        .filter(figure=RECORD_FIGURE)
        .order_by("period__starts_on", "organisation__code", "round_id")
        .values_list("round_id", flat=True)
    )


_ROW_FIELDS = (
    "round_id",
    "organisation__code",
    "organisation__name",
    "organisation__kind",
    "organisation__county_id",
    "period__year",
    "period__term",
    "n_respondents",
    "figure",
    "percent",
)


def _records(rows: Iterable[tuple]) -> dict[int, OpenDataRecord]:
    """The rows grouped into records, keyed by their round, in the rows' order."""
    records: dict[int, OpenDataRecord] = {}
    for round_id, code, name, kind, county, year, term, n, figure, percent in rows:
        record = records.get(round_id)
        if record is None:
            record = records[round_id] = OpenDataRecord(
                organisation_code=code,
                organisation_name=name,
                kind=kind,
                county_code=county or None,
                period=f"{year}-{term}",
                n_respondents=n,
            )
        record.figures[figure] = float(percent) if percent is not None else None
    for record in records.values():
        record.figures = {name: record.figures[name] for name in figure_columns([record])}
    return records


def list_open_data_records(
    *, period: str | None = None, kind: str | None = None, round_ids: Sequence[int] | None = None
) -> list[OpenDataRecord]:
    """The records, in order of period and organisation code: one query over the rows, grouped here. With
    ``round_ids`` only those records (a page of the API), in that order."""
    rows = open_data_rows(period=period, kind=kind)
    if round_ids is not None:
        rows = rows.filter(round_id__in=list(round_ids))
    records = _records(
        rows.order_by("period__starts_on", "organisation__code", "round_id", "figure").values_list(
            *_ROW_FIELDS
        )
    )
    if round_ids is not None:
        return [records[r] for r in round_ids if r in records]
    return list(records.values())


def list_open_data_periods() -> list[dict[str, Any]]:
    """The periods that have published records, oldest first, with their number of records."""
    counts = dict(
        open_data_rows()
        .filter(figure=RECORD_FIGURE)
        .values("period_id")
        .annotate(n=Count("pk"))
        .values_list("period_id", "n")
        .order_by()
    )
    return [
        {
            "code": period.code,
            "year": period.year,
            "term": period.term,
            "starts_on": period.starts_on,
            "ends_on": period.ends_on,
            "n_records": counts[period.pk],
        }
        for period in MeasurementPeriod.objects.filter(pk__in=counts).order_by("starts_on")
    ]


def get_last_published_at() -> datetime.datetime | None:
    """When the latest published round closed (the catalogue's dct:modified): one aggregate query."""
    return open_data_rows().aggregate(last=Max("round__closed_at"))["last"]


def figure_columns(records: Iterable[OpenDataRecord]) -> list[str]:
    """The figures that any of the records has, in the columns' order: the headline figures, then the
    dimensions, categories and capabilities, each level's codes sorted (a figure of another kind last)."""
    present: set[str] = set()
    for record in records:
        present.update(record.figures)
    parts = [sorted(f for f in present if f.startswith(prefix + ":")) for prefix in PART_PREFIXES]
    known = set(HEADLINE_FIGURES).union(*parts)
    return [
        *(f for f in HEADLINE_FIGURES if f in present),
        *(f for level in parts for f in level),
        *sorted(present - known),
    ]


def export_figure_columns(records: Sequence[OpenDataRecord]) -> list[str]:
    """The figure columns of a CSV or XLSX export: the three headline columns always, then the parts that
    any record has."""
    return HEADLINE_FIGURES + [c for c in figure_columns(records) if c not in HEADLINE_FIGURES]


def export_columns(records: Sequence[OpenDataRecord]) -> list[str]:
    return IDENTITY_COLUMNS + export_figure_columns(records)


def _row(record: OpenDataRecord, source: str, figures: list[str]) -> list[Any]:
    return [
        record.organisation_code,
        record.organisation_name,
        record.kind,
        record.county_code or "",
        record.period,
        record.n_respondents,
        source,
        *(record.figures.get(name) for name in figures),
    ]


def _csv_number(value: Any) -> str:
    """A cell of the CSV: a number with a decimal point at full precision, empty when unknown."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def records_as_csv(records: Sequence[OpenDataRecord], *, source: str | None = None) -> str:
    """Format v1 as CSV: UTF-8, a header row, "," between cells, a decimal point; one row per record;
    an empty cell is a figure that is not known or not shown."""
    source = open_data_source() if source is None else source
    figures = export_figure_columns(records)
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\r\n")  # formula-safe texts (dimios_web/spreadsheets.py)
    writer.writerow(IDENTITY_COLUMNS + figures)
    for record in records:
        writer.writerow([_csv_number(value) for value in _row(record, source, figures)])
    return out.getvalue()


def records_as_document(records: Sequence[OpenDataRecord], *, source: str | None = None) -> dict[str, Any]:
    """Format v1 as a JSON document: the format, its version, the source and the records."""
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "source": open_data_source() if source is None else source,
        "records": [record.as_dict() for record in records],
    }


def records_as_json(records: Sequence[OpenDataRecord], *, source: str | None = None) -> str:
    return json.dumps(records_as_document(records, source=source), ensure_ascii=False, indent=2) + "\n"


def records_as_xlsx(records: Sequence[OpenDataRecord], *, source: str | None = None) -> bytes:
    """Format v1 as a workbook: the sheet "data" with the CSV's columns (numbers as numbers), and the sheet
    "about" with the source, the licence and what the columns mean."""
    source = open_data_source() if source is None else source
    figures = export_figure_columns(records)
    workbook = new_workbook()
    add_sheet(
        workbook,
        "data",
        [_row(record, source, figures) for record in records],
        header=IDENTITY_COLUMNS + figures,
        # Shown with one decimal as on the pages; the cell keeps the full value.
        number_formats={
            column: "0.0" for column in range(len(IDENTITY_COLUMNS), len(IDENTITY_COLUMNS) + len(figures))
        },
        freeze="A2",
    )
    add_sheet(
        workbook,
        "about",
        [
            [_("Dataset"), _("Digital maturity of Swedish public organisations (DiMiOS)")],
            [_("Source"), source],
            [_("Format"), f"{FORMAT_NAME} {FORMAT_VERSION}"],
            [_("Licence"), f"{LICENCE_NAME} ({LICENCE_URL})"],
            [_("Records"), len(records)],
            [
                _("Content"),
                _(
                    "One row per organisation and measurement period: the organisation-wide figures in per "
                    "cent (0–100) that the organisation publishes. An empty cell is a figure that is not "
                    "known or is hidden to protect the respondents' anonymity (fewer than k respondents)."
                ),
            ],
        ],
        header=[_("Field"), _("Value")],
        widths={1: 14, 2: 100},
    )
    return workbook_bytes(workbook)


def write_records(fmt: str, records: Sequence[OpenDataRecord], *, source: str | None = None) -> bytes:
    """The records in one of the formats (``FORMATS``) as bytes."""
    if fmt == "csv":
        return records_as_csv(records, source=source).encode("utf-8")
    if fmt == "json":
        return records_as_json(records, source=source).encode("utf-8")
    if fmt == "xlsx":
        return records_as_xlsx(records, source=source)
    raise ValueError(f"unknown format {fmt!r}")
