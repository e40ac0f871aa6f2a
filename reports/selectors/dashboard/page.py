"""The dashboard's page: which rounds it reads (the current one, the trend, the year before), its focus, the
departments on it, all read once through the one read model (``maturity.read_model``) into a ``Page`` that
every section builder (``sections``) works from; the data ``Table`` every chart comes with."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from dimios_web import formatting
from maturity.models import RoundResult
from maturity.rates import get_rate_pattern
from maturity.read_model import HIDDEN, RoundView, cell, is_hidden, load_round_views
from maturity.selectors import as_frozen, get_comparison_sets
from surveys.models import Capability, Category, Department, Organisation, RespondentGroup, Round, Statement
from surveys.scope_keys import ORGANISATION, ScopeKey
from surveys.tree import descendants_and_self, tree_ordered

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
    # Per row, for tables that list departments: its depth in the tree (0: at the top), None for a row that
    # is no department (the organisation, a comparison); empty for other tables.
    depths: list[int | None] = field(default_factory=list)


def shown_dimension(value, cutoff: float):
    """A capability or legacy figure as the page may show it next to its type: never rounded across the
    cut-off (dimios_web.formatting.dimension_value, docs/scoring.md); hidden and undefined pass as they
    are."""
    if value is None or is_hidden(value):
        return value
    return formatting.dimension_value(value, cutoff)


def _entity(
    view: RoundView,
    key: ScopeKey,
    name: str,
    depth: int = 0,
    kind: str = "department",
    *,
    cutoffs: tuple[float, float] = (50.0, 50.0),
) -> dict:
    return {
        "key": str(key),
        "name": name,
        "depth": depth,
        "kind": kind,
        "n": cell(view.n(key)),
        "capability": shown_dimension(cell(view.value(key, "capability_percent")), cutoffs[0]),
        "legacy": shown_dimension(cell(view.value(key, "legacy_percent")), cutoffs[1]),
        "overall": cell(view.value(key, "overall_percent")),
        "type": (cell(view.value(key, "type")) or None),
        "suppressed": view.hidden(key),
    }


def chart_value(value):
    """A value for a chart: the number, or None when it is hidden or undefined."""
    return None if value is None or is_hidden(value) else value


def difference(now, before):
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
    comparison_sets: dict
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
    return trend_rounds, round_a_year_before(round_, rounds), set(comparable)


def round_a_year_before(round_: Round, rounds: list[Round]) -> Round | None:
    """The round a change is measured from: the same term a year before, else any round of the year before
    (the calendar year is the comparison key; the dashboards and the start pages use the same rule)."""
    return next(
        (
            r
            for r in rounds
            if r.period.year == round_.period.year - 1 and r.period.term == round_.period.term
        ),
        None,
    ) or next((r for r in rounds if r.period.year == round_.period.year - 1), None)


def build_page(
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
    cutoffs = (float(version.capability_cutoff), float(version.legacy_cutoff))
    group_id = group.pk if group else None
    trend_rounds, previous, comparable = _rounds_around(round_, rounds)
    loaded_rounds = [*trend_rounds, *([previous] if previous is not None else []), round_]

    # The focus: what the page is about; the scopes whose breakdown (capabilities …) the page shows.
    # Every comparison set with its distribution (issue 15; the department's sector for a department), and
    # the means of the period's national, county and kind sets for the matrix and bars, in the same reads.
    comparison_sets = get_comparison_sets(
        organisation=organisation, period=round_.period, department=department
    )
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
        below = descendants_and_self({d.pk: d.parent_id for d in departments}, [department.pk])
        scoped = [(d, depth) for d, depth in ordered if d.pk in below]
    entities = [
        _entity(current, ScopeKey.department(d.pk, group_id), d.name, depth, cutoffs=cutoffs)
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
        focus=_entity(current, focus_key, focus_name, kind="focus", cutoffs=cutoffs),
        organisation_entity=_entity(
            current, ORGANISATION, organisation.name, kind="organisation", cutoffs=cutoffs
        ),
        trend_rounds=trend_rounds,
        previous=previous,
        comparable=comparable,
        # Comparison with other organisations (anonymous means; None when fewer than 5 organisations).
        comparisons={basis: comparison_sets["means"][basis] for basis in COMPARISON_BASES},
        comparison_sets=comparison_sets,
        # Structure names (three queries).
        capabilities=list(
            Capability.objects.filter(version=version).select_related("category__dimension").with_labels()
        ),
        categories=list(Category.objects.filter(version=version).select_related("dimension")),
        statements=list(Statement.objects.filter(version=version).select_related("capability")),
    )


def response_rate(round_: Round, focus_key: ScopeKey, focus_shown: bool, *, departments, groups, shown_keys):
    """Invited and submitted for the focus set, from the invitation ledger, with the anonymity rule of the
    response rates (``maturity.rates.RatePattern``): 1 … k − 1 submitted is "färre än k" with the
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
