"""The stored comparison figures (docs/dashboards.md, "Comparison at national scale"): each organisation's
published figures of a closed round as rows (``OrganisationFigure``), and per period, comparison set and
figure their sum and counts (``ComparisonAggregate``), so that a dashboard reads a comparison with a
constant number of small queries instead of loading every organisation's results.

Written only here, always in the transaction that changes what they are made of:
- ``record_round_figures`` after a round's results are computed or published again
  (``maturity.services.results``: closing a round, a late pool release, a response import,
  ``compute_results``), which then refreshes the period's aggregates;
- ``refresh_period_comparisons``: a period's aggregates from its rows, after the rows follow the rounds and
  organisations as they are now (a reopened round's rows go, a changed kind, county or code is copied);
- ``refresh_comparisons``: everything rebuilt from the stored results (the data migration, the
  ``refresh_comparisons`` command and the periodic task; idempotent).

Changes made in ``surveys`` (an organisation's kind or county, a reopened or deleted round) cannot call
this layer; ``maturity.selectors.get_comparison`` notices them with one query and computes from the rows
until the next refresh (docs/decisions.md)."""

from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum

from surveys.models import Department, MeasurementPeriod, Organisation, Round
from surveys.skr_groups import main_group

from ..models import ComparisonAggregate, DepartmentFigure, OrganisationFigure, RoundResult

NATIONAL, COUNTY, KIND = "national", "county", "kind"
SKR_GROUP, SKR_MAIN_GROUP, SECTOR = "skr_group", "skr_main_group", "sector"
# The sets stored per period (a named network is read from its members' rows: it is small).
STORED_BASES = (NATIONAL, KIND, COUNTY, SKR_GROUP, SKR_MAIN_GROUP, SECTOR)
BATCH = 500
# The figures whose values are kept for their distribution (is_distribution_figure).
DISTRIBUTION_FILTER = Q(figure__in=("overall", "capability", "legacy")) | Q(figure__startswith="dimension:")
# The headline figures as rows, with the key of the published headline they come from.
HEADLINE_FIGURES = {
    "overall": "overall_percent",
    "capability": "capability_percent",
    "legacy": "legacy_percent",
}
# The parts, as "<prefix>:<code>" rows, with the level of the published breakdown they come from.
LEVEL_PREFIXES = {"dimensions": "dimension", "categories": "category", "capabilities": "capability"}
# Every shown organisation has this row (its percent may be missing), so its count is the set's size.
COUNTING_FIGURE = "overall"
CLOSED = Round.Status.CLOSED.value


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def published_figure_values(
    published: Mapping[str, Any] | None, published_figures: Mapping[str, Any] | None
) -> dict[str, float | None] | None:
    """The figures an organisation publishes itself, from its organisation scope's published view: None
    when its organisation figure is hidden (it then takes no part in comparisons); a hidden or undefined
    figure has the value None (the figure exists, its percent takes no part)."""
    if not published or published.get("hidden"):
        return None
    values: dict[str, float | None] = {
        figure: _number(published.get(key)) for figure, key in HEADLINE_FIGURES.items()
    }
    for level, prefix in LEVEL_PREFIXES.items():
        parts = (published_figures or {}).get(level, {})
        for code, part in parts.items() if isinstance(parts, dict) else []:
            values[f"{prefix}:{code}"] = _number(part.get("percent")) if isinstance(part, dict) else None
    return values


def _models(models: Any = None) -> Any:
    """The model classes to work with: the current ones, or a migration's historical ones."""
    return models or SimpleNamespace(
        RoundResult=RoundResult,
        OrganisationFigure=OrganisationFigure,
        ComparisonAggregate=ComparisonAggregate,
        DepartmentFigure=DepartmentFigure,
        Department=Department,
        Round=Round,
        Organisation=Organisation,
        MeasurementPeriod=MeasurementPeriod,
    )


def _figure_rows(m: Any, *, round_id: int, period_id: int, organisation: Any, n: int, values) -> list:
    return [
        m.OrganisationFigure(
            period_id=period_id,
            round_id=round_id,
            organisation_id=organisation.pk,
            organisation_code=organisation.code,
            kind=organisation.kind,
            county_id=organisation.county_id,
            skr_group=organisation.skr_group,
            shared=organisation.shares_comparisons,
            figure=figure,
            percent=percent,
            n_respondents=n,
        )
        for figure, percent in values.items()
    ]


