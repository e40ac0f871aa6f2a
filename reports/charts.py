"""Charts of the dashboards and the annual report: plain data in, a plotly figure (a JSON-ready dict with
``data`` and ``layout``) out. Pure Python: no Django import (an import-linter contract keeps it so), so
texts arrive already translated and numbers are formatted here with the separators passed in.

Every chart keeps colour from being the only cue: series differ by marker symbol, bar pattern or line dash
as well, and the figures carry their values as text labels. Values that must not be shown (fewer than k
respondents) arrive as ``None`` and are simply absent from the figure; the caller's data table says
"för få svar" for them.

Plotly renders texts (names, labels, hover texts, axis ticks) as a subset of HTML, links included, so every
text that comes in is escaped here (:func:`escape`): a department called ``<a href=…>`` is shown as
written, never as a link. The only markup in a figure is the one this module writes itself.

Why one module of some 900 lines: the chart kinds share the escaping, the number formatting, the
accessible markers, the label wrapping and the layout defaults, and the purity contract names this one
module.

The functions:
- :func:`matrix_figure` – the maturity matrix (capability x, legacy y, cut-off lines, the four fields named
  by type in their corners, numbered department dots placed by :func:`place_numbers`);
- :func:`bars_figure` – horizontal grouped bars of percents (categories, capabilities, departments);
- :func:`heatmap_figure` – capability × respondent group, with the largest gaps marked;
- :func:`trend_figure` – figures over rounds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dimios_web import formatting

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
SYMBOLS = ("circle", "diamond", "square", "triangle-up", "x", "star", "cross", "hexagon")
PATTERNS = ("", "/", ".", "x", "-", "|", "+", "\\")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 12, "color": "#212529"}
LABEL_WIDTH = 34  # characters of a category label on a bar or heatmap axis (the full name is in the hover)


def format_number(value: float | None, decimals: int = 1, *, decimal: str = ",") -> str:
    """``12.46`` → ``"12,5"``: dimios_web.formatting.number in the language of ``decimal``."""
    return formatting.number(value, decimals, language="en" if decimal == "." else "sv")


def format_percent(value: float | None, decimals: int = 1, *, decimal: str = ",") -> str:
    """``12.46`` → ``"12,5 %"`` (``"12.5%"`` with ``decimal="."``): dimios_web.formatting.percent."""
    return formatting.percent(value, decimals, language="en" if decimal == "." else "sv")


def escape(text: object) -> str:
    """Text for plotly: its pseudo-HTML tags cannot start (``<`` ``>``) and ``&`` stays itself. Plotly turns
    these entities back into the characters when it draws, so the name reads as written."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def short_label(text: str, width: int = LABEL_WIDTH) -> str:
    """The label shortened to ``width`` characters, then escaped (shortening never cuts an entity)."""
    text = str(text)
    return escape(text if len(text) <= width else text[: width - 1].rstrip() + "…")


def _layout(*, height: int, decimal: str, **extra) -> dict:
    layout = {
        "autosize": True,
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "font": FONT,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "separators": f"{decimal}\u00a0",
        "legend": {"orientation": "h", "x": 0, "y": -0.12, "yanchor": "top"},
        "hoverlabel": {"namelength": -1},
    }
    layout.update(extra)
    return layout


# --- The maturity matrix ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatrixPoint:
    """One dot: ``kind`` is "focus" (the organisation or department the page is about), "organisation",
    "department" or "comparison" (the mean of other organisations, one set a point). Departments are
    numbered 1, 2, … in the order they come (the caller's table lists them in that order with the same
    numbers, :func:`matrix_numbers`); ``number`` overrides that."""

    label: str
    capability: float | None
    legacy: float | None
    kind: str = "department"
    key: str = ""
    number: int | None = None


@dataclass(frozen=True)
class MatrixLabels:
    x_title: str = "Digital capability (%)"
    y_title: str = "Digital legacy (%)"
    kinds: Mapping[str, str] = field(
        default_factory=lambda: {
            "focus": "This organisation",
            "organisation": "Organisation",
            "department": "Departments (numbered as in the table)",
            "comparison": "Other organisations (mean)",
        }
    )
    # The four types' names as the questionnaire gives them ("Typ A – Begränsad start"); the letter alone
    # when the caller has none.
    fields: Mapping[str, str] = field(default_factory=lambda: {t: t for t in "ABCD"})


