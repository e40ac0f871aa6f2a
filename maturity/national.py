"""Reads of the national overview (issue 15, docs/national-overview.md): per measurement period the content
of a yearly national status report, from the shared figures of every organisation (this instance's closed
rounds and imported benchmark records), computed by the database:

- the headline distributions, the dimension means and the comparison sets (kind, SKR main group and group,
  department sector) from the stored ``ComparisonAggregate`` rows of the period (one query);
- the matrix and the share of each type from one GROUP BY over the period's capability and legacy rows
  (one row per organisation, with its round's questionnaire cut-offs), typed by ``scoring.maturity_type``;
- the like-for-like change from one GROUP BY over the two periods' headline rows per organisation, kept
  only where the organisation has the figure in both.

A constant number of queries whatever the number of organisations. Organisations are never named: the
points carry no code and are ordered by their values, not by organisation."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Avg, Case, Count, FloatField, Max, Q, When

from dimios_web import formatting
from surveys.models import Dimension, MeasurementPeriod, QuestionnaireVersion, Round, TypeDescription

from . import scoring
from .distribution import Distribution, distribution
from .models import ComparisonAggregate, DepartmentFigure, OrganisationFigure, SiteSettings
from .services import comparisons

MIN_ORGANISATIONS = 5
HEADLINES = ("overall", "capability", "legacy")
SET_BASES = (comparisons.KIND, comparisons.SKR_MAIN_GROUP, comparisons.SKR_GROUP, comparisons.SECTOR)
TYPES = ("A", "B", "C", "D")
# The scoring engine's own cut-offs, for a period without any questionnaire version at all.
DEFAULT_CUTOFFS = (scoring.Structure.capability_cutoff, scoring.Structure.legacy_cutoff)


def get_site_settings() -> SiteSettings:
    """The instance's site settings (the defaults until a platform admin first changes one)."""
    return SiteSettings.objects.filter(pk=1).first() or SiteSettings(pk=1)


def is_national_overview_public() -> bool:
    return get_site_settings().public_national_overview


@dataclass(frozen=True)
class SetRow:
    """One comparison set of the period: its organisations (departments for a sector, with the
    organisations they belong to), respondents, and the distribution of the overall maturity; no
    distribution when fewer than the minimum of organisations are in it."""

    basis: str
    key: str
    n: int
    n_organisations: int
    respondents: int
    distribution: Distribution | None


@dataclass(frozen=True)
class Point:
    capability: float
    legacy: float
    type: str


@dataclass(frozen=True)
class Change:
    """The change of one figure over the organisations that have it in both periods (later − earlier)."""

    figure: str
    n: int
    distribution: Distribution | None
    earlier_mean: float | None
    later_mean: float | None


@dataclass
class NationalOverview:
    period: MeasurementPeriod
    periods: list[MeasurementPeriod]
    min_organisations: int
    current: bool
    n_organisations: int
    respondents: int
    headline: dict[str, Distribution | None]
    dimensions: list[tuple[str, str, Distribution | None]]
    cutoffs: tuple[float, float]
    type_titles: dict[str, str]
    points: list[Point]
    types: dict[str, int]
    sets: dict[str, list[SetRow]] = field(default_factory=dict)
    panel_from: MeasurementPeriod | None = None
    panel_to: MeasurementPeriod | None = None
    panel: dict[str, Change] = field(default_factory=dict)

    @property
    def n_typed(self) -> int:
        return sum(self.types.values())

    @property
    def too_few(self) -> bool:
        return self.n_organisations < self.min_organisations


def list_overview_periods() -> list[MeasurementPeriod]:
    """The periods with shared figures of at least one organisation, the latest first."""
    with_data = ComparisonAggregate.objects.filter(
        basis=comparisons.NATIONAL, basis_key="", figure=comparisons.COUNTING_FIGURE, n_rows__gt=0
    ).values("period_id")
    return list(MeasurementPeriod.objects.filter(pk__in=with_data).order_by("-starts_on"))


