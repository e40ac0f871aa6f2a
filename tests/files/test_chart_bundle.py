"""The vendored plotly.js (issue 17, docs/decisions.md "Static assets"): the cartesian partial bundle, of the
same plotly.js version as the one plotly.py writes its figures for, with every trace type the charts use,
and loaded only on the pages that draw charts."""

from __future__ import annotations

import re
from pathlib import Path

import plotly
import pytest
from django.conf import settings
from django.urls import reverse

BUNDLE = Path(settings.BASE_DIR) / "static" / "vendor" / "plotly" / "plotly-cartesian.min.js"
PLOTLY_PY_BUNDLE = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def version_of(path: Path) -> str:
    head = path.read_bytes()[:400].decode()
    match = re.search(r"plotly\.js (?:\(cartesian - minified\) )?v(\d+\.\d+\.\d+)", head)
    assert match is not None, head
    return match.group(1)


def test_the_bundle_is_the_plotly_js_that_plotly_py_writes_figures_for():
    assert version_of(BUNDLE) == version_of(PLOTLY_PY_BUNDLE)
    assert "(cartesian - minified)" in BUNDLE.read_bytes()[:200].decode()


def test_the_bundle_is_a_third_of_the_full_one():
    assert BUNDLE.stat().st_size < 2_000_000 < 4_000_000 < PLOTLY_PY_BUNDLE.stat().st_size


def test_every_trace_type_the_charts_use_is_in_the_bundle():
    """The chart code's trace types (plotly.py's go.X and the figures' "type" keys) are registered in the
    bundle (each trace module registers itself under its name)."""
    code = "".join(
        p.read_text()
        for app in ("reports", "maturity", "surveys")
        for p in (Path(settings.BASE_DIR) / app).rglob("*.py")
    )
    used = {
        name.lower() for name in re.findall(r"\bgo\.(Scatter|Bar|Box|Heatmap|Pie|Violin|Histogram)\(", code)
    }
    traces = "scatter|scattergl|scatterpolar|scatter3d|bar|box|heatmap|pie|violin|histogram|sankey|funnel"
    traces += "|waterfall|indicator|treemap|sunburst|table|parcoords|choropleth|surface"
    used |= set(re.findall(rf'"type":\s*"({traces})"', code))
    assert {"scatter", "bar"} <= used, used
    bundle = BUNDLE.read_text()
    for trace in used:
        assert re.search(rf'name:"{trace}"', bundle), trace


@pytest.mark.django_db
def test_a_page_without_charts_does_not_load_plotly(client, org_admin, organisation):
    client.force_login(org_admin)
    for url in (reverse("home"), reverse("maturity:action_list", args=[organisation.code])):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"plotly" not in response.content, url