def _department_rows(m: Any, *, round_id: int, period_id: int, organisation: Any, results) -> list:
    """The figure rows of a round's department scopes whose figures are shown (a department with its
    units), each with its department's sector now ("" for none: the row is kept, so that setting a sector
    later is noticed as a change)."""
    results = [r for r in results if r[0] is not None]
    sectors = dict(m.Department.objects.filter(pk__in=[r[0] for r in results]).values_list("pk", "sector"))
    rows: list = []
    for department_id, n, published, published_figures in results:
        values = published_figure_values(published, published_figures)
        if values is None or department_id not in sectors:
            continue
        rows.extend(
            m.DepartmentFigure(
                period_id=period_id,
                round_id=round_id,
                organisation_id=organisation.pk,
                department_id=department_id,
                sector=sectors[department_id],
                shared=organisation.shares_comparisons,
                figure=figure,
                percent=percent,
                n_respondents=n,
            )
            for figure, percent in values.items()
        )
    return rows


def record_round_figures(*, round_: Round, organisation_result: RoundResult | None) -> int:
    """Replace the round's figure rows (rows only for a closed round whose organisation figure is shown;
    its departments' rows beside them) and refresh its period's aggregates, in the caller's transaction
    (``compute_round_results``, ``publish_round_results``). Returns the organisation rows written."""
    m = _models()
    deleted, _ = OrganisationFigure.objects.filter(round_id=round_.pk).delete()
    deleted_departments, _ = DepartmentFigure.objects.filter(round_id=round_.pk).delete()
    rows: list = []
    department_rows: list = []
    result = organisation_result
    values = published_figure_values(result.published, result.published_figures) if result else None
    if round_.status == CLOSED and result is not None and values is not None:
        organisation = Organisation.objects.get(pk=round_.organisation_id)
        rows = _figure_rows(
            m,
            round_id=round_.pk,
            period_id=round_.period_id,
            organisation=organisation,
            n=result.n_respondents,
            values=values,
        )
        OrganisationFigure.objects.bulk_create(rows)
        department_rows = _department_rows(
            m,
            round_id=round_.pk,
            period_id=round_.period_id,
            organisation=organisation,
            results=RoundResult.objects.filter(round_id=round_.pk, scope=RoundResult.Scope.DEPARTMENT)
            .values_list("department_id", "n_respondents", "published", "published_figures")
            .order_by("scope_key"),
        )
        DepartmentFigure.objects.bulk_create(department_rows, batch_size=BATCH)
    if rows or deleted or department_rows or deleted_departments:
        refresh_period_comparisons(period_id=round_.period_id)
    return len(rows)


def stale_identity_filter() -> Q:
    """Rows of this instance's rounds that no longer match their round (reopened) or organisation (another
    kind, county, code, SKR group or sharing setting)."""
    return (
        ~Q(round__status=CLOSED)
        | ~Q(kind=F("organisation__kind"))
        | ~Q(organisation_code=F("organisation__code"))
        | ~Q(skr_group=F("organisation__skr_group"))
        | ~Q(shared=F("organisation__shares_comparisons"))
        | Q(county__isnull=True, organisation__county__isnull=False)
        | Q(county__isnull=False, organisation__county__isnull=True)
        | (Q(county__isnull=False, organisation__county__isnull=False) & ~Q(county=F("organisation__county")))
    )


def organisation_sets(*, kind: str, county_id: Any, skr_group: str) -> list[tuple[str, str]]:
    """The stored comparison sets an organisation of this kind, county and SKR group belongs to."""
    sets = [(NATIONAL, ""), (KIND, kind)]
    if county_id is not None:
        sets.append((COUNTY, str(county_id)))
    if skr_group:
        sets.append((SKR_GROUP, skr_group))
        sets.append((SKR_MAIN_GROUP, main_group(skr_group)))
    return sets


def is_distribution_figure(figure: str) -> bool:
    """Whether a figure's values are kept per set for its distribution (quartiles, extremes, bands): the
    headline figures and the dimensions. The other parts are compared by their means (sums and counts)."""
    return figure in HEADLINE_FIGURES or figure.startswith("dimension:")


class _Sums:
    __slots__ = ("n_rows", "n_values", "total", "values", "respondents")

    def __init__(self) -> None:
        self.n_rows = 0
        self.n_values = 0
        self.total = 0.0
        self.values: list[float] = []
        self.respondents = 0

    def add_group(self, n_rows: int, n_values: int, total: float | None, respondents: int | None) -> None:
        self.n_rows += n_rows
        self.n_values += n_values
        self.total += total or 0.0
        self.respondents += respondents or 0


