"""The dashboard's sections, one builder each, over the ``Page`` (``page``): each adds its data table (and
chart) to the page and returns what the page template shows besides."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from maturity.read_model import cell, group_gaps
from surveys.models import Round, TypeDescription, type_heading
from surveys.scope_keys import ORGANISATION, ScopeKey

from ... import charts
from .page import (
    COMPARISON_BASES,
    DONT_KNOW_FLAG,
    HIGHLIGHTED_GAPS,
    SD_FLAG,
    STRONGEST_WEAKEST,
    Page,
    Table,
    basis_labels,
    chart_value,
    difference,
    response_rate,
    shown_dimension,
)

# --- The sections -------------------------------------------------------------------------------------------


def headline(page: Page) -> dict:
    """The focus's headline figures, its response rate and the change since the round a year before."""
    current, focus, focus_key = page.current, page.focus, page.focus_key
    headline = {
        "n": focus["n"],
        "overall": focus["overall"],
        "capability": focus["capability"],
        "legacy": focus["legacy"],
        "type": focus["type"],
        "suppressed": focus["suppressed"],
        "exists": focus_key in current,
        # Statements too few answered in the focus, left out of the figures above them (maturity.disclosure).
        "left_out": cell(current.value(focus_key, "left_out")) if current.shown(focus_key) else 0,
    }
    headline["response_rate"] = response_rate(
        page.round,
        focus_key,
        focus_shown=current.shown(focus_key),
        departments=page.departments,
        groups=page.groups,
        shown_keys=current.shown_keys,
    )
    previous = page.previous
    if previous is not None:
        before = page.views[previous.pk]
        headline["previous"] = {
            "period": str(previous.period),
            "same_questionnaire": previous.questionnaire_id in page.comparable,
            "overall": difference(focus["overall"], cell(before.value(focus_key, "overall_percent"))),
            "capability": difference(
                focus["capability"], cell(before.value(focus_key, "capability_percent"))
            ),
            "legacy": difference(focus["legacy"], cell(before.value(focus_key, "legacy_percent"))),
        }
    else:
        headline["previous"] = None

    table = page.add(Table("headline", _("Headline figures"), [_("Figure"), _("Value")], ["text", "mixed"]))
    table.rows = [
        [_("Respondents"), ("number", headline["n"])],
        [_("Overall maturity"), ("percent", headline["overall"])],
        [_("Digital capability"), ("percent", headline["capability"])],
        [_("Digital legacy"), ("percent", headline["legacy"])],
        [_("Type"), ("text", headline["type"])],
    ]
    rate = headline["response_rate"]
    if rate["available"]:
        table.rows.append([_("Response rate"), ("percent", rate["rate"])])
    if headline["previous"]:
        table.rows.append(
            [
                _("Change in overall maturity since %(period)s") % {"period": headline["previous"]["period"]},
                ("pp", headline["previous"]["overall"]),
            ]
        )
    return headline


