"""The annual report's content: everything the report says, as plain data (numbers unformatted, None where
a figure is not shown), read through the one read model of stored results (``maturity.read_model``).

``get_report_content(organisation=…, year=…, visibility=…)`` is the one entry point: the HTML page, the
PDF (printed from the HTML) and the XLSX are all made from its result, so the three formats always say the
same thing. It gathers the year (``Year``: the rounds' views, names, comparisons) and hands it to one
builder per section, in the order of ``SECTIONS``.

The year's figures are those of the organisation's latest round of the calendar year that has stored
results (HT when there is one, otherwise VT); "change from last year" compares with the latest such round
of the year before. Both rounds of the year are listed in the method section.

Why one module of some 550 lines: the eight section builders read the same ``Year`` and are short; kept
together, the whole of what the report says is read in one file, top to bottom in the report's order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from dimios_web import formatting, localformat
from maturity.rates import get_response_rates
from maturity.read_model import RoundView, Shown, group_gaps, load_round_views, shown_value
from maturity.selectors import as_frozen, get_comparison_sets
from maturity.selectors_actions import visible_actions
from maturity.selectors_followup import get_action_followups
from surveys.access import Visibility
from surveys.models import (
    Capability,
    Category,
    Department,
    Dimension,
    Organisation,
    RespondentGroup,
    Round,
    TypeDescription,
    type_heading,
)
from surveys.scope_keys import ORGANISATION, ScopeKey
from surveys.tree import tree_ordered

from ..models import Conclusion
from .annual import SECTIONS, list_year_rounds
from .dashboard.sections import band_text

STRONGEST_COUNT = 3


class NoResults(Exception):
    """The organisation has no stored results for the year: there is nothing to report."""


@dataclass(frozen=True)
class Names:
    dimensions: dict
    categories: dict
    capabilities: dict
    category_of: dict
    dimension_of: dict
    dimension_kind: dict


def _names(version_id: int) -> Names:
    dimensions = list(Dimension.objects.filter(version_id=version_id))
    categories = list(Category.objects.filter(version_id=version_id).select_related("dimension"))
    capabilities = list(
        Capability.objects.filter(version_id=version_id).select_related("category").with_labels()
    )
    return Names(
        dimensions={d.code: d.name for d in dimensions},
        categories={c.code: c.name for c in categories},
        # a reversed capability by what a high figure means ("Lite skugg-IT": Capability.label)
        capabilities={c.code: c.label for c in capabilities},
        category_of={c.code: c.category.code for c in capabilities},
        dimension_of={c.code: c.dimension.code for c in categories},
        dimension_kind={d.code: d.kind for d in dimensions},
    )


@dataclass
class Scope:
    """One scope of the main round on the report: its key, name and depth in the tree."""

    key: ScopeKey
    name: str
    depth: int = 0
    department_id: int | None = None


@dataclass
class Year:
    """What every section of one annual report is built from."""

    organisation: Organisation
    year: int
    visibility: Visibility
    rounds: list[Round]
    main_round: Round
    previous_round: Round | None
    views: dict[int, RoundView]
    names: Names
    # The sets the organisation admin chose for the report that have enough organisations, in the sets'
    # order: key → the set (maturity.selectors.get_comparison_sets), with its means of every part.
    comparisons: dict[str, dict]
    comparison_sets: dict
    types: dict[str, TypeDescription]
    departments: list[Scope]
    groups: list[Scope]

    @property
    def view(self) -> RoundView:
        return self.views[self.main_round.pk]

    @property
    def before(self) -> RoundView | None:
        return self.views[self.previous_round.pk] if self.previous_round is not None else None

    @property
    def version(self):
        return self.main_round.questionnaire

    @property
    def type_row(self) -> TypeDescription | None:
        type_ = figures(self.view, ORGANISATION, "")["type"]
        return self.types.get(type_) if type_ else None


def figures(view: RoundView, key: ScopeKey, name: str) -> dict:
    """A scope's headline figures as the report prints them (None where not shown); capability and legacy
    never rounded across the cut-off that decided the type (docs/scoring.md)."""
    version = view.round.questionnaire
    return {
        "name": name,
        "n": shown_value(view.n(key)),
        "overall": shown_value(view.value(key, "overall_percent")),
        "capability": formatting.dimension_value(
            shown_value(view.value(key, "capability_percent")), float(version.capability_cutoff)
        ),
        "legacy": formatting.dimension_value(
            shown_value(view.value(key, "legacy_percent")), float(version.legacy_cutoff)
        ),
        "type": shown_value(view.value(key, "type")),
        "suppressed": view.hidden(key),
    }


def _percent(view: RoundView | None, key: ScopeKey, level: str, code: str):
    return shown_value(view.part(key, level, code)) if view is not None else None


def _delta(now, before):
    if now is None or before is None:
        return None
    return now - before


def _change(now: dict, before: dict | None) -> dict:
    return {
        key: _delta(now[key], before[key] if before else None) for key in ("overall", "capability", "legacy")
    }


def _strongest_weakest(
    view: RoundView, key: ScopeKey, names: Names, count: int = STRONGEST_COUNT
) -> tuple[list, list]:
    shown = [
        (code, figure.value)
        for code, figure in view.parts(key, "capabilities").items()
        if isinstance(figure, Shown) and figure.value is not None
    ]
    ordered = sorted(shown, key=lambda item: (-item[1], item[0]))
    as_rows = [{"code": c, "name": names.capabilities.get(c, c), "percent": p} for c, p in ordered]
    strongest = as_rows[:count]
    weakest = list(reversed(as_rows[-count:])) if len(as_rows) > count else list(reversed(as_rows))
    return strongest, weakest


def _year(*, organisation: Organisation, year: int, visibility: Visibility) -> Year:
    rounds = list_year_rounds(organisation=organisation, year=year)
    if not rounds:
        raise NoResults
    main_round = rounds[-1]
    previous_rounds = list_year_rounds(organisation=organisation, year=year - 1)
    previous_round = previous_rounds[-1] if previous_rounds else None
    loaded = [*rounds, *([previous_round] if previous_round is not None else [])]
    # Every scope's figures of the main round and the year before; only the headline of the year's others.
    wanted = {main_round.pk: None, **({previous_round.pk: None} if previous_round is not None else {})}
    views = load_round_views(loaded, figures=wanted)
    view = views[main_round.pk]
    if not view.scopes:  # cannot happen: list_year_rounds lists only rounds with stored results
        raise NoResults
    if previous_round is not None and not views[previous_round.pk].scopes:
        previous_round = None
    version = main_round.questionnaire
    departments = [
        Scope(ScopeKey.department(d.pk), d.name, depth, d.pk)
        for d, depth in tree_ordered(
            as_frozen(Department.objects.filter(organisation=organisation), view.tree)
        )
        if visibility.can_see_department(d.pk) and ScopeKey.department(d.pk) in view
    ]
    groups = [
        Scope(ScopeKey.group(g.pk), g.name)
        for g in RespondentGroup.objects.filter(organisation=organisation)
        if ScopeKey.group(g.pk) in view
    ]
    comparison_sets = get_comparison_sets(
        organisation=organisation,
        period=main_round.period,
        bases=organisation.report_comparison_sets or None,
    )
    return Year(
        organisation=organisation,
        year=year,
        visibility=visibility,
        rounds=rounds,
        main_round=main_round,
        previous_round=previous_round,
        views=views,
        names=_names(version.pk),
        comparisons={entry["key"]: entry for entry in comparison_sets["sets"] if not entry["too_few"]},
        comparison_sets=comparison_sets,
        types={t.type: t for t in TypeDescription.objects.filter(version=version)},
        departments=departments,
        groups=groups,
    )


# --- The sections ---------------------------------------------------------------------------------------


def _summary(y: Year) -> dict:
    org = figures(y.view, ORGANISATION, y.organisation.name)
    before = figures(y.before, ORGANISATION, "") if y.before is not None else None
    type_row = y.type_row
    return {
        **org,
        "type_title": type_row.title if type_row else "",
        "type_description": type_row.description if type_row else "",
        "previous_period": str(y.previous_round.period) if y.previous_round is not None else None,
        "change": _change(org, before),
        # The sets the organisation admin chose (all by default), each with its distribution and the
        # organisation's position as a quarter band (issue 15); the same sets' means also go into the
        # matrix, the bars and the tables of categories and capabilities.
        "comparison_period": y.comparison_sets["period_label"],
        "comparison_fallback_from": y.comparison_sets["fallback_from"],
        "comparisons": [_set_row(entry) for entry in y.comparison_sets["sets"]],
        "matrix_comparisons": [
            {
                "basis": key,
                "label": entry["label"],
                "capability": _set_value(entry, "capability"),
                "legacy": _set_value(entry, "legacy"),
            }
            for key, entry in y.comparisons.items()
        ],
    }


def _set_value(entry: dict, figure: str, key: str = "mean") -> float | None:
    """One number of a set's headline figure (its mean, a quartile…); None where the set does not show it."""
    value = entry["figures"].get(figure)
    return value[key] if value else None