def refresh_period_comparisons(*, period_id: int, models: Any = None) -> int:
    """Make the period's rows follow its rounds, organisations and departments as they are now, and store
    per comparison set and figure the counts, the sum and the sorted values of the figures of the
    organisations that share them (this instance's and imported benchmark records), and of the shared
    departments per sector. Serialised per period (the period row is locked), so two rounds closing at once
    cannot leave out each other's rows. Returns the aggregates written."""
    m = _models(models)
    with transaction.atomic(savepoint=False):
        m.MeasurementPeriod.objects.select_for_update().filter(pk=period_id).first()
        rows = m.OrganisationFigure.objects.filter(period_id=period_id)
        changed = set(
            rows.filter(round__isnull=False)
            .filter(stale_identity_filter())
            .values_list("organisation_id", flat=True)
            .distinct()
            .order_by()
        )
        department_rows = m.DepartmentFigure.objects.filter(period_id=period_id)
        changed |= set(
            department_rows.filter(
                ~Q(sector=F("department__sector")) | ~Q(shared=F("organisation__shares_comparisons"))
            )
            .values_list("organisation_id", flat=True)
            .distinct()
            .order_by()
        )
        if changed:
            rows.filter(round__isnull=False).exclude(round__status=CLOSED).delete()
            department_rows.exclude(round__status=CLOSED).delete()
            for organisation in m.Organisation.objects.filter(pk__in=changed):
                rows.filter(organisation_id=organisation.pk).update(
                    organisation_code=organisation.code,
                    kind=organisation.kind,
                    county_id=organisation.county_id,
                    skr_group=organisation.skr_group,
                    shared=organisation.shares_comparisons,
                )
                department_rows.filter(organisation_id=organisation.pk).update(
                    shared=organisation.shares_comparisons
                )
                for department in m.Department.objects.filter(organisation_id=organisation.pk):
                    department_rows.filter(department_id=department.pk).exclude(
                        sector=department.sector
                    ).update(sector=department.sector)
        m.ComparisonAggregate.objects.filter(period_id=period_id).delete()
        sums: dict[tuple[str, str, str], _Sums] = {}

        def entry(key: tuple[str, str, str]) -> _Sums:
            found = sums.get(key)
            if found is None:
                found = sums[key] = _Sums()
            return found

        # Sums and counts in the database (a GROUP BY per kind × county × SKR group × figure, a few thousand
        # rows), then the values of the distribution figures only (headline and dimensions).
        shared = rows.filter(shared=True)
        for kind, county_id, skr_group, figure, n_rows, n_values, total, respondents in (
            shared.values("kind", "county_id", "skr_group", "figure")
            .annotate(
                n_rows=Count("pk"),
                n_values=Count("percent"),
                total=Sum("percent"),
                respondents=Sum("n_respondents"),
            )
            .values_list(
                "kind", "county_id", "skr_group", "figure", "n_rows", "n_values", "total", "respondents"
            )
            .order_by()
        ):
            for basis, basis_key in organisation_sets(kind=kind, county_id=county_id, skr_group=skr_group):
                entry((basis, basis_key, figure)).add_group(n_rows, n_values, total, respondents)
        for kind, county_id, skr_group, figure, percent in (
            shared.filter(DISTRIBUTION_FILTER, percent__isnull=False)
            .values_list("kind", "county_id", "skr_group", "figure", "percent")
            .order_by()
            .iterator(chunk_size=5000)
        ):
            for basis, basis_key in organisation_sets(kind=kind, county_id=county_id, skr_group=skr_group):
                sums[(basis, basis_key, figure)].values.append(percent)
        departments = department_rows.filter(shared=True).exclude(sector="")
        for sector, figure, n_rows, n_values, total, respondents in (
            departments.values("sector", "figure")
            .annotate(
                n_rows=Count("pk"),
                n_values=Count("percent"),
                total=Sum("percent"),
                respondents=Sum("n_respondents"),
            )
            .values_list("sector", "figure", "n_rows", "n_values", "total", "respondents")
            .order_by()
        ):
            entry((SECTOR, sector, figure)).add_group(n_rows, n_values, total, respondents)
        for sector, figure, percent in (
            departments.filter(DISTRIBUTION_FILTER, percent__isnull=False)
            .values_list("sector", "figure", "percent")
            .order_by()
            .iterator(chunk_size=5000)
        ):
            sums[(SECTOR, sector, figure)].values.append(percent)
        aggregates = [
            m.ComparisonAggregate(
                period_id=period_id,
                basis=basis,
                basis_key=basis_key,
                figure=figure,
                n_rows=sums_.n_rows,
                n_values=sums_.n_values,
                total=sums_.total,
                values=sorted(sums_.values),
                respondents=sums_.respondents,
            )
            for (basis, basis_key, figure), sums_ in sorted(sums.items())
        ]
        m.ComparisonAggregate.objects.bulk_create(aggregates, batch_size=BATCH)
    return len(aggregates)


