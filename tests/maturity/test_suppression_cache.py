"""What may be published is stored with the results for the round's k, so no reader computes it; another
k is computed once and then read from the cache."""

from __future__ import annotations

import pytest

from maturity import disclosure, selectors
from tests.factories import build_questionnaire
from tests.reports.dashboard_data import SMALL_PLAN, build_round

pytestmark = pytest.mark.django_db


def _hidden_keys(results):
    return [
        view["key"]
        for part in ("departments", "department_groups")
        for view in results[part]
        if view["suppressed"]
    ]


def test_storing_results_stores_what_may_be_published_so_no_reader_computes_it(organisation, monkeypatch):
    questionnaire = build_questionnaire(categories_per_dimension=1, statements_per_category=2)
    round_ = build_round(organisation, year=2025, questionnaire=questionnaire, plan=SMALL_PLAN)

    def computed_again(*args, **kwargs):
        raise AssertionError("the published view was computed again")

    monkeypatch.setattr(disclosure, "publish", computed_again)
    assert _hidden_keys(selectors.get_round_results(round_id=round_.pk))  # SMALL_PLAN has a cell below k


def test_another_k_is_computed_once_then_read_from_the_cache(organisation, monkeypatch):
    questionnaire = build_questionnaire(categories_per_dimension=1, statements_per_category=2)
    round_ = build_round(organisation, year=2025, questionnaire=questionnaire, plan=SMALL_PLAN)
    strict = selectors.get_round_results(round_id=round_.pk, k=8)

    def computed_again(*args, **kwargs):
        raise AssertionError("the published view was computed again")

    monkeypatch.setattr(disclosure, "publish", computed_again)
    assert selectors.get_round_results(round_id=round_.pk, k=8) == strict
    assert len(_hidden_keys(strict)) >= len(_hidden_keys(selectors.get_round_results(round_id=round_.pk)))