MATRIX_STYLE: dict[str, dict[str, Any]] = {
    "focus": {"symbol": "star", "size": 20, "color": "#0072B2"},
    "organisation": {"symbol": "diamond", "size": 16, "color": "#000000"},
    # White discs with a green rim: the department's number is written inside in dark text.
    "department": {"symbol": "circle", "size": 18, "color": "#ffffff", "line": "#009E73"},
    "comparison": {"symbol": "square-open", "size": 12, "color": "#D55E00"},
}
# The comparison sets last: their open symbols drawn over the focus star keep both visible where they meet.
MATRIX_ORDER = ("department", "organisation", "focus", "comparison")
# One open symbol per comparison set: the annual report shows every set the organisation admin chose (up to
# seven with networks), and no two of them may look alike. Each set is also a size larger than the one
# before, so that sets lying on the same spot show as rings around each other.
COMPARISON_SYMBOLS = (
    "square-open",
    "triangle-up-open",
    "triangle-down-open",
    "pentagon-open",
    "hexagon-open",
    "cross-open",
    "star-triangle-up-open",
    "diamond-tall-open",
)
# Not the focus's or the organisation's colours; each at least 3:1 against white.
COMPARISON_COLOURS = ("#D55E00", "#AA4499", "#6F42C1", "#8B4513", "#117733", "#882255", "#B8860B", "#444444")

# The department numbers are placed for the smallest plot area the matrix is drawn in (a phone, 320–375 px
# wide): positions are in data units, so on a larger plot everything only moves further apart and labels
# that were clear of each other stay clear.
MATRIX_MIN_PLOT = (250.0, 230.0)  # width, height in px
# From a chart this wide (px, the container) the plot is at least MATRIX_WIDE_PLOT and the numbers can sit
# nearer their dots: the dashboard on a desktop, the annual report's PDF.
MATRIX_WIDE_FROM = 620
MATRIX_WIDE_PLOT = (520.0, 270.0)
NUMBER_FONT = 11
FIELD_FONT = 11


def matrix_numbers(points: Sequence[MatrixPoint]) -> list[int | None]:
    """The number of each point (aligned with ``points``; None for what is not a department): its own
    ``number``, else its place among the departments (1, 2, …), counting those without figures too, so
    that a table listing the departments in the same order shows the same numbers."""
    numbers: list[int | None] = []
    position = 0
    for p in points:
        if p.kind == "department":
            position += 1
            numbers.append(p.number if p.number is not None else position)
        else:
            numbers.append(None)
    return numbers


def _ticks(values: Sequence[int]) -> dict[str, Any]:
    """Ticks at ``values`` written "25 %" (plotly leaves out ticksuffix on ticks given as an array)."""
    return {"tickmode": "array", "tickvals": list(values), "ticktext": [f"{v}\u00a0%" for v in values]}


def _coordinate(value: float | None) -> float:
    assert value is not None  # matrix_figure leaves out points without both coordinates
    return round(value, 4)


def field_lines(heading: str) -> list[str]:
    """A type's name in short lines for a corner of the matrix: "Typ A – Begränsad start" → ["Typ A",
    "Begränsad start"] (a long rest wrapped at about 20 characters)."""
    for separator in (" – ", " - ", ": "):
        if separator in heading:
            head, rest = heading.split(separator, 1)
            return [head, *wrap_words(rest, 20)]
    return wrap_words(heading, 20)


def wrap_words(text: str, width: int, lines: int = 3) -> list[str]:
    """Words in lines of at most ``width`` characters (a longer word gets a line of its own), at most
    ``lines`` lines, the last shortened with "…" if the text goes on."""
    result: list[str] = []
    for word in str(text).split():
        if result and len(result[-1]) + 1 + len(word) <= width:
            result[-1] += " " + word
        else:
            result.append(word)
    if len(result) > lines:
        last = " ".join(result[lines - 1 :])
        result = result[: lines - 1] + [last[: width - 1].rstrip() + "…"]
    return result or [""]


def wrapped_label(text: str, width: int, lines: int = 3) -> str:
    """The text wrapped (:func:`wrap_words`), each line escaped, joined with plotly's ``<br>``."""
    return "<br>".join(escape(line) for line in wrap_words(text, width, lines))


Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in px of the smallest plot, y upwards


def _overlap(a: Box, b: Box) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width * height if width > 0 and height > 0 else 0.0


def _text_width(text: str, size: float, bold: bool = False) -> float:
    return len(text) * size * (0.64 if bold else 0.58) + 4


