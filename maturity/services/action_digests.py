"""The weekly digest of actions (docs/actions.md, "Reminders"): each owner of open actions that are overdue
or due within two weeks gets one e-mail a week listing them, unless they have switched it off.

Exactly once a week: the digest's row (``ActionDigest``, unique per user and ISO week) is inserted in the
same transaction that sends the e-mail. A second sender (a retry, a redelivered task, another worker) cannot
insert the row again and sends nothing; on PostgreSQL a concurrent insert waits for the first transaction
and then fails. If the mail server refuses or cannot be reached, the transaction rolls back with the claim,
so that the next attempt sends the digest."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dimios_web import localformat
from dimios_web.exceptions import DomainError
from surveys.models import RoleAssignment
from surveys.services import periods
from surveys.services.audit import ActorLike, AuditAction, record_event

from ..models import Action, ActionDigest, ActionDigestPreference

logger = logging.getLogger(__name__)

# An open action due within this many days from today (today included) is in the digest, as is an overdue one.
DUE_WITHIN_DAYS = 14
TOKEN_SALT = "maturity.action_digest.switch_off"
INVALID_LINK = _(
    "This link is not valid. Copy the whole link from the e-mail, or log in and switch the digest off on the "
    "reminders page."
)


def week_key(day: datetime.date) -> str:
    """The ISO week of ``day``, e.g. ``2026-W49`` (the week that has its Thursday in the ISO year)."""
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


# --- Who gets what ----------------------------------------------------------------------------------------


def digest_actions(*, today: datetime.date) -> QuerySet[Action]:
    """The actions of every digest of the week of ``today``: open (planned, in progress), overdue or due
    within ``DUE_WITHIN_DAYS`` days, whose owner is an active account with an e-mail address, still has a
    role in the action's organisation and has not switched the digest off. Ordered by owner, then due date.
    One query."""
    still_staff = RoleAssignment.objects.filter(user=OuterRef("owner"), organisation=OuterRef("organisation"))
    switched_off = ActionDigestPreference.objects.filter(user=OuterRef("owner"), enabled=False)
    return (
        Action.objects.filter(
            status__in=Action.OPEN_STATUSES,
            due_on__lte=today + datetime.timedelta(days=DUE_WITHIN_DAYS),
            owner__isnull=False,
            owner__is_active=True,
        )
        .exclude(owner__email="")
        .filter(Exists(still_staff))
        .exclude(Exists(switched_off))
        .select_related("organisation", "department", "owner")
        .order_by("owner_id", "due_on", "organisation__name", "pk")
    )


@dataclass(frozen=True)
class DigestLine:
    organisation: str
    department: str
    title: str
    due_on: str
    overdue: bool
    url: str


def _lines(actions: Iterable[Action], *, today: datetime.date) -> list[DigestLine]:
    """The digest's lines, in the active language (the caller's ``translation.override``)."""
    whole = gettext("The whole organisation")
    return [
        DigestLine(
            organisation=action.organisation.name,
            department=action.department.name if action.department_id else whole,  # type: ignore[union-attr]
            title=action.title,
            due_on=localformat.date(action.due_on),
            overdue=action.is_overdue_on(today),
            url=settings.SITE_URL
            + reverse("maturity:action_detail", args=[action.organisation.code, action.pk]),
        )
        for action in actions
    ]


# --- The switch-off link ----------------------------------------------------------------------------------


def switch_off_token(user_id: int) -> str:
    """The signed token of a person's switch-off link (no login needed: the link is in their e-mail)."""
    return signing.dumps({"u": user_id}, salt=TOKEN_SALT)


def switch_off_url(user_id: int) -> str:
    return settings.SITE_URL + reverse("maturity:digest_switch", args=[switch_off_token(user_id)])


