"""Reads for the results dashboards (and the annual report): stored round results only, never raw answers,
with the anonymity rules applied to every figure (a suppressed value is ``SUPPRESSED``, never a number).

Entry points:
- ``list_dashboard_rounds(organisation)`` – closed rounds with stored results, newest first;
- ``visible_department_ids(user, organisation)`` – the departments whose figures the user may see below
  the organisation level (None = all);
- ``get_dashboard(organisation=…, round_=…, rounds=…, department=…, group=…, visible=…)`` – everything a
  dashboard shows, as plain data: headline, matrix points, bars, heatmap, spread, trend, internal
  comparison, and ``tables`` (the data table of every chart – also what the CSV/XLSX downloads contain).

The number of queries is fixed whatever the number of departments, groups, respondents and rounds.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from maturity import scoring
from maturity.models import Capability, Category, RoundResult, Statement, TypeDescription
from maturity.selectors import SUPPRESSED, as_frozen, get_comparison, get_result_tree
from maturity.suppression import effective_k
from surveys.forms import tree_ordered
from surveys.models import Department, Organisation, RespondentGroup, Round
from surveys.scoping import visible_department_ids as scoping_visible_department_ids
from surveys.selectors_rounds import get_rate_pattern

from . import charts

# Spread flags (docs/dashboards.md): on the 1–6 scale a standard deviation of 1.5 or more means that
# respondents disagree widely; a "vet ej" share of 20 % or more means that many do not know.
SD_FLAG = 1.5
DONT_KNOW_FLAG = 0.20
STRONGEST_WEAKEST = 3
HIGHLIGHTED_GAPS = 3

ORGANISATION_KEY = "organisation"


def department_key(department_id: int, group_id: int | None = None) -> str:
    return f"department:{department_id}" + (f"/group:{group_id}" if group_id else "")


def group_key(group_id: int) -> str:
    return f"group:{group_id}"


# --- Rounds and permissions ---------------------------------------------------------------------------------


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


def visible_department_ids(user, organisation: Organisation) -> set[int] | None:
    """None when the user may see every department of the organisation; otherwise their departments with
    all units under them (a department representative). Decided in ``surveys.scoping``."""
    return scoping_visible_department_ids(user, organisation.pk)


# --- Suppression of stored scopes ---------------------------------------------------------------------------


@dataclass(slots=True)
class StoredScope:
    """What a dashboard reads of one stored result: its published headline (``RoundResult.published``) and,
    where a page breaks the scope down, its published figures (capabilities, statements …)."""

    n_respondents: int
    published: dict
    figures: dict = field(default_factory=dict)


@dataclass
class ShownRound:
    """One round's stored scopes as they may be published (``maturity.disclosure``, stored with the
    results for the round's k)."""

    round: Round
    k: int
    rows: dict[str, StoredScope]
    hidden: set[str]

    def shown(self, key: str) -> bool:
        return key in self.rows and key not in self.hidden

    def n(self, key: str):
        if key not in self.rows:
            return None
        return self.rows[key].published.get("n", SUPPRESSED)

    def value(self, key: str, attribute: str):
        """A headline figure of a scope: the number, None (undefined or no such scope) or SUPPRESSED."""
        if key not in self.rows:
            return None
        if key in self.hidden:
            return SUPPRESSED
        return self.rows[key].published.get(attribute)

    def part(self, key: str, level: str, code: str, attribute: str = "percent"):
        """A figure of a capability, category, dimension or statement inside a scope; SUPPRESSED when it may
        not be shown."""
        if key not in self.rows:
            return None
        if key in self.hidden:
            return SUPPRESSED
        parts = self.rows[key].figures.get(level, {})
        if parts == SUPPRESSED:
            return SUPPRESSED
        part = parts.get(code)
        if part is None:
            return None
        if part == SUPPRESSED:
            return SUPPRESSED
        return part.get(attribute)


def _load_rounds(rounds: list[Round], *, current: Round, figure_keys: set[str]) -> dict[int, ShownRound]:
    """ShownRound per round id, in two queries whatever the number of rounds and scopes: the published
    headline of every scope of these rounds, and the published figures (capabilities, statements …) of the
    scopes of the current round that the page breaks down (``figure_keys``)."""
    by_id = {r.pk: r for r in rounds}
    by_id[current.pk] = current
    rows_by_round: dict[int, dict[str, StoredScope]] = {pk: {} for pk in by_id}
    for round_id, key, n, published in RoundResult.objects.filter(round_id__in=list(by_id)).values_list(
        "round_id", "scope_key", "n_respondents", "published"
    ):
        rows_by_round[round_id][key] = StoredScope(n, published)
    for key, figures in RoundResult.objects.filter(
        round=current, scope_key__in=sorted(figure_keys)
    ).values_list("scope_key", "published_figures"):
        rows_by_round[current.pk][key].figures = figures
    shown = {}
    for round_id, rows in rows_by_round.items():
        k = effective_k(by_id[round_id].questionnaire.k_anonymity)
        hidden = {key for key, row in rows.items() if row.published.get("hidden", True)}
        shown[round_id] = ShownRound(by_id[round_id], k, rows, hidden)
    return shown