def _field_boxes(headings: Mapping[str, list[str]], plot: tuple[float, float]) -> list[Box]:
    width, height = plot
    boxes = []
    for t, lines in headings.items():
        w = max(_text_width(line, FIELD_FONT, bold=(i == 0)) for i, line in enumerate(lines)) + 6
        h = len(lines) * FIELD_FONT * 1.3 + 6
        left = t in "AC"
        bottom = t in "AB"
        x0 = 0.0 if left else width - w
        y0 = 0.0 if bottom else height - h
        boxes.append((x0, y0, x0 + w, y0 + h))
    return boxes


def place_numbers(
    points: Sequence[tuple[float, float, str]],
    obstacles: Sequence[Box],
    *,
    plot: tuple[float, float] = MATRIX_MIN_PLOT,
    marker: float = 18.0,
) -> list[tuple[float, float]]:
    """Where to write each number (x, y in percent): on its own dot when that is free, otherwise on the
    nearest free spot around it (the caller draws a line from the number to the dot). ``points`` are
    (capability, legacy, text); ``obstacles`` the boxes (px of the smallest plot) no number may touch – the
    other dots and the fields' names. Greedy, in the order given; deterministic."""
    width, height = plot
    placed: list[Box] = []
    dots = [(x / 100 * width, y / 100 * height) for x, y, _t in points]
    dot_boxes = [(px - marker / 2, py - marker / 2, px + marker / 2, py + marker / 2) for px, py in dots]
    result = []
    for index, ((px, py), (_x, _y, text)) in enumerate(zip(dots, points, strict=True)):
        w, h = _text_width(text, NUMBER_FONT, bold=True), NUMBER_FONT * 1.4
        others = [b for i, b in enumerate(dot_boxes) if i != index]
        candidates = [(0.0, 0.0)]
        for ring in range(1, 10):
            radius = marker / 2 + 4 + max(w, h) / 2 + (ring - 1) * 10
            steps = 8 + 4 * ring
            for step in range(steps):
                angle = math.pi / 2 - 2 * math.pi * step / steps  # from straight up, clockwise
                candidates.append((radius * math.cos(angle), radius * math.sin(angle)))
        best, best_cost = None, math.inf
        for dx, dy in candidates:
            cx, cy = px + dx, py + dy
            if (dx, dy) != (0.0, 0.0):
                # A moved number's place to a tenth of a percent: never mistaken for a figure (which has four
                # decimals), and it tells nothing that the dots do not.
                cx = round(cx / width * 100, 1) / 100 * width
                cy = round(cy / height * 100, 1) / 100 * height
            box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            if box[0] < 0 or box[1] < 0 or box[2] > width or box[3] > height:
                continue
            blocking = [*placed, *obstacles] + ([] if (dx, dy) == (0.0, 0.0) else [dot_boxes[index]])
            cost = sum(_overlap(box, b) for b in blocking) * 1000 + sum(_overlap(box, b) for b in others)
            if cost == 0:
                best = box
                break
            if cost < best_cost:
                best, best_cost = box, cost
        assert best is not None  # the dot itself lies in the plot, so some candidate does
        placed.append(best)
        x, y = (best[0] + best[2]) / 2 / width * 100, (best[1] + best[3]) / 2 / height * 100
        on_dot = abs(x - points[index][0]) < 1e-6 and abs(y - points[index][1]) < 1e-6
        result.append((points[index][0], points[index][1]) if on_dot else (round(x, 1), round(y, 1)))
    return result


def _number_annotations(
    departments: Sequence[MatrixPoint],
    texts: Sequence[str],
    others: Sequence[tuple[float, MatrixPoint]],
    headings: Mapping[str, list[str]],
    plot: tuple[float, float],
) -> list[dict[str, Any]]:
    """The departments' numbers as annotations, placed (:func:`place_numbers`) for a plot of ``plot`` px:
    clear of each other, of the other dots (``others``: marker size and point) and of the fields' names."""
    width, height = plot
    obstacles = _field_boxes(headings, plot)
    for size, p in others:
        half = size / 2 + 1
        px, py = _coordinate(p.capability) / 100 * width, _coordinate(p.legacy) / 100 * height
        obstacles.append((px - half, py - half, px + half, py + half))
    spots = place_numbers(
        [
            (_coordinate(p.capability), _coordinate(p.legacy), t)
            for p, t in zip(departments, texts, strict=True)
        ],
        obstacles,
        plot=plot,
        marker=MATRIX_STYLE["department"]["size"],
    )
    annotations = []
    for p, text, (lx, ly) in zip(departments, texts, spots, strict=True):
        x, y = _coordinate(p.capability), _coordinate(p.legacy)
        on_dot = abs(lx - x) < 1e-6 and abs(ly - y) < 1e-6
        number: dict[str, Any] = {
            "x": x,
            "y": y,
            "xref": "x",
            "yref": "y",
            "text": f"<b>{text}</b>",
            "font": {"size": NUMBER_FONT, "color": "#212529"},
            "showarrow": not on_dot,
            "meta": {"number": text, "key": p.key},
        }
        if not on_dot:
            number.update(
                {
                    "ax": lx,
                    "ay": ly,
                    "axref": "x",
                    "ayref": "y",
                    "arrowhead": 0,
                    "arrowwidth": 1,
                    "arrowcolor": "#495057",
                    "standoff": MATRIX_STYLE["department"]["size"] / 2,
                    "bgcolor": "rgba(255,255,255,0.9)",
                }
            )
        annotations.append(number)
    return annotations