def _set_row(entry: dict) -> dict:
    overall = entry["figures"].get("overall")
    return {
        "basis": entry["key"],
        "label": entry["label"],
        "note": entry["note"],
        "too_few": entry["too_few"],
        "n_organisations": entry["n_organisations"],
        "n_respondents": None if entry["too_few"] else entry["n_respondents"],
        "overall": _set_value(entry, "overall", "mean"),
        "overall_q1": _set_value(entry, "overall", "q1"),
        "overall_median": _set_value(entry, "overall", "median"),
        "overall_q3": _set_value(entry, "overall", "q3"),
        "overall_min": _set_value(entry, "overall", "min"),
        "overall_max": _set_value(entry, "overall", "max"),
        "capability": _set_value(entry, "capability", "mean"),
        "legacy": _set_value(entry, "legacy", "mean"),
        "position": band_text(overall["band"]) if overall and overall["band"] else "",
    }


def _matrix(y: Year, summary: dict) -> dict:
    points = []
    org = figures(y.view, ORGANISATION, y.organisation.name)
    if org["capability"] is not None and org["legacy"] is not None:
        points.append({"name": y.organisation.name, "kind": "organisation", **_xy(org)})
    number = 0
    for dept in y.departments:
        if dept.depth == 0 and not y.view.hidden(dept.key):
            shown = figures(y.view, dept.key, dept.name)
            if shown["capability"] is not None and shown["legacy"] is not None:
                # numbered in the matrix and in the table under it
                number += 1
                points.append({"name": dept.name, "kind": "department", "number": number, **_xy(shown)})
    for row in summary["matrix_comparisons"]:
        if row["capability"] is not None and row["legacy"] is not None:
            points.append(
                {
                    "name": row["label"],
                    "kind": "comparison",
                    "capability": row["capability"],
                    "legacy": row["legacy"],
                }
            )
    return {
        "points": points,
        # the four fields' names, in the matrix's corners
        "types": {t: (y.types[t].heading if t in y.types else type_heading(t, "")) for t in "ABCD"},
        "capability_cutoff": float(y.version.capability_cutoff),
        "legacy_cutoff": float(y.version.legacy_cutoff),
    }


