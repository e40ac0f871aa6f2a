"""Reads for the results dashboards: stored round results only, never raw answers, read through the one
read model (``maturity.read_model``), so every figure is shown or hidden by the same rule as in the annual
report and the downloads. A hidden figure is ``HIDDEN`` (``maturity.read_model.Hidden``), never a number
and never a magic string; an undefined one is None.

Entry points:
- ``list_dashboard_rounds(organisation)`` – closed rounds with stored results, newest first;
- ``get_dashboard(organisation=…, round_=…, rounds=…, department=…, group=…, visible=…)`` – everything a
  dashboard shows, as plain data: headline, matrix points, bars, heatmap, spread, trend, internal
  comparison, and ``tables`` (the data table of every chart – also what the CSV/XLSX downloads contain).
  It gathers the page (``Page``: the rounds' views, the focus, the departments on the page) and hands it
  to one builder per section (``_headline``, ``_matrix``, ``_parts``, ``_groups``, ``_spread``, ``_trend``,
  ``_departments``).

The number of queries is fixed whatever the number of departments, groups, respondents and rounds.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from maturity.models import Capability, Category, RoundResult, Statement, TypeDescription
from maturity.read_model import HIDDEN, RoundView, cell, group_gaps, is_hidden, load_round_views
from maturity.selectors import as_frozen, get_comparison
from surveys.forms import tree_ordered  # noqa: F401 - also used by the views
from surveys.models import Department, Organisation, RespondentGroup, Round
from surveys.scope_keys import ORGANISATION, ScopeKey
from surveys.selectors_rounds import get_rate_pattern

from .. import charts

# Spread flags (docs/dashboards.md): on the 1–6 scale a standard deviation of 1.5 or more means that
# respondents disagree widely; a "vet ej" share of 20 % or more means that many do not know.
SD_FLAG = 1.5
DONT_KNOW_FLAG = 0.20
STRONGEST_WEAKEST = 3
HIGHLIGHTED_GAPS = 3
COMPARISON_BASES = ("national", "county", "kind")


# --- Rounds -------------------------------------------------------------------------------------------------


def list_dashboard_rounds(organisation: Organisation) -> list[Round]:
    """The organisation's closed rounds that have stored results, newest first (one query)."""
    return list(
        Round.objects.filter(
            organisation=organisation,
            status=Round.Status.CLOSED,
            results__scope=RoundResult.Scope.ORGANISATION,
        )
        .select_related("period", "questionnaire")
        .order_by("-period__starts_on")
        .distinct()
    )


# --- The page -----------------------------------------------------------------------------------------------


@dataclass
class Table:
    """The data table of one chart – and a sheet of the downloads. ``kinds`` per column: "text",
    "percent", "number", "pp" (percentage points), "sd" or "share"."""

    id: str
    title: str
    columns: list[str]
    kinds: list[str]
    rows: list[list] = field(default_factory=list)
    marks: list[str] = field(default_factory=list)  # per row: "" or a note ("largest gap", "high spread")


def _entity(view: RoundView, key: ScopeKey, name: str, depth: int = 0, kind: str = "department") -> dict:
    return {
        "key": str(key),
        "name": name,
        "depth": depth,
        "kind": kind,
        "n": cell(view.n(key)),
        "capability": cell(view.value(key, "capability_percent")),
        "legacy": cell(view.value(key, "legacy_percent")),
        "overall": cell(view.value(key, "overall_percent")),
        "type": (cell(view.value(key, "type")) or None),
        "suppressed": view.hidden(key),
    }


def _num(value):
    """A value for a chart: the number, or None when it is hidden or undefined."""
    return None if value is None or is_hidden(value) else value


def _difference(now, before):
    """A change: hidden when either figure is hidden (it would be derived from a hidden one), undefined when
    either is undefined."""
    if is_hidden(now) or is_hidden(before):
        return HIDDEN
    if now is None or before is None:
        return None
    return now - before


@dataclass
class Page:
    """What every section of one dashboard is built from."""

    organisation: Organisation
    round: Round
    department: Department | None
    group: RespondentGroup | None
    decimal: str
    views: dict[int, RoundView]
    focus_key: ScopeKey
    focus_name: str
    column_keys: list[tuple[RespondentGroup, ScopeKey]]
    departments: list[Department]
    groups: list[RespondentGroup]
    ordered: list[tuple[Department, int]]
    entities: list[dict]
    focus: dict
    organisation_entity: dict
    trend_rounds: list[Round]
    previous: Round | None
    comparable: set[int]
    comparisons: dict[str, dict | None]
    capabilities: list[Capability]
    categories: list[Category]
    statements: list[Statement]
    tables: list[Table] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def current(self) -> RoundView:
        return self.views[self.round.pk]

    @property
    def k(self) -> int:
        return self.current.k

    @property
    def is_organisation_focus(self) -> bool:
        return self.focus_key == ORGANISATION

    def add(self, table: Table) -> Table:
        self.tables.append(table)
        return table


