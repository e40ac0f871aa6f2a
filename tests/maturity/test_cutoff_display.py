"""A dimension figure next to its type never crosses the cut-off (docs/scoring.md, issue 17): a legacy of
49.999 % is below the cut-off 50 (type B with high capability) and is shown as 49,9 %, never 50,0 %, in the
annual report's figures and the national matrix's points."""

from __future__ import annotations

import pytest
from django.urls import reverse

from maturity import national
from maturity.read_model import load_round_views
from maturity.scoring import maturity_type
from reports.selectors.report_content import figures
from surveys.scope_keys import ORGANISATION
from tests.maturity.stored_rounds import close_round_with_results

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


@pytest.fixture
def round_at_the_cutoff(questionnaire, period_2025, organisation):
    assert float(questionnaire.legacy_cutoff) == 50.0
    assert maturity_type(70.0, 49.999) == "B"
    round_ = close_round_with_results(
        organisation, period_2025, questionnaire, 60.0, capability=70.0, legacy=49.999, dimension_figures=True
    )
    return round_


def test_the_report_shows_the_legacy_below_the_cutoff(round_at_the_cutoff):
    from reports.templatetags.annual_report import pct

    view = load_round_views([round_at_the_cutoff])[round_at_the_cutoff.pk]
    shown = figures(view, ORGANISATION, "Linköpings kommun")
    assert shown["legacy"] == 49.9
    assert pct(shown["legacy"]) == f"49,9{NBSP}%"
    assert shown["capability"] == 70.0


def test_the_national_matrix_keeps_the_point_on_its_side(round_at_the_cutoff, period_2025):
    points = national._points(period_2025, (50.0, 50.0))
    assert [(p.capability, p.legacy, p.type) for p in points] == [(70.0, 49.9, "B")]


def test_the_dashboard_shows_the_legacy_below_the_cutoff(client, management, round_at_the_cutoff):
    client.force_login(management)
    response = client.get(reverse("reports:dashboard", args=[round_at_the_cutoff.organisation.code]))
    assert response.status_code == 200
    assert response.context["dashboard"]["headline"]["legacy"] == 49.9
    body = response.content.decode()
    # the matrix's table: the figure beside the type, and the dot's hover text
    matrix_table = body[body.index('id="matrix-table"') :].split("</table>")[0]
    assert f">49,9{NBSP}%<" in matrix_table and f"50,0{NBSP}%" not in matrix_table
    figure = response.context["dashboard"]["figures"]["matrix"]
    focus = next(trace for trace in figure["data"] if trace["meta"]["kind"] == "focus")
    assert focus["customdata"][0][2] == f"49,9{NBSP}%" and focus["y"] == [49.9]


def test_the_dashboards_trend_table_shows_the_legacy_below_the_cutoff(
    client, management, round_at_the_cutoff
):
    client.force_login(management)
    body = client.get(
        reverse("reports:dashboard", args=[round_at_the_cutoff.organisation.code])
    ).content.decode()
    trend_table = body[body.index('id="trend-table"') :].split("</table>")[0]
    assert f">49,9{NBSP}%<" in trend_table and f"50,0{NBSP}%" not in trend_table
