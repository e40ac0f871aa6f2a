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
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Count, Q, Sum

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
from surveys.tree import tree_ordered

from . import disclosure, read_model, scoring
from .disclosure import SUPPRESSED  # noqa: F401 - the download format's mark of a hidden figure
from .models import ComparisonAggregate, OrganisationFigure, ResultTree, RoundResult
from .read_model import ScopeView, load_round_view
from .services import comparisons
from .suppression import effective_k, scope_order

MIN_COMPARISON_ORGANISATIONS = 5
COMPARISON_BASES = ("national", "county", "kind")
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


Totals = dict[str, tuple[int, int, float]]


def _comparison_totals(
    *, organisation: Organisation, period: MeasurementPeriod, bases: Iterable[str], k: int | None
) -> dict[str, Totals]:
    """Per basis and figure, over the other organisations of the set: (organisations with the figure,
    those with a percent, the sum of the percents). Three queries for any number of bases: whether the
    period's stored aggregates are current, the sets' stored aggregates, and the organisation's own rows
    to take out of them; when they are not current (a change in ``surveys`` not refreshed yet) or a k is
    asked for, one GROUP BY over the period's figure rows instead."""
    bases = list(bases)
    keys = {"national": "", "county": str(organisation.county_id), "kind": organisation.kind}
    rows = OrganisationFigure.objects.filter(period=period, round__isnull=False)
    if k is None and comparisons.period_is_current(period.pk):
        wanted = Q()
        for basis in bases:
            wanted |= Q(basis=basis, basis_key=keys[basis])
        stored = list(
            ComparisonAggregate.objects.filter(period=period)
            .filter(wanted)
            .values_list("basis", "figure", "n_rows", "n_values", "total")
        )
        own = list(rows.filter(organisation=organisation).values_list("figure", "percent"))
        result: dict[str, Totals] = {}
        for basis in bases:
            sums = {f: [n, n_values, total] for b, f, n, n_values, total in stored if b == basis}
            for figure, percent in own:  # current, so its rows are in each of its sets
                if figure in sums:
                    sums[figure][0] -= 1
                    if percent is not None:
                        sums[figure][1] -= 1
                        sums[figure][2] -= percent
            result[basis] = {f: (int(n), int(nv), total) for f, (n, nv, total) in sums.items() if n > 0}
        return result
    others = rows.filter(round__status=Round.Status.CLOSED).exclude(organisation=organisation)
    if k is not None:
        others = others.filter(n_respondents__gte=effective_k(k))
    grouped: dict[str, dict[str, list]] = {basis: {} for basis in bases}
    for kind, county_id, figure, n_rows, n_values, total in (
        others.values("organisation__kind", "organisation__county_id", "figure")
        .annotate(n_rows=Count("pk"), n_values=Count("percent"), total=Sum("percent"))
        .values_list("organisation__kind", "organisation__county_id", "figure", "n_rows", "n_values", "total")
        .order_by()
    ):
        for basis in bases:
            if (basis == "county" and county_id != organisation.county_id) or (
                basis == "kind" and kind != organisation.kind
            ):
                continue
            entry = grouped[basis].setdefault(figure, [0, 0, 0.0])
            entry[0] += n_rows
            entry[1] += n_values
            entry[2] += total or 0.0
    return {basis: {f: (n, nv, t) for f, (n, nv, t) in sums.items()} for basis, sums in grouped.items()}


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
        if basis not in COMPARISON_BASES:
            raise ValueError(f"basis must be one of {COMPARISON_BASES}")
    # An organisation without a county has no county comparison.
    asked = [b for b in bases if not (b == "county" and organisation.county_id is None)]
    totals = _comparison_totals(organisation=organisation, period=period, bases=asked, k=k) if asked else {}
    return {
        basis: _comparison(totals[basis], basis=basis, period=period, min_organisations=min_organisations)
        if basis in totals
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

    ``basis``: "national" (all), "county" (same county) or "kind" (same kind of organisation). The
    organisation itself is excluded; only closed rounds whose organisation figure is shown (at least k
    respondents) count, each with the figures it publishes itself (its hidden figures take no part); a
    figure is given only when at least ``min_organisations`` organisations have it (None for the whole
    comparison when fewer than that have results). Read from the stored figures and aggregates
    (``maturity.services.comparisons``) in three queries, whatever the number of organisations."""
    return get_comparisons(
        organisation=organisation, period=period, bases=(basis,), k=k, min_organisations=min_organisations
    )[basis]


def _comparison(
    totals: Totals, *, basis: str, period: MeasurementPeriod, min_organisations: int
) -> dict | None:
    n_organisations = totals.get(comparisons.COUNTING_FIGURE, (0, 0, 0.0))[0]
    if n_organisations < min_organisations:
        return None

    def mean_or_none(figure: str) -> float | None:
        _n, count, total = totals.get(figure, (0, 0, 0.0))
        return total / count if count and count >= min_organisations else None

    comparison: dict[str, object] = {
        "basis": basis,
        "period": period.code,
        "n_organisations": n_organisations,
        "capability_percent": mean_or_none("capability"),
        "legacy_percent": mean_or_none("legacy"),
        "overall_percent": mean_or_none("overall"),
    }
    for level, prefix in comparisons.LEVEL_PREFIXES.items():
        start = f"{prefix}:"
        comparison[level] = {
            figure[len(start) :]: mean_or_none(figure)
            for figure in sorted(totals)
            if figure.startswith(start)
        }
    return comparison
