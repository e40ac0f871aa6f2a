"""Reads for the results dashboards: stored round results only, never raw answers, read through the one
read model (``maturity.read_model``), so every figure is shown or hidden by the same rule as in the annual
report and the downloads. A hidden figure is ``HIDDEN`` (``maturity.read_model.Hidden``), never a number
and never a magic string; an undefined one is None.

Entry points:
- ``list_dashboard_rounds(organisation)`` – closed rounds with stored results, newest first;
- ``get_dashboard(organisation=…, round_=…, rounds=…, department=…, group=…, visible=…)`` – everything a
  dashboard shows, as plain data: headline, matrix points, bars, heatmap, spread, trend, internal
  comparison, improvement suggestions (``reports.selectors.suggestions``), and ``tables`` (the data
  table of every chart – also what the CSV/XLSX downloads contain).
  It gathers the page (``Page``: the rounds' views, the focus, the departments on the page) and hands it
  to one builder per section (``_headline``, ``_matrix``, ``_parts``, ``_groups``, ``_spread``, ``_trend``,
  ``_departments``).

The number of queries is fixed whatever the number of departments, groups, respondents and rounds.
"""

from __future__ import annotations

import datetime

from maturity.read_model import is_hidden
from surveys.access import Visibility
from surveys.models import Department, Organisation, RespondentGroup, Round, TypeDescription
from surveys.tree import tree_ordered

from ..actions import get_dashboard_actions
from ..suggestions import list_suggestions
from . import sections
from .page import DONT_KNOW_FLAG, SD_FLAG, Table, build_page, list_dashboard_rounds

__all__ = ["Table", "get_dashboard", "list_dashboard_rounds", "tree_ordered"]


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
    actions: Visibility | None = None,
    today: datetime.date | None = None,
) -> dict:
    """Everything one dashboard shows, suppressed per DESIGN.md. ``department`` None = the organisation
    view; ``group`` narrows every figure to one respondent group; ``visible`` = the departments the reader
    may see (None = all; ``surveys.access.OrganisationAccess.visible_department_ids``). ``rounds`` =
    list_dashboard_rounds(organisation); ``departments`` and ``groups`` (all of the organisation's) may be
    passed when the caller has them already. ``actions``: what of the action plans may be read (the
    page's ``OrganisationAccess.visibility``; None, as for the downloads, leaves them out: one query
    less), shown beside the capabilities with ``today`` deciding what is overdue."""
    if departments is None:
        departments = list(Department.objects.filter(organisation=organisation))
    if groups is None:
        groups = list(RespondentGroup.objects.filter(organisation=organisation))
    page = build_page(
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
    headline = sections.headline(page)
    cutoffs = sections.matrix(page)
    strongest, weakest = sections.parts(page)
    group_summary = sections.groups(page)
    flagged = sections.spread(page)
    trend_rounds = sections.trend(page)
    internal = sections.departments(page)
    comparison_sets = sections.comparison_sets(page)
    # Where to start (issue 16): from the focus's shown figures only, no further queries.
    suggestions = list_suggestions(
        page.current,
        focus=page.focus_key,
        name=page.focus_name,
        capabilities=page.capabilities,
        statements=page.statements,
        groups=[(g.name, key) for g, key in page.column_keys],
        visible=visible,
        decimal=decimal,
    )
    # The action plans beside the capabilities (issue 16, docs/actions.md "Where actions show"): one query.
    shown_actions = None
    if actions is not None and today is not None:
        shown_actions = get_dashboard_actions(
            organisation=organisation,
            visibility=actions,
            department=department,
            departments=departments,
            capabilities=page.capabilities,
            weakest=[name for name, _value in weakest],
            today=today,
        )
    return {
        "organisation": organisation,
        "actions": shown_actions,
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
        "comparison_sets": comparison_sets,
        "strongest": strongest,
        "weakest": weakest,
        "group_gaps": group_summary,
        "entities": internal,
        "flagged_statements": flagged,
        "suggestions": suggestions,
        "figures": page.figures,
        "tables": {t.id: t for t in page.tables},
        "table_order": [t.id for t in page.tables],
        "departments": [(d, depth) for d, depth in page.ordered if visible is None or d.pk in visible],
        "groups": groups,
        "trend_rounds": trend_rounds,
        "thresholds": {"sd": SD_FLAG, "dont_know": DONT_KNOW_FLAG},
    }