def _categories(y: Year) -> tuple[list, list]:
    """The organisation's categories and capabilities, with last year's and the comparisons' figures."""
    names = y.names

    def comparison_parts(level, code):
        # One value per column of ``comparison_columns``: each chosen set's mean of the part.
        return {"comparisons": [entry["parts"][level].get(code) for entry in y.comparisons.values()]}

    categories = [
        {
            "code": code,
            "name": name,
            "dimension": names.dimensions.get(names.dimension_of.get(code), ""),
            "percent": _percent(y.view, ORGANISATION, "categories", code),
            "previous": _percent(y.before, ORGANISATION, "categories", code),
            **comparison_parts("categories", code),
        }
        for code, name in names.categories.items()
    ]
    capabilities = [
        {
            "code": code,
            "name": name,
            "category": names.categories.get(names.category_of.get(code), ""),
            "percent": _percent(y.view, ORGANISATION, "capabilities", code),
            "previous": _percent(y.before, ORGANISATION, "capabilities", code),
            **comparison_parts("capabilities", code),
        }
        for code, name in names.capabilities.items()
    ]
    return categories, capabilities


def _departments(y: Year) -> list[dict]:
    section_number = SECTIONS.index("departments") + 1
    departments = []
    for index, dept in enumerate(y.departments):
        shown = figures(y.view, dept.key, dept.name)
        before = y.before
        before_figures = (
            figures(before, dept.key, dept.name) if before is not None and dept.key in before else None
        )
        d_strongest, d_weakest = (
            _strongest_weakest(y.view, dept.key, y.names) if not shown["suppressed"] else ([], [])
        )
        departments.append(
            {
                **shown,
                "anchor": f"department-{index}",
                "chart_id": f"chart-department-{index}",
                "heading": f"{section_number}.{index + 1} {dept.name}",
                "depth": dept.depth,
                "type_title": y.types[shown["type"]].title if shown["type"] in y.types else "",
                "strongest": d_strongest,
                "weakest": d_weakest,
                "change": _change(shown, before_figures),
            }
        )
    return departments