# --- The dashboard ------------------------------------------------------------------------------------------


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


def _entity(shown: ShownRound, key: str, name: str, depth: int = 0, kind: str = "department") -> dict:
    return {
        "key": key,
        "name": name,
        "depth": depth,
        "kind": kind,
        "n": shown.n(key),
        "capability": shown.value(key, "capability_percent"),
        "legacy": shown.value(key, "legacy_percent"),
        "overall": shown.value(key, "overall_percent"),
        "type": (shown.value(key, "type") or None),
        "suppressed": key in shown.hidden,
    }


def _num(value):
    """A value for a chart: the number, or None when it is suppressed or undefined."""
    return None if value is None or value == SUPPRESSED else value


def _response_rate(round_: Round, focus_key: str, focus_shown: bool, *, departments, groups, shown_keys):
    """Invited and submitted for the focus set, from the invitation ledger, with the anonymity rule of the
    response rates (``surveys.selectors_rounds.RatePattern``): 1 … k − 1 submitted is "färre än k" with the
    rate as a band, and a set whose count could be worked out is not shown. Imported rounds and rounds
    without invitations have no rate; a suppressed focus shows none either."""
    if round_.source == Round.Source.IMPORT:
        return {"available": False, "reason": _("Imported responses: no response rate.")}
    pattern = get_rate_pattern(round_, departments=departments, groups=groups, shown_result_keys=shown_keys)
    row = pattern.row("", focus_key)
    if not row.invited:
        return {"available": False, "reason": _("No invitations were sent in this round: no response rate.")}
    if not focus_shown or row.hidden:
        return {
            "available": True,
            "suppressed": True,
            "rate": SUPPRESSED,
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


def _difference(now, before):
    """A change: hidden when either figure is hidden (it would be derived from a hidden one), undefined when
    either is undefined."""
    if SUPPRESSED in (now, before):
        return SUPPRESSED
    if now is None or before is None:
        return None
    return now - before


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
    view; ``group`` narrows every figure to one respondent group; ``visible`` = the departments the user
    may see (None = all). ``rounds`` = list_dashboard_rounds(organisation); ``departments`` and ``groups``
    (all of the organisation's) may be passed when the caller has them already."""
    if departments is None:
        departments = list(Department.objects.filter(organisation=organisation))
    if groups is None:
        groups = list(RespondentGroup.objects.filter(organisation=organisation))
    # The tree the round's results were computed on (departments moved since then stay where they were).
    departments = as_frozen(departments, get_result_tree(round_))
    version = round_.questionnaire
    group_id = group.pk if group else None

    comparable = version.comparable_version_ids()
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
    loaded_rounds = list(trend_rounds) + ([previous] if previous is not None else [])

    # The focus: what the page is about; the scopes whose breakdown (capabilities …) the page shows.
    if department is None:
        focus_key = group_key(group_id) if group_id else ORGANISATION_KEY
        focus_name = f"{organisation.name} – {group.name}" if group else organisation.name
        column_keys = [(g, group_key(g.pk)) for g in groups]
    else:
        focus_key = department_key(department.pk, group_id)
        focus_name = f"{department.name} – {group.name}" if group else department.name
        column_keys = [(g, department_key(department.pk, g.pk)) for g in groups]
    org_key = ORGANISATION_KEY
    figure_keys = {focus_key, org_key} | {key for _g, key in column_keys}
    shown_rounds = _load_rounds(loaded_rounds, current=round_, figure_keys=figure_keys)
    current = shown_rounds[round_.pk]
    k = current.k

    # Departments on the page: every visible one (organisation view) or the department and its units.
    ordered = tree_ordered(departments)
    if department is None:
        scoped = [(d, depth) for d, depth in ordered if visible is None or d.pk in visible]
    else:
        below = set(_descendants(departments, department.pk))
        scoped = [(d, depth) for d, depth in ordered if d.pk in below]
    entities = [
        _entity(current, department_key(d.pk, group_id), d.name, depth)
        for d, depth in scoped
        if department_key(d.pk, group_id) in current.rows
    ]
    focus = _entity(current, focus_key, focus_name, kind="focus")
    organisation_entity = _entity(current, org_key, organisation.name, kind="organisation")

    # Structure names (three queries).
    capabilities = list(Capability.objects.filter(version=version).select_related("category__dimension"))
    categories = list(Category.objects.filter(version=version).select_related("dimension"))
    statements = list(Statement.objects.filter(version=version).select_related("capability"))
    focus_type = focus["type"]
    shown_type = focus_type if focus_type and focus_type != SUPPRESSED else ""
    type_text = TypeDescription.objects.filter(version=version, type=shown_type).first()

    # Comparison with other organisations (anonymous means; None when fewer than 5 organisations).
    comparisons = {}
    basis_labels = {
        "national": _("All other organisations"),
        "county": _("Same county"),
        "kind": _("Same kind of organisation"),
    }
    for basis in ("national", "county", "kind"):
        comparisons[basis] = get_comparison(organisation=organisation, period=round_.period, basis=basis)

    # Headline.
    headline = {
        "n": focus["n"],
        "overall": focus["overall"],
        "capability": focus["capability"],
        "legacy": focus["legacy"],
        "type": focus_type,
        "suppressed": focus["suppressed"],
        "exists": focus_key in current.rows,
        # Statements too few answered in the focus, left out of the figures above them (maturity.disclosure).
        "left_out": current.value(focus_key, "left_out") if current.shown(focus_key) else 0,
    }
    headline["response_rate"] = _response_rate(
        round_,
        focus_key,
        focus_shown=current.shown(focus_key),
        departments=departments,
        groups=groups,
        shown_keys={key for key in current.rows if key not in current.hidden},
    )
    if previous is not None:
        before = shown_rounds[previous.pk]
        headline["previous"] = {
            "period": str(previous.period),
            "same_questionnaire": previous.questionnaire_id in comparable,
            "overall": _difference(focus["overall"], before.value(focus_key, "overall_percent")),
            "capability": _difference(focus["capability"], before.value(focus_key, "capability_percent")),
            "legacy": _difference(focus["legacy"], before.value(focus_key, "legacy_percent")),
        }
    else:
        headline["previous"] = None

    tables: list[Table] = []
    figures: dict[str, dict | None] = {}

    # Headline table.
    headline_table = Table(
        "headline",
        _("Headline figures"),
        [_("Figure"), _("Value")],
        ["text", "mixed"],
    )
    headline_table.rows = [
        [_("Respondents"), ("number", headline["n"])],
        [_("Overall maturity"), ("percent", headline["overall"])],
        [_("Digital capability"), ("percent", headline["capability"])],
        [_("Digital legacy"), ("percent", headline["legacy"])],
        [_("Type"), ("text", headline["type"])],
    ]
    rate = headline["response_rate"]
    if rate["available"]:
        headline_table.rows.append([_("Response rate"), ("percent", rate["rate"])])
    if headline["previous"]:
        headline_table.rows.append(
            [
                _("Change in overall maturity since %(period)s") % {"period": headline["previous"]["period"]},
                ("pp", headline["previous"]["overall"]),
            ]
        )
    tables.append(headline_table)

    # The matrix.
    points = []
    for basis in ("national", "county", "kind"):
        comparison = comparisons[basis]
        if comparison:
            points.append(
                charts.MatrixPoint(
                    basis_labels[basis],
                    comparison["capability_percent"],
                    comparison["legacy_percent"],
                    "comparison",
                    f"comparison:{basis}",
                )
            )
    for entity in entities:
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
    if focus_key != org_key:
        points.append(
            charts.MatrixPoint(
                organisation.name,
                _num(organisation_entity["capability"]),
                _num(organisation_entity["legacy"]),
                "organisation",
                org_key,
            )
        )
    points.append(
        charts.MatrixPoint(focus_name, _num(focus["capability"]), _num(focus["legacy"]), "focus", focus_key)
    )
    cut_x, cut_y = float(version.capability_cutoff), float(version.legacy_cutoff)
    figures["matrix"] = charts.matrix_figure(
        points,
        capability_cutoff=cut_x,
        legacy_cutoff=cut_y,
        decimal=decimal,
        labels=charts.MatrixLabels(
            x_title=_("Digital capability (%)"),
            y_title=_("Digital legacy (%)"),
            kinds={
                "focus": focus_name,
                "organisation": _("Organisation as a whole"),
                "department": _("Departments") if department is None else _("Units"),
                "comparison": _("Other organisations (mean)"),
            },
        ),
    )
    matrix_table = Table(
        "matrix",
        _("The maturity matrix"),
        [_("Who"), _("Digital capability"), _("Digital legacy"), _("Type")],
        ["text", "percent", "percent", "text"],
    )
    matrix_table.rows.append([focus_name, focus["capability"], focus["legacy"], focus_type])
    if focus_key != org_key:
        matrix_table.rows.append(
            [
                organisation.name,
                organisation_entity["capability"],
                organisation_entity["legacy"],
                organisation_entity["type"],
            ]
        )
    for entity in entities:
        if entity["key"] != focus_key:
            matrix_table.rows.append([entity["name"], entity["capability"], entity["legacy"], entity["type"]])
    for basis in ("national", "county", "kind"):
        comparison = comparisons[basis]
        if comparison:
            label = _("%(basis)s (mean of %(n)s organisations)") % {
                "basis": basis_labels[basis],
                "n": comparison["n_organisations"],
            }
            matrix_table.rows.append(
                [label, comparison["capability_percent"], comparison["legacy_percent"], None]
            )
    tables.append(matrix_table)

    # Categories and capabilities as bars: the focus, the organisation, the other municipalities.
    national = comparisons["national"] or {}
    series_names = [focus_name]
    if focus_key != org_key:
        series_names.append(organisation.name)
    if national:
        series_names.append(_("Other organisations (mean)"))

    def part_series(level: str, codes: list[str]) -> list[list]:
        values = [[current.part(focus_key, level, c) for c in codes]]
        if focus_key != org_key:
            values.append([current.part(org_key, level, c) for c in codes])
        if national:
            values.append([national.get(level, {}).get(c) for c in codes])
        return values

    for level, parts, table_id, title in (
        ("categories", categories, "categories", _("Categories")),
        ("capabilities", capabilities, "capabilities", _("Capabilities")),
    ):
        codes = [p.code for p in parts]
        names = [p.name for p in parts]
        values = part_series(level, codes)
        figures[table_id] = charts.bars_figure(
            names,
            [
                charts.Series(name, [_num(v) for v in vals])
                for name, vals in zip(series_names, values, strict=True)
            ],
            decimal=decimal,
        )
        table = Table(table_id, title, [_("Name"), *series_names], ["text"] + ["percent"] * len(series_names))
        for i, name in enumerate(names):
            table.rows.append([name, *[vals[i] for vals in values]])
        tables.append(table)

    # Strongest and weakest capabilities of the focus, in words.
    ranked = [
        (c.name, current.part(focus_key, "capabilities", c.code))
        for c in capabilities
        if isinstance(current.part(focus_key, "capabilities", c.code), float | int)
    ]
    ranked.sort(key=lambda item: item[1], reverse=True)
    strongest = ranked[:STRONGEST_WEAKEST]
    weakest = list(reversed(ranked[-STRONGEST_WEAKEST:])) if len(ranked) > STRONGEST_WEAKEST else []

    # Respondent groups: a heatmap of capability × group, largest gaps marked.
    group_columns = [(g, key) for g, key in column_keys if key in current.rows]
    heat_values = [
        [current.part(key, "capabilities", c.code) for _g, key in group_columns] for c in capabilities
    ]
    by_group = {
        g.name: {
            c.code: (_num(heat_values[i][j]), k if _num(heat_values[i][j]) is not None else 0)
            for i, c in enumerate(capabilities)
        }
        for j, (g, _key) in enumerate(group_columns)
    }
    gaps = scoring.group_gaps(by_group, min_n=k)
    gap_order = sorted(
        (i for i, c in enumerate(capabilities) if gaps.get(c.code) and gaps[c.code].gap),
        key=lambda i: gaps[capabilities[i].code].gap or 0.0,  # never 0/None: filtered just above
        reverse=True,
    )
    highlighted = gap_order[:HIGHLIGHTED_GAPS]
    heatmap_table = Table(
        "groups",
        _("Capabilities by respondent group"),
        [_("Capability"), *[g.name for g, _key in group_columns], _("Gap (percentage points)")],
        ["text"] + ["percent"] * len(group_columns) + ["pp"],
    )
    for i, c in enumerate(capabilities):
        gap = gaps.get(c.code)
        heatmap_table.rows.append([c.name, *heat_values[i], gap.gap if gap else None])
        heatmap_table.marks.append(_("largest gap") if i in highlighted else "")
    tables.append(heatmap_table)
    figures["groups"] = (
        charts.heatmap_figure(
            [c.name for c in capabilities],
            [g.name for g, _key in group_columns],
            [[_num(v) for v in row] for row in heat_values],
            highlight_rows=highlighted,
            suppressed_text=_("too few"),
            gap_text=_("largest gap"),
            decimal=decimal,
        )
        if group_columns
        else None
    )
    group_summary = [
        {
            "capability": capabilities[i].name,
            "gap": gaps[capabilities[i].code].gap,
            "highest": gaps[capabilities[i].code].highest,
            "lowest": gaps[capabilities[i].code].lowest,
        }
        for i in highlighted
    ]

    # Spread per statement.
    spread_table = Table(
        "spread",
        _("Spread per statement"),
        [_("Statement"), _("Capability"), _("Standard deviation"), _("“Don't know” share"), _("Flag")],
        ["text", "text", "sd", "share", "text"],
    )
    flagged = 0
    for s in statements:
        sd = current.part(focus_key, "statements", s.code, "sd")
        share = current.part(focus_key, "statements", s.code, "dont_know_share")
        flags = []
        if isinstance(sd, float | int) and sd >= SD_FLAG:
            flags.append(_("high spread"))
        if isinstance(share, float | int) and share >= DONT_KNOW_FLAG:
            flags.append(_("many don't know"))
        flagged += bool(flags)
        spread_table.rows.append([s.text, s.capability.name, sd, share, ", ".join(flags)])
        spread_table.marks.append(", ".join(flags))
    tables.append(spread_table)

    # Trend over rounds with the same questionnaire version.
    trend_rounds.sort(key=lambda r: r.period.starts_on)
    trend_labels = [str(r.period) for r in trend_rounds]
    trend_series: list[tuple[str, list]] = [
        (
            _("%(name)s: overall") % {"name": focus_name},
            [shown_rounds[r.pk].value(focus_key, "overall_percent") for r in trend_rounds],
        ),
        (
            _("%(name)s: capability") % {"name": focus_name},
            [shown_rounds[r.pk].value(focus_key, "capability_percent") for r in trend_rounds],
        ),
        (
            _("%(name)s: legacy") % {"name": focus_name},
            [shown_rounds[r.pk].value(focus_key, "legacy_percent") for r in trend_rounds],
        ),
    ]
    if focus_key != org_key:
        trend_series.append(
            (
                _("%(name)s: overall") % {"name": organisation.name},
                [shown_rounds[r.pk].value(org_key, "overall_percent") for r in trend_rounds],
            )
        )
    figures["trend"] = charts.trend_figure(
        trend_labels,
        [charts.Series(name, [_num(v) for v in vals]) for name, vals in trend_series],
        decimal=decimal,
    )
    trend_table = Table(
        "trend",
        _("Trend"),
        [_("Round"), *[name for name, _v in trend_series]],
        ["text"] + ["percent"] * len(trend_series),
    )
    for i, label in enumerate(trend_labels):
        trend_table.rows.append([label, *[vals[i] for _name, vals in trend_series]])
    tables.append(trend_table)

    # Internal comparison of the departments.
    internal = list(entities)
    comparison_table = Table(
        "departments",
        _("Departments side by side") if department is None else _("Units side by side"),
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
    for e in internal:
        comparison_table.rows.append(
            [e["name"], e["n"], e["overall"], e["capability"], e["legacy"], e["type"]]
        )
    tables.append(comparison_table)
    figures["departments"] = (
        charts.bars_figure(
            [e["name"] for e in internal],
            [
                charts.Series(_("Overall maturity"), [_num(e["overall"]) for e in internal]),
                charts.Series(_("Digital capability"), [_num(e["capability"]) for e in internal]),
                charts.Series(_("Digital legacy"), [_num(e["legacy"]) for e in internal]),
            ],
            decimal=decimal,
            row_height=14,
        )
        if internal
        else None
    )

    return {
        "organisation": organisation,
        "round": round_,
        "k": k,
        "department": department,
        "group": group,
        "focus": focus,
        "focus_key": focus_key,
        "organisation_total": organisation_entity,
        "headline": headline,
        "type_text": type_text,
        "cutoffs": (cut_x, cut_y),
        "comparisons": comparisons,
        "strongest": strongest,
        "weakest": weakest,
        "group_gaps": group_summary,
        "entities": internal,
        "flagged_statements": flagged,
        "figures": figures,
        "tables": {t.id: t for t in tables},
        "table_order": [t.id for t in tables],
        "departments": [(d, depth) for d, depth in ordered if visible is None or d.pk in visible],
        "groups": groups,
        "trend_rounds": trend_rounds,
        "thresholds": {"sd": SD_FLAG, "dont_know": DONT_KNOW_FLAG},
    }
