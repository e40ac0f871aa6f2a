"""The action plans (åtgärder, issue 16; docs/actions.md): record an action, change it, move its status on
and add dated notes. Each use case is one keyword-only function in one transaction, validates everything
it is given (a refusal is a ``DomainError`` with a translated message naming the form field, and nothing
is saved), and records a typed audit event.

Who may change what is given as ``scope``, a ``surveys.access.Visibility`` of the departments whose actions
the caller may record and change: ``Visibility.everything()`` for the organisation admin (every
department and the organisation-wide actions), a department representative's own departments with their
units otherwise (``maturity.selectors_actions.writable_scope``). The services never ask who is asking."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dimios_web.exceptions import DomainError
from surveys.access import Visibility
from surveys.models import Capability, Department, Organisation, RoleAssignment, Round
from surveys.services.audit import Actor, AuditAction, record_event

from ..models import Action, ActionNote

# The fields ``update_action`` compares, in the order the audit event lists them.
CHANGEABLE = (
    "title",
    "description",
    "round",
    "department",
    "capabilities",
    "owner",
    "priority",
    "starts_on",
    "due_on",
    "plan_reference",
)


def _check_round(*, organisation: Organisation, round: Round | None) -> Round:
    if round is None or round.organisation_id != organisation.pk:
        raise DomainError(_("Choose a round of this organisation."), field="round")
    if round.status != Round.Status.CLOSED:
        raise DomainError(
            _("An action responds to the results of a closed round: choose a round that has closed."),
            field="round",
        )
    return round


def _check_department(
    *, organisation: Organisation, department: Department | None, scope: Visibility
) -> Department | None:
    if department is None:
        if not scope.whole_organisation:
            raise DomainError(
                _(
                    "Choose one of your departments: only the organisation admin records actions for "
                    "the whole organisation."
                ),
                field="department",
            )
        return None
    if department.organisation_id != organisation.pk or not scope.can_see_department(department.pk):
        raise DomainError(_("You cannot record actions for this department."), field="department")
    return department


def _check_capabilities(*, round: Round, capabilities: Iterable[Capability]) -> list[Capability]:
    chosen = list(capabilities)
    if not chosen:
        raise DomainError(
            _("Choose at least one capability the action aims to improve."), field="capabilities"
        )
    foreign = sorted(c.code for c in chosen if c.version_id != round.questionnaire_id)
    if foreign:
        raise DomainError(
            _(
                "The capabilities %(codes)s are not in the questionnaire of the round %(round)s. Choose "
                "capabilities of that round's questionnaire."
            )
            % {"codes": ", ".join(foreign), "round": round.period},
            field="capabilities",
        )
    return chosen


def _check_owner(*, organisation: Organisation, owner: Any) -> Any:
    if owner is None:
        raise DomainError(_("Choose who owns the action."), field="owner")
    is_staff = (
        owner.is_active and RoleAssignment.objects.filter(user=owner, organisation=organisation).exists()
    )
    if not is_staff:
        raise DomainError(_("The owner must be a member of the organisation's staff."), field="owner")
    return owner


def _check_fields(
    *, title: str, priority: str, starts_on: datetime.date | None, due_on: datetime.date | None
) -> tuple[str, datetime.date, datetime.date]:
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the action a title."), field="title")
    if priority not in Action.Priority.values:
        raise DomainError(_("Choose a priority."), field="priority")
    if starts_on is None:
        raise DomainError(_("Give a start date."), field="starts_on")
    if due_on is None:
        raise DomainError(_("Give a due date."), field="due_on")
    if due_on < starts_on:
        raise DomainError(_("The due date cannot be before the start date."), field="due_on")
    return title, starts_on, due_on


def _user(actor) -> Any:
    """The staff user behind an actor (None for the system)."""
    who = Actor.of(actor)
    return who.user if who.user_id is not None else None


def _audit(action: Action, event: AuditAction, actor, details: dict | None = None) -> None:
    record_event(
        action=event,
        organisation=action.organisation_id,
        actor=actor,
        target=action.title,
        details=details,
        round=action.round_id,
        department=action.department_id,
    )


@transaction.atomic
def create_action(
    *,
    organisation: Organisation,
    round: Round | None,
    department: Department | None,
    title: str,
    capabilities: Iterable[Capability],
    owner: Any,
    starts_on: datetime.date | None,
    due_on: datetime.date | None,
    scope: Visibility,
    description: str = "",
    priority: str = Action.Priority.MEDIUM,
    plan_reference: str = "",
    actor=None,
) -> Action:
    """Record an action of ``organisation`` responding to a closed ``round``, for ``department`` (None: the
    whole organisation) within ``scope``. Refuses (``DomainError``, nothing saved) an empty title, a round
    of another organisation or not closed, a department outside the scope or the organisation, no
    capability or one of another questionnaire version than the round's, an owner who is not on the
    organisation's staff, and a due date before the start date."""
    title, starts_on, due_on = _check_fields(
        title=title, priority=priority, starts_on=starts_on, due_on=due_on
    )
    round = _check_round(organisation=organisation, round=round)
    department = _check_department(organisation=organisation, department=department, scope=scope)
    chosen = _check_capabilities(round=round, capabilities=capabilities)
    owner = _check_owner(organisation=organisation, owner=owner)
    now = timezone.now()
    action = Action.objects.create(
        organisation=organisation,
        round=round,
        department=department,
        title=title,
        description=(description or "").strip(),
        owner=owner,
        priority=priority,
        starts_on=starts_on,
        due_on=due_on,
        plan_reference=(plan_reference or "").strip(),
        created_at=now,
        updated_at=now,
        created_by=_user(actor),
    )
    action.capabilities.set(chosen)
    _audit(action, AuditAction.ACTION_CREATED, actor, {"capabilities": sorted(c.code for c in chosen)})
    return action