def default_panel_from(
    periods: list[MeasurementPeriod], later: MeasurementPeriod
) -> MeasurementPeriod | None:
    """The same term a year before ``later`` when it has data, otherwise the latest earlier period with
    data."""
    for period in periods:
        if period.term == later.term and period.year == later.year - 1:
            return period
    earlier = [p for p in periods if p.starts_on < later.starts_on]
    return earlier[0] if earlier else None


def _by_code(periods: list[MeasurementPeriod], code: str | None) -> MeasurementPeriod | None:
    return next((p for p in periods if p.code == code), None) if code else None


def _shown(values: list[float], min_organisations: int) -> Distribution | None:
    return distribution(values) if len(values) >= min_organisations else None


def _period_questionnaire(period: MeasurementPeriod) -> QuestionnaireVersion | None:
    """The questionnaire version of most of the period's closed rounds (the latest version when the period
    has no round here, only imported records): its cut-offs type the rows that carry no round, and its
    dimension names and type titles label the page."""
    return (
        QuestionnaireVersion.objects.annotate(
            used=Count("rounds", filter=Q(rounds__period=period, rounds__status=Round.Status.CLOSED))
        )
        .order_by("-used", "-pk")
        .first()
    )


def _points(period: MeasurementPeriod, cutoffs: tuple[float, float]) -> list[Point]:
    """One point per organisation of the period that shares a capability and a legacy figure, typed with
    its own round's questionnaire cut-offs (an imported record: the period's questionnaire's). One query."""
    rows = (
        OrganisationFigure.objects.filter(period=period, shared=True, figure__in=("capability", "legacy"))
        .values("round_id", "source_id", "organisation_code")
        .annotate(
            capability=Max(Case(When(figure="capability", then="percent"), output_field=FloatField())),
            legacy=Max(Case(When(figure="legacy", then="percent"), output_field=FloatField())),
            capability_cutoff=Max("round__questionnaire__capability_cutoff"),
            legacy_cutoff=Max("round__questionnaire__legacy_cutoff"),
        )
        .values_list("capability", "legacy", "capability_cutoff", "legacy_cutoff")
        .order_by()
    )
    points = []
    for capability, legacy, capability_cutoff, legacy_cutoff in rows:
        if capability is None or legacy is None:
            continue
        cut_x = float(capability_cutoff) if capability_cutoff is not None else cutoffs[0]
        cut_y = float(legacy_cutoff) if legacy_cutoff is not None else cutoffs[1]
        kind = scoring.maturity_type(capability, legacy, capability_cutoff=cut_x, legacy_cutoff=cut_y)
        # As shown beside the type: never rounded across a cut-off (docs/scoring.md)
        points.append(
            Point(
                capability=formatting.dimension_value(capability, cut_x) or 0.0,
                legacy=formatting.dimension_value(legacy, cut_y) or 0.0,
                type=kind or "",
            )
        )
    # Ordered by the values, never by organisation: the order must not tell who is who.
    return sorted(points, key=lambda p: (p.capability, p.legacy))


def _panel(earlier: MeasurementPeriod, later: MeasurementPeriod, min_organisations: int) -> dict[str, Change]:
    """The change of the headline figures over the organisations (by code: this instance's rows and imported
    records alike) with the figure in both periods. One query."""
    rows = (
        OrganisationFigure.objects.filter(
            period_id__in=(earlier.pk, later.pk), shared=True, figure__in=HEADLINES, percent__isnull=False
        )
        .values("organisation_code", "figure")
        .annotate(
            before=Avg(Case(When(period_id=earlier.pk, then="percent"), output_field=FloatField())),
            after=Avg(Case(When(period_id=later.pk, then="percent"), output_field=FloatField())),
        )
        .filter(before__isnull=False, after__isnull=False)
        .values_list("figure", "before", "after")
        .order_by()
    )
    pairs: dict[str, list[tuple[float, float]]] = {figure: [] for figure in HEADLINES}
    for figure, before, after in rows:
        pairs[figure].append((before, after))
    panel = {}
    for figure, values in pairs.items():
        enough = len(values) >= min_organisations
        panel[figure] = Change(
            figure=figure,
            n=len(values),
            distribution=_shown(sorted(b - a for a, b in values), min_organisations),
            earlier_mean=sum(a for a, _b in values) / len(values) if enough else None,
            later_mean=sum(b for _a, b in values) / len(values) if enough else None,
        )
    return panel