def basis_labels() -> dict[str, str]:
    return {
        "national": _("All other organisations"),
        "county": _("Same county"),
        "kind": _("Same kind of organisation"),
    }


def _rounds_around(round_: Round, rounds: list[Round]) -> tuple[list[Round], Round | None, set[int]]:
    """The rounds of the trend (same questionnaire family, up to this one) and the round a year before."""
    comparable = round_.questionnaire.comparable_version_ids()
    trend_rounds = [
        r
        for r in rounds
        if r.questionnaire_id in comparable and r.period.starts_on <= round_.period.starts_on
    ]
    previous = next(
        (
            r
            for r in rounds
            if r.period.year == round_.period.year - 1 and r.period.term == round_.period.term
        ),
        None,
    ) or next((r for r in rounds if r.period.year == round_.period.year - 1), None)
    return trend_rounds, previous, set(comparable)


def _page(
    *,
    organisation: Organisation,
    round_: Round,
    rounds: list[Round],
    department: Department | None,
    group: RespondentGroup | None,
    visible: set[int] | None,
    decimal: str,
    departments: list[Department],
    groups: list[RespondentGroup],
) -> Page:
    version = round_.questionnaire
    group_id = group.pk if group else None
    trend_rounds, previous, comparable = _rounds_around(round_, rounds)
    loaded_rounds = [*trend_rounds, *([previous] if previous is not None else []), round_]

    # The focus: what the page is about; the scopes whose breakdown (capabilities …) the page shows.
    if department is None:
        focus_key = ORGANISATION.with_group(group_id)
        focus_name = f"{organisation.name} – {group.name}" if group else organisation.name
        column_keys = [(g, ScopeKey.group(g.pk)) for g in groups]
    else:
        focus_key = ScopeKey.department(department.pk, group_id)
        focus_name = f"{department.name} – {group.name}" if group else department.name
        column_keys = [(g, ScopeKey.department(department.pk, g.pk)) for g in groups]
    figure_keys = {focus_key, ORGANISATION} | {key for _g, key in column_keys}
    views = load_round_views(loaded_rounds, figures={round_.pk: figure_keys})
    current = views[round_.pk]
    # The tree the round's results were computed on (departments moved since then stay where they were).
    departments = as_frozen(departments, current.tree)

    # Departments on the page: every visible one (organisation view) or the department and its units.
    ordered = tree_ordered(departments)
    if department is None:
        scoped = [(d, depth) for d, depth in ordered if visible is None or d.pk in visible]
    else:
        below = set(_descendants(departments, department.pk))
        scoped = [(d, depth) for d, depth in ordered if d.pk in below]
    entities = [
        _entity(current, ScopeKey.department(d.pk, group_id), d.name, depth)
        for d, depth in scoped
        if ScopeKey.department(d.pk, group_id) in current
    ]
    return Page(
        organisation=organisation,
        round=round_,
        department=department,
        group=group,
        decimal=decimal,
        views=views,
        focus_key=focus_key,
        focus_name=focus_name,
        column_keys=column_keys,
        departments=departments,
        groups=groups,
        ordered=ordered,
        entities=entities,
        focus=_entity(current, focus_key, focus_name, kind="focus"),
        organisation_entity=_entity(current, ORGANISATION, organisation.name, kind="organisation"),
        trend_rounds=trend_rounds,
        previous=previous,
        comparable=comparable,
        # Comparison with other organisations (anonymous means; None when fewer than 5 organisations).
        comparisons={
            basis: get_comparison(organisation=organisation, period=round_.period, basis=basis)
            for basis in COMPARISON_BASES
        },
        # Structure names (three queries).
        capabilities=list(Capability.objects.filter(version=version).select_related("category__dimension")),
        categories=list(Category.objects.filter(version=version).select_related("dimension")),
        statements=list(Statement.objects.filter(version=version).select_related("capability")),
    )


