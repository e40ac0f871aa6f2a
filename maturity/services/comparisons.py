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

from surveys.models import MeasurementPeriod, Organisation, Round

from ..models import ComparisonAggregate, OrganisationFigure, RoundResult

NATIONAL, COUNTY, KIND = "national", "county", "kind"
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


def record_round_figures(*, round_: Round, organisation_result: RoundResult | None) -> int:
    """Replace the round's figure rows (rows only for a closed round whose organisation figure is shown)
    and refresh its period's aggregates, in the caller's transaction (``compute_round_results``,
    ``publish_round_results``). Returns the rows written."""
    m = _models()
    deleted, _ = OrganisationFigure.objects.filter(round_id=round_.pk).delete()
    rows = []
    result = organisation_result
    values = published_figure_values(result.published, result.published_figures) if result else None
    if round_.status == CLOSED and result is not None and values is not None:
        rows = _figure_rows(
            m,
            round_id=round_.pk,
            period_id=round_.period_id,
            organisation=Organisation.objects.get(pk=round_.organisation_id),
            n=result.n_respondents,
            values=values,
        )
        OrganisationFigure.objects.bulk_create(rows)
    if rows or deleted:
        refresh_period_comparisons(period_id=round_.period_id)
    return len(rows)


def stale_identity_filter() -> Q:
    """Rows of this instance's rounds that no longer match their round (reopened) or organisation (another
    kind, county or code)."""
    return (
        ~Q(round__status=CLOSED)
        | ~Q(kind=F("organisation__kind"))
        | ~Q(organisation_code=F("organisation__code"))
        | Q(county__isnull=True, organisation__county__isnull=False)
        | Q(county__isnull=False, organisation__county__isnull=True)
        | (Q(county__isnull=False, organisation__county__isnull=False) & ~Q(county=F("organisation__county")))
    )


def refresh_period_comparisons(*, period_id: int, models: Any = None) -> int:
    """Make the period's rows follow its rounds and organisations as they are now, and store the sums and
    counts of every figure per comparison set (one GROUP BY, summed up per set here: a few thousand rows
    at most). Serialised per period (the period row is locked), so two rounds closing at once cannot
    leave out each other's rows. Five queries when nothing changed in ``surveys``. Returns the aggregates
    written."""
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
        if changed:
            rows.filter(round__isnull=False).exclude(round__status=CLOSED).delete()
            for organisation in m.Organisation.objects.filter(pk__in=changed):
                rows.filter(organisation_id=organisation.pk).update(
                    organisation_code=organisation.code,
                    kind=organisation.kind,
                    county_id=organisation.county_id,
                )
        m.ComparisonAggregate.objects.filter(period_id=period_id).delete()
        sums: dict[tuple[str, str, str], list] = {}
        for kind, county_id, figure, n_rows, n_values, total in (
            rows.values("kind", "county_id", "figure")
            .annotate(n_rows=Count("pk"), n_values=Count("percent"), total=Sum("percent"))
            .values_list("kind", "county_id", "figure", "n_rows", "n_values", "total")
            .order_by()
        ):
            sets = [(NATIONAL, ""), (KIND, kind)] + (
                [(COUNTY, str(county_id))] if county_id is not None else []
            )
            for basis, basis_key in sets:
                entry = sums.setdefault((basis, basis_key, figure), [0, 0, 0.0])
                entry[0] += n_rows
                entry[1] += n_values
                entry[2] += total or 0.0
        aggregates = [
            m.ComparisonAggregate(
                period_id=period_id,
                basis=basis,
                basis_key=basis_key,
                figure=figure,
                n_rows=n_rows,
                n_values=n_values,
                total=total,
            )
            for (basis, basis_key, figure), (n_rows, n_values, total) in sorted(sums.items())
        ]
        m.ComparisonAggregate.objects.bulk_create(aggregates, batch_size=1000)
    return len(aggregates)


def refresh_comparisons(*, models: Any = None) -> dict[str, int]:
    """Rebuild every figure row of this instance's closed rounds from their stored results, and every
    period's aggregates. Idempotent: a rerun writes the same rows. Returns what was written."""
    m = _models(models)
    with transaction.atomic():
        m.OrganisationFigure.objects.filter(round__isnull=False).delete()
        organisations = {o.pk: o for o in m.Organisation.objects.all()}
        results = (
            m.RoundResult.objects.filter(scope="organisation", round__status=CLOSED)
            .values_list(
                "round_id",
                "round__period_id",
                "round__organisation_id",
                "n_respondents",
                "published",
                "published_figures",
            )
            .order_by("round_id")
        )
        batch: list = []
        written = 0
        for round_id, period_id, organisation_id, n, published, published_figures in results.iterator(
            chunk_size=500
        ):
            values = published_figure_values(published, published_figures)
            if values is None:
                continue
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
        m.OrganisationFigure.objects.bulk_create(batch)
        written += len(batch)
        periods = set(m.OrganisationFigure.objects.values_list("period_id", flat=True).distinct())
        periods |= set(m.ComparisonAggregate.objects.values_list("period_id", flat=True).distinct())
        aggregates = sum(refresh_period_comparisons(period_id=p, models=m) for p in sorted(periods))
    return {"figures": written, "periods": len(periods), "aggregates": aggregates}


PERIOD_STATE_SQL = """
SELECT COUNT(*),
       COALESCE(SUM(CASE WHEN r.status = %(closed)s AND f.kind = o.kind AND f.organisation_code = o.code
                          AND COALESCE(f.county_id, '') = COALESCE(o.county_id, '') THEN 0 ELSE 1 END), 0),
       (SELECT a.n_rows FROM {aggregate} a
        WHERE a.period_id = %(period)s AND a.basis = %(national)s AND a.basis_key = ''
          AND a.figure = %(figure)s)
FROM {figure_table} f
JOIN {round} r ON r.id = f.round_id
JOIN {organisation} o ON o.id = f.organisation_id
WHERE f.period_id = %(period)s AND f.figure = %(figure)s
"""


def period_is_current(period_id: int) -> bool:
    """Whether the period's stored aggregates still match its rounds and organisations: no row of a round
    that is no longer closed (reopened) or of an organisation whose kind, county or code changed, and no
    row gone (a deleted round or organisation). One small query (written in SQL: the ORM's form of it cost
    more to compile than to run)."""
    sql = PERIOD_STATE_SQL.format(
        aggregate=ComparisonAggregate._meta.db_table,
        figure_table=OrganisationFigure._meta.db_table,
        round=Round._meta.db_table,
        organisation=Organisation._meta.db_table,
    )
    params: dict[str, str | int] = {
        "closed": CLOSED,
        "period": period_id,
        "national": NATIONAL,
        "figure": COUNTING_FIGURE,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        n, stale, counted = cursor.fetchone()
    return not stale and n == (counted or 0)


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