def get_national_overview(
    *,
    period_code: str | None = None,
    panel_from_code: str | None = None,
    panel_to_code: str | None = None,
    min_organisations: int = MIN_ORGANISATIONS,
) -> NationalOverview | None:
    """The national overview of a period (its code, e.g. ``2025-HT``; unknown or None: the latest period with
    data) and the change between two periods (default: the overview's period and the same term a year
    before, or the latest earlier period with data). None when no period has data."""
    periods = list_overview_periods()
    if not periods:
        return None
    period = _by_code(periods, period_code) or periods[0]
    panel_to = _by_code(periods, panel_to_code) or period
    panel_from = _by_code(periods, panel_from_code) or default_panel_from(periods, panel_to)
    if panel_from is not None and panel_from.pk == panel_to.pk:
        panel_from = default_panel_from(periods, panel_to)

    stored = list(
        ComparisonAggregate.objects.filter(period=period)
        .filter(
            Q(basis=comparisons.NATIONAL, basis_key="")
            & (Q(figure__in=HEADLINES) | Q(figure__startswith="dimension:"))
            | Q(basis__in=SET_BASES, figure=comparisons.COUNTING_FIGURE)
        )
        .values_list("basis", "basis_key", "figure", "n_rows", "values", "respondents")
        .order_by("basis", "basis_key", "figure")
    )
    sector_organisations = dict(
        DepartmentFigure.objects.filter(period=period, shared=True, figure=comparisons.COUNTING_FIGURE)
        .exclude(sector="")
        .values("sector")
        .annotate(n=Count("organisation_id", distinct=True))
        .values_list("sector", "n")
        .order_by()
    )
    version = _period_questionnaire(period)
    cutoffs = (float(version.capability_cutoff), float(version.legacy_cutoff)) if version else DEFAULT_CUTOFFS
    dimension_names: dict[str, str] = {}
    type_titles: dict[str, str] = {}
    if version is not None:
        dimension_names = {d.code: d.name for d in Dimension.objects.filter(version=version)}
        type_titles = {t.type: t.heading for t in TypeDescription.objects.filter(version=version)}

    national: dict[str, tuple[int, list[float], int]] = {}
    sets: dict[str, list[SetRow]] = {basis: [] for basis in SET_BASES}
    for basis, key, figure, n_rows, values, respondents in stored:
        if basis == comparisons.NATIONAL:
            national[figure] = (n_rows, values, respondents)
            continue
        organisations = sector_organisations.get(key, 0) if basis == comparisons.SECTOR else n_rows
        sets[basis].append(
            SetRow(
                basis=basis,
                key=key,
                n=n_rows,
                n_organisations=organisations,
                respondents=respondents,
                distribution=(_shown(values, 1) if organisations >= min_organisations and values else None),
            )
        )
    n_organisations, _values, respondents = national.get(comparisons.COUNTING_FIGURE, (0, [], 0))
    enough = n_organisations >= min_organisations
    points = _points(period, cutoffs) if enough else []
    types = {t: sum(1 for p in points if p.type == t) for t in TYPES}
    return NationalOverview(
        period=period,
        periods=periods,
        min_organisations=min_organisations,
        current=comparisons.period_is_current(period.pk),
        n_organisations=n_organisations,
        respondents=respondents,
        headline={
            figure: _shown(national[figure][1], min_organisations) if figure in national and enough else None
            for figure in HEADLINES
        },
        dimensions=[
            (
                figure.split(":", 1)[1],
                dimension_names.get(figure.split(":", 1)[1], figure.split(":", 1)[1]),
                _shown(entry[1], min_organisations) if enough else None,
            )
            for figure, entry in sorted(national.items())
            if figure.startswith("dimension:")
        ],
        cutoffs=cutoffs,
        type_titles=type_titles,
        points=points,
        types=types,
        sets=sets,
        panel_from=panel_from,
        panel_to=panel_to,
        panel=_panel(panel_from, panel_to, min_organisations) if panel_from is not None else {},
    )