def _response_rate(round_: Round, focus_key: ScopeKey, focus_shown: bool, *, departments, groups, shown_keys):
    """Invited and submitted for the focus set, from the invitation ledger, with the anonymity rule of the
    response rates (``surveys.selectors_rounds.RatePattern``): 1 … k − 1 submitted is "färre än k" with the
    rate as a band, and a set whose count could be worked out is not shown. Imported rounds and rounds
    without invitations have no rate; a suppressed focus shows none either."""
    if round_.source == Round.Source.IMPORT:
        return {"available": False, "reason": _("Imported responses: no response rate.")}
    pattern = get_rate_pattern(round_, departments=departments, groups=groups, shown_result_keys=shown_keys)
    row = pattern.row("", str(focus_key))
    if not row.invited:
        return {"available": False, "reason": _("No invitations were sent in this round: no response rate.")}
    if not focus_shown or row.hidden:
        return {
            "available": True,
            "suppressed": True,
            "rate": HIDDEN,
            "invited": row.invited,
            "band": row.rate if row.fewer_than_k else "",
            "submitted_text": row.submitted_display if row.fewer_than_k else "",
        }
    return {
        "available": True,
        "suppressed": False,
        "invited": row.invited,
        "submitted": row.submitted,
        "rate": row.rate_value,
    }


def _descendants(departments: list[Department], root_id: int) -> list[int]:
    children: dict[int | None, list[int]] = defaultdict(list)
    for d in departments:
        children[d.parent_id].append(d.pk)
    found, stack = [], [root_id]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children.get(current, ()))
    return found


# --- The sections -------------------------------------------------------------------------------------------


def _headline(page: Page) -> dict:
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
    headline["response_rate"] = _response_rate(
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
            "overall": _difference(focus["overall"], cell(before.value(focus_key, "overall_percent"))),
            "capability": _difference(
                focus["capability"], cell(before.value(focus_key, "capability_percent"))
            ),
            "legacy": _difference(focus["legacy"], cell(before.value(focus_key, "legacy_percent"))),
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


def _matrix(page: Page) -> tuple[float, float]:
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
                    _num(entity["capability"]),
                    _num(entity["legacy"]),
                    "department",
                    entity["key"],
                )
            )
    if not page.is_organisation_focus:
        points.append(
            charts.MatrixPoint(
                organisation.name,
                _num(organisation_entity["capability"]),
                _num(organisation_entity["legacy"]),
                "organisation",
                str(ORGANISATION),
            )
        )
    points.append(
        charts.MatrixPoint(focus_name, _num(focus["capability"]), _num(focus["legacy"]), "focus", focus_key)
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
                "department": _("Departments") if page.department is None else _("Units"),
                "comparison": _("Other organisations (mean)"),
            },
        ),
    )
    table = page.add(
        Table(
            "matrix",
            _("The maturity matrix"),
            [_("Who"), _("Digital capability"), _("Digital legacy"), _("Type")],
            ["text", "percent", "percent", "text"],
        )
    )
    table.rows.append([focus_name, focus["capability"], focus["legacy"], focus["type"]])
    if not page.is_organisation_focus:
        table.rows.append(
            [
                organisation.name,
                organisation_entity["capability"],
                organisation_entity["legacy"],
                organisation_entity["type"],
            ]
        )
    for entity in page.entities:
        if entity["key"] != focus_key:
            table.rows.append([entity["name"], entity["capability"], entity["legacy"], entity["type"]])
    for basis in COMPARISON_BASES:
        comparison = page.comparisons[basis]
        if comparison:
            label = _("%(basis)s (mean of %(n)s organisations)") % {
                "basis": labels[basis],
                "n": comparison["n_organisations"],
            }
            table.rows.append([label, comparison["capability_percent"], comparison["legacy_percent"], None])
    return cut_x, cut_y


