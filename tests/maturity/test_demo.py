"""The demo rounds of `make run`: three years of closed rounds with results, deterministic and idempotent."""

from __future__ import annotations

import pytest

from dimios_web.demo.results import DEMO_YEARS, _current_period, load_demo_rounds
from maturity.models import RoundResult
from maturity.selectors import get_comparison, get_round_results
from surveys.models import Department, Response, Round
from surveys.services.organisations import add_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def summary(db):
    organisation, _ = add_organisation(code="0580")
    for name in (
        "Kommunledningsförvaltningen",
        "Utbildningsförvaltningen",
        "Kultur- och fritidsförvaltningen",
    ):
        Department.objects.create(organisation=organisation, name=name)
    comparison = [add_organisation(code=code)[0] for code in ("0509", "0512", "0513", "0560", "0561")]
    return {"organisation": organisation, "comparison": comparison, "notes": []}


def test_demo_rounds_show_three_closed_years_with_an_improving_trend(summary):
    load_demo_rounds(summary)
    organisation = summary["organisation"]
    rounds = Round.objects.filter(organisation=organisation).order_by("period__year")
    assert [r.period.year for r in rounds] == list(DEMO_YEARS)
    assert all(r.status == Round.Status.CLOSED for r in rounds)
    overall = [RoundResult.objects.get(round=r, scope="organisation").overall_percent for r in rounds]
    assert overall[0] < overall[1] < overall[2]
    # The demo's years, and the current (or last) period too, so that the demo organisation has peers there.
    current = _current_period()
    years = len(DEMO_YEARS) + (current is not None and current.year not in DEMO_YEARS)
    assert Round.objects.filter(organisation__in=summary["comparison"]).count() == 5 * years
    latest = rounds.last()
    assert get_comparison(organisation=organisation, period=latest.period)["n_organisations"] == 5
    results = get_round_results(round_id=latest.pk)
    assert any(cell["suppressed"] for cell in results["department_groups"])
    assert all(not d["suppressed"] for d in results["departments"])
    assert summary["notes"]


def test_loading_the_demo_twice_adds_nothing(summary):
    load_demo_rounds(summary)
    responses = Response.objects.count()
    results = list(RoundResult.objects.order_by("pk").values_list("pk", "overall_percent"))
    load_demo_rounds(summary)
    assert Response.objects.count() == responses
    assert list(RoundResult.objects.order_by("pk").values_list("pk", "overall_percent")) == results