def matrix_figure(
    points: Sequence[MatrixPoint],
    *,
    capability_cutoff: float = 50.0,
    legacy_cutoff: float = 50.0,
    labels: MatrixLabels | None = None,
    decimal: str = ",",
    height: int = 480,
) -> dict:
    """The maturity matrix: capability on x, legacy on y (both 0–100 %), the two cut-off lines, the four
    fields named by their types in their outer corners (A low–restricting … D high–enabling), one trace per
    kind of point. Departments are numbered dots (the numbers as in the table, never overlapping: see
    :func:`place_numbers`); the focus, the organisation and each comparison set have a symbol of their own
    and a legend entry. Points without both coordinates (suppressed or undefined) are left out."""
    labels = labels or MatrixLabels()
    x_title, y_title = escape(labels.x_title), escape(labels.y_title)
    numbers = {id(p): n for p, n in zip(points, matrix_numbers(points), strict=True) if n is not None}
    data = []
    groups: list[tuple[str, str, list[MatrixPoint], dict]] = []
    for kind in MATRIX_ORDER:
        shown = [p for p in points if p.kind == kind and p.capability is not None and p.legacy is not None]
        if not shown:
            continue
        style = MATRIX_STYLE.get(kind, MATRIX_STYLE["department"])
        if kind == "comparison":
            # one trace (and legend entry) per comparison mean, each with its own open symbol and size
            for i, point in enumerate(shown):
                groups.append(
                    (
                        kind,
                        escape(point.label),
                        [point],
                        {
                            **style,
                            "symbol": COMPARISON_SYMBOLS[i % len(COMPARISON_SYMBOLS)],
                            "size": 12 + 4 * i,
                            "color": COMPARISON_COLOURS[i % len(COMPARISON_COLOURS)],
                        },
                    )
                )
        else:
            groups.append((kind, escape(labels.kinds.get(kind, kind)), shown, style))
    department_points: list[MatrixPoint] = []
    for kind, name, shown, style in groups:
        if kind == "department":
            department_points = shown
        names = [(f"{numbers[id(p)]}. " if id(p) in numbers else "") + escape(p.label) for p in shown]
        open_symbol = "open" in style["symbol"]
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": name,
                "x": [_coordinate(p.capability) for p in shown],
                "y": [_coordinate(p.legacy) for p in shown],
                "customdata": [
                    [
                        label,
                        format_percent(p.capability, decimal=decimal),
                        format_percent(p.legacy, decimal=decimal),
                        p.key,
                    ]
                    for label, p in zip(names, shown, strict=True)
                ],
                "hovertemplate": (
                    "<b>%{customdata[0]}</b><br>"
                    + x_title
                    + ": %{customdata[1]}<br>"
                    + y_title
                    + ": %{customdata[2]}<extra></extra>"
                ),
                "cliponaxis": False,
                "marker": {
                    "symbol": style["symbol"],
                    "size": style["size"],
                    "color": style["color"],
                    "line": {
                        "width": 2 if kind == "department" or open_symbol else 1,
                        "color": style.get("line", style["color"] if open_symbol else "#ffffff"),
                    },
                },
                "meta": {"kind": kind, "keys": [p.key for p in shown]},
            }
        )
    headings = {t: field_lines(labels.fields.get(t, t)) for t in "ABCD"}
    annotations: list[dict[str, Any]] = []
    for t, lines in headings.items():
        left, bottom = t in "AC", t in "AB"
        annotations.append(
            {
                "x": 0 if left else 100,
                "y": 0 if bottom else 100,
                "xref": "x",
                "yref": "y",
                "xanchor": "left" if left else "right",
                "yanchor": "bottom" if bottom else "top",
                "align": "left" if left else "right",
                "text": "<br>".join(
                    f"<b>{escape(line)}</b>" if i == 0 else escape(line) for i, line in enumerate(lines)
                ),
                "showarrow": False,
                "font": {"size": FIELD_FONT, "color": "#343a40"},
                "bgcolor": "rgba(255,255,255,0.85)",
                "borderpad": 2,
                "meta": {"field": t},
            }
        )
    texts = [str(numbers[id(p)]) for p in department_points]
    others = [
        (style["size"], p) for kind, _name, shown, style in groups if kind != "department" for p in shown
    ]
    # The numbers for a plot of at least MATRIX_WIDE_PLOT; charts.js and report-charts.js put in the narrow
    # variant (meta.matrix.narrow) when the chart is drawn smaller.
    annotations += _number_annotations(department_points, texts, others, headings, MATRIX_WIDE_PLOT)
    narrow = _number_annotations(department_points, texts, others, headings, MATRIX_MIN_PLOT)
    line = {"color": "#495057", "width": 1.5, "dash": "dash"}
    shapes = [
        {"type": "line", "x0": capability_cutoff, "x1": capability_cutoff, "y0": 0, "y1": 100, "line": line},
        {"type": "line", "x0": 0, "x1": 100, "y0": legacy_cutoff, "y1": legacy_cutoff, "line": line},
    ]
    axis = {
        "range": [0, 100],
        "gridcolor": "#e9ecef",
        "zeroline": False,
        "showline": True,
        "linecolor": "#adb5bd",
        "mirror": True,
        "fixedrange": True,
        "automargin": True,
    }
    return {
        "data": data,
        "layout": _layout(
            height=height,
            decimal=decimal,
            # The origin's "0 %" is written once, under the capability axis; room right for "100 %".
            margin={"l": 10, "r": 24, "t": 10, "b": 10},
            xaxis={**axis, **_ticks([0, 25, 50, 75, 100]), "title": {"text": x_title}},
            yaxis={**axis, **_ticks([25, 50, 75, 100]), "title": {"text": y_title}},
            shapes=shapes,
            annotations=annotations,
            # above the plot: below it, a legend of many rows (seven comparison sets in the report) ran
            # into the axis title wherever the plot was low
            legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
            meta={
                "matrix": {
                    "numbers": {p.key or p.label: numbers[id(p)] for p in department_points},
                    "narrow": narrow,
                    "wide_from": MATRIX_WIDE_FROM,
                }
            },
        ),
    }


