"""Survey rounds: create inside a measurement window, open, the closing of the round's own records, and the
round's settings (texts, reminder schedule, open link). Closing a round *and freezing its results* is a
use case of the layer above: ``maturity.services.closing.close_round`` calls ``mark_closed`` here and
computes the results in the same transaction (issue 13: layers point down only)."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dimios_web import localformat
from dimios_web.exceptions import DomainError

from ..models import Department, MeasurementPeriod, Organisation, Round
from .audit import AuditAction, record_event

MAX_REMINDER_DAY = 120


def _day(value: datetime.date) -> str:
    return localformat.date(value)


def _check_window(*, period: MeasurementPeriod, opens_on, closes_on) -> None:
    window = {"start": _day(period.starts_on), "end": _day(period.ends_on), "period": str(period)}
    if opens_on is not None and not (period.starts_on <= opens_on <= period.ends_on):
        raise DomainError(
            _("The opening date must be inside the window of %(period)s, %(start)s – %(end)s.") % window,
            field="opens_on",
        )
    if closes_on is not None and not (period.starts_on <= closes_on <= period.ends_on):
        raise DomainError(
            _("The closing date must be inside the window of %(period)s, %(start)s – %(end)s.") % window,
            field="closes_on",
        )
    if opens_on is not None and closes_on is not None and closes_on < opens_on:
        raise DomainError(_("The closing date cannot be before the opening date."), field="closes_on")


def _check_departments(*, organisation: Organisation, departments: Iterable[Department]) -> list[Department]:
    departments = list(departments)
    if any(d.organisation_id != organisation.pk for d in departments):
        raise DomainError(_("A chosen department belongs to another organisation."), field="departments")
    return departments


def create_round(
    *,
    organisation: Organisation,
    period: MeasurementPeriod,
    questionnaire,
    anonymous: bool = True,
    departments: Iterable[Department] = (),
    opens_on: datetime.date | None = None,
    closes_on: datetime.date | None = None,
    created_by=None,
    today: datetime.date | None = None,
) -> Round:
    """A draft round of ``organisation`` in ``period``. No departments chosen means all take part."""
    today = today or timezone.localdate()
    if period.ends_on < today:
        raise DomainError(
            _("The window of %(period)s has ended; choose a running or upcoming window.")
            % {"period": period},
            field="period",
        )
    _check_window(period=period, opens_on=opens_on, closes_on=closes_on)
    if closes_on is not None and closes_on < today:
        raise DomainError(_("The closing date has already passed."), field="closes_on")
    departments = _check_departments(organisation=organisation, departments=departments)
    if Round.objects.filter(organisation=organisation, period=period).exists():
        raise DomainError(
            _("%(organisation)s already has a round in %(period)s. There can be one round per window.")
            % {"organisation": organisation.name, "period": period},
            field="period",
        )
    try:
        with transaction.atomic():
            round_ = Round.objects.create(
                organisation=organisation,
                period=period,
                questionnaire=questionnaire,
                anonymous=anonymous,
                opens_on=opens_on,
                closes_on=closes_on,
                created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
            )
            round_.departments.set(departments)
            record_event(
                action=AuditAction.ROUND_CREATED,
                organisation=organisation,
                actor=created_by,
                target=round_,
                round=round_.pk,
                details={"period": period.code, "anonymous": anonymous},
            )
    except IntegrityError:
        raise DomainError(
            _("%(organisation)s already has a round in %(period)s. There can be one round per window.")
            % {"organisation": organisation.name, "period": period},
            field="period",
        ) from None
    return round_


@transaction.atomic
def update_round(
    *,
    round: Round,
    questionnaire,
    anonymous: bool,
    departments: Iterable[Department],
    opens_on: datetime.date | None,
    closes_on: datetime.date | None,
    actor=None,
    today: datetime.date | None = None,
) -> Round:
    """Change a draft round's settings. Once open only the closing date can move (``set_closing_date``)."""
    today = today or timezone.localdate()
    round_ = Round.objects.select_for_update().select_related("period", "organisation").get(pk=round.pk)
    if round_.status != Round.Status.DRAFT:
        raise DomainError(_("Only a round that has not been opened can be changed."))
    _check_window(period=round_.period, opens_on=opens_on, closes_on=closes_on)
    if closes_on is not None and closes_on < today:
        raise DomainError(_("The closing date has already passed."), field="closes_on")
    departments = _check_departments(organisation=round_.organisation, departments=departments)
    before = _settings(round_)
    round_.questionnaire = questionnaire
    round_.anonymous = anonymous
    round_.opens_on = opens_on
    round_.closes_on = closes_on
    round_.save(update_fields=["questionnaire", "anonymous", "opens_on", "closes_on"])
    round_.departments.set(departments)
    after = _settings(round_)
    changed = sorted(name for name in after if after[name] != before[name])
    if changed:
        record_event(
            action=AuditAction.ROUND_CHANGED,
            organisation=round_.organisation_id,
            actor=actor,
            target=round_,
            round=round_,
            details={
                "changes": changed,
                "before": {n: before[n] for n in changed},
                "after": {n: after[n] for n in changed},
            },
        )
    return round_


