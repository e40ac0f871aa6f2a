"""Reads of the maturity app: questionnaire structure, and stored results with the anonymity rules applied.

The read API for dashboards, reports and exports (documented in docs/scoring.md):
- ``get_round_results(round_id=…)`` – every stored scope of a round in the download format (suppressed
  cells marked "suppressed"), read through the one read model (``maturity.read_model``);
- ``get_comparison(organisation=…, period=…, basis=…)`` – the mean of other organisations (DESIGN.md 9),
  ``get_comparisons`` the same for several bases in the same queries;
- ``get_group_gaps(round_id=…)`` – per capability, how differently the respondent groups answer;
- ``list_result_rounds(organisation=…)`` – the rounds of an organisation that have stored results.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from dimios_web.cache import safe_cache_get, safe_cache_set
from surveys.models import (
    Capability,
    Category,
    Department,
    Dimension,
    MeasurementPeriod,
    Organisation,
    QuestionnaireVersion,
    RespondentGroup,
    Round,
    Statement,
)
from surveys.scope_keys import ORGANISATION, ScopeKey
from surveys.skr_groups import SKR_GROUPS, SKR_MAIN_GROUPS, main_group
from surveys.tree import tree_ordered

from . import disclosure, distribution, read_model, scoring
from .disclosure import SUPPRESSED  # noqa: F401 - the download format's mark of a hidden figure
from .models import ComparisonAggregate, DepartmentFigure, OrganisationFigure, ResultTree, RoundResult
from .read_model import ScopeView, load_round_view
from .services import comparisons
from .suppression import effective_k, scope_order

MIN_COMPARISON_ORGANISATIONS = 5
COMPARISON_BASES = ("national", "county", "kind")
# Every stored set of an organisation (a named network and a department's sector are asked for apart).
ORGANISATION_BASES = ("national", "county", "kind", "skr_group", "skr_main_group")
PART_LEVELS = ("dimensions", "categories", "capabilities", "statements")
PUBLISHED_CACHE_SECONDS = 24 * 60 * 60


# --- Questionnaire ------------------------------------------------------------------------------------------


def get_version(code: str) -> QuestionnaireVersion | None:
    return QuestionnaireVersion.objects.filter(code=code).first()


def get_structure(version: QuestionnaireVersion) -> scoring.Structure:
    """The version as plain data for ``maturity.scoring`` (four queries)."""
    return scoring.Structure(
        dimensions=tuple(
            scoring.DimensionDef(d.code, d.kind, float(d.weight))
            for d in Dimension.objects.filter(version=version)
        ),
        categories=tuple(
            scoring.CategoryDef(c.code, c.dimension.code, float(c.weight))
            for c in Category.objects.filter(version=version).select_related("dimension")
        ),
        capabilities=tuple(
            scoring.CapabilityDef(c.code, c.category.code, float(c.weight))
            for c in Capability.objects.filter(version=version).select_related("category")
        ),
        statements=tuple(
            scoring.StatementDef(s.code, s.capability.code, s.reverse_scored)
            for s in Statement.objects.filter(version=version).select_related("capability")
        ),
        capability_cutoff=float(version.capability_cutoff),
        legacy_cutoff=float(version.legacy_cutoff),
    )


def export_questionnaire_structure(version: QuestionnaireVersion) -> dict:
    """Codes, texts, reverse flags and parent codes, so that other tools can score the same data."""
    return {
        "code": version.code,
        "name": {"sv": version.name_sv, "en": version.name_en},
        "scale": {
            "min": scoring.SCALE_MIN,
            "max": scoring.SCALE_MAX,
            "labels": version.scale_labels,
            "dont_know_label": version.dont_know_label,
        },
        "capability_cutoff": float(version.capability_cutoff),
        "legacy_cutoff": float(version.legacy_cutoff),
        "k_anonymity": version.k_anonymity,
        "maps_from": version.maps_from.code if version.maps_from is not None else None,
        "dimensions": [
            {
                "code": d.code,
                "kind": d.kind,
                "name": {"sv": d.name_sv, "en": d.name_en},
                "weight": float(d.weight),
            }
            for d in Dimension.objects.filter(version=version)
        ],
        "categories": [
            {
                "code": c.code,
                "dimension": c.dimension.code,
                "name": {"sv": c.name_sv, "en": c.name_en},
                "weight": float(c.weight),
            }
            for c in Category.objects.filter(version=version).select_related("dimension")
        ],
        "capabilities": [
            {
                "code": c.code,
                "category": c.category.code,
                "name": {"sv": c.name_sv, "en": c.name_en},
                "weight": float(c.weight),
            }
            for c in Capability.objects.filter(version=version).select_related("category")
        ],
        "statements": [
            {
                "code": s.code,
                "capability": s.capability.code,
                "text": {"sv": s.text_sv, "en": s.text_en},
                "reverse_scored": s.reverse_scored,
            }
            for s in Statement.objects.filter(version=version).select_related("capability")
        ],
        "types": {
            t.type: {
                "title": {"sv": t.title_sv, "en": t.title_en},
                "description": {"sv": t.description_sv, "en": t.description_en},
                "recommendations": {"sv": t.recommendations_sv, "en": t.recommendations_en},
            }
            for t in version.type_descriptions.all()
        },
    }


# --- Stored results, with suppression -----------------------------------------------------------------------


def tree_order(tree: ResultTree):
    """The natural order of the round's scope keys on its frozen tree (names, not ids)."""
    return scope_order(
        {int(d["id"]): (d["parent"], d["name"]) for d in tree.departments},
        {int(g["id"]): (int(g.get("position", 0)), g["name"]) for g in tree.groups},
    )


