"""Reads of the action plans (docs/actions.md) for the pages and the exports: of an organisation and what of
it may be seen (``surveys.access``), never of who asks.

What may be read: every action for the organisation admin and management; for a department
representative the actions of the departments they may see (with their units) and the organisation-wide
ones. What may be changed (``writable_scope``): every action for the organisation admin; a department
representative's own departments' actions, not the organisation-wide ones; nothing for management.

The overview costs a fixed number of queries whatever the number of actions, departments and capabilities
(tests/maturity/test_actions_views.py holds it so)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from surveys.access import Visibility
from surveys.models import Capability, Department, Organisation, Round
from surveys.scope_keys import ORGANISATION, ScopeKey
from surveys.tree import descendants_and_self, tree_ordered

from .models import Action, ActionNote, RoundResult
from .read_model import Shown, load_round_view

# How many of the weakest capabilities the coverage view lists.
WEAKEST = 5
# The department filter's value for the organisation-wide actions.
WHOLE_ORGANISATION = "org"
# The status filter's value for every action that was not dropped: what the dashboards count and link to.
NOT_DROPPED = "current"


def writable_scope(access) -> Visibility | None:
    """The departments whose actions the user may record and change (``maturity.services.actions``):
    everything (organisation-wide actions included) for the organisation admin, a department
    representative's own departments with their units, None for anyone else (management)."""
    if access.is_admin:
        return Visibility.everything()
    if access.represented.department_ids:
        return access.represented
    return None


def can_change(scope: Visibility | None, action: Action) -> bool:
    if scope is None:
        return False
    if action.department_id is None:
        return scope.whole_organisation
    return scope.can_see_department(action.department_id)


def visible_actions(organisation: Organisation, visibility: Visibility) -> QuerySet[Action]:
    """The organisation's actions that may be read: of the departments that may be seen, and the
    organisation-wide ones."""
    actions = Action.objects.filter(organisation=organisation)
    if not visibility.whole_organisation:
        actions = actions.filter(
            Q(department__isnull=True) | Q(department_id__in=sorted(visibility.department_ids or ()))
        )
    return actions


def _capabilities_prefetch() -> Prefetch:
    return Prefetch(
        "capabilities",
        queryset=Capability.objects.only("id", "code", "name_sv", "name_en", "version_id")
        .with_labels()  # Capability.label without a query each: "Lite skugg-IT"
        .order_by("category__dimension__position", "category__position", "position"),
    )


def get_action_for(organisation: Organisation, visibility: Visibility, pk: int) -> Action:
    """An action of the organisation that may be read, with its notes; 404 otherwise (another
    department's action is nobody else's business)."""
    action = (
        visible_actions(organisation, visibility)
        .select_related("department", "owner", "round__period", "round__questionnaire", "created_by")
        .prefetch_related(
            _capabilities_prefetch(),
            Prefetch("notes", queryset=ActionNote.objects.select_related("author")),
        )
        .filter(pk=pk)
        .first()
    )
    if action is None:
        raise Http404
    return action


def list_closed_rounds(organisation: Organisation) -> list[Round]:
    """The organisation's closed rounds, newest first: those an action may respond to."""
    return list(
        Round.objects.filter(organisation=organisation, status=Round.Status.CLOSED)
        .select_related("period", "questionnaire")
        .order_by("-period__starts_on")
    )


def list_round_capabilities(rounds: Sequence[Round]) -> list[Capability]:
    """The capabilities of the questionnaire versions these rounds were answered on, in questionnaire
    order (the choices of the action form; the service checks them against the chosen round)."""
    versions = sorted({r.questionnaire_id for r in rounds})
    return list(
        Capability.objects.filter(version_id__in=versions)
        .select_related("version")
        .with_labels()
        .order_by("version__code", "category__dimension__position", "category__position", "position")
    )


def list_staff(organisation: Organisation) -> list[Any]:
    """The organisation's staff (everyone with a role there): who may own an action."""
    return list(
        get_user_model()
        .objects.filter(role_assignments__organisation=organisation, is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "email")
    )


def list_departments(organisation: Organisation, visibility: Visibility) -> list[tuple[Department, int]]:
    """The departments that may be seen, in tree order with their depth."""
    departments = list(Department.objects.filter(organisation=organisation))
    return [(d, depth) for d, depth in tree_ordered(departments) if visibility.can_see_department(d.pk)]


@dataclass(frozen=True)
class ActionFilter:
    """The overview's filter: ``department`` an id, ``WHOLE_ORGANISATION`` or None (all); ``status`` a
    status, ``NOT_DROPPED`` or None; ``capability`` a capability code or ""; ``owner`` a user id or None;
    ``overdue`` only the overdue ones."""

    department: int | str | None = None
    status: str | None = None
    capability: str = ""
    owner: int | None = None
    overdue: bool = False


@dataclass
class ActionRow:
    action: Action
    overdue: bool
    can_change: bool
    capabilities: list[Capability] = field(default_factory=list)
    # Did it move? (``selectors_followup.Followup``), set by the pages that show it.
    followup: Any = None

    @property
    def capability_changes(self) -> list[tuple[Capability, list]]:
        """Each capability with its follow-up changes (one per scope followed; none while waiting)."""
        by_code = self.followup.by_code() if self.followup is not None else {}
        return [(capability, by_code.get(capability.code, [])) for capability in self.capabilities]