def _groups(y: Year) -> tuple[list, list, dict]:
    """The respondent groups' figures, their capabilities side by side and the largest gaps."""
    names = y.names
    gaps = group_gaps(y.view, [(g.name, g.key) for g in y.groups], names.capabilities)
    group_rows = [figures(y.view, g.key, g.name) for g in y.groups]
    shown_groups = [g for g in y.groups if not y.view.hidden(g.key)]
    group_capabilities = {
        "groups": [g.name for g in shown_groups],
        "rows": [
            {
                "code": code,
                "name": name,
                "values": [_percent(y.view, g.key, "capabilities", code) for g in shown_groups],
            }
            for code, name in names.capabilities.items()
        ],
    }
    gap_rows = sorted(
        (
            {
                "code": code,
                "name": names.capabilities.get(code, code),
                "highest": gap.highest,
                "highest_percent": gap.percents.get(gap.highest) if gap.highest else None,
                "lowest": gap.lowest,
                "lowest_percent": gap.percents.get(gap.lowest) if gap.lowest else None,
                "gap": gap.gap,
            }
            for code, gap in gaps.items()
            if gap.gap is not None
        ),
        key=lambda row: (-row["gap"], row["code"]),
    )
    return group_rows, gap_rows, group_capabilities


def _rates(round_: Round, visibility: Visibility) -> dict:
    """A round's response rates as far as the report's readers may see them (``visibility``; the
    anonymity rules are the rounds app's, ``maturity.rates``)."""
    rates = get_response_rates(round_, visible=visibility.as_set())

    def row(r):
        return {
            "name": r.label,
            "depth": r.depth,
            "invited": r.invited,
            "submitted": r.submitted,
            "rate": r.rate_value,
            "suppressed": r.hidden,
            # 1 … k − 1 submitted: "färre än k" and the rate as a band, never the count.
            "fewer_than_k": r.fewer_than_k,
            "submitted_text": r.submitted_display,
            "rate_text": r.rate,
        }

    return {
        "anonymous": rates.anonymous,
        "total": row(rates.total),
        "departments": [row(r) for r in rates.departments],
        "groups": [row(r) for r in rates.groups],
        "open_link_responses": rates.open_link_responses,
    }


def _method(y: Year) -> dict:
    version = y.version
    return {
        "rounds": [
            {
                "period": str(r.period),
                "code": r.period.code,
                "first_day": localformat.date(r.first_day),
                "last_day": localformat.date(r.last_day),
                "source": r.get_source_display(),
                "anonymous": r.anonymous,
                "questionnaire": r.questionnaire.name,
                "n_respondents": shown_value(y.views[r.pk].n(ORGANISATION)),
                "rates": _rates(r, y.visibility),
            }
            for r in y.rounds
        ],
        "main_period": str(y.main_round.period),
        "questionnaire": version.name,
        "questionnaire_code": version.code,
        "k": y.view.k,
        "capability_cutoff": float(version.capability_cutoff),
        "legacy_cutoff": float(version.legacy_cutoff),
    }


def _conclusions(y: Year) -> dict:
    from reports.markdown import render_markdown

    written = [
        {"number": c.number, "title": c.title, "body": c.body, "html": render_markdown(c.body)}
        for c in Conclusion.objects.filter(organisation=y.organisation, year=y.year).order_by("number")
    ]
    type_row = y.type_row
    return {
        "written": written,
        "general_recommendations": type_row.recommendations if (type_row and not written) else "",
        "type": figures(y.view, ORGANISATION, "")["type"],
        "type_title": type_row.title if type_row else "",
        "type_heading": type_row.heading if type_row else "",
    }


def list_report_actions(*, organisation: Organisation, year: int, visibility: Visibility):
    """The actions the annual report lists: those decided in response to a round of the year or of the year
    before (the latter are followed up in the year's rounds), that may be read; the organisation-wide ones
    first, then by department in tree order, then by due date. Also what ``annual.compute_fingerprint``
    reads."""
    return (
        visible_actions(organisation, visibility)
        .filter(round__period__year__in=[year - 1, year])
        .select_related("department", "round__period")
        .prefetch_related(Prefetch("capabilities", queryset=Capability.objects.with_labels()))
        .order_by("due_on", "pk")
    )


