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

Why one module of some 440 lines: the five chart kinds share the escaping, the number formatting, the
accessible markers and the layout defaults, and the purity contract names this one module.

The functions:
- :func:`matrix_figure` – the maturity matrix (capability x, legacy y, cut-off lines, fields A–D);
- :func:`bars_figure` – horizontal grouped bars of percents (categories, capabilities, departments);
- :func:`heatmap_figure` – capability × respondent group, with the largest gaps marked;
- :func:`trend_figure` – figures over rounds.
"""

from __future__ import annotations

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
    "department" or "comparison" (the mean of other organisations)."""

    label: str
    capability: float | None
    legacy: float | None
    kind: str = "department"
    key: str = ""


@dataclass(frozen=True)
class MatrixLabels:
    x_title: str = "Digital capability (%)"
    y_title: str = "Digital legacy (%)"
    kinds: Mapping[str, str] = field(
        default_factory=lambda: {
            "focus": "This organisation",
            "organisation": "Organisation",
            "department": "Departments",
            "comparison": "Other organisations (mean)",
        }
    )
    fields: Mapping[str, str] = field(default_factory=lambda: {t: t for t in "ABCD"})


MATRIX_STYLE: dict[str, dict[str, Any]] = {
    "focus": {"symbol": "star", "size": 18, "color": "#0072B2"},
    "organisation": {"symbol": "diamond", "size": 14, "color": "#000000"},
    "department": {"symbol": "circle", "size": 10, "color": "#009E73"},
    "comparison": {"symbol": "square-open", "size": 12, "color": "#D55E00"},
}
MATRIX_ORDER = ("comparison", "department", "organisation", "focus")
# One open symbol per comparison set: the annual report shows every set the organisation admin chose (up to
# seven with networks), and no two of them may look alike.
COMPARISON_SYMBOLS = (
    "square-open",
    "triangle-up-open",
    "diamond-open",
    "triangle-down-open",
    "pentagon-open",
    "hexagon-open",
    "cross-open",
    "star-triangle-up-open",
)
MATRIX_MAX_LABELS = 6  # with more departments their dots are unlabelled (hover and the table name them)


def _coordinate(value: float | None) -> float:
    assert value is not None  # matrix_figure leaves out points without both coordinates
    return round(value, 4)


