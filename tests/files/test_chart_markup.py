"""HTML in names never becomes markup in a chart (issue 11): plotly renders names, labels, hover texts and
axis ticks as a subset of HTML, links included, so a department called ``<a href=…>`` would be a link."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from reports import charts

pytestmark = pytest.mark.django_db

LINK = '<a href="https://evil.example/">Socialförvaltningen</a>'
GROUP = "<img src=x onerror=alert(1)>Chefer"
ALLOWED_TAGS = {"<b>", "</b>", "<br>", "<extra>", "</extra>"}


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def assert_no_live_markup(figure) -> None:
    texts = list(_strings(figure))
    tags = {tag for text in texts for tag in re.findall(r"<[^<>]*>", text)}
    assert tags <= ALLOWED_TAGS, f"markup from data reached the figure: {sorted(tags - ALLOWED_TAGS)}"


def _page_figures(html: str) -> list:
    blocks = re.findall(r'<script id="[^"]+" type="application/json">(.*?)</script>', html, flags=re.S)
    return [json.loads(block) for block in blocks]


@pytest.fixture
def marked_up_round(organisation):
    from tests.reports.conftest import make_closed_round

    organisation.departments.filter(name="Socialförvaltningen").update(name=LINK)
    organisation.respondent_groups.filter(position=1).update(name=GROUP)
    return make_closed_round(organisation)


def test_department_and_group_names_reach_the_dashboard_charts_as_text(
    client, marked_up_round, organisation, management
):
    client.force_login(management)
    html = client.get(reverse("reports:dashboard", args=[organisation.code])).content.decode()
    figures = _page_figures(html)
    assert figures, "the dashboard has no chart data"
    for figure in figures:
        assert_no_live_markup(figure)
    text = json.dumps(figures)
    assert "&lt;a href=" in text, "the name is shown as written (escaped), not dropped"
    department = organisation.departments.get(name=LINK)
    html = client.get(
        reverse("reports:dashboard", args=[organisation.code]), {"department": department.pk}
    ).content.decode()
    for figure in _page_figures(html):
        assert_no_live_markup(figure)


def test_names_reach_the_annual_report_charts_as_text(marked_up_round, organisation):
    from reports.annual_figures import build_figures
    from reports.selectors.report_content import get_report_content
    from surveys.access import Visibility

    content = get_report_content(
        organisation=organisation, year=marked_up_round.period.year, visibility=Visibility.everything()
    )
    figures = build_figures(content)
    assert figures
    assert_no_live_markup(figures)
    assert "&lt;a href=" in json.dumps(figures)


def test_every_chart_function_escapes_the_texts_it_is_given():
    hostile = "<a href='x'>&</a>"
    figures = [
        charts.matrix_figure(
            [
                charts.MatrixPoint(hostile, 40, 60, kind="focus"),
                charts.MatrixPoint(hostile, 55, 45, kind="department"),
                charts.MatrixPoint(hostile, 50, 50, kind="comparison"),
            ],
            labels=charts.MatrixLabels(x_title=hostile, y_title=hostile, fields={t: hostile for t in "ABCD"}),
        ),
        charts.bars_figure([hostile, hostile + "2"], [charts.Series(hostile, [10, None])], x_title=hostile),
        charts.heatmap_figure(
            [hostile], [hostile], [[None]], suppressed_text=hostile, gap_text=hostile, highlight_rows=[0]
        ),
        charts.trend_figure([hostile], [charts.Series(hostile, [50])], y_title=hostile),
    ]
    for figure in figures:
        assert_no_live_markup(figure)
        assert "&lt;a href='x'&gt;&amp;&lt;/a&gt;" in json.dumps(figure)


def test_the_submission_curve_escapes_its_texts(settings):
    import datetime

    from maturity.charts import CurveLabels, submission_curve_figure

    # The labels come from the caller (the chart module is pure); they are escaped like any other text.
    figure = submission_curve_figure(
        per_day=[(datetime.date(2026, 9, 1), 3)],
        start=datetime.date(2026, 9, 1),
        end=datetime.date(2026, 9, 2),
        labels=CurveLabels(
            daily="Submitted that day", cumulative="<a href='x'>Submitted</a> in all", axis="Responses"
        ),
    )
    assert_no_live_markup(figure)
