# ruff: noqa: F811 - the world fixture imported from the overview's tests
"""The public national overview in Chromium: switched on, it draws the unnamed matrix with one point per
sharing organisation and the other charts, names no organisation, and axe-core finds no WCAG 2.1 A/AA
violation."""

from __future__ import annotations

import pytest

from maturity.services.site_settings import set_public_national_overview
from tests.conftest import assert_no_axe_violations
from tests.maturity.test_national_overview import WORLD, world  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_public_overview_draws_an_unnamed_matrix_and_passes_axe(page, live_server, world):
    set_public_national_overview(enabled=True, actor=None)
    page.goto(f"{live_server.url}/nationell-oversikt/")
    assert page.get_by_role("heading", level=1).inner_text() == "Nationell översikt, HT 2025"
    page.wait_for_selector("#national-types-chart.chart-drawn svg.main-svg", timeout=20_000)
    matrix = page.locator("#national-types-chart")
    assert matrix.locator(".scatterlayer .trace .point").count() == 7
    page.wait_for_selector("#national-change-chart.chart-drawn svg.main-svg", timeout=20_000)
    content = page.content()
    for _code, name, *_rest in WORLD:
        assert name not in content
    assert_no_axe_violations(page)
