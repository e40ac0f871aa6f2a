"""The chart builders: plain data in, plotly figure dicts out, no database and no Django."""

from __future__ import annotations

import json

import pytest

from reports import charts


def test_percent_is_shown_swedish_style_with_one_decimal_and_a_no_break_space():
    assert charts.format_percent(12.46) == "12,5\u00a0%"
    assert charts.format_percent(12.44) == "12,4\u00a0%"
    assert charts.format_percent(None) == "–"
    assert charts.format_number(-0.04) == "0,0"  # no "-0,0"
    assert charts.format_number(3.14159, 2, decimal=".") == "3.14"


def test_the_matrix_draws_the_cut_off_lines_from_the_questionnaire_and_labels_the_four_fields():
    figure = charts.matrix_figure(
        [charts.MatrixPoint("Kommunen", 55.0, 40.0, "focus", "organisation")],
        capability_cutoff=60.0,
        legacy_cutoff=45.0,
    )
    lines = figure["layout"]["shapes"]
    assert {(s["x0"], s["x1"]) for s in lines} >= {(60.0, 60.0)}
    assert {(s["y0"], s["y1"]) for s in lines} >= {(45.0, 45.0)}
    fields = [a["text"] for a in figure["layout"]["annotations"]]
    assert fields == ["<b>A</b>", "<b>B</b>", "<b>C</b>", "<b>D</b>"]
    a = figure["layout"]["annotations"][0]
    assert a["x"] < 60 and a["y"] < 45  # A: low capability, restricting legacy
    assert figure["layout"]["xaxis"]["range"] == [0, 100] and figure["layout"]["yaxis"]["range"] == [0, 100]
    json.dumps(figure)  # plain JSON


def test_the_matrix_leaves_out_points_without_both_figures_and_tells_kinds_apart_by_symbol():
    figure = charts.matrix_figure(
        [
            charts.MatrixPoint("Kommunen", 55.0, 40.0, "focus", "organisation"),
            charts.MatrixPoint("Social", 30.0, 35.0, "department", "department:1"),
            charts.MatrixPoint("Skola", None, 35.0, "department", "department:2"),  # suppressed
            charts.MatrixPoint("Riket", 50.0, 50.0, "comparison", "comparison:national"),
        ]
    )
    by_kind = {trace["meta"]["kind"]: trace for trace in figure["data"]}
    assert by_kind["department"]["meta"]["keys"] == ["department:1"]
    assert by_kind["department"]["text"] == ["Social"]
    symbols = {trace["marker"]["symbol"] for trace in figure["data"]}
    assert len(symbols) == 3
    assert by_kind["focus"]["mode"] == "markers+text"


def test_every_comparison_set_in_the_matrix_has_a_symbol_of_its_own():
    """The annual report puts every chosen set in the matrix (up to seven with networks): no two look alike,
    and none looks like the organisation, a department or the focus."""
    sets = [
        charts.MatrixPoint(f"Jämförelse {i}", 40.0 + i, 50.0, "comparison", f"comparison:{i}")
        for i in range(8)
    ]
    figure = charts.matrix_figure(
        [
            charts.MatrixPoint("Kommunen", 55.0, 40.0, "focus", "organisation"),
            charts.MatrixPoint("Social", 30.0, 35.0, "department", "department:1"),
            *sets,
        ]
    )
    symbols = [trace["marker"]["symbol"] for trace in figure["data"]]
    assert len(symbols) == 10 and len(set(symbols)) == 10


def test_bars_carry_their_values_as_text_and_differ_by_pattern_not_only_colour():
    figure = charts.bars_figure(
        ["Effektivitet", "Innovation"],
        [charts.Series("Förvaltningen", [61.04, None]), charts.Series("Kommunen", [50.0, 48.0])],
    )
    first, second = figure["data"]
    assert first["text"] == ["61,0\u00a0%", ""]
    assert first["x"] == [61.04, None]
    assert first["marker"]["pattern"]["shape"] != second["marker"]["pattern"]["shape"]
    assert first["marker"]["color"] != second["marker"]["color"]


def test_the_heatmap_writes_each_value_and_too_few_where_a_cell_is_hidden_and_frames_the_largest_gaps():
    figure = charts.heatmap_figure(
        ["Öppna data", "Säkerhet"],
        ["Chefer", "Strateger"],
        [[70.0, None], [40.0, 80.0]],
        highlight_rows=[1],
        suppressed_text="för få",
    )
    trace = figure["data"][0]
    assert trace["text"] == [["70,0\u00a0%", "för få"], ["40,0\u00a0%", "80,0\u00a0%"]]  # a cell is a percent
    assert trace["z"][0][1] is None
    assert [s["y0"] for s in figure["layout"]["shapes"]] == [0.5]
    assert figure["layout"]["yaxis"]["ticktext"][1].startswith("<b>▶")


@pytest.mark.parametrize("values", [[40.0, None, 50.0], [None, None, None]])
def test_the_trend_leaves_gaps_for_hidden_rounds(values):
    figure = charts.trend_figure(["HT 2023", "HT 2024", "HT 2025"], [charts.Series("Sammanlagd", values)])
    trace = figure["data"][0]
    assert trace["y"] == values
    assert trace["connectgaps"] is False
    assert trace["x"] == ["HT 2023", "HT 2024", "HT 2025"]


def test_charts_import_no_django():
    import ast
    from pathlib import Path

    source = Path(charts.__file__).read_text()
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not [name for name in imported if name.startswith("django")]