def matrix_figure(
    points: Sequence[MatrixPoint],
    *,
    capability_cutoff: float = 50.0,
    legacy_cutoff: float = 50.0,
    labels: MatrixLabels | None = None,
    decimal: str = ",",
    height: int = 460,
) -> dict:
    """The maturity matrix: capability on x, legacy on y (both 0–100 %), the two cut-off lines, the four
    fields labelled A (low, restricting) … D (high, enabling), one trace per kind of point. Points without
    both coordinates (suppressed or undefined) are left out."""
    labels = labels or MatrixLabels()
    x_title, y_title = escape(labels.x_title), escape(labels.y_title)
    data = []
    groups: list[tuple[str, str, list[MatrixPoint], dict]] = []
    for kind in MATRIX_ORDER:
        shown = [p for p in points if p.kind == kind and p.capability is not None and p.legacy is not None]
        if not shown:
            continue
        style = MATRIX_STYLE.get(kind, MATRIX_STYLE["department"])
        if kind == "comparison":
            # one trace (and legend entry) per comparison mean, each with its own open symbol, unlabelled
            # in the plot: they lie close together and their names would overlap
            for i, point in enumerate(shown):
                symbol = COMPARISON_SYMBOLS[i % len(COMPARISON_SYMBOLS)]
                groups.append((kind, escape(point.label), [point], {**style, "symbol": symbol}))
        else:
            groups.append((kind, escape(labels.kinds.get(kind, kind)), shown, style))
    for kind, name, shown, style in groups:
        labelled = kind in ("focus", "organisation") or (
            kind == "department" and len(shown) <= MATRIX_MAX_LABELS
        )
        data.append(
            {
                "type": "scatter",
                "mode": "markers+text" if labelled else "markers",
                "name": name,
                "x": [_coordinate(p.capability) for p in shown],
                "y": [_coordinate(p.legacy) for p in shown],
                "text": [short_label(p.label, 22) for p in shown],
                "customdata": [
                    [
                        escape(p.label),
                        format_percent(p.capability, decimal=decimal),
                        format_percent(p.legacy, decimal=decimal),
                        p.key,
                    ]
                    for p in shown
                ],
                "hovertemplate": (
                    "<b>%{customdata[0]}</b><br>"
                    + x_title
                    + ": %{customdata[1]}<br>"
                    + y_title
                    + ": %{customdata[2]}<extra></extra>"
                ),
                "textposition": "top center",
                "textfont": {"size": 11},
                "cliponaxis": False,
                "marker": {
                    "symbol": style["symbol"],
                    "size": style["size"],
                    "color": style["color"],
                    "line": {
                        "width": 1,
                        "color": "#ffffff" if "open" not in style["symbol"] else style["color"],
                    },
                },
                "meta": {"kind": kind, "keys": [p.key for p in shown]},
            }
        )
    field_positions = {
        "A": (capability_cutoff / 2, legacy_cutoff / 2),
        "B": ((capability_cutoff + 100) / 2, legacy_cutoff / 2),
        "C": (capability_cutoff / 2, (legacy_cutoff + 100) / 2),
        "D": ((capability_cutoff + 100) / 2, (legacy_cutoff + 100) / 2),
    }
    annotations = [
        {
            "x": x,
            "y": y,
            "text": f"<b>{escape(labels.fields.get(t, t))}</b>",
            "showarrow": False,
            "font": {"size": 28, "color": "rgba(33,37,41,0.22)"},
            "xref": "x",
            "yref": "y",
        }
        for t, (x, y) in field_positions.items()
    ]
    line = {"color": "#495057", "width": 1.5, "dash": "dash"}
    shapes = [
        {"type": "line", "x0": capability_cutoff, "x1": capability_cutoff, "y0": 0, "y1": 100, "line": line},
        {"type": "line", "x0": 0, "x1": 100, "y0": legacy_cutoff, "y1": legacy_cutoff, "line": line},
    ]
    axis = {
        "range": [0, 100],
        "ticksuffix": "\u00a0%",
        "dtick": 25,
        "gridcolor": "#e9ecef",
        "zeroline": False,
    }
    return {
        "data": data,
        "layout": _layout(
            height=height,
            decimal=decimal,
            xaxis={**axis, "title": {"text": x_title}, "automargin": True},
            yaxis={**axis, "title": {"text": y_title}, "automargin": True},
            shapes=shapes,
            annotations=annotations,
            legend={"orientation": "h", "x": 0, "y": -0.18, "yanchor": "top"},
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
    ticktext = [f"<b>▶ {n}</b>" if i in set(highlight) else n for i, n in enumerate(names)]
    height = max(180, 60 + len(categories) * max(1, len(series)) * row_height)
    return {
        "data": data,
        "layout": _layout(
            height=height,
            decimal=decimal,
            barmode="group",
            bargap=0.25,
            xaxis={
                "range": [0, 112],
                "tickvals": [0, 25, 50, 75, 100],
                "ticksuffix": "\u00a0%",
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
    names = [short_label(r, 30) for r in rows]
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
            height=max(220, 90 + 28 * len(rows)),
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
            meta={"gap_text": escape(gap_text)},
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
    and dash, and each point is labelled with its value."""
    data = []
    for i, s in enumerate(series):
        series_name = escape(s.name)
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers+text",
                "name": series_name,
                "x": [escape(p) for p in periods],
                "y": [None if v is None else round(v, 4) for v in s.values],
                "text": [("" if v is None else format_percent(v, decimal=decimal)) for v in s.values],
                "textposition": "top center",
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
    return {
        "data": data,
        "layout": _layout(
            height=340,
            decimal=decimal,
            xaxis={"type": "category", "automargin": True},
            yaxis={
                "range": [0, 105],
                "ticksuffix": "\u00a0%",
                "title": {"text": escape(y_title)},
                "gridcolor": "#e9ecef",
                "automargin": True,
            },
        ),
    }


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
                "tickvals": list(range(start, end + 1, 10)),
                "ticksuffix": escape(tick_suffix),
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