def _settings(round_: Round) -> dict[str, Any]:
    """A draft round's settings as the audit log shows them (the questionnaire by its code)."""
    return {
        "questionnaire": round_.questionnaire.code,
        "anonymous": round_.anonymous,
        "opens_on": round_.opens_on.isoformat() if round_.opens_on else "",
        "closes_on": round_.closes_on.isoformat() if round_.closes_on else "",
        "departments": sorted(d.name for d in round_.departments.all()),
    }


def why_round_cannot_open(round_: Round, *, today: datetime.date | None = None) -> str | Promise | None:
    """Why opening the round would be refused, or None: the confirmation page says so up front (issue 17),
    and ``open_round`` refuses for the same reasons (checked again under the row lock)."""
    today = today or timezone.localdate()
    if round_.status == Round.Status.OPEN:
        return _("The round is already open.")
    if round_.period.ends_on < today or round_.last_day < today:
        return _("The round's time ended on %(day)s; a round of an ended window is never reopened.") % {
            "day": _day(round_.last_day)
        }
    if today < round_.first_day:
        return _("The round can be opened from %(day)s, its opening date.") % {"day": _day(round_.first_day)}
    if not round_.open_link_enabled and not round_.invitations.exists():
        return _("The round has no respondents. Import or add respondents (or offer an open link) first.")
    return None


def open_round(*, round: Round, actor=None, today: datetime.date | None = None):
    """Open the round and queue the invitations. Returns the queueing outcome
    (``dimios_web.queueing.QueueOutcome``): the round is open even when the mail queue could not be
    reached, and the pending invitations go out when it is back."""
    from .invitations import queue_invitation_sending

    today = today or timezone.localdate()
    with transaction.atomic():
        round_ = Round.objects.select_for_update().select_related("period", "organisation").get(pk=round.pk)
        reason = why_round_cannot_open(round_, today=today)
        if reason is not None:
            raise DomainError(reason)
        reopening = round_.status == Round.Status.CLOSED
        round_.status = Round.Status.OPEN
        round_.closed_at = None
        if round_.opened_at is None:
            round_.opened_at = timezone.now()
        round_.save(update_fields=["status", "opened_at", "closed_at"])
        record_event(
            action=AuditAction.ROUND_REOPENED if reopening else AuditAction.ROUND_OPENED,
            organisation=round_.organisation_id,
            actor=actor,
            target=round_,
            round=round_.pk,
            details={"invitations": round_.invitations.count()},
        )
        outcome = queue_invitation_sending(round_id=round_.pk, actor=actor)
    return outcome


def mark_closed(*, round: Round, actor=None, automatic: bool = False) -> Round:
    """The survey side of closing: release the response pool, set the status, record the event. Only for
    ``maturity.services.closing.close_round``, which calls it inside its own transaction and stores the
    results before that commits (so a round is closed exactly when its results are stored). The round row
    stays locked until the caller's transaction ends. Personal links stop working (the respondent pages
    check the status)."""
    from .pool import release_pool

    with transaction.atomic():
        # The lock waits for submits in flight (they hold a key-share lock on the round) and keeps new ones
        # out until the round is closed; so the pool released here holds every submitted response.
        round_ = (
            Round.objects.select_for_update().select_related("organisation", "questionnaire").get(pk=round.pk)
        )
        if round_.status != Round.Status.OPEN:
            raise DomainError(_("Only an open round can be closed."))
        # Everything still in the response pool, as a savepoint (its own transaction id on PostgreSQL),
        # before the round's own rows and the audit event are written.
        release_pool(round_id=round_.pk, final=True)
        round_.status = Round.Status.CLOSED
        round_.closed_at = timezone.now()
        round_.save(update_fields=["status", "closed_at"])
        responses = round_.responses.count()
        k = max(round_.questionnaire.k_anonymity, 3)
        record_event(
            action=AuditAction.ROUND_CLOSED,
            organisation=round_.organisation_id,
            actor=None if automatic else actor,
            target=round_,
            # In an anonymous round a count of 1 … k − 1 is never published, the audit log included.
            round=round_.pk,
            details={
                "automatic": automatic,
                "responses": responses if responses >= k or responses == 0 or not round_.anonymous else None,
            },
        )
    return round_


