"""The charts of the annual report, made with the dashboards' figure builders (``reports.charts``) from the
report's content (``reports.selectors.annual.get_report_content``). Texts are translated here, in the
report's language; the figures are plain JSON-ready dicts stored with the content."""

from __future__ import annotations

from django.utils.translation import gettext as _

from dimios_web import localformat

from . import charts


def decimal_separator() -> str:
    return localformat.decimal_separator()


def _matrix_labels(types: dict | None, *, department: bool = False) -> charts.MatrixLabels:
    return charts.MatrixLabels(
        x_title=_("Digital capability (%)"),
        y_title=_("Digital legacy (%)"),
        kinds={
            "focus": _("This department") if department else _("This organisation"),
            "organisation": _("The whole organisation"),
            "department": _("Departments (numbered as in the table)"),
            "comparison": _("Other organisations (mean)"),
        },
        # a report built before the types were stored with it shows the letters
        fields=types or {t: t for t in "ABCD"},
    )


# The bar charts show the organisation and at most this many comparison sets (the first the organisation
# admin chose); the table under each chart gives every chosen set (docs/annual-report.md).
BAR_COMPARISON_SETS = 3
# The capabilities' chart (some thirty rows) shows only the first chosen set: with three it was taller than
# an A4 page and the PDF cut it in two.
CAPABILITY_BAR_SETS = 1


def _comparison_series(
    rows: list[dict], own_label: str, columns: list[dict], sets: int = BAR_COMPARISON_SETS
) -> list[charts.Series]:
    series = [charts.Series(own_label, [r["percent"] for r in rows])]
    for index, column in enumerate(columns[:sets]):
        values = [r["comparisons"][index] for r in rows]
        if any(v is not None for v in values):
            series.append(charts.Series(column["label"], values))
    return series


def build_figures(content: dict) -> dict:
    """All figures of the report, keyed by the id of the element that shows them."""
    decimal = decimal_separator()
    matrix = content["matrix"]
    kinds = {"organisation": "focus", "department": "department", "comparison": "comparison"}
    types = matrix.get("types")
    # Departments are numbered dots (the table under the chart gives the same numbers with the names); the
    # organisation and each comparison set have a symbol of their own in the legend.
    overview_matrix = charts.matrix_figure(
        [
            charts.MatrixPoint(
                p["name"], p["capability"], p["legacy"], kind=kinds[p["kind"]], number=p.get("number")
            )
            for p in matrix["points"]
        ],
        capability_cutoff=matrix["capability_cutoff"],
        legacy_cutoff=matrix["legacy_cutoff"],
        labels=_matrix_labels(types),
        decimal=decimal,
    )
    figures = {
        "chart-matrix": overview_matrix,
        "chart-categories": charts.bars_figure(
            [r["name"] for r in content["categories"]],
            _comparison_series(
                content["categories"], content["organisation"]["name"], content["comparison_columns"]
            ),
            decimal=decimal,
        ),
        "chart-capabilities": charts.bars_figure(
            [r["name"] for r in content["capabilities"]],
            _comparison_series(
                content["capabilities"],
                content["organisation"]["name"],
                content["comparison_columns"],
                CAPABILITY_BAR_SETS,
            ),
            decimal=decimal,
            row_height=14,  # two lines of name per capability; the chart still fits an A4 page
        ),
    }
    # 10 px names: two lines of them fit a capability's 28 px, the twelve-pixel ones touched the next row's
    figures["chart-capabilities"]["layout"]["yaxis"]["tickfont"] = {"size": 10}
    organisation_point = next((p for p in matrix["points"] if p["kind"] == "organisation"), None)
    for department in content["departments"]:
        if department["capability"] is None or department["legacy"] is None:
            continue
        points = [
            charts.MatrixPoint(
                department["name"], department["capability"], department["legacy"], kind="focus"
            )
        ]
        if organisation_point:
            points.append(
                charts.MatrixPoint(
                    content["organisation"]["name"],
                    organisation_point["capability"],
                    organisation_point["legacy"],
                    kind="organisation",
                )
            )
        figures[department["chart_id"]] = charts.matrix_figure(
            points,
            capability_cutoff=matrix["capability_cutoff"],
            legacy_cutoff=matrix["legacy_cutoff"],
            labels=_matrix_labels(types, department=True),
            decimal=decimal,
            height=400,
        )
    groups = content["group_capabilities"]
    if len(groups["groups"]) >= 2:
        top_gaps = {row["code"] for row in content["group_gaps"][:3]}
        figures["chart-groups"] = charts.heatmap_figure(
            [row["name"] for row in groups["rows"]],
            groups["groups"],
            [row["values"] for row in groups["rows"]],
            highlight_rows=[i for i, row in enumerate(groups["rows"]) if row["code"] in top_gaps],
            suppressed_text=_("too few responses"),
            gap_text=_("largest gap"),
            decimal=decimal,
        )
        figures["chart-groups"]["layout"]["yaxis"]["tickfont"] = {"size": 10}  # two lines a row, as above
    return figures
