"""A closed round with stored results, written as ``compute_round_results`` stores them and recorded into the
comparison figures (``comparisons.record_round_figures``), without any responses: for the tests of the
comparison sets, the national overview and the benchmark import, which need many organisations' results
and not how they came about."""

from __future__ import annotations

from maturity.models import RoundResult
from maturity.services import comparisons
from surveys.models import Round

DERIVED = object()  # capability = overall, legacy = 100 − overall


def close_round_with_results(
    organisation,
    period,
    questionnaire,
    overall,
    *,
    capability=DERIVED,
    legacy=DERIVED,
    n=20,
    departments=(),
    dimension_figures=False,
):
    """A closed round of ``organisation`` in ``period`` whose organisation result shows ``overall``,
    ``capability`` and ``legacy`` (by default derived from ``overall``; None: not shown) from ``n``
    respondents, and a department result per (department, overall, n) of ``departments``. With
    ``dimension_figures`` the two dimensions are also stored as parts (the national overview's dimension
    means)."""
    capability = overall if capability is DERIVED else capability
    legacy = (100 - overall if overall is not None else None) if legacy is DERIVED else legacy
    round_ = Round.objects.create(
        organisation=organisation, period=period, questionnaire=questionnaire, status=Round.Status.CLOSED
    )
    for department, value, count in departments:
        RoundResult.objects.create(
            round=round_,
            questionnaire=questionnaire,
            scope=RoundResult.Scope.DEPARTMENT,
            scope_key=f"department:{department.pk}",
            department=department,
            n_respondents=count,
            published={
                "hidden": False,
                "n": count,
                "overall_percent": value,
                "capability_percent": value,
                "legacy_percent": 100 - value,
            },
            published_figures={},
        )
    published = {"hidden": False, "n": n, "overall_percent": overall, "capability_percent": capability}
    if legacy is not None or capability is not None:
        published["legacy_percent"] = legacy
    result = RoundResult.objects.create(
        round=round_,
        questionnaire=questionnaire,
        scope=RoundResult.Scope.ORGANISATION,
        scope_key="organisation",
        n_respondents=n,
        published=published,
        published_figures=(
            {"dimensions": {"capability": {"percent": capability}, "legacy": {"percent": legacy}}}
            if dimension_figures
            else {}
        ),
    )
    comparisons.record_round_figures(round_=round_, organisation_result=result)
    return round_