# --- Settings ---------------------------------------------------------------------------------------------


@transaction.atomic
def set_closing_date(*, round: Round, closes_on: datetime.date | None, actor=None) -> Round:
    round_ = Round.objects.select_for_update().select_related("period").get(pk=round.pk)
    if round_.status == Round.Status.CLOSED:
        raise DomainError(_("The round is closed."))
    _check_window(period=round_.period, opens_on=round_.opens_on, closes_on=closes_on)
    if closes_on is not None and closes_on < timezone.localdate():
        raise DomainError(_("The closing date has already passed."), field="closes_on")
    before = round_.closes_on
    round_.closes_on = closes_on
    round_.save(update_fields=["closes_on"])
    if before != closes_on:
        record_event(
            action=AuditAction.ROUND_CLOSING_DATE_CHANGED,
            organisation=round_.organisation_id,
            actor=actor,
            target=round_,
            round=round_,
            details={
                "before": before.isoformat() if before else "",
                "after": closes_on.isoformat() if closes_on else "",
            },
        )
    return round_


@transaction.atomic
def set_message_texts(*, round: Round, texts: dict, actor=None) -> Round:
    """Store the round's own invitation and reminder texts ({kind: {lang: {subject, body}}}); empty texts
    fall back to the defaults. A body must contain the {link} placeholder."""
    from .invitations import KINDS, LANGUAGES, validate_text

    cleaned: dict = {}
    for kind in KINDS:
        for lang in LANGUAGES:
            entry = (texts.get(kind) or {}).get(lang) or {}
            subject = (entry.get("subject") or "").strip()
            body = (entry.get("body") or "").replace("\r\n", "\n").strip()
            if subject or body:
                validate_text(subject=subject, body=body, field=f"{kind}_{lang}_body")
                cleaned.setdefault(kind, {})[lang] = {"subject": subject, "body": body}
    round_ = Round.objects.select_for_update().get(pk=round.pk)
    if round_.status == Round.Status.CLOSED:
        raise DomainError(_("The round is closed."))
    round_.message_texts = cleaned
    round_.save(update_fields=["message_texts"])
    record_event(
        action=AuditAction.ROUND_TEXTS_CHANGED,
        organisation=round_.organisation_id,
        actor=actor,
        target=round_,
        round=round_,
    )
    return round_


@transaction.atomic
def set_reminder_schedule(*, round: Round, days: Iterable[int], actor=None) -> Round:
    """Reminders ``days`` whole days after the opening day, e.g. [7, 14]."""
    days = sorted(set(int(d) for d in days))
    if any(d < 1 or d > MAX_REMINDER_DAY for d in days):
        raise DomainError(
            _("Reminder days must be whole numbers from 1 to %(max)s.") % {"max": MAX_REMINDER_DAY},
            field="days",
        )
    round_ = Round.objects.select_for_update().get(pk=round.pk)
    if round_.status == Round.Status.CLOSED:
        raise DomainError(_("The round is closed."))
    if round_.open_link_enabled and not round_.invitations.exists() and days:
        raise DomainError(_("A round with only an open link has nobody to remind."), field="days")
    round_.reminder_days = days
    round_.save(update_fields=["reminder_days"])
    record_event(
        action=AuditAction.ROUND_REMINDERS_SCHEDULED,
        organisation=round_.organisation_id,
        actor=actor,
        target=round_,
        round=round_,
        details={"days": days},
    )
    return round_


@transaction.atomic
def set_open_link(*, round: Round, enabled: bool, actor=None) -> Round:
    """Offer (or withdraw) the open link. The key is random (128 bits) and kept when the link is withdrawn
    and offered again, so a link already passed on keeps working."""
    round_ = Round.objects.select_for_update().get(pk=round.pk)
    if round_.status == Round.Status.CLOSED:
        raise DomainError(_("The round is closed."))
    round_.open_link_enabled = enabled
    if enabled and not round_.open_link_key:
        round_.open_link_key = secrets.token_urlsafe(16)
    round_.save(update_fields=["open_link_enabled", "open_link_key"])
    record_event(
        action=AuditAction.ROUND_OPEN_LINK_ON if enabled else AuditAction.ROUND_OPEN_LINK_OFF,
        organisation=round_.organisation_id,
        actor=actor,
        target=round_,
        round=round_,
    )
    return round_