def matrix(page: Page) -> tuple[float, float]:
    """The maturity matrix: the focus, the organisation, the departments (or units), other organisations."""
    focus, focus_key, focus_name = page.focus, str(page.focus_key), page.focus_name
    organisation, organisation_entity = page.organisation, page.organisation_entity
    labels = basis_labels()
    points = []
    for basis in COMPARISON_BASES:
        comparison = page.comparisons[basis]
        if comparison:
            points.append(
                charts.MatrixPoint(
                    labels[basis],
                    comparison["capability_percent"],
                    comparison["legacy_percent"],
                    "comparison",
                    f"comparison:{basis}",
                )
            )
    for entity in page.entities:
        if entity["key"] != focus_key:
            points.append(
                charts.MatrixPoint(
                    entity["name"],
                    chart_value(entity["capability"]),
                    chart_value(entity["legacy"]),
                    "department",
                    entity["key"],
                )
            )
    if not page.is_organisation_focus:
        points.append(
            charts.MatrixPoint(
                organisation.name,
                chart_value(organisation_entity["capability"]),
                chart_value(organisation_entity["legacy"]),
                "organisation",
                str(ORGANISATION),
            )
        )
    points.append(
        charts.MatrixPoint(
            focus_name, chart_value(focus["capability"]), chart_value(focus["legacy"]), "focus", focus_key
        )
    )
    version = page.round.questionnaire
    cut_x, cut_y = float(version.capability_cutoff), float(version.legacy_cutoff)
    page.figures["matrix"] = charts.matrix_figure(
        points,
        capability_cutoff=cut_x,
        legacy_cutoff=cut_y,
        decimal=page.decimal,
        labels=charts.MatrixLabels(
            x_title=_("Digital capability (%)"),
            y_title=_("Digital legacy (%)"),
            kinds={
                "focus": focus_name,
                "organisation": _("Organisation as a whole"),
                "department": (
                    _("Departments (numbered as in the table)")
                    if page.department is None
                    else _("Units (numbered as in the table)")
                ),
                "comparison": _("Other organisations (mean)"),
            },
            fields=type_headings(version),
        ),
    )
    # The departments' numbers in the chart, in the table's first column.
    numbers = dict(zip((p.key for p in points), charts.matrix_numbers(points), strict=True))
    table = page.add(
        Table(
            "matrix",
            _("The maturity matrix"),
            [
                _("Who"),
                pgettext("number in the chart", "No."),
                _("Digital capability"),
                _("Digital legacy"),
                _("Type"),
            ],
            ["text", "number", "percent", "percent", "text"],
        )
    )
    table.rows.append([focus_name, None, focus["capability"], focus["legacy"], focus["type"]])
    table.depths.append(None)
    if not page.is_organisation_focus:
        table.rows.append(
            [
                organisation.name,
                None,
                organisation_entity["capability"],
                organisation_entity["legacy"],
                organisation_entity["type"],
            ]
        )
        table.depths.append(None)
    for entity in page.entities:
        if entity["key"] != focus_key:
            table.rows.append(
                [
                    entity["name"],
                    numbers[entity["key"]],
                    entity["capability"],
                    entity["legacy"],
                    entity["type"],
                ]
            )
            table.depths.append(entity["depth"])
    for basis in COMPARISON_BASES:
        comparison = page.comparisons[basis]
        if comparison:
            label = _("%(basis)s (mean of %(n)s organisations)") % {
                "basis": labels[basis],
                "n": comparison["n_organisations"],
            }
            table.rows.append(
                [label, None, comparison["capability_percent"], comparison["legacy_percent"], None]
            )
            table.depths.append(None)
    return cut_x, cut_y


def type_headings(version) -> dict[str, str]:
    """The four types' names in the page's language ("Typ A – Begränsad start"), for the matrix's fields."""
    described = {t.type: t.heading for t in TypeDescription.objects.filter(version=version)}
    return {t: described.get(t) or type_heading(t, "") for t in "ABCD"}


def parts(page: Page) -> tuple[list, list]:
    """Categories and capabilities as bars (the focus, the organisation, the other organisations), and the
    focus's strongest and weakest capabilities."""
    current, focus_key = page.current, page.focus_key
    national = page.comparisons["national"] or {}
    series_names = [page.focus_name]
    if not page.is_organisation_focus:
        series_names.append(page.organisation.name)
    if national:
        series_names.append(_("Other organisations (mean)"))

    def part_series(level: str, codes: list[str]) -> list[list]:
        values = [[cell(current.part(focus_key, level, c)) for c in codes]]
        if not page.is_organisation_focus:
            values.append([cell(current.part(ORGANISATION, level, c)) for c in codes])
        if national:
            values.append([national.get(level, {}).get(c) for c in codes])
        return values

    for level, parts, title in (
        ("categories", page.categories, _("Categories")),
        ("capabilities", page.capabilities, _("Capabilities")),
    ):
        codes = [p.code for p in parts]
        # a reversed capability by what a high figure means ("Lite skugg-IT": Capability.label)
        names = [getattr(p, "label", p.name) for p in parts]
        values = part_series(level, codes)
        page.figures[level] = charts.bars_figure(
            names,
            [
                charts.Series(name, [chart_value(v) for v in vals])
                for name, vals in zip(series_names, values, strict=True)
            ],
            decimal=page.decimal,
        )
        table = page.add(
            Table(level, title, [_("Name"), *series_names], ["text"] + ["percent"] * len(series_names))
        )
        for i, name in enumerate(names):
            table.rows.append([name, *[vals[i] for vals in values]])

    ranked = [
        (c.label, value)
        for c in page.capabilities
        if isinstance(value := cell(current.part(focus_key, "capabilities", c.code)), float | int)
    ]
    ranked.sort(key=lambda item: item[1], reverse=True)
    strongest = ranked[:STRONGEST_WEAKEST]
    weakest = list(reversed(ranked[-STRONGEST_WEAKEST:])) if len(ranked) > STRONGEST_WEAKEST else []
    return strongest, weakest