def _actions(y: Year) -> dict:
    """Section 8: the actions (``list_report_actions``) with their department, capabilities, status, due
    date and follow-up (``maturity.selectors_followup``: its figures through the read model, so under the
    report's anonymity rule). Never the owner: the report goes to the board and the public."""
    actions = list(list_report_actions(organisation=y.organisation, year=y.year, visibility=y.visibility))
    followups = get_action_followups(actions, y.visibility)
    order = {
        d.pk: index
        for index, (d, _depth) in enumerate(
            tree_ordered(list(Department.objects.filter(organisation=y.organisation)))
        )
    }
    actions.sort(
        key=lambda a: (a.department_id is not None, order.get(a.department_id or 0, 0), a.due_on, a.pk)
    )
    items = []
    for action in actions:
        followup = followups[action.pk]
        items.append(
            {
                "title": action.title,
                "department": action.department.name if action.department else _("The whole organisation"),
                "organisation_wide": action.department_id is None,
                "round": str(action.round.period),
                "capabilities": [c.label for c in action.capabilities.all()],
                "status": str(action.get_status_display()),
                "due_on": action.due_on.isoformat(),
                "due_text": localformat.date(action.due_on),
                "overdue": action.is_overdue,
                "followup": followup.summary(),
                "followup_round": str(followup.round.period) if followup.round is not None else "",
                "changes": [
                    {
                        "capability": change.name,
                        "scope": change.scope_name,
                        "before": change.before,
                        "after": change.after,
                        "change": change.change,
                        "reason": change.reason,
                    }
                    for change in followup.changes
                ],
            }
        )
    return {"available": True, "items": items}


def _xy(shown: dict) -> dict:
    return {"capability": shown["capability"], "legacy": shown["legacy"]}


# --- The report -----------------------------------------------------------------------------------------


def get_report_content(
    *,
    organisation: Organisation,
    year: int,
    visibility: Visibility,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """The whole report as plain data (numbers unformatted; None where a figure is not shown), for readers
    who may see ``visibility`` of the organisation (the report is ordered by an organisation admin or
    management: ``Visibility.everything()``).

    ``progress(section)`` is called as each section is gathered. Raises ``NoResults`` when the
    organisation has no stored results in the year."""

    def step(section):
        if progress is not None:
            progress(section)

    y = _year(organisation=organisation, year=year, visibility=visibility)
    step("summary")
    summary = _summary(y)
    step("matrix")
    matrix = _matrix(y, summary)
    step("categories")
    categories, capabilities = _categories(y)
    strongest, weakest = _strongest_weakest(y.view, ORGANISATION, y.names)
    step("departments")
    departments = _departments(y)
    step("groups")
    group_rows, gap_rows, group_capabilities = _groups(y)
    step("method")
    method = _method(y)
    step("conclusions")
    conclusions = _conclusions(y)
    step("actions")
    actions = _actions(y)
    return {
        "organisation": {
            "name": organisation.name,
            "code": organisation.code,
            "kind": organisation.get_kind_display(),
            "county": organisation.county.name if organisation.county is not None else "",
        },
        "year": year,
        "period": str(y.main_round.period),
        "k": y.view.k,
        "summary": summary,
        # The columns of the categories' and capabilities' tables after the organisation's own and last
        # year's: the chosen comparison sets that have enough organisations.
        "comparison_columns": [{"key": key, "label": entry["label"]} for key, entry in y.comparisons.items()],
        "matrix": matrix,
        "categories": categories,
        "capabilities": capabilities,
        "strongest": strongest,
        "weakest": weakest,
        "departments": departments,
        "groups": group_rows,
        "group_gaps": gap_rows,
        "group_capabilities": group_capabilities,
        "method": method,
        "conclusions": conclusions,
        "actions": actions,
    }


def report_toc(content: dict) -> list[dict]:
    """The table of contents: the numbered sections and, under "Departments", each department. ``text`` is
    the heading exactly as printed (the PDF engine finds its page by it)."""
    from .annual import section_titles

    titles = section_titles()
    toc = []
    for number, section in enumerate(SECTIONS, start=1):
        toc.append({"id": f"section-{section}", "text": f"{number}. {titles[section]}", "level": 1})
        if section == "departments":
            for department in content["departments"]:
                toc.append({"id": department["anchor"], "text": department["heading"], "level": 2})
    return toc