def _parts(page: Page) -> tuple[list, list]:
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
        names = [p.name for p in parts]
        values = part_series(level, codes)
        page.figures[level] = charts.bars_figure(
            names,
            [
                charts.Series(name, [_num(v) for v in vals])
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
        (c.name, value)
        for c in page.capabilities
        if isinstance(value := cell(current.part(focus_key, "capabilities", c.code)), float | int)
    ]
    ranked.sort(key=lambda item: item[1], reverse=True)
    strongest = ranked[:STRONGEST_WEAKEST]
    weakest = list(reversed(ranked[-STRONGEST_WEAKEST:])) if len(ranked) > STRONGEST_WEAKEST else []
    return strongest, weakest


def _groups(page: Page) -> list[dict]:
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
        table.rows.append([c.name, *heat_values[i], gap.gap if gap else None])
        table.marks.append(_("largest gap") if i in highlighted else "")
    page.figures["groups"] = (
        charts.heatmap_figure(
            [c.name for c in capabilities],
            [g.name for g, _key in columns],
            [[_num(v) for v in row] for row in heat_values],
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
            "capability": capabilities[i].name,
            "gap": gaps[capabilities[i].code].gap,
            "highest": gaps[capabilities[i].code].highest,
            "lowest": gaps[capabilities[i].code].lowest,
        }
        for i in highlighted
    ]


def _spread(page: Page) -> int:
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
    for s in page.statements:
        sd = cell(page.current.part(page.focus_key, "statements", s.code, "sd"))
        share = cell(page.current.part(page.focus_key, "statements", s.code, "dont_know_share"))
        flags = []
        if isinstance(sd, float | int) and sd >= SD_FLAG:
            flags.append(_("high spread"))
        if isinstance(share, float | int) and share >= DONT_KNOW_FLAG:
            flags.append(_("many don't know"))
        flagged += bool(flags)
        table.rows.append([s.text, s.capability.name, sd, share, ", ".join(flags)])
        table.marks.append(", ".join(flags))
    return flagged


def _trend(page: Page) -> list[Round]:
    """The trend over the rounds answered on the same questionnaire family."""
    trend_rounds = sorted(page.trend_rounds, key=lambda r: r.period.starts_on)

    def over_rounds(key: ScopeKey, attribute: str) -> list:
        return [cell(page.views[r.pk].value(key, attribute)) for r in trend_rounds]

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
        [charts.Series(label, [_num(v) for v in vals]) for label, vals in series],
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


def _departments(page: Page) -> list[dict]:
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
    page.figures["departments"] = (
        charts.bars_figure(
            [e["name"] for e in internal],
            [
                charts.Series(_("Overall maturity"), [_num(e["overall"]) for e in internal]),
                charts.Series(_("Digital capability"), [_num(e["capability"]) for e in internal]),
                charts.Series(_("Digital legacy"), [_num(e["legacy"]) for e in internal]),
            ],
            decimal=page.decimal,
            row_height=14,
        )
        if internal
        else None
    )
    return internal


# --- The dashboard ------------------------------------------------------------------------------------------


def get_dashboard(
    *,
    organisation: Organisation,
    round_: Round,
    rounds: list[Round],
    department: Department | None = None,
    group: RespondentGroup | None = None,
    visible: set[int] | None = None,
    decimal: str = ",",
    departments: list[Department] | None = None,
    groups: list[RespondentGroup] | None = None,
) -> dict:
    """Everything one dashboard shows, suppressed per DESIGN.md. ``department`` None = the organisation
    view; ``group`` narrows every figure to one respondent group; ``visible`` = the departments the reader
    may see (None = all; ``surveys.access.OrganisationAccess.visible_department_ids``). ``rounds`` =
    list_dashboard_rounds(organisation); ``departments`` and ``groups`` (all of the organisation's) may be
    passed when the caller has them already."""
    if departments is None:
        departments = list(Department.objects.filter(organisation=organisation))
    if groups is None:
        groups = list(RespondentGroup.objects.filter(organisation=organisation))
    page = _page(
        organisation=organisation,
        round_=round_,
        rounds=rounds,
        department=department,
        group=group,
        visible=visible,
        decimal=decimal,
        departments=departments,
        groups=groups,
    )
    focus_type = page.focus["type"]
    shown_type = focus_type if focus_type and not is_hidden(focus_type) else ""
    type_text = TypeDescription.objects.filter(version=round_.questionnaire, type=shown_type).first()
    headline = _headline(page)
    cutoffs = _matrix(page)
    strongest, weakest = _parts(page)
    group_summary = _groups(page)
    flagged = _spread(page)
    trend_rounds = _trend(page)
    internal = _departments(page)
    return {
        "organisation": organisation,
        "round": round_,
        "k": page.k,
        "department": department,
        "group": group,
        "focus": page.focus,
        "focus_key": str(page.focus_key),
        "organisation_total": page.organisation_entity,
        "headline": headline,
        "type_text": type_text,
        "cutoffs": cutoffs,
        "comparisons": page.comparisons,
        "strongest": strongest,
        "weakest": weakest,
        "group_gaps": group_summary,
        "entities": internal,
        "flagged_statements": flagged,
        "figures": page.figures,
        "tables": {t.id: t for t in page.tables},
        "table_order": [t.id for t in page.tables],
        "departments": [(d, depth) for d, depth in page.ordered if visible is None or d.pk in visible],
        "groups": groups,
        "trend_rounds": trend_rounds,
        "thresholds": {"sd": SD_FLAG, "dont_know": DONT_KNOW_FLAG},
    }