def groups(page: Page) -> list[dict]:
    """Respondent groups: a heatmap of capability × group, the largest gaps marked
    (``maturity.read_model.group_gaps``)."""
    current, capabilities = page.current, page.capabilities
    columns = [(g, key) for g, key in page.column_keys if key in current]
    heat_values = [
        [cell(current.part(key, "capabilities", c.code)) for _g, key in columns] for c in capabilities
    ]
    gaps = group_gaps(current, [(g.name, key) for g, key in columns], [c.code for c in capabilities])
    gap_order = sorted(
        (i for i, c in enumerate(capabilities) if gaps.get(c.code) and gaps[c.code].gap),
        key=lambda i: gaps[capabilities[i].code].gap or 0.0,  # never 0/None: filtered just above
        reverse=True,
    )
    highlighted = gap_order[:HIGHLIGHTED_GAPS]
    table = page.add(
        Table(
            "groups",
            _("Capabilities by respondent group"),
            [_("Capability"), *[g.name for g, _key in columns], _("Gap (percentage points)")],
            ["text"] + ["percent"] * len(columns) + ["pp"],
        )
    )
    for i, c in enumerate(capabilities):
        gap = gaps.get(c.code)
        table.rows.append([c.label, *heat_values[i], gap.gap if gap else None])
        table.marks.append(_("largest gap") if i in highlighted else "")
    page.figures["groups"] = (
        charts.heatmap_figure(
            [c.label for c in capabilities],
            [g.name for g, _key in columns],
            [[chart_value(v) for v in row] for row in heat_values],
            highlight_rows=highlighted,
            suppressed_text=_("too few"),
            gap_text=_("largest gap"),
            decimal=page.decimal,
        )
        if columns
        else None
    )
    return [
        {
            "capability": capabilities[i].label,
            "gap": gaps[capabilities[i].code].gap,
            "highest": gaps[capabilities[i].code].highest,
            "lowest": gaps[capabilities[i].code].lowest,
        }
        for i in highlighted
    ]


def spread(page: Page) -> int:
    """Spread per statement, flagged where respondents disagree widely or many do not know."""
    table = page.add(
        Table(
            "spread",
            _("Spread per statement"),
            [_("Statement"), _("Capability"), _("Standard deviation"), _("“Don't know” share"), _("Flag")],
            ["text", "text", "sd", "share", "text"],
        )
    )
    flagged = 0
    labels = {c.code: c.label for c in page.capabilities}
    for s in page.statements:
        sd = cell(page.current.part(page.focus_key, "statements", s.code, "sd"))
        share = cell(page.current.part(page.focus_key, "statements", s.code, "dont_know_share"))
        flags = []
        if isinstance(sd, float | int) and sd >= SD_FLAG:
            flags.append(_("high spread"))
        if isinstance(share, float | int) and share >= DONT_KNOW_FLAG:
            flags.append(_("many don't know"))
        flagged += bool(flags)
        table.rows.append(
            [s.text, labels.get(s.capability.code, s.capability.name), sd, share, ", ".join(flags)]
        )
        table.marks.append(", ".join(flags))
    return flagged


def trend(page: Page) -> list[Round]:
    """The trend over the rounds answered on the same questionnaire family."""
    trend_rounds = sorted(page.trend_rounds, key=lambda r: r.period.starts_on)

    def over_rounds(key: ScopeKey, attribute: str) -> list:
        """A figure at each round; capability and legacy never rounded across their round's cut-off."""
        cutoff_of = {"capability_percent": "capability_cutoff", "legacy_percent": "legacy_cutoff"}.get(
            attribute
        )
        values = [cell(page.views[r.pk].value(key, attribute)) for r in trend_rounds]
        if cutoff_of is None:
            return values
        return [
            shown_dimension(v, float(getattr(r.questionnaire, cutoff_of)))
            for v, r in zip(values, trend_rounds, strict=True)
        ]

    name = page.focus_name
    series: list[tuple[str, list]] = [
        (_("%(name)s: overall") % {"name": name}, over_rounds(page.focus_key, "overall_percent")),
        (_("%(name)s: capability") % {"name": name}, over_rounds(page.focus_key, "capability_percent")),
        (_("%(name)s: legacy") % {"name": name}, over_rounds(page.focus_key, "legacy_percent")),
    ]
    if not page.is_organisation_focus:
        series.append(
            (
                _("%(name)s: overall") % {"name": page.organisation.name},
                over_rounds(ORGANISATION, "overall_percent"),
            )
        )
    labels = [str(r.period) for r in trend_rounds]
    page.figures["trend"] = charts.trend_figure(
        labels,
        [charts.Series(label, [chart_value(v) for v in vals]) for label, vals in series],
        decimal=page.decimal,
    )
    table = page.add(
        Table(
            "trend", _("Trend"), [_("Round"), *[n for n, _v in series]], ["text"] + ["percent"] * len(series)
        )
    )
    for i, label in enumerate(labels):
        table.rows.append([label, *[vals[i] for _n, vals in series]])
    return trend_rounds