def get_result_tree(round_: Round) -> ResultTree:
    """The department tree the round's results were computed on (the current tree for results stored
    before trees were kept; not saved)."""
    tree = ResultTree.objects.filter(round=round_).first()
    if tree is not None:
        return tree
    return ResultTree(
        round=round_,
        departments=[
            {"id": d.pk, "parent": d.parent_id, "name": d.name}
            for d in Department.objects.filter(organisation_id=round_.organisation_id)
        ],
        groups=[
            {"id": g.pk, "name": g.name, "position": g.position}
            for g in RespondentGroup.objects.filter(organisation_id=round_.organisation_id)
        ],
        k=effective_k(round_.questionnaire.k_anonymity),
    )


def as_frozen(departments: Iterable[Department], tree: ResultTree) -> list[Department]:
    """The departments placed as they were in the round's tree (copies with the frozen parent), for
    showing a closed round's results in the tree they were computed on."""
    parents = tree.parents
    placed = []
    for department in departments:
        twin = copy.copy(department)
        if department.pk in parents:
            twin.parent_id = parents[department.pk]
        placed.append(twin)
    return placed


def published_views(
    rows: Mapping[str, RoundResult], *, round_: Round, tree: ResultTree, k: int
) -> dict[str, dict]:
    """What may be shown of each stored scope for this k: the stored published view when it was computed
    for this k, else computed now (``maturity.disclosure``) and kept in the cache for a day."""
    k = effective_k(k)
    if tree.k == k and all(row.published for row in rows.values()):
        return {key: {**row.published, **row.published_figures} for key, row in rows.items()}
    any_row = next(iter(rows.values()))
    cache_key = f"maturity:published:{round_.pk}:{any_row.computed_at.timestamp()}:{k}"
    views = safe_cache_get(cache_key)
    if views is None:
        views = disclosure.publish(
            {key: disclosure.Stored(row.n_respondents, row.figures) for key, row in rows.items()},
            structure=get_structure(round_.questionnaire),
            parents=tree.parents,
            k=k,
            order=tree_order(tree),
        )
        safe_cache_set(cache_key, views, PUBLISHED_CACHE_SECONDS)
    return views


def _scope_view(scope: ScopeView, *, name: str, depth: int = 0) -> dict:
    """One scope in the download format: a hidden figure is the text "suppressed" (docs/scoring.md)."""
    key = ScopeKey.parse(scope.key)
    view = scope.view
    result: dict[str, object] = {
        "key": scope.key,
        "scope": key.kind,
        "name": name,
        "department_id": key.department_id,
        "group_id": key.group_id,
        "depth": depth,
        "suppressed": view["hidden"],
        "n_respondents": view["n"],
        "capability_percent": view["capability_percent"],
        "legacy_percent": view["legacy_percent"],
        "overall_percent": view["overall_percent"],
        "type": view["type"],
        "left_out": view["left_out"],
    }
    result.update({level: view[level] for level in PART_LEVELS})
    return result