@transaction.atomic
def update_action(
    *,
    action: Action,
    round: Round | None,
    department: Department | None,
    title: str,
    capabilities: Iterable[Capability],
    owner: Any,
    starts_on: datetime.date | None,
    due_on: datetime.date | None,
    scope: Visibility,
    description: str = "",
    priority: str = Action.Priority.MEDIUM,
    plan_reference: str = "",
    actor=None,
) -> list[str]:
    """Change an action's fields (its status has its own use case, ``set_action_status``), with the checks
    of ``create_action``; the action itself must be within ``scope`` too. Returns the names of the fields
    that changed (audited with them); saving the same values changes and records nothing."""
    action = Action.objects.select_for_update().get(pk=action.pk)
    organisation = action.organisation
    _check_in_scope(action, scope)
    title, starts_on, due_on = _check_fields(
        title=title, priority=priority, starts_on=starts_on, due_on=due_on
    )
    round = _check_round(organisation=organisation, round=round)
    department = _check_department(organisation=organisation, department=department, scope=scope)
    chosen = _check_capabilities(round=round, capabilities=capabilities)
    owner = _check_owner(organisation=organisation, owner=owner)
    before = {
        "title": action.title,
        "description": action.description,
        "round": action.round_id,
        "department": action.department_id,
        "capabilities": sorted(action.capabilities.values_list("pk", flat=True)),
        "owner": action.owner_id,
        "priority": action.priority,
        "starts_on": action.starts_on,
        "due_on": action.due_on,
        "plan_reference": action.plan_reference,
    }
    after = {
        "title": title,
        "description": (description or "").strip(),
        "round": round.pk,
        "department": department.pk if department is not None else None,
        "capabilities": sorted(c.pk for c in chosen),
        "owner": owner.pk,
        "priority": priority,
        "starts_on": starts_on,
        "due_on": due_on,
        "plan_reference": (plan_reference or "").strip(),
    }
    changes = [name for name in CHANGEABLE if before[name] != after[name]]
    if not changes:
        return []
    action.title, action.description = after["title"], after["description"]
    action.round, action.department, action.owner = round, department, owner
    action.priority, action.starts_on, action.due_on = priority, starts_on, due_on
    action.plan_reference = after["plan_reference"]
    action.updated_at = timezone.now()
    action.save()
    if "capabilities" in changes:
        action.capabilities.set(chosen)
    _audit(action, AuditAction.ACTION_CHANGED, actor, {"changes": changes})
    return changes


def _check_in_scope(action: Action, scope: Visibility) -> None:
    allowed = (
        scope.whole_organisation
        if action.department_id is None
        else scope.can_see_department(action.department_id)
    )
    if not allowed:
        raise DomainError(_("You cannot change this action."))


@transaction.atomic
def set_action_status(*, action: Action, status: str, scope: Visibility, actor=None) -> bool:
    """Move an action to ``status`` (planned, in progress, done, dropped: any state to any other, so that a
    mistake can be undone). Returns whether it changed; the change is audited with both states."""
    if status not in Action.Status.values:
        raise DomainError(_("Choose a status."), field="status")
    action = Action.objects.select_for_update().get(pk=action.pk)
    _check_in_scope(action, scope)
    if action.status == status:
        return False
    before = action.status
    action.status = status
    action.updated_at = timezone.now()
    action.save(update_fields=["status", "updated_at"])
    _audit(action, AuditAction.ACTION_STATUS_CHANGED, actor, {"before": before, "after": status})
    return True


@transaction.atomic
def add_action_note(
    *,
    action: Action,
    text: str,
    scope: Visibility,
    written_on: datetime.date | None = None,
    actor=None,
) -> ActionNote:
    """Add a dated note (default: today) to an action. A note cannot be empty or dated in the future."""
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write the note."), field="text")
    written_on = written_on or timezone.localdate()
    if written_on > timezone.localdate():
        raise DomainError(_("A note cannot be dated in the future."), field="written_on")
    action = Action.objects.select_for_update().get(pk=action.pk)
    _check_in_scope(action, scope)
    note = ActionNote.objects.create(action=action, text=text, written_on=written_on, author=_user(actor))
    Action.objects.filter(pk=action.pk).update(updated_at=timezone.now())
    _audit(action, AuditAction.ACTION_NOTE_ADDED, actor, {"date": written_on.isoformat()})
    return note


def record_actions_export(*, organisation: Organisation, file_format: str, count: int, actor=None) -> None:
    """An export of the overview of actions is audited, as every download of the organisation's data is."""
    record_event(
        action=AuditAction.ACTIONS_EXPORTED,
        organisation=organisation,
        actor=actor,
        target=organisation.name,
        details={"format": file_format, "actions": count},
    )