def user_for_token(token: str) -> Any:
    """The active user a switch-off token names; a ``DomainError`` for a tampered, malformed or unknown
    token."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT)
        user_id = int(data["u"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise DomainError(INVALID_LINK) from None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise DomainError(INVALID_LINK)
    return user


# --- Switching on and off ---------------------------------------------------------------------------------


def digest_enabled(*, user: Any) -> bool:
    return not ActionDigestPreference.objects.filter(user=user, enabled=False).exists()


@transaction.atomic
def set_digest_enabled(*, user: Any, enabled: bool, actor: ActorLike, via: str) -> bool:
    """Switch a person's weekly digest on or off (``via``: "settings" or "link", kept in the audit event).
    Returns whether anything changed; a switch to the state it already has changes and records nothing."""
    preference, _created = ActionDigestPreference.objects.select_for_update().get_or_create(user=user)
    if preference.enabled == enabled and not _created:
        return False
    if _created and enabled:
        return False  # on is the default: nothing to record
    preference.enabled = enabled
    preference.changed_at = timezone.now()
    preference.save(update_fields=["enabled", "changed_at"])
    record_event(
        action=AuditAction.ACTION_DIGEST_SWITCHED_ON if enabled else AuditAction.ACTION_DIGEST_SWITCHED_OFF,
        actor=actor,
        subject_user=user,
        details={"via": via},
    )
    return True


# --- Sending ----------------------------------------------------------------------------------------------


@dataclass
class DigestRun:
    week: str
    sent: list[int] = field(default_factory=list)  # user ids
    already_sent: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)


def digest_message(*, user: Any, actions: list[Action], today: datetime.date) -> EmailMultiAlternatives:
    """One person's digest, text and HTML, in Swedish (the default language: staff accounts have no language
    of their own)."""
    with translation.override(settings.LANGUAGE_CODE):
        lines = _lines(actions, today=today)
        context = {
            "name": user.get_full_name() or user.email,
            "lines": lines,
            "overdue": sum(1 for line in lines if line.overdue),
            "settings_url": settings.SITE_URL + reverse("maturity:digest_settings"),
            "switch_off_url": switch_off_url(user.pk),
            "due_within_days": DUE_WITHIN_DAYS,
        }
        subject = gettext("Your actions: %(count)s overdue or due within two weeks") % {"count": len(lines)}
        text = render_to_string("maturity/email/action_digest.txt", context)
        html = render_to_string("maturity/email/action_digest.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[user.email],
        headers={"Auto-Submitted": "auto-generated", "List-Unsubscribe": f"<{context['switch_off_url']}>"},
    )
    message.attach_alternative(html, "text/html")
    return message


def send_digest(*, user: Any, actions: list[Action], today: datetime.date, connection=None) -> bool:
    """Send one person their digest of the week of ``today`` unless it has been sent already. True when it
    was sent now. The claim (the row) and the e-mail share one transaction: an SMTP error rolls the claim
    back and propagates, so that a retry sends."""
    week = week_key(today)
    with transaction.atomic():
        try:
            with transaction.atomic():
                ActionDigest.objects.create(user=user, week=week, action_count=len(actions))
        except IntegrityError:
            return False  # this week's digest has gone already (or is being sent by another worker)
        message = digest_message(user=user, actions=actions, today=today)
        message.connection = connection
        message.send(fail_silently=False)
    return True


def send_action_digests(*, today: datetime.date | None = None) -> DigestRun:
    """Send this week's digest to every owner who should have one and has not had it (idempotent). One
    person's failure does not stop the others; the run reports it, and the task retries."""
    today = today or periods.today()
    run = DigestRun(week=week_key(today))
    already = set(ActionDigest.objects.filter(week=run.week).values_list("user_id", flat=True))
    connection = get_connection(fail_silently=False)
    for user_id, group in groupby(digest_actions(today=today), key=lambda action: action.owner_id):
        actions = list(group)
        assert user_id is not None
        if user_id in already:
            run.already_sent.append(user_id)
            continue
        user = actions[0].owner
        try:
            sent = send_digest(user=user, actions=actions, today=today, connection=connection)
        except Exception as error:  # noqa: BLE001 - an SMTP or rendering error: retried on the next attempt
            logger.warning("The action digest to user %s was not sent: %s", user_id, error)
            run.failed[user_id] = str(error)
            continue
        (run.sent if sent else run.already_sent).append(user_id)
    return run