# --- Bars ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """One set of values, aligned with the chart's categories; ``None`` = not shown."""

    name: str
    values: Sequence[float | None]


def bars_figure(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    decimal: str = ",",
    x_title: str = "",
    highlight: Sequence[int] = (),
    row_height: int = 22,
) -> dict:
    """Horizontal grouped bars, 0–100 %, one category per row (the first at the top). Each series has
    its own colour and fill pattern, and every bar carries its value as text."""
    names = [short_label(c) for c in categories]
    data = []
    for i, s in enumerate(series):
        series_name = escape(s.name)
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": series_name,
                "y": names,
                "x": [None if v is None else round(v, 4) for v in s.values],
                "text": [("" if v is None else format_percent(v, decimal=decimal)) for v in s.values],
                "textposition": "outside",
                "cliponaxis": False,
                "customdata": [escape(c) for c in categories],
                "hovertemplate": "%{customdata}<br>" + series_name + ": %{text}<extra></extra>",
                "marker": {
                    "color": PALETTE[i % len(PALETTE)],
                    "pattern": {
                        "shape": PATTERNS[i % len(PATTERNS)],
                        "fillmode": "overlay",
                        "fgcolor": "#ffffff",
                        "solidity": 0.3,
                    },
                    "line": {"color": "#212529", "width": 0.5},
                },
            }
        )
    # On the axis the names wrap into two lines (the full name is in the hover and the table); on a phone
    # charts.js wraps the full names (``meta.tick_names``) into narrower lines instead of cutting them.
    wrapped = [wrapped_label(c, LABEL_WIDTH // 2 + 4, 2) for c in categories]
    ticktext = [f"<b>▶ {n}</b>" if i in set(highlight) else n for i, n in enumerate(wrapped)]
    height = max(180, 60 + len(categories) * max(2, len(series)) * row_height)
    return {
        "data": data,
        "layout": _layout(
            height=height,
            decimal=decimal,
            barmode="group",
            bargap=0.25,
            # above the bars: below a tall chart the legend floats far from them
            legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
            xaxis={
                "range": [0, 112],
                **_ticks([0, 25, 50, 75, 100]),
                "title": {"text": escape(x_title)},
                "gridcolor": "#e9ecef",
                "automargin": True,
            },
            yaxis={
                "autorange": "reversed",
                "automargin": True,
                "tickmode": "array",
                "tickvals": names,
                "ticktext": ticktext,
            },
            meta={"tick_names": [escape(c) for c in categories], "highlight": sorted(set(highlight))},
        ),
    }


# --- Heatmap ------------------------------------------------------------------------------------------------


def heatmap_figure(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[float | None]],
    *,
    highlight_rows: Sequence[int] = (),
    suppressed_text: str = "–",
    gap_text: str = "largest gap",
    decimal: str = ",",
) -> dict:
    """Capabilities (rows) × respondent groups (columns), percent in each cell written out; a cell that
    must not be shown is blank with ``suppressed_text``. Rows with the largest gaps between groups are
    marked with an arrow and bold label (not by colour alone)."""
    highlighted = set(highlight_rows)
    names = [wrapped_label(r, 22, 2) for r in rows]
    ticktext = [f"<b>▶ {n}</b>" if i in highlighted else n for i, n in enumerate(names)]
    text = [
        [(escape(suppressed_text) if v is None else format_percent(v, decimal=decimal)) for v in row]
        for row in values
    ]
    data = [
        {
            "type": "heatmap",
            "x": [short_label(c, 18) for c in columns],
            "y": list(range(len(rows))),
            "z": [[None if v is None else round(v, 4) for v in row] for row in values],
            "zmin": 0,
            "zmax": 100,
            "text": text,
            "texttemplate": "%{text}",
            "textfont": {"size": 11},
            "customdata": [[escape(r)] * len(columns) for r in rows],
            "hovertemplate": "%{customdata}<br>%{x}: %{text}<extra></extra>",
            "colorscale": [[0, "#f7fbff"], [0.5, "#6baed6"], [1, "#08306b"]],
            "colorbar": {"ticksuffix": "\u00a0%", "thickness": 10, "len": 0.8},
            "xgap": 2,
            "ygap": 2,
        }
    ]
    shapes = [
        {
            "type": "rect",
            "xref": "paper",
            "x0": 0,
            "x1": 1,
            "y0": i - 0.5,
            "y1": i + 0.5,
            "line": {"color": "#D55E00", "width": 3},
        }
        for i in sorted(highlighted)
    ]
    return {
        "data": data,
        "layout": _layout(
            height=max(220, 90 + 32 * len(rows)),
            decimal=decimal,
            xaxis={"side": "top", "automargin": True, "tickangle": -30},
            yaxis={
                "autorange": "reversed",
                "automargin": True,
                "tickmode": "array",
                "tickvals": list(range(len(rows))),
                "ticktext": ticktext,
            },
            shapes=shapes,
            meta={
                "gap_text": escape(gap_text),
                "tick_names": [escape(r) for r in rows],
                "highlight": sorted(highlighted),
            },
        ),
    }


# --- Trend --------------------------------------------------------------------------------------------------


def trend_figure(
    periods: Sequence[str],
    series: Sequence[Series],
    *,
    decimal: str = ",",
    y_title: str = "",
) -> dict:
    """Lines over rounds (oldest first); gaps where a value is not shown. Series differ by colour, marker
    and dash. Only each line's latest value is written out, beside its end, moved apart from the others
    (:func:`spread_apart`) so that no two values are printed on top of each other; every value is in the
    hover and in the table."""
    data = []
    ends: list[tuple[int, float, str]] = []  # (period index, value, text) of each line's latest value
    for i, s in enumerate(series):
        series_name = escape(s.name)
        values = [None if v is None else round(v, 4) for v in s.values]
        texts = [("" if v is None else format_percent(v, decimal=decimal)) for v in s.values]
        last = max((k for k, v in enumerate(values) if v is not None), default=None)
        if last is not None:
            ends.append((last, values[last] or 0.0, texts[last]))
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": series_name,
                "x": [escape(p) for p in periods],
                "y": values,
                "text": texts,
                "cliponaxis": False,
                "hovertemplate": series_name + " %{x}: %{text}<extra></extra>",
                "connectgaps": False,
                "line": {"color": PALETTE[i % len(PALETTE)], "width": 2.5, "dash": DASHES[i % len(DASHES)]},
                "marker": {
                    "symbol": SYMBOLS[i % len(SYMBOLS)],
                    "size": 10,
                    "color": PALETTE[i % len(PALETTE)],
                },
            }
        )
    annotations = []
    for index in sorted({e[0] for e in ends}):
        at = [e for e in ends if e[0] == index]
        positions = spread_apart([v for _i, v, _t in at], gap=TREND_LABEL_GAP, low=0, high=105)
        for (_i, value, text), y in zip(at, positions, strict=True):
            annotations.append(
                {
                    "x": escape(periods[index]),
                    # moved off its value: to a tenth, never mistaken for a figure
                    "y": value if y == value else round(y, 1),
                    "xref": "x",
                    "yref": "y",
                    "xanchor": "left",
                    "xshift": 9,
                    "text": text,
                    "showarrow": False,
                    "font": {"size": 11, "color": "#212529"},
                }
            )
    return {
        "data": data,
        "layout": _layout(
            height=360,
            decimal=decimal,
            margin={"l": 10, "r": 10, "t": 10, "b": 10},
            # room right of the latest round for its values
            xaxis={"type": "category", "automargin": True, "range": [-0.3, len(periods) - 1 + 0.75]},
            yaxis={
                "range": [0, 105],
                "ticksuffix": "\u00a0%",
                "title": {"text": escape(y_title)},
                "gridcolor": "#e9ecef",
                "automargin": True,
            },
            annotations=annotations,
        ),
    }


