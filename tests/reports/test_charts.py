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
    assert by_kind["department"]["customdata"][0][0] == "1. Social"  # the hover names the numbered dot
    symbols = {trace["marker"]["symbol"] for trace in figure["data"]}
    assert len(symbols) == 3
    # no names printed in the plot: the legend names the focus and the comparison, numbers the departments
    assert {trace["mode"] for trace in figure["data"]} == {"markers"}
    assert by_kind["focus"]["name"] == "This organisation"


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


TYPES = {
    "A": "Typ A – Begränsad start",
    "B": "Typ B – Vilja utan bärkraft",
    "C": "Typ C – Outnyttjad grund",
    "D": "Typ D – Digitalt mogen",
}


def _crowded(n: int = 20) -> list[charts.MatrixPoint]:
    """n departments with long names crowded round the middle, and the organisation among them."""
    points = [
        charts.MatrixPoint(
            f"Samhällsbyggnadsförvaltningen – avdelningen för planering {i}",
            48.0 + (i % 5) * 1.5,
            47.0 + (i // 5) * 1.5,
            "department",
            f"department:{i}",
        )
        for i in range(1, n + 1)
    ]
    points.insert(3, charts.MatrixPoint("Förskolan", None, 40.0, "department", "department:hidden"))
    points.append(charts.MatrixPoint("Linköpings kommun", 50.0, 50.0, "focus", "organisation"))
    return points


def test_the_matrix_names_its_fields_by_type_in_their_outer_corners():
    figure = charts.matrix_figure([], labels=charts.MatrixLabels(fields=TYPES))
    fields = {a["meta"]["field"]: a for a in figure["layout"]["annotations"] if "field" in a.get("meta", {})}
    assert fields["A"]["text"] == "<b>Typ A</b><br>Begränsad start"
    assert fields["D"]["text"] == "<b>Typ D</b><br>Digitalt mogen"
    assert (fields["A"]["x"], fields["A"]["y"], fields["A"]["xanchor"], fields["A"]["yanchor"]) == (
        0,
        0,
        "left",
        "bottom",
    )
    assert (fields["D"]["x"], fields["D"]["y"], fields["D"]["xanchor"], fields["D"]["yanchor"]) == (
        100,
        100,
        "right",
        "top",
    )
    # readable: dark text, not a pale letter
    assert all(a["font"]["color"] == "#343a40" and a["font"]["size"] >= 11 for a in fields.values())


def test_the_matrix_axes_run_from_0_to_100_with_one_0_at_the_origin():
    layout = charts.matrix_figure(_crowded())["layout"]
    assert layout["xaxis"]["range"] == [0, 100] and layout["yaxis"]["range"] == [0, 100]
    assert 0 in layout["xaxis"]["tickvals"] and 0 not in layout["yaxis"]["tickvals"]
    assert layout["yaxis"]["tickvals"][-1] == 100


def test_departments_are_numbered_as_in_the_table_and_the_numbers_never_overlap():
    points = _crowded()
    figure = charts.matrix_figure(points, labels=charts.MatrixLabels(fields=TYPES))
    numbers = [a for a in figure["layout"]["annotations"] if "number" in a.get("meta", {})]
    # the hidden department keeps its place in the count: the table lists it (number 4) without a dot
    expected = charts.matrix_numbers(points)
    assert expected[:6] == [1, 2, 3, 4, 5, 6]
    by_key = {p.key: n for p, n in zip(points, expected, strict=True) if n}
    assert {a["meta"]["key"]: int(a["meta"]["number"]) for a in numbers} == {
        k: n for k, n in by_key.items() if k != "department:hidden"
    }
    assert len(numbers) == 20
    # every number's box clear of the others and of the fields' names: on the wide plot (a desktop, the
    # PDF) and on the narrow one (a phone), whose numbers charts.js puts in
    narrow = figure["layout"]["meta"]["matrix"]["narrow"]
    assert [a["meta"]["number"] for a in narrow] == [a["meta"]["number"] for a in numbers]
    for plot, shown in ((charts.MATRIX_WIDE_PLOT, numbers), (charts.MATRIX_MIN_PLOT, narrow)):
        width, height = plot
        boxes = []
        for a in shown:
            x, y = a.get("ax", a["x"]), a.get("ay", a["y"])
            w = charts._text_width(a["meta"]["number"], charts.NUMBER_FONT, bold=True)
            h = charts.NUMBER_FONT * 1.4
            px, py = x / 100 * width, y / 100 * height
            boxes.append((px - w / 2, py - h / 2, px + w / 2, py + h / 2))
        fields = charts._field_boxes({t: charts.field_lines(TYPES[t]) for t in "ABCD"}, plot)
        for i, box in enumerate(boxes):
            assert box[0] >= 0 and box[2] <= width and box[1] >= 0 and box[3] <= height
            assert not [b for b in boxes[i + 1 :] + fields if charts._overlap(box, b)], (plot, i)
    # a number moved off its dot has a line to it
    moved = [a for a in numbers if "ax" in a]
    assert moved and all(a["showarrow"] and a["axref"] == "x" for a in moved)
    # the hover says number and full name
    departments = next(t for t in figure["data"] if t["meta"]["kind"] == "department")
    assert departments["customdata"][0][0] == "1. Samhällsbyggnadsförvaltningen – avdelningen för planering 1"


def test_a_lone_department_has_its_number_on_its_dot():
    figure = charts.matrix_figure([charts.MatrixPoint("Social", 30.0, 35.0, "department", "d:1")])
    (number,) = [a for a in figure["layout"]["annotations"] if "number" in a.get("meta", {})]
    assert (number["x"], number["y"], number["text"], number["showarrow"]) == (30.0, 35.0, "<b>1</b>", False)


def test_comparison_sets_on_the_same_spot_stay_apart_by_symbol_size_and_colour():
    sets = [charts.MatrixPoint(f"Set {i}", 50.0, 50.0, "comparison", f"comparison:{i}") for i in range(4)]
    traces = charts.matrix_figure(sets)["data"]
    markers = [(t["marker"]["symbol"], t["marker"]["size"]) for t in traces]
    assert len({m[0] for m in markers}) == 4
    assert [m[1] for m in markers] == sorted({m[1] for m in markers})  # each a size larger: rings
    assert [t["name"] for t in traces] == ["Set 0", "Set 1", "Set 2", "Set 3"]  # each in the legend


def test_the_trend_writes_only_each_lines_latest_value_and_never_two_on_one_spot():
    figure = charts.trend_figure(
        ["HT 2024", "HT 2025", "HT 2026"],
        [
            charts.Series("Övergripande", [50.0, 52.0, 55.0]),
            charts.Series("Förmåga", [51.0, 53.0, 56.0]),
            charts.Series("Arv", [49.0, 52.5, 54.0]),
            charts.Series("Kommunen", [48.0, None, None]),
        ],
    )
    assert {t["mode"] for t in figure["data"]} == {"lines+markers"}
    labels = figure["layout"]["annotations"]
    assert sorted(a["text"] for a in labels) == ["48,0\u00a0%", "54,0\u00a0%", "55,0\u00a0%", "56,0\u00a0%"]
    at_end = sorted(a["y"] for a in labels if a["x"] == "HT 2026")
    assert all(b - a >= charts.TREND_LABEL_GAP for a, b in zip(at_end, at_end[1:], strict=False))
    assert [a["y"] for a in labels if a["x"] == "HT 2024"] == [48.0]


def test_long_category_names_wrap_instead_of_being_cut():
    name = "Samhällsbyggnadsförvaltningen – avdelningen för hållbar utveckling"
    figure = charts.bars_figure([name], [charts.Series("Kommunen", [50.0])])
    tick = figure["layout"]["yaxis"]["ticktext"][0]
    assert "<br>" in tick
    assert tick.replace("<br>", " ").startswith("Samhällsbyggnadsförvaltningen – avdelningen")
    assert figure["layout"]["meta"]["tick_names"] == [name]  # charts.js wraps these on a phone


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