def get_round_results(*, round_id: int, k: int | None = None) -> dict | None:
    """Every stored scope of a round in the download format (CSV/JSON, ``maturity.exports``), read through
    the one read model (``maturity.read_model``) with the anonymity rules applied: a hidden figure has the
    value "suppressed" (never left out silently), a hidden scope has it in every figure; k is the
    questionnaire version's unless given (never below 3). Departments come in the tree the results were
    computed on. None when the round has no stored results."""
    round_ = Round.objects.select_related("organisation", "period", "questionnaire").get(pk=round_id)
    view = load_round_view(round_, k=k)
    if not view.scopes:
        return None
    scopes = view.scopes
    departments = as_frozen(Department.objects.filter(organisation_id=round_.organisation_id), view.tree)
    groups = list(RespondentGroup.objects.filter(organisation_id=round_.organisation_id))
    any_row = next(iter(scopes.values()))
    result: dict[str, Any] = {
        "round": {
            "id": round_.pk,
            "organisation": round_.organisation.code,
            "organisation_name": round_.organisation.name,
            "period": round_.period.code,
            "year": round_.period.year,
            "status": round_.status,
            "source": round_.source,
            "questionnaire": round_.questionnaire.code,
        },
        "k": view.k,
        "settings": any_row.settings,
        "computed_at": any_row.computed_at.isoformat() if any_row.computed_at else None,
        "organisation": _scope_view(scopes[str(ORGANISATION)], name=round_.organisation.name),
        "departments": [],
        "groups": [],
        "department_groups": [],
    }
    ordered = tree_ordered(departments)
    for dept, depth in ordered:
        key = str(ScopeKey.department(dept.pk))
        if key in scopes:
            result["departments"].append(_scope_view(scopes[key], name=dept.name, depth=depth))
    for group in groups:
        key = str(ScopeKey.group(group.pk))
        if key in scopes:
            result["groups"].append(_scope_view(scopes[key], name=group.name))
    for dept, depth in ordered:
        for group in groups:
            key = str(ScopeKey.department(dept.pk, group.pk))
            if key in scopes:
                result["department_groups"].append(
                    _scope_view(scopes[key], name=f"{dept.name} × {group.name}", depth=depth)
                )
    return result


def get_round(*, organisation: Organisation, period_code: str) -> Round | None:
    try:
        year_text, term = period_code.strip().upper().split("-")
        year = int(year_text)
    except ValueError:
        return None
    return (
        Round.objects.select_related("period", "questionnaire")
        .filter(organisation=organisation, period__year=year, period__term=term)
        .first()
    )


def get_group_gaps(*, round_id: int, k: int | None = None) -> dict[str, dict]:
    """Per capability code: the shown groups' percents, the highest and lowest group and the gap in
    percentage points (None with fewer than two shown groups). Suppressed groups are left out."""
    round_ = Round.objects.select_related("questionnaire").get(pk=round_id)
    view = load_round_view(round_, k=k)
    if not view.scopes:
        return {}
    groups = [
        (group.name, ScopeKey.group(group.pk))
        for group in RespondentGroup.objects.filter(organisation_id=round_.organisation_id)
    ]
    codes = Capability.objects.filter(version_id=round_.questionnaire_id).values_list("code", flat=True)
    return {code: gap.as_dict() for code, gap in read_model.group_gaps(view, groups, codes).items()}


def list_result_rounds(*, organisation: Organisation) -> list[Round]:
    """The organisation's rounds that have stored results, oldest first (for trends)."""
    return list(
        Round.objects.filter(organisation=organisation, results__scope=RoundResult.Scope.ORGANISATION)
        .select_related("period", "questionnaire")
        .order_by("period__starts_on")
        .distinct()
    )


# --- Comparison with other organisations --------------------------------------------------------------------
#
# A comparison set's figures, the organisation itself taken out: per figure the organisations that have it,
# their percents in ascending order, and the respondents behind the organisations of the set.


class SetFigure(NamedTuple):
    """One figure of a comparison set: the organisations that have it, those with a percent and their sum,
    the sorted percents (kept for the distribution figures only: comparisons.is_distribution_figure) and
    the respondents behind the organisations."""

    n_rows: int
    n_values: int
    total: float
    values: list[float]
    respondents: int


NO_FIGURE = SetFigure(0, 0, 0.0, [], 0)


class SetFigures(dict[str, SetFigure]):
    """figure → SetFigure."""


def _own_rows(organisation: Organisation, period: MeasurementPeriod) -> list[tuple]:
    return list(
        OrganisationFigure.objects.filter(period=period, organisation=organisation, round__isnull=False)
        .values_list("figure", "percent", "n_respondents", "shared")
        .order_by()
    )