# Values written at the end of the trend lines are at least this many percentage points apart: about one
# line of text on the plot a phone draws (some 170 px for 105 points).
TREND_LABEL_GAP = 9.0


def spread_apart(values: Sequence[float], *, gap: float, low: float, high: float) -> list[float]:
    """Positions for labels of ``values`` (in their order), each as near its value as can be while any two
    are at least ``gap`` apart and all lie within ``low``–``high``."""
    order = sorted(range(len(values)), key=lambda k: values[k])
    positions = [0.0] * len(values)
    previous = -math.inf
    for k in order:
        # a moved label up to the next tenth (the caller writes it to a tenth: the gap stays whole)
        above = previous + gap
        positions[k] = values[k] if values[k] >= above else math.ceil(round(above * 10, 6)) / 10
        previous = positions[k]
    overflow = max(positions, default=low) - high
    if overflow > 0:  # pushed past the top: move the whole stack down
        positions = [p - overflow for p in positions]
    return [max(low, p) for p in positions]


# --- Distribution of a comparison set ----------------------------------------------------------------------


@dataclass(frozen=True)
class SpreadRow:
    """One comparison set: its quartiles, extremes and mean, and the focus's own value in it."""

    label: str
    minimum: float
    q1: float
    median: float
    q3: float
    maximum: float
    mean: float
    own: float | None = None