def departments(page: Page) -> list[dict]:
    """The departments (or a department's units) side by side."""
    internal = list(page.entities)
    table = page.add(
        Table(
            "departments",
            _("Departments side by side") if page.department is None else _("Units side by side"),
            [
                _("Department"),
                _("Respondents"),
                _("Overall maturity"),
                _("Digital capability"),
                _("Digital legacy"),
                _("Type"),
            ],
            ["text", "number", "percent", "percent", "percent", "text"],
        )
    )
    for e in internal:
        table.rows.append([e["name"], e["n"], e["overall"], e["capability"], e["legacy"], e["type"]])
        table.depths.append(e["depth"])
    page.figures["departments"] = (
        charts.bars_figure(
            [e["name"] for e in internal],
            [
                charts.Series(_("Overall maturity"), [chart_value(e["overall"]) for e in internal]),
                charts.Series(_("Digital capability"), [chart_value(e["capability"]) for e in internal]),
                charts.Series(_("Digital legacy"), [chart_value(e["legacy"]) for e in internal]),
            ],
            decimal=page.decimal,
            row_height=14,
        )
        if internal
        else None
    )
    return internal


def comparison_sets(page: Page) -> dict:
    """The comparison with other organisations, set by set (issue 15): each set's organisations and
    respondents, the distribution of its overall maturity (box plots from the stored quartiles) and the
    focus's position in it as a percentile band; a set with too few organisations says so. Never a list of
    named peers."""
    result = page.comparison_sets
    own_name = result["focus"]
    table = page.add(
        Table(
            "comparison",
            _("Comparison with other organisations: overall maturity"),
            [
                _("Comparison set"),
                _("Organisations"),
                _("Respondents"),
                _("Mean"),
                _("Lowest"),
                _("Lower quartile"),
                _("Median"),
                _("Upper quartile"),
                _("Highest"),
                own_name,
                _("Position"),
            ],
            ["text", "number", "number", *["percent"] * 7, "text"],
        )
    )
    rows = []
    for entry in result["sets"]:
        overall = entry["figures"].get("overall")
        if entry["too_few"]:
            position = _("too few organisations (%(n)s; at least %(min)s are needed)") % {
                "n": entry["n_organisations"],
                "min": result["min_organisations"],
            }
        else:
            position = band_text(overall["band"]) if overall and overall["band"] else ""
        table.rows.append(
            [
                entry["label"],
                entry["n_organisations"],
                None if entry["too_few"] else entry["n_respondents"],
                *(
                    [overall[k] for k in ("mean", "min", "q1", "median", "q3", "max")]
                    if overall
                    else [None] * 6
                ),
                overall["own"] if overall else None,
                position,
            ]
        )
        if overall:
            rows.append(
                charts.SpreadRow(
                    label=entry["label"],
                    minimum=overall["min"],
                    q1=overall["q1"],
                    median=overall["median"],
                    q3=overall["q3"],
                    maximum=overall["max"],
                    mean=overall["mean"],
                    own=overall["own"],
                )
            )
    page.figures["comparison"] = (
        charts.distribution_figure(
            rows,
            own_name=own_name,
            mean_name=_("Mean"),
            decimal=page.decimal,
        )
        if rows
        else None
    )
    return result


def band_text(band: tuple[int, int] | list[int]) -> str:
    """A percentile band as words: the quarter of the others' range the figure is in, never a rank."""
    return {
        0: _("lowest quarter"),
        25: _("second quarter"),
        50: _("third quarter"),
        75: _("highest quarter"),
    }[band[0]]