def _from_stored(
    stored: list[tuple], wanted: list[tuple[str, str, str]], taken: Mapping[str, Mapping[str, list[tuple]]]
) -> dict[str, SetFigures]:
    """The sets from their stored aggregates, with the rows in ``taken`` (per figure: (percent, n)) taken
    out of each of them."""
    by_key = {name: (basis, key) for name, basis, key in wanted}
    result: dict[str, SetFigures] = {name: SetFigures() for name, _b, _k in wanted}
    lookup: dict[tuple[str, str], list[str]] = {}
    for name, (basis, key) in by_key.items():
        lookup.setdefault((basis, key), []).append(name)
    for basis, key, figure, n_rows, n_values, total, values, respondents in stored:
        for name in lookup.get((basis, key), []):
            own = taken.get(name, {}).get(figure, [])
            own_values = [p for p, _n in own if p is not None]
            if n_rows - len(own) > 0:
                result[name][figure] = SetFigure(
                    n_rows - len(own),
                    n_values - len(own_values),
                    total - math.fsum(own_values),
                    distribution.without(values, own_values) if values else [],
                    respondents - sum(n for _p, n in own),
                )
    return result


def _add(sums: dict, figure: str, percent: float | None, n: int) -> None:
    entry = sums.setdefault(figure, [0, 0, 0.0, [], 0])
    entry[0] += 1
    entry[4] += n
    if percent is not None:
        entry[1] += 1
        entry[2] += percent
        if comparisons.is_distribution_figure(figure):
            entry[3].append(percent)


def _sorted(sums: dict) -> SetFigures:
    return SetFigures(
        {
            f: SetFigure(n, n_values, total, sorted(values), r)
            for f, (n, n_values, total, values, r) in sums.items()
        }
    )


def _organisation_set_figures(
    *, organisation: Organisation, period: MeasurementPeriod, bases: list[str], k: int | None
) -> dict[str, SetFigures]:
    """Per basis and figure, over the other organisations of the set that share their figures (this
    instance's and imported benchmark records). Three queries for any number of bases: whether the
    period's stored aggregates are current, the sets' stored aggregates, and the organisation's own rows
    to take out of them; when they are not current (a change in ``surveys`` not refreshed yet) or a k is
    asked for, the period's rows are read instead."""
    keys = {
        comparisons.NATIONAL: "",
        comparisons.COUNTY: str(organisation.county_id),
        comparisons.KIND: organisation.kind,
        comparisons.SKR_GROUP: organisation.skr_group,
        comparisons.SKR_MAIN_GROUP: main_group(organisation.skr_group),
    }
    wanted = [(basis, basis, keys[basis]) for basis in bases]
    if k is None and comparisons.period_is_current(period.pk, departments=False):
        condition = Q()
        for _name, basis, key in wanted:
            condition |= Q(basis=basis, basis_key=key)
        stored = list(
            ComparisonAggregate.objects.filter(period=period)
            .filter(condition)
            .values_list(
                "basis", "basis_key", "figure", "n_rows", "n_values", "total", "values", "respondents"
            )
            .order_by()
        )
        # Current, so the organisation's shared rows are in each of its sets.
        own: dict[str, list[tuple]] = {}
        for figure, percent, n, shared in _own_rows(organisation, period):
            if shared:
                own.setdefault(figure, []).append((percent, n))
        return _from_stored(stored, wanted, {name: own for name, _b, _k in wanted})
    rows = OrganisationFigure.objects.filter(period=period).filter(
        Q(round__isnull=True) | Q(round__status=Round.Status.CLOSED, organisation__shares_comparisons=True)
    )
    rows = rows.exclude(organisation=organisation) if organisation.pk else rows
    if k is not None:
        rows = rows.filter(n_respondents__gte=effective_k(k))
    sums: dict[str, dict] = {basis: {} for basis in bases}

    def member_sets(row: tuple) -> list[str]:
        local, kind, county_id, skr_group = row[:4]
        if local:  # this instance's: the organisation as it is now
            kind, county_id, skr_group = row[4:7]
        member = {
            comparisons.NATIONAL: True,
            comparisons.KIND: kind == organisation.kind,
            comparisons.COUNTY: county_id is not None and county_id == organisation.county_id,
            comparisons.SKR_GROUP: bool(skr_group) and skr_group == organisation.skr_group,
            comparisons.SKR_MAIN_GROUP: bool(skr_group)
            and main_group(skr_group) == main_group(organisation.skr_group),
        }
        return [basis for basis in bases if member[basis]]

    identity = (
        "source_id",  # None: this instance's round (an imported record has its source)
        "kind",
        "county_id",
        "skr_group",
        "organisation__kind",
        "organisation__county_id",
        "organisation__skr_group",
        "figure",
    )
    # Sums and counts by the database (grouped per organisation identity and figure), then the values of
    # the distribution figures only.
    for row in (
        rows.values(*identity)
        .annotate(
            n_rows=Count("pk"),
            n_values=Count("percent"),
            total=Sum("percent"),
            respondents=Sum("n_respondents"),
        )
        .values_list(*identity, "n_rows", "n_values", "total", "respondents")
        .order_by()
    ):
        figure, n_rows, n_values, total, respondents = row[7:]
        for basis in member_sets((row[0] is None, *row[1:7])):
            entry = sums[basis].setdefault(figure, [0, 0, 0.0, [], 0])
            entry[0] += n_rows
            entry[1] += n_values
            entry[2] += total or 0.0
            entry[4] += respondents or 0
    for row in (
        rows.filter(comparisons.DISTRIBUTION_FILTER, percent__isnull=False)
        .values_list(*identity, "percent")
        .order_by()
    ):
        for basis in member_sets((row[0] is None, *row[1:7])):
            sums[basis][row[7]][3].append(row[8])
    return {basis: _sorted(figures) for basis, figures in sums.items()}


