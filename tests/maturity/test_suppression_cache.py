"""Storing results warms the cache of the anonymity pattern, so the first reader does not compute it."""

from __future__ import annotations

import pytest

from maturity import selectors
from tests.factories import build_questionnaire
from tests.reports.dashboard_data import SMALL_PLAN, build_round

pytestmark = pytest.mark.django_db


def test_storing_results_caches_the_hidden_scopes_so_the_first_reader_does_not_compute_them(
    organisation, django_capture_on_commit_callbacks, monkeypatch
):
    questionnaire = build_questionnaire(categories_per_dimension=1, statements_per_category=2)
    with django_capture_on_commit_callbacks(execute=True):
        round_ = build_round(organisation, year=2025, questionnaire=questionnaire, plan=SMALL_PLAN)

    def computed_again(*args, **kwargs):
        raise AssertionError("the hidden scopes were computed again")

    monkeypatch.setattr(selectors, "hidden_scope_keys", computed_again)
    results = selectors.get_round_results(round_id=round_.pk)
    suppressed = [
        view["key"]
        for part in ("departments", "department_groups")
        for view in results[part]
        if view["suppressed"]
    ]
    assert suppressed  # SMALL_PLAN has a cell below k: the pattern came from the cache
