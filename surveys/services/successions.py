"""Department successions: which department carries on the work of another after a reorganisation between
rounds, so that an action decided for the earlier department is followed up in the later one's figures
(``maturity.selectors_followup``; docs/actions.md, "Did it move?")."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dimios_web.exceptions import DomainError

from ..models import Department, DepartmentSuccession, Organisation
from .audit import ActorLike, AuditAction, record_event


def _sentence(predecessor: Department, successor: Department) -> str:
    return gettext("%(successor)s carries on the work of %(predecessor)s") % {
        "successor": successor.name,
        "predecessor": predecessor.name,
    }


def check_succession(
    *, organisation: Organisation, predecessor: Department | None, successor: Department | None
) -> None:
    """What ``add_succession`` refuses, each a translated ``DomainError`` on the field it concerns."""
    if predecessor is None or predecessor.organisation_id != organisation.pk:
        raise DomainError(_("Choose a department of the organisation."), field="predecessor")
    if successor is None or successor.organisation_id != organisation.pk:
        raise DomainError(_("Choose a department of the organisation."), field="successor")
    if predecessor.pk == successor.pk:
        raise DomainError(_("A department cannot carry on its own work: choose another."), field="successor")
    links = list(
        DepartmentSuccession.objects.filter(organisation=organisation).values_list(
            "predecessor_id", "successor_id"
        )
    )
    if (predecessor.pk, successor.pk) in links:
        raise DomainError(_("This succession is already recorded."), field="successor")
    # A cycle: the predecessor can already be reached from the successor.
    following: dict[int, set[int]] = {}
    for before, after in links:
        following.setdefault(before, set()).add(after)
    seen, stack = {successor.pk}, [successor.pk]
    while stack:
        for after in following.get(stack.pop(), ()):
            if after == predecessor.pk:
                raise DomainError(
                    _(
                        "%(successor)s already comes before %(predecessor)s: a succession cannot go in a "
                        "circle."
                    )
                    % {"successor": successor.name, "predecessor": predecessor.name},
                    field="successor",
                )
            if after not in seen:
                seen.add(after)
                stack.append(after)


@transaction.atomic
def add_succession(
    *,
    organisation: Organisation,
    predecessor: Department | None,
    successor: Department | None,
    actor: ActorLike = None,
) -> DepartmentSuccession:
    """Record that ``successor`` carries on the work of ``predecessor``; audited."""
    # Lock the organisation's row, so that two requests cannot add the two halves of a cycle at once.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    check_succession(organisation=organisation, predecessor=predecessor, successor=successor)
    assert predecessor is not None and successor is not None
    succession = DepartmentSuccession.objects.create(
        organisation=organisation,
        predecessor=predecessor,
        successor=successor,
        created_by_id=getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None,
    )
    record_event(
        action=AuditAction.DEPARTMENT_SUCCESSION_ADDED,
        organisation=organisation,
        actor=actor,
        target=_sentence(predecessor, successor),
        department=successor,
        details={"predecessor": predecessor.pk, "successor": successor.pk},
    )
    return succession


@transaction.atomic
def remove_succession(*, succession: DepartmentSuccession, actor: ActorLike = None) -> None:
    """Remove a recorded succession; audited."""
    predecessor, successor = succession.predecessor, succession.successor
    record_event(
        action=AuditAction.DEPARTMENT_SUCCESSION_REMOVED,
        organisation=succession.organisation_id,
        actor=actor,
        target=_sentence(predecessor, successor),
        department=successor,
        details={"predecessor": predecessor.pk, "successor": successor.pk},
    )
    succession.delete()