def _network_set_figures(
    *, organisation: Organisation, period: MeasurementPeriod, networks: list, k: int | None
) -> dict[str, SetFigures]:
    """The organisation's named networks, each from its members' rows (a network is a short list: one
    query for all of them)."""
    members = {network.pk: {m.pk for m in network.members.all()} - {organisation.pk} for network in networks}
    everyone = set().union(*members.values()) if members else set()
    rows = OrganisationFigure.objects.filter(
        period=period,
        organisation_id__in=everyone,
        round__status=Round.Status.CLOSED,
        organisation__shares_comparisons=True,
    )
    if k is not None:
        rows = rows.filter(n_respondents__gte=effective_k(k))
    sums: dict[int, dict] = {network.pk: {} for network in networks}
    for organisation_id, figure, percent, n in (
        rows.values_list("organisation_id", "figure", "percent", "n_respondents").order_by()
        if everyone
        else []
    ):
        for network_id, ids in members.items():
            if organisation_id in ids:
                _add(sums[network_id], figure, percent, n)
    return {f"network:{network_id}": _sorted(figures) for network_id, figures in sums.items()}


def _sector_set_figures(
    *, organisation: Organisation, period: MeasurementPeriod, sector: str, k: int | None
) -> SetFigures:
    """Other organisations' departments of the same sector that share their figures."""
    if k is None and comparisons.sector_is_current(period.pk, sector):
        stored = list(
            ComparisonAggregate.objects.filter(
                period=period, basis=comparisons.SECTOR, basis_key=sector
            ).values_list(
                "basis", "basis_key", "figure", "n_rows", "n_values", "total", "values", "respondents"
            )
        )
        own: dict[str, list] = {}
        for figure, percent, n in DepartmentFigure.objects.filter(
            period=period, organisation=organisation, sector=sector, shared=True
        ).values_list("figure", "percent", "n_respondents"):
            own.setdefault(figure, []).append((percent, n))
        return _from_stored(stored, [("sector", comparisons.SECTOR, sector)], {"sector": own})["sector"]
    rows = DepartmentFigure.objects.filter(
        period=period,
        department__sector=sector,
        round__status=Round.Status.CLOSED,
        organisation__shares_comparisons=True,
    ).exclude(organisation=organisation)
    if k is not None:
        rows = rows.filter(n_respondents__gte=effective_k(k))
    sums: dict = {}
    for figure, percent, n in rows.values_list("figure", "percent", "n_respondents").order_by():
        _add(sums, figure, percent, n)
    return _sorted(sums)


