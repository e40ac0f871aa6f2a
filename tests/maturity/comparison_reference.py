"""The comparison with other organisations as it was computed before the stored figures (issue 14): every
organisation's stored result loaded and averaged in Python. Kept as the reference that the stored figures
and aggregates (``maturity.selectors.get_comparison``) must agree with; with issue 15's sets (SKR group and
main group, only sharing organisations), the respondents behind a set and the distribution, computed with
the standard library's ``statistics.quantiles`` (method "inclusive": the same definition, not the same
code)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable

from maturity.models import RoundResult
from maturity.selectors import MIN_COMPARISON_ORGANISATIONS, ORGANISATION_BASES
from maturity.suppression import effective_k
from surveys.models import MeasurementPeriod, Organisation, Round


def _mean(values: Iterable[float | None]) -> tuple[float | None, int]:
    defined = [v for v in values if v is not None]
    return (sum(defined) / len(defined) if defined else None), len(defined)


def reference_comparison(
    *,
    organisation: Organisation,
    period: MeasurementPeriod,
    basis: str = "national",
    k: int | None = None,
    min_organisations: int = MIN_COMPARISON_ORGANISATIONS,
) -> dict | None:
    if basis not in ORGANISATION_BASES:
        raise ValueError(f"basis must be one of {ORGANISATION_BASES}")
    rows = RoundResult.objects.filter(
        scope=RoundResult.Scope.ORGANISATION,
        round__period=period,
        round__status=Round.Status.CLOSED,
        round__organisation__shares_comparisons=True,
    ).exclude(round__organisation=organisation)
    if basis == "county":
        if organisation.county_id is None:
            return None
        rows = rows.filter(round__organisation__county_id=organisation.county_id)
    elif basis == "kind":
        rows = rows.filter(round__organisation__kind=organisation.kind)
    elif basis in ("skr_group", "skr_main_group"):
        if not organisation.skr_group:
            return None
        if basis == "skr_group":
            rows = rows.filter(round__organisation__skr_group=organisation.skr_group)
        else:
            rows = rows.filter(round__organisation__skr_group__startswith=organisation.skr_group[0])
    rows = rows.select_related("questionnaire", "round__organisation")
    shown = [
        r
        for r in rows
        if r.published and not r.published.get("hidden") and (k is None or r.n_respondents >= effective_k(k))
    ]
    if len(shown) < min_organisations:
        return None

    def number(value):
        return value if isinstance(value, int | float) and not isinstance(value, bool) else None

    def mean_or_none(values):
        value, count = _mean(number(v) for v in values)
        return value if count >= min_organisations else None

    distributions = {}

    def spread(figure, values):
        defined = sorted(v for v in (number(v) for v in values) if v is not None)
        if len(defined) >= min_organisations:
            q1, median, q3 = statistics.quantiles(defined, n=4, method="inclusive")
            distributions[figure] = {
                "n": len(defined),
                "mean": statistics.fmean(defined),
                "min": min(defined),
                "q1": q1,
                "median": median,
                "q3": q3,
                "max": max(defined),
            }

    comparison: dict[str, object] = {
        "basis": basis,
        "period": period.code,
        "n_organisations": len(shown),
        "n_respondents": sum(r.n_respondents for r in shown),
        "capability_percent": mean_or_none(r.published.get("capability_percent") for r in shown),
        "legacy_percent": mean_or_none(r.published.get("legacy_percent") for r in shown),
        "overall_percent": mean_or_none(r.published.get("overall_percent") for r in shown),
        "distribution": distributions,
    }
    for figure, key in (
        ("capability", "capability_percent"),
        ("legacy", "legacy_percent"),
        ("overall", "overall_percent"),
    ):
        spread(figure, [r.published.get(key) for r in shown])
    prefixes = {"dimensions": "dimension", "categories": "category", "capabilities": "capability"}
    for level in ("dimensions", "categories", "capabilities"):
        codes: dict[str, list] = defaultdict(list)
        for r in shown:
            parts = r.published_figures.get(level, {})
            for code, part in parts.items() if isinstance(parts, dict) else []:
                codes[code].append(part.get("percent") if isinstance(part, dict) else None)
        comparison[level] = {code: mean_or_none(values) for code, values in codes.items()}
        if level == "dimensions":  # the distribution figures: the headline and the dimensions
            for code, values in codes.items():
                spread(f"{prefixes[level]}:{code}", values)
    return comparison
