"""Where the action plans show outside their own pages (docs/actions.md, "Where actions show"): beside the
capabilities on the results dashboards, and what is due on a department representative's and an
organisation admin's start page card.

Reads only the actions that may be read (``maturity.selectors_actions.visible_actions``: of the departments
that may be seen, with their units, and the organisation-wide ones), given what may be seen, never who
asks. Each read is one query whatever the number of actions, departments and capabilities (the actions
joined to their capabilities' codes, grouped here). Dropped actions are left out: they are not being done.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse

from maturity.models import Action
from maturity.selectors_actions import NOT_DROPPED, visible_actions
from surveys.access import Visibility
from surveys.models import Capability, Department, Organisation
from surveys.tree import descendants_and_self

# A representative's start page lists the actions due within this many days after the overdue ones.
DUE_SOON_DAYS = 14


@dataclass(frozen=True)
class ShownAction:
    """One action as the dashboards and start pages list it."""

    pk: int
    title: str
    status: str
    status_label: str
    due_on: datetime.date
    overdue: bool
    department_id: int | None
    department: str  # "" for the whole organisation
    capability_codes: tuple[str, ...]
    url: str

    @property
    def done(self) -> bool:
        return self.status == Action.Status.DONE


def _shown(
    actions: QuerySet[Action], *, organisation: Organisation, today: datetime.date
) -> list[ShownAction]:
    """The actions (not dropped) in one query, one row per action and capability, grouped here; by due
    date."""
    rows = (
        actions.exclude(status=Action.Status.DROPPED)
        .order_by("due_on", "pk")
        .values_list(
            "pk", "title", "status", "due_on", "department_id", "department__name", "capabilities__code"
        )
    )
    grouped: dict[int, list] = {}
    for pk, title, status, due_on, department_id, name, code in rows:
        entry = grouped.setdefault(pk, [title, status, due_on, department_id, name or "", []])
        if code and code not in entry[5]:
            entry[5].append(code)
    labels = dict(Action.Status.choices)
    return [
        ShownAction(
            pk=pk,
            title=title,
            status=status,
            status_label=str(labels.get(status, status)),
            due_on=due_on,
            overdue=status in Action.OPEN_STATUSES and due_on < today,
            department_id=department_id,
            department=name,
            capability_codes=tuple(codes),
            url=reverse("maturity:action_detail", args=[organisation.code, pk]),
        )
        for pk, (title, status, due_on, department_id, name, codes) in grouped.items()
    ]


def _ordered(actions: Iterable[ShownAction]) -> list[ShownAction]:
    """Overdue first, then the open ones by due date, the done ones last."""
    return sorted(actions, key=lambda a: (not a.overdue, a.done, a.due_on, a.pk))


def _list_url(organisation: Organisation, **params) -> str:
    base = reverse("maturity:action_list", args=[organisation.code])
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{base}?{query}" if query else base


# --- The dashboards -----------------------------------------------------------------------------------------


@dataclass
class CapabilityActions:
    """The actions aimed at one capability of the page, with the action list filtered to them."""

    code: str
    name: str
    count: int
    url: str


@dataclass
class DashboardActions:
    """The actions a dashboard shows. Department dashboard: ``items`` are the department's own and its
    units' actions (the counts per capability are theirs, as the action list filtered by department and
    capability shows them), ``also`` the actions that apply to it from above (a department above it, the
    whole organisation). Organisation dashboard: ``items`` are the organisation-wide actions, ``also`` is
    empty, and the counts per capability are of every action that may be read."""

    scope_name: str
    department_id: int | None
    items: list[ShownAction]
    also: list[ShownAction]
    by_capability: list[CapabilityActions]
    n_counted: int  # the actions behind the counts
    n_overdue: int
    list_url: str
    weakest_without: list[str] = field(default_factory=list)  # the weakest capabilities no action aims at

    @property
    def any(self) -> bool:
        return bool(self.items or self.also or self.n_counted)


def get_dashboard_actions(
    *,
    organisation: Organisation,
    visibility: Visibility,
    department: Department | None,
    departments: Sequence[Department],
    capabilities: Sequence[Capability],
    weakest: Sequence[str] = (),
    today: datetime.date,
) -> DashboardActions:
    """The dashboard's actions, for ``department`` (None: the organisation). ``departments`` are all of the
    organisation's (the page has read them), ``capabilities`` the round's, in questionnaire order,
    ``weakest`` the names of the focus's weakest capabilities. One query."""
    parents = {d.pk: d.parent_id for d in departments}
    actions = _shown(visible_actions(organisation, visibility), organisation=organisation, today=today)
    if department is None:
        counted = actions
        items = [a for a in actions if a.department_id is None]
        also: list[ShownAction] = []
        scope_name = organisation.name
    else:
        own = descendants_and_self(parents, [department.pk])
        above: set[int] = set()
        parent = department.parent_id
        while parent is not None and parent not in above:
            above.add(parent)
            parent = parents.get(parent)
        counted = items = [a for a in actions if a.department_id in own]
        also = [a for a in actions if a.department_id is None or a.department_id in above]
        scope_name = department.name
    department_id = department.pk if department is not None else None
    counts: dict[str, int] = {}
    for action in counted:
        for code in action.capability_codes:
            counts[code] = counts.get(code, 0) + 1
    by_capability = [
        CapabilityActions(
            code=c.code,
            name=c.label,
            count=counts[c.code],
            url=_list_url(organisation, department=department_id, capability=c.code, status=NOT_DROPPED),
        )
        for c in capabilities
        if counts.get(c.code)
    ]
    aimed = {c.label for c in capabilities if counts.get(c.code)}
    return DashboardActions(
        scope_name=scope_name,
        department_id=department_id,
        items=_ordered(items),
        also=_ordered(also),
        by_capability=by_capability,
        n_counted=len(counted),
        n_overdue=sum(1 for a in counted if a.overdue),
        list_url=_list_url(organisation, department=department_id, status=NOT_DROPPED),
        weakest_without=[name for name in weakest if name not in aimed],
    )