def _comparison(
    figures: SetFigures, *, basis: str, period: MeasurementPeriod, min_organisations: int
) -> dict | None:
    """A set's comparison figures in the dashboards' form: the mean of each figure, its distribution, the
    organisations and respondents behind it (None when fewer than ``min_organisations`` organisations
    have results: "för få organisationer"). A figure fewer than that many organisations have is None."""
    counting = figures.get(comparisons.COUNTING_FIGURE, NO_FIGURE)
    n_organisations, respondents = counting.n_rows, counting.respondents
    if n_organisations < min_organisations:
        return None

    def shown(figure: str) -> list[float] | None:
        values = figures.get(figure, NO_FIGURE).values
        return values if len(values) >= min_organisations else None

    def mean_or_none(figure: str) -> float | None:
        found = figures.get(figure, NO_FIGURE)
        return found.total / found.n_values if found.n_values >= min_organisations else None

    comparison: dict[str, object] = {
        "basis": basis,
        "period": period.code,
        "n_organisations": n_organisations,
        "n_respondents": respondents,
        "capability_percent": mean_or_none("capability"),
        "legacy_percent": mean_or_none("legacy"),
        "overall_percent": mean_or_none("overall"),
        "distribution": {
            figure: distribution.distribution(values).as_dict()  # type: ignore[union-attr]
            for figure in sorted(figures)
            if (values := shown(figure))
        },
    }
    for level, prefix in comparisons.LEVEL_PREFIXES.items():
        start = f"{prefix}:"
        comparison[level] = {
            figure[len(start) :]: mean_or_none(figure)
            for figure in sorted(figures)
            if figure.startswith(start)
        }
    return comparison


def _organisation_bases(organisation: Organisation, bases: Iterable[str]) -> list[str]:
    """The asked bases the organisation has (no county, no SKR group: no such set)."""
    has = {
        comparisons.COUNTY: organisation.county_id is not None,
        comparisons.SKR_GROUP: bool(organisation.skr_group),
        comparisons.SKR_MAIN_GROUP: bool(organisation.skr_group),
    }
    return [b for b in bases if has.get(b, True)]


def get_comparisons(
    *,
    organisation: Organisation,
    period: MeasurementPeriod,
    bases: Iterable[str] = COMPARISON_BASES,
    k: int | None = None,
    min_organisations: int = MIN_COMPARISON_ORGANISATIONS,
) -> dict[str, dict | None]:
    """``get_comparison`` for several bases at once, in the same three queries (the dashboard's)."""
    bases = list(bases)
    for basis in bases:
        if basis not in ORGANISATION_BASES:
            raise ValueError(f"basis must be one of {ORGANISATION_BASES}")
    asked = _organisation_bases(organisation, bases)
    figures = (
        _organisation_set_figures(organisation=organisation, period=period, bases=asked, k=k) if asked else {}
    )
    return {
        basis: _comparison(figures[basis], basis=basis, period=period, min_organisations=min_organisations)
        if basis in figures
        else None
        for basis in bases
    }


def get_comparison(
    *,
    organisation: Organisation,
    period: MeasurementPeriod,
    basis: str = "national",
    k: int | None = None,
    min_organisations: int = MIN_COMPARISON_ORGANISATIONS,
) -> dict | None:
    """The unweighted mean of each other organisation's percent in the same period (DESIGN.md, Scoring 9).

    ``basis``: "national" (all), "county" (same county), "kind" (same kind of organisation), "skr_group"
    (SKR's municipality group) or "skr_main_group". The organisation itself is excluded, and so is every
    organisation that does not share its figures; only closed rounds whose organisation figure is shown
    (at least k respondents) count, each with the figures it publishes itself (its hidden figures take no
    part), beside imported benchmark records; a figure is given only when at least ``min_organisations``
    organisations have it (None for the whole comparison when fewer than that have results). Read from
    the stored figures and aggregates (``maturity.services.comparisons``) in three queries, whatever the
    number of organisations."""
    return get_comparisons(
        organisation=organisation, period=period, bases=(basis,), k=k, min_organisations=min_organisations
    )[basis]


# --- Comparison sets, as the dashboards' comparison section and the annual report show them -------------