SPREAD_LABEL_WIDTH = 24  # a set's name beside its box (the full name is in the table and the hover)


def distribution_figure(
    rows: Sequence[SpreadRow],
    *,
    own_name: str,
    mean_name: str,
    decimal: str = ",",
    x_title: str = "",
    bounds: tuple[float, float] = (0, 100),
    tick_suffix: str = "\u00a0%",
) -> dict:
    """Horizontal box plots, 0–100 %, one comparison set a row (the first at the top), drawn from the stored
    quartiles (the whisker ends are the lowest and highest values), the set's mean as a diamond and the
    focus's own value as a star with its value written beside it."""
    names = [short_label(r.label, SPREAD_LABEL_WIDTH) for r in rows]
    hover = "%{customdata}<extra></extra>"
    spread = {
        "type": "box",
        "orientation": "h",
        "name": "",
        "showlegend": False,
        "y": names,
        "q1": [round(r.q1, 4) for r in rows],
        "median": [round(r.median, 4) for r in rows],
        "q3": [round(r.q3, 4) for r in rows],
        "lowerfence": [round(r.minimum, 4) for r in rows],
        "upperfence": [round(r.maximum, 4) for r in rows],
        "fillcolor": "rgba(86, 180, 233, 0.35)",
        "line": {"color": "#0072B2", "width": 1.5},
        "hoverinfo": "skip",
    }
    means = {
        "type": "scatter",
        "mode": "markers",
        "name": escape(mean_name),
        "y": names,
        "x": [round(r.mean, 4) for r in rows],
        "marker": {
            "symbol": "diamond",
            "size": 10,
            "color": "#D55E00",
            "line": {"color": "#212529", "width": 1},
        },
        "customdata": [
            escape(f"{r.label}: {mean_name} {format_percent(r.mean, decimal=decimal)}") for r in rows
        ],
        "hovertemplate": hover,
    }
    own_rows = [r for r in rows if r.own is not None]
    own = {
        "type": "scatter",
        "mode": "markers+text",
        "name": escape(own_name),
        "y": [short_label(r.label, SPREAD_LABEL_WIDTH) for r in own_rows],
        "x": [round(r.own, 4) for r in own_rows if r.own is not None],
        "text": [format_percent(r.own, decimal=decimal) for r in own_rows],
        "textposition": "top center",
        "cliponaxis": False,
        "marker": {"symbol": "star", "size": 16, "color": "#000000"},
        "customdata": [escape(f"{own_name}: {format_percent(r.own, decimal=decimal)}") for r in own_rows],
        "hovertemplate": hover,
    }
    height = max(200, 90 + len(rows) * 56)
    # The axis spans the values in steps of ten (not 0–100: the boxes would be slivers on a phone).
    low = min([r.minimum for r in rows] + [r.own for r in own_rows if r.own is not None], default=0.0)
    high = max([r.maximum for r in rows] + [r.own for r in own_rows if r.own is not None], default=100.0)
    # ``bounds``: the widest the axis may span (-100–100 for a change in percentage points).
    start = max(int(bounds[0]), int((low - 2) // 10) * 10)
    end = min(int(bounds[1]), int(-(-(high + 2) // 10)) * 10)
    return {
        "data": [spread, means, own],
        "layout": _layout(
            height=height,
            decimal=decimal,
            margin={"l": 10, "r": 20, "t": 40, "b": 10},
            legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
            xaxis={
                "range": [start - 0.5, end + 0.5],
                "tickmode": "array",
                "tickvals": list(range(start, end + 1, 10)),
                "ticktext": [f"{v}{escape(tick_suffix)}" for v in range(start, end + 1, 10)],
                "title": {"text": escape(x_title)},
                "gridcolor": "#e9ecef",
                "zeroline": bounds[0] < 0,
                "automargin": True,
            },
            yaxis={"autorange": "reversed", "automargin": True, "tickmode": "array", "tickvals": names},
        ),
    }


# --- The national matrix ------------------------------------------------------------------------------------

TYPE_SYMBOLS = {"A": "circle", "B": "diamond", "C": "square", "D": "triangle-up"}


def national_matrix_figure(
    points: Sequence[tuple[float, float, str]],
    *,
    capability_cutoff: float = 50.0,
    legacy_cutoff: float = 50.0,
    labels: MatrixLabels | None = None,
    type_names: Mapping[str, str] | None = None,
    decimal: str = ",",
    height: int = 520,
) -> dict:
    """The maturity matrix of many unnamed organisations: (capability, legacy, type) points, one trace per
    type A–D with its own symbol and colour (the legend names the type), small translucent markers, the
    hover saying only the two values; the axes, cut-off lines and fields are :func:`matrix_figure`'s."""
    labels = labels or MatrixLabels()
    figure = matrix_figure(
        [], capability_cutoff=capability_cutoff, legacy_cutoff=legacy_cutoff, labels=labels, decimal=decimal
    )
    figure["layout"]["height"] = height
    x_title, y_title = escape(labels.x_title), escape(labels.y_title)
    names = type_names or {}
    for i, kind in enumerate(TYPE_SYMBOLS):
        shown = [(x, y) for x, y, t in points if t == kind]
        if not shown:
            continue
        figure["data"].append(
            {
                "type": "scatter",  # SVG: scattergl needs WebGL, which not every browser has
                "mode": "markers",
                "name": escape(names.get(kind, kind)),
                "x": [round(x, 4) for x, _y in shown],
                "y": [round(y, 4) for _x, y in shown],
                "customdata": [
                    [format_percent(x, decimal=decimal), format_percent(y, decimal=decimal)] for x, y in shown
                ],
                "hovertemplate": (
                    x_title + ": %{customdata[0]}<br>" + y_title + ": %{customdata[1]}<extra></extra>"
                ),
                "marker": {
                    "symbol": TYPE_SYMBOLS[kind],
                    "size": 7,
                    "color": PALETTE[i % len(PALETTE)],
                    "opacity": 0.6,
                    "line": {"width": 0.5, "color": "#ffffff"},
                },
                "meta": {"kind": "type", "type": kind},
            }
        )
    return figure