# --- The start pages ----------------------------------------------------------------------------------------


@dataclass
class ActionsDue:
    """A department representative's actions (their departments' and their units', not the
    organisation-wide ones, which are the organisation admin's) and what is due: the overdue ones, those
    due within ``DUE_SOON_DAYS``, and how many more are open."""

    overdue: list[ShownAction]
    due_soon: list[ShownAction]
    n_later: int
    n_done: int
    list_url: str
    overdue_url: str
    today: datetime.date
    soon_days: int = DUE_SOON_DAYS

    @property
    def n_open(self) -> int:
        return len(self.overdue) + len(self.due_soon) + self.n_later

    @property
    def any(self) -> bool:
        return bool(self.n_open or self.n_done)


def get_actions_due(
    *,
    organisation: Organisation,
    departments: Sequence[Department],
    today: datetime.date,
    within: set[int] | None = None,
) -> ActionsDue:
    """The representative's card: the actions of ``departments`` (their own, with every unit under them).
    ``within``: those departments with their units when the caller knows them already (the user's scope,
    ``surveys.scoping``); otherwise the organisation's tree is read. One query (two without ``within``)."""
    if within is None:
        parents = dict(Department.objects.filter(organisation=organisation).values_list("pk", "parent_id"))
        within = descendants_and_self(parents, [d.pk for d in departments]) if departments else set()
    own = set(within)
    actions = [
        a
        for a in _shown(
            visible_actions(organisation, Visibility(frozenset(own))).exclude(department__isnull=True),
            organisation=organisation,
            today=today,
        )
        if a.department_id in own
    ]
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    open_ = [a for a in actions if a.status in Action.OPEN_STATUSES]
    overdue = [a for a in open_ if a.overdue]
    due_soon = [a for a in open_ if not a.overdue and a.due_on <= soon]
    department_id = departments[0].pk if len(departments) == 1 else None
    return ActionsDue(
        overdue=overdue,
        due_soon=due_soon,
        n_later=len(open_) - len(overdue) - len(due_soon),
        n_done=sum(1 for a in actions if a.done),
        list_url=_list_url(organisation, department=department_id, status=NOT_DROPPED),
        overdue_url=_list_url(organisation, department=department_id, overdue="1"),
        today=today,
    )


def count_overdue_actions(*, organisation: Organisation, today: datetime.date) -> int:
    """The organisation admin's card: how many of the organisation's actions are overdue. One query."""
    return (
        Action.objects.filter(organisation=organisation, status__in=Action.OPEN_STATUSES, due_on__lt=today)
        .order_by()
        .count()
    )