def _set_label(basis: str, organisation: Organisation, *, sector: str = "", network=None) -> str:
    from surveys.models import Sector

    if basis == comparisons.NATIONAL:
        return str(_("All organisations"))
    if basis == comparisons.KIND:
        return str(_("Same kind (%(kind)s)") % {"kind": organisation.get_kind_display().lower()})
    if basis == comparisons.COUNTY:
        county = organisation.county
        return str(_("Same county (%(county)s)") % {"county": county.name if county else ""})
    if basis == comparisons.SKR_GROUP:
        return str(
            _("SKR group %(code)s %(name)s")
            % {"code": organisation.skr_group, "name": SKR_GROUPS.get(organisation.skr_group, "")}
        )
    if basis == comparisons.SKR_MAIN_GROUP:
        code = main_group(organisation.skr_group)
        return str(
            _("SKR main group %(code)s %(name)s") % {"code": code, "name": SKR_MAIN_GROUPS.get(code, "")}
        )
    if basis == comparisons.SECTOR:
        label = Sector(sector).label if sector in Sector.values else sector
        return str(_("Same sector (%(sector)s)") % {"sector": str(label).lower()})
    return str(_("Network: %(name)s") % {"name": network.name}) if network is not None else basis


def _set_entry(
    figures: SetFigures,
    *,
    key: str,
    label: str,
    period: MeasurementPeriod,
    own: Mapping[str, float | None],
    min_organisations: int,
    note: str = "",
) -> dict:
    """One set as the comparison section shows it: the headline figures' means with their distribution, the
    organisations and respondents behind them, and the focus's position as a percentile band."""
    counting = figures.get(comparisons.COUNTING_FIGURE, NO_FIGURE)
    n_organisations, respondents = counting.n_rows, counting.respondents
    entry: dict[str, Any] = {
        "key": key,
        "label": label,
        "note": note,
        "period": period.code,
        "period_label": period_label(period),
        "n_organisations": n_organisations,
        "n_respondents": respondents,
        "too_few": n_organisations < min_organisations,
        "figures": {},
        # The set's mean of every category and capability (None where fewer than min_organisations have
        # it): the annual report's matrix, bars and tables of the sets the organisation admin chose.
        "parts": {},
    }
    if entry["too_few"]:
        return entry
    for level in ("categories", "capabilities"):
        start = f"{comparisons.LEVEL_PREFIXES[level]}:"
        entry["parts"][level] = {
            figure[len(start) :]: (
                found.total / found.n_values if found.n_values >= min_organisations else None
            )
            for figure, found in sorted(figures.items())
            if figure.startswith(start)
        }
    for figure in HEADLINE_SET_FIGURES:
        values = figures.get(figure, NO_FIGURE).values
        if len(values) < min_organisations:
            entry["figures"][figure] = None
            continue
        own_value = own.get(figure)
        position = distribution.band(values, own_value) if own_value is not None else None
        entry["figures"][figure] = {
            **distribution.distribution(values).as_dict(),  # type: ignore[union-attr]
            "own": own_value,
            "band": position,
        }
    return entry


HEADLINE_SET_FIGURES = ("overall", "capability", "legacy")


def period_label(period: MeasurementPeriod) -> str:
    """A period as people say it: "HT 2026"."""
    return f"{period.term} {period.year}"


def _latest_period_with_peers(
    *, organisation: Organisation, period: MeasurementPeriod, min_organisations: int
) -> MeasurementPeriod | None:
    """The latest other period in which at least ``min_organisations`` other organisations share results
    (the national set), or None. Two queries."""
    candidates = list(
        ComparisonAggregate.objects.filter(
            basis=comparisons.NATIONAL,
            basis_key="",
            figure=comparisons.COUNTING_FIGURE,
            n_rows__gte=min_organisations,
        )
        .exclude(period=period)
        .values_list("period_id", "n_rows")
    )
    if not candidates:
        return None
    own = set(
        OrganisationFigure.objects.filter(
            organisation=organisation, figure=comparisons.COUNTING_FIGURE, shared=True, round__isnull=False
        ).values_list("period_id", flat=True)
    )
    eligible = [p for p, n in candidates if n - (1 if p in own else 0) >= min_organisations]
    return (
        MeasurementPeriod.objects.filter(pk__in=eligible, starts_on__lt=period.starts_on)
        .order_by("-starts_on")
        .first()
        or MeasurementPeriod.objects.filter(pk__in=eligible).order_by("-starts_on").first()
    )


