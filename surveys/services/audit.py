"""The audit log: who did what, when. Every state change a person or the system makes is recorded, as a typed
action (``AuditAction``) with references to what changed (organisation, round, department, respondent group,
the staff user concerned)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Union

from ..models import AuditAction, AuditEvent, Department, Organisation, RespondentGroup, Round

__all__ = ["Actor", "ActorKind", "ActorLike", "AuditAction", "record_event"]

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser


class ActorKind(enum.Enum):
    STAFF = "staff"  # a signed-in staff user (or the platform admin)
    SYSTEM = "system"  # a scheduled task, a worker, a management command
    RESPONDENT = "respondent"  # an anonymous respondent: never identified, never linked to a response


@dataclass(frozen=True)
class Actor:
    """Who makes a change. Services take one (or a user, or None for the system: ``Actor.of``)."""

    user: AbstractBaseUser | None = None
    kind: ActorKind = ActorKind.SYSTEM

    @classmethod
    def staff(cls, user: AbstractBaseUser) -> Actor:
        return cls(user=user, kind=ActorKind.STAFF)

    @classmethod
    def system(cls) -> Actor:
        return cls()

    @classmethod
    def respondent(cls) -> Actor:
        return cls(kind=ActorKind.RESPONDENT)

    @classmethod
    def of(cls, value: ActorLike) -> Actor:
        """An ``Actor`` from what a caller has: an Actor, a request's user (signed in or not), or None."""
        if isinstance(value, Actor):
            return value
        if value is not None and getattr(value, "is_authenticated", False):
            return cls.staff(value)  # type: ignore[arg-type]  # is_authenticated: a real user
        return cls.system()

    @property
    def user_id(self) -> int | None:
        if self.kind is ActorKind.STAFF and self.user is not None:
            return self.user.pk
        return None


ActorLike = Union[Actor, "AbstractBaseUser", "AnonymousUser", None]


def _pk(value: Any) -> int | None:
    return value if value is None or isinstance(value, int) else value.pk


def record_event(
    *,
    action: AuditAction,
    organisation: Organisation | int | None = None,
    actor: ActorLike = None,
    target: Any = "",
    details: dict | None = None,
    round: Round | int | None = None,
    department: Department | int | None = None,
    respondent_group: RespondentGroup | int | None = None,
    subject_user: AbstractBaseUser | int | None = None,
) -> AuditEvent:
    """Record one event. ``actor`` None means the system (a scheduled task). Call it inside the
    transaction of the change it records, so that the event exists exactly when the change does."""
    if not isinstance(action, AuditAction):
        action = AuditAction(action)  # a code that is not an AuditAction raises ValueError here
    return AuditEvent.objects.create(
        organisation_id=_pk(organisation),
        actor_id=Actor.of(actor).user_id,
        action=action,
        target=str(target)[:200],
        details=details or {},
        round_id=_pk(round),
        department_id=_pk(department),
        respondent_group_id=_pk(respondent_group),
        subject_user_id=_pk(subject_user),
    )


def record_events(*, action: AuditAction, actor: ActorLike = None, events: list[dict]) -> list[AuditEvent]:
    """Record many events of one action and actor in one INSERT (a bulk order of 1 500 reports). Each item
    holds ``record_event``'s other arguments (organisation, target, details). Inside the change's
    transaction, as ``record_event``."""
    action = AuditAction(action)
    actor_id = Actor.of(actor).user_id
    return AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                organisation_id=_pk(event.get("organisation")),
                actor_id=actor_id,
                action=action,
                target=str(event.get("target", ""))[:200],
                details=event.get("details") or {},
            )
            for event in events
        ],
        batch_size=500,
    )
