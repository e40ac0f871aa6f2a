"""The daily curve of submissions as a plotly figure (plain data in, figure JSON out). Pure: no Django (the
purity contract in pyproject.toml); the caller passes the translated labels.

Plotly renders names and titles as a subset of HTML (links included): every text is escaped (issue 11)."""

from __future__ import annotations

import datetime
import html
import json
from dataclasses import dataclass

import plotly.graph_objects as go


@dataclass(frozen=True)
class CurveLabels:
    daily: str  # "Submitted that day"
    cumulative: str  # "Submitted in all"
    axis: str  # "Responses"


def submission_curve_figure(
    *,
    per_day: list[tuple[datetime.date, int]],
    start: datetime.date,
    end: datetime.date,
    labels: CurveLabels,
) -> dict:
    counts = dict(per_day)
    if per_day:
        start = min(start, per_day[0][0])
        end = max(end, per_day[-1][0])
    days = []
    day = start
    while day <= end:
        days.append(day)
        day += datetime.timedelta(days=1)
    daily = [counts.get(d, 0) for d in days]
    cumulative = []
    running = 0
    for n in daily:
        running += n
        cumulative.append(running)

    def text(value: str) -> str:
        return html.escape(str(value), quote=False)

    figure = go.Figure()
    figure.add_bar(
        x=[d.isoformat() for d in days],
        y=daily,
        name=text(labels.daily),
        marker_color="#7aa6d6",
    )
    figure.add_scatter(
        x=[d.isoformat() for d in days],
        y=cumulative,
        name=text(labels.cumulative),
        mode="lines+markers",
        line={"color": "#0b4f8a", "width": 3},
    )
    figure.update_layout(
        margin={"l": 40, "r": 10, "t": 10, "b": 40},
        height=320,
        legend={"orientation": "h", "y": -0.2},
        yaxis={"title": text(labels.axis), "rangemode": "tozero"},
        # Day/month: the same in Swedish and English (plotly's own month names are English only).
        xaxis={"type": "date", "tickformat": "%-d %b", "hoverformat": "%-d %B %Y"},
        separators=", ",
    )
    return json.loads(figure.to_json())