def get_comparison_sets(
    *,
    organisation: Organisation,
    period: MeasurementPeriod,
    department: Department | None = None,
    bases: Iterable[str] | None = None,
    k: int | None = None,
    min_organisations: int = MIN_COMPARISON_ORGANISATIONS,
) -> dict:
    """Every comparison set of the organisation (or of one of its departments) in a period, as the
    dashboards' comparison section and the annual report show them (docs/dashboards.md, "Comparison sets"):
    all organisations, the same kind, county, SKR group and main group, each named network of the
    organisation, and for a department the other organisations' departments of its sector. A set with fewer
    than ``min_organisations`` organisations says so ("too_few"); an SKR group with too few falls back to
    its main group, and says so. When the period has no peers at all yet, the latest period that has them
    is used instead, and said (``fallback_from``). ``bases`` picks the sets (the annual report's choice);
    None: all. A constant number of queries."""
    from surveys.models import ComparisonNetwork

    chosen = set(bases) if bases is not None else None

    def wanted(key: str) -> bool:
        return chosen is None or key in chosen or (key.startswith("network:") and "networks" in chosen)

    bases_here = _organisation_bases(organisation, ORGANISATION_BASES)
    figures = _organisation_set_figures(organisation=organisation, period=period, bases=bases_here, k=k)
    # The dashboards' means of the period itself (its matrix and bars), from the same reads.
    means = {
        basis: _comparison(figures[basis], basis=basis, period=period, min_organisations=min_organisations)
        if basis in figures
        else None
        for basis in ORGANISATION_BASES
    }
    used = period
    fallback_from = None
    if figures[comparisons.NATIONAL].get(comparisons.COUNTING_FIGURE, NO_FIGURE).n_rows < min_organisations:
        earlier = _latest_period_with_peers(
            organisation=organisation, period=period, min_organisations=min_organisations
        )
        if earlier is not None:
            used, fallback_from = earlier, period
            figures = _organisation_set_figures(organisation=organisation, period=used, bases=bases_here, k=k)
    networks = list(ComparisonNetwork.objects.filter(organisation=organisation).prefetch_related("members"))
    networks = [n for n in networks if wanted(f"network:{n.pk}")]
    network_figures = (
        _network_set_figures(organisation=organisation, period=used, networks=networks, k=k)
        if networks
        else {}
    )
    if department is not None:
        own = {
            figure: percent
            for figure, percent in DepartmentFigure.objects.filter(
                period=used, department=department
            ).values_list("figure", "percent")
        }
        focus_name = department.name
    else:
        own = {figure: percent for figure, percent, _n, _s in _own_rows(organisation, used)}
        focus_name = organisation.name
    sets = []

    def add(set_figures: SetFigures, key: str, label: str, note: str = "") -> None:
        sets.append(
            _set_entry(
                set_figures,
                key=key,
                label=label,
                period=used,
                own=own,
                min_organisations=min_organisations,
                note=note,
            )
        )

    if department is not None and department.sector and wanted(comparisons.SECTOR):
        add(
            _sector_set_figures(organisation=organisation, period=used, sector=department.sector, k=k),
            comparisons.SECTOR,
            _set_label(comparisons.SECTOR, organisation, sector=department.sector),
        )
    for basis in (comparisons.NATIONAL, comparisons.KIND, comparisons.COUNTY):
        if basis in figures and wanted(basis):
            add(figures[basis], basis, _set_label(basis, organisation))
    if organisation.skr_group:
        group = figures[comparisons.SKR_GROUP]
        group_too_few = group.get(comparisons.COUNTING_FIGURE, NO_FIGURE).n_rows < min_organisations
        if wanted(comparisons.SKR_GROUP) and not group_too_few:
            add(group, comparisons.SKR_GROUP, _set_label(comparisons.SKR_GROUP, organisation))
        if wanted(comparisons.SKR_MAIN_GROUP) or (wanted(comparisons.SKR_GROUP) and group_too_few):
            note = (
                str(
                    _("SKR group %(code)s has fewer than %(n)s other organisations: its main group is shown.")
                    % {"code": organisation.skr_group, "n": min_organisations}
                )
                if group_too_few and wanted(comparisons.SKR_GROUP)
                else ""
            )
            add(
                figures[comparisons.SKR_MAIN_GROUP],
                comparisons.SKR_MAIN_GROUP,
                _set_label(comparisons.SKR_MAIN_GROUP, organisation),
                note,
            )
    for network in networks:
        add(
            network_figures[f"network:{network.pk}"],
            f"network:{network.pk}",
            _set_label("network", organisation, network=network),
        )
    return {
        "period": used.code,
        "period_label": period_label(used),
        "fallback_from": period_label(fallback_from) if fallback_from else None,
        "focus": focus_name,
        "own": {figure: own.get(figure) for figure in HEADLINE_SET_FIGURES},
        "sets": sets,
        "min_organisations": min_organisations,
        "means": means,
    }