def list_actions(
    organisation: Organisation,
    visibility: Visibility,
    *,
    filters: ActionFilter,
    scope: Visibility | None,
    today: datetime.date | None = None,
    departments: Sequence[tuple[Department, int]] = (),
) -> list[ActionRow]:
    """The actions that may be read, filtered, each flagged overdue (past its due date and still planned
    or in progress) and whether the caller may change it. Two queries: the actions with their department,
    owner and round, and their capabilities."""
    today = today or timezone.localdate()
    actions = visible_actions(organisation, visibility)
    if filters.department == WHOLE_ORGANISATION:
        actions = actions.filter(department__isnull=True)
    elif isinstance(filters.department, int):
        parents = {d.pk: d.parent_id for d, _depth in departments}
        actions = actions.filter(
            department_id__in=sorted(descendants_and_self(parents, [filters.department]))
        )
    if filters.status == NOT_DROPPED:
        actions = actions.exclude(status=Action.Status.DROPPED)
    elif filters.status:
        actions = actions.filter(status=filters.status)
    if filters.capability:
        actions = actions.filter(
            Exists(
                Action.capabilities.through.objects.filter(
                    action_id=OuterRef("pk"), capability__code=filters.capability
                )
            )
        )
    if filters.owner is not None:
        actions = actions.filter(owner_id=filters.owner)
    if filters.overdue:
        actions = actions.filter(status__in=Action.OPEN_STATUSES, due_on__lt=today)
    actions = (
        actions.select_related("department", "owner", "round__period")
        .annotate(n_notes=Count("notes"))
        .prefetch_related(_capabilities_prefetch())
        .order_by("due_on", "pk")
    )
    return [
        ActionRow(
            action=a,
            overdue=a.is_overdue_on(today),
            can_change=can_change(scope, a),
            capabilities=list(a.capabilities.all()),
        )
        for a in actions
    ]


@dataclass
class WeakCapability:
    code: str
    name: str
    percent: float
    n_actions: int


@dataclass
class Coverage:
    """Where the actions are, against the latest closed round's results: its weakest capabilities (shown
    figures only, under the anonymity rule: ``maturity.read_model``) with the actions aimed at each, and
    the departments that have no action (not dropped)."""

    round: Round | None
    scope_name: str
    weakest: list[WeakCapability]
    departments_without: list[Department]
    hidden: bool = False


def latest_result_round(organisation: Organisation) -> Round | None:
    return (
        Round.objects.filter(
            organisation=organisation,
            status=Round.Status.CLOSED,
            results__scope=RoundResult.Scope.ORGANISATION,
        )
        .select_related("period", "questionnaire")
        .order_by("-period__starts_on")
        .first()
    )


def get_coverage(
    organisation: Organisation,
    visibility: Visibility,
    *,
    departments: Sequence[tuple[Department, int]],
    department: Department | None = None,
) -> Coverage:
    """The coverage view for the organisation, or for ``department`` (with its units) when one is chosen.
    At most seven queries whatever the size."""
    round_ = latest_result_round(organisation)
    not_dropped = visible_actions(organisation, visibility).exclude(status=Action.Status.DROPPED)
    with_actions = set(not_dropped.exclude(department__isnull=True).values_list("department_id", flat=True))
    without = [d for d, _depth in departments if d.pk not in with_actions]
    scope_name = department.name if department is not None else organisation.name
    if round_ is None:
        return Coverage(None, scope_name, [], without)
    key = ScopeKey.department(department.pk) if department is not None else ORGANISATION
    view = load_round_view(round_, figures=[key])
    if view.hidden(key):
        return Coverage(round_, scope_name, [], without, hidden=True)
    shown = {
        code: figure.value
        for code, figure in view.parts(key, "capabilities").items()
        if isinstance(figure, Shown) and figure.value is not None
    }
    lowest = sorted(shown, key=lambda code: (shown[code], code))[:WEAKEST]
    names = {  # a reversed capability named by what a high figure means: "Lite skugg-IT" (Capability.label)
        c.code: c.label
        for c in Capability.objects.filter(version_id=round_.questionnaire_id, code__in=lowest)
        .only("code", "name_sv", "name_en")
        .with_labels()
    }
    aimed = not_dropped
    if department is not None:
        parents = {d.pk: d.parent_id for d, _depth in departments}
        aimed = aimed.filter(
            Q(department__isnull=True)
            | Q(department_id__in=sorted(descendants_and_self(parents, [department.pk])))
        )
    counts = dict(
        Capability.objects.filter(code__in=lowest, actions__in=aimed)
        .values("code")
        .annotate(n=Count("actions", distinct=True))
        .values_list("code", "n")
    )
    weakest = [
        WeakCapability(code, names.get(code, code), shown[code], counts.get(code, 0)) for code in lowest
    ]
    return Coverage(round_, scope_name, weakest, without)


def capability_choices(capabilities: Sequence[Capability]) -> list[tuple[str, str]]:
    """The capability filter's choices from the capabilities of the closed rounds' versions
    (``list_round_capabilities``), by name; a code shared by versions appears once."""
    seen: dict[str, str] = {}
    for capability in capabilities:
        seen.setdefault(capability.code, capability.label)
    return sorted(seen.items(), key=lambda pair: pair[1])