def refresh_comparisons(*, models: Any = None) -> dict[str, int]:
    """Rebuild every figure row of this instance's closed rounds (organisations and their departments) from
    their stored results, and every period's aggregates; imported benchmark records are kept. Idempotent:
    a rerun writes the same rows. Returns what was written."""
    m = _models(models)
    with transaction.atomic():
        m.OrganisationFigure.objects.filter(round__isnull=False).delete()
        m.DepartmentFigure.objects.all().delete()
        organisations = {o.pk: o for o in m.Organisation.objects.all()}
        results = (
            m.RoundResult.objects.filter(scope__in=["organisation", "department"], round__status=CLOSED)
            .values_list(
                "round_id",
                "round__period_id",
                "round__organisation_id",
                "scope",
                "department_id",
                "n_respondents",
                "published",
                "published_figures",
            )
            .order_by("round_id", "scope_key")
        )
        batch: list = []
        departments: list = []
        written = 0
        shown_rounds: set[int] = set()
        pending: dict[int, list] = {}

        def flush_departments(round_id: int, period_id: int, organisation: Any) -> None:
            if round_id in shown_rounds and pending.get(round_id):
                departments.extend(
                    _department_rows(
                        m,
                        round_id=round_id,
                        period_id=period_id,
                        organisation=organisation,
                        results=pending[round_id],
                    )
                )
            pending.pop(round_id, None)

        current: tuple | None = None
        for (
            round_id,
            period_id,
            organisation_id,
            scope,
            department_id,
            n,
            published,
            figures,
        ) in results.iterator(chunk_size=500):
            if current is not None and current[0] != round_id:
                flush_departments(*current)
            current = (round_id, period_id, organisations[organisation_id])
            if scope == "department":
                pending.setdefault(round_id, []).append((department_id, n, published, figures))
                continue
            values = published_figure_values(published, figures)
            if values is None:
                continue
            shown_rounds.add(round_id)
            batch.extend(
                _figure_rows(
                    m,
                    round_id=round_id,
                    period_id=period_id,
                    organisation=organisations[organisation_id],
                    n=n,
                    values=values,
                )
            )
            if len(batch) >= 5000:
                m.OrganisationFigure.objects.bulk_create(batch)
                written += len(batch)
                batch = []
        if current is not None:
            flush_departments(*current)
        m.OrganisationFigure.objects.bulk_create(batch)
        m.DepartmentFigure.objects.bulk_create(departments, batch_size=BATCH)
        written += len(batch)
        periods = set(m.OrganisationFigure.objects.values_list("period_id", flat=True).distinct())
        periods |= set(m.ComparisonAggregate.objects.values_list("period_id", flat=True).distinct())
        aggregates = sum(refresh_period_comparisons(period_id=p, models=m) for p in sorted(periods))
    return {
        "figures": written,
        "departments": len(departments),
        "periods": len(periods),
        "aggregates": aggregates,
    }


PERIOD_STATE_SQL = """
SELECT COALESCE(SUM(CASE WHEN f.shared THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN f.round_id IS NULL
                          OR (r.status = %(closed)s AND f.kind = o.kind AND f.organisation_code = o.code
                              AND COALESCE(f.county_id, '') = COALESCE(o.county_id, '')
                              AND f.skr_group = o.skr_group AND f.shared = o.shares_comparisons)
                     THEN 0 ELSE 1 END), 0),
       (SELECT a.n_rows FROM {aggregate} a
        WHERE a.period_id = %(period)s AND a.basis = %(national)s AND a.basis_key = ''
          AND a.figure = %(figure)s),
       {departments_stale}
FROM {figure_table} f
LEFT JOIN {round} r ON r.id = f.round_id
LEFT JOIN {organisation} o ON o.id = f.organisation_id
WHERE f.period_id = %(period)s AND f.figure = %(figure)s
"""


DEPARTMENTS_STALE_SQL = """(SELECT COUNT(*) FROM {department_figure} df
        JOIN {department} d ON d.id = df.department_id
        JOIN {organisation} o2 ON o2.id = df.organisation_id
        WHERE df.period_id = %(period)s AND df.figure = %(figure)s
          AND (df.sector <> d.sector OR df.shared <> o2.shares_comparisons))"""


def period_is_current(period_id: int, *, departments: bool = True) -> bool:
    """Whether the period's stored aggregates still match its rounds, organisations and departments: no row
    of a round that is no longer closed (reopened), of an organisation whose kind, county, code, SKR group
    or sharing changed or of a department whose sector changed, and no row gone (a deleted round or
    organisation). One small query (written in SQL: the ORM's form of it cost more to compile than to
    run). ``departments`` False: only the organisations' sets are asked about (the departments' rows, a few
    times as many, are not looked at)."""
    tables = {
        "aggregate": ComparisonAggregate._meta.db_table,
        "figure_table": OrganisationFigure._meta.db_table,
        "department_figure": DepartmentFigure._meta.db_table,
        "department": Department._meta.db_table,
        "round": Round._meta.db_table,
        "organisation": Organisation._meta.db_table,
    }
    sql = PERIOD_STATE_SQL.format(
        departments_stale=DEPARTMENTS_STALE_SQL.format(**tables) if departments else "0", **tables
    )
    params: dict[str, str | int] = {
        "closed": CLOSED,
        "period": period_id,
        "national": NATIONAL,
        "figure": COUNTING_FIGURE,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        n, stale, counted, stale_departments = cursor.fetchone()
    return not stale and not stale_departments and n == (counted or 0)


SECTOR_STATE_SQL = """
SELECT COALESCE(SUM(CASE WHEN df.shared THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN r.status = %(closed)s AND df.sector = d.sector
                               AND df.shared = o.shares_comparisons THEN 0 ELSE 1 END), 0),
       (SELECT a.n_rows FROM {aggregate} a
        WHERE a.period_id = %(period)s AND a.basis = %(basis)s AND a.basis_key = %(sector)s
          AND a.figure = %(figure)s),
       (SELECT COUNT(*) FROM {department} d2
        JOIN {department_figure} df2 ON df2.department_id = d2.id
        WHERE d2.sector = %(sector)s AND df2.period_id = %(period)s AND df2.figure = %(figure)s
          AND df2.sector <> %(sector)s)
FROM {department_figure} df
JOIN {round} r ON r.id = df.round_id
JOIN {department} d ON d.id = df.department_id
JOIN {organisation} o ON o.id = df.organisation_id
WHERE df.period_id = %(period)s AND df.sector = %(sector)s AND df.figure = %(figure)s
"""


def sector_is_current(period_id: int, sector: str) -> bool:
    """Whether the period's stored aggregates of one sector still match its departments: no row of the sector
    whose round is no longer closed, whose department changed sector or whose organisation changed its
    sharing, no department moved into the sector since, and no row gone. One query over the sector's rows
    only (the whole period's department rows are several times the organisations')."""
    sql = SECTOR_STATE_SQL.format(
        aggregate=ComparisonAggregate._meta.db_table,
        department_figure=DepartmentFigure._meta.db_table,
        department=Department._meta.db_table,
        round=Round._meta.db_table,
        organisation=Organisation._meta.db_table,
    )
    params: dict[str, str | int] = {
        "closed": CLOSED,
        "period": period_id,
        "basis": SECTOR,
        "sector": sector,
        "figure": COUNTING_FIGURE,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        n, stale, counted, moved_in = cursor.fetchone()
    return not stale and not moved_in and n == (counted or 0)


def stale_period_ids() -> list[int]:
    """The periods whose stored aggregates no longer match their rounds and organisations (a round
    reopened or deleted, an organisation's kind, county or code changed, in ``surveys``)."""
    periods = set(OrganisationFigure.objects.values_list("period_id", flat=True).distinct().order_by())
    periods |= set(ComparisonAggregate.objects.values_list("period_id", flat=True).distinct().order_by())
    return sorted(p for p in periods if not period_is_current(p))


def refresh_stale_comparisons() -> list[int]:
    """Periodic: refresh the aggregates of every period that a change in ``surveys`` has made stale (until
    then ``get_comparison`` computes that period from its rows). Returns the periods refreshed."""
    periods = stale_period_ids()
    for period_id in periods:
        refresh_period_comparisons(period_id=period_id)
    return periods
