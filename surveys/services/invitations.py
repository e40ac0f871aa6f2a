"""Invitation and reminder e-mails: texts, sending in batches through Celery, retries, reminders, and the
deletion of e-mail addresses after the round.

Idempotence: every e-mail is preceded by a claim, a conditional ``UPDATE`` that only one sender can win
(``pending → sending`` for an invitation, ``last_reminded_at`` before today → now for a reminder). A task
delivered twice, or two workers on the same round, therefore never mail anyone twice. Claims are written
outside any transaction, so another worker sees them at once.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import re
import smtplib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dimios_web.exceptions import DomainError

from ..models import Invitation, InvitationToken, ReminderRun, Round
from ..tokens import new_token
from .audit import AuditAction, record_event

logger = logging.getLogger(__name__)

KINDS = ("invitation", "reminder")
LANGUAGES = ("sv", "en")
PLACEHOLDERS = ("link", "organisation", "closes_on", "name")
BATCH_SIZE = 50
MAX_SEND_ATTEMPTS = 3
CLAIM_CHUNK = 10  # invitations claimed per transaction; a crashed sender leaves at most this many "sending"
REQUEUE_AFTER = datetime.timedelta(minutes=10)

DEFAULT_TEXTS = {
    "invitation": {
        "subject": _("Survey of digital maturity in {organisation}"),
        "body": _(
            "Hello {name},\n\n"
            "{organisation} measures its digital maturity, and you are one of those asked to take part. "
            "Answering takes about 15 minutes. You can stop and continue later with the same link.\n\n"
            "Your personal link:\n{link}\n\n"
            "The survey is open until {closes_on}. Please do not pass the link on: it is yours.\n\n"
            "Thank you for your time!"
        ),
    },
    "reminder": {
        "subject": _("Reminder: survey of digital maturity in {organisation}"),
        "body": _(
            "Hello {name},\n\n"
            "We have not yet received your answers to {organisation}'s survey of digital maturity. It takes "
            "about 15 minutes, and every answer makes the results more reliable.\n\n"
            "Your personal link:\n{link}\n\n"
            "The survey is open until {closes_on}. If you have already answered, thank you, and please "
            "ignore this message."
        ),
    },
}

_PLACEHOLDER_RE = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


def validate_text(*, subject: str, body: str, field: str = "body") -> None:
    if not subject:
        raise DomainError(
            _("Give the e-mail a subject, or leave both subject and text empty for the default."), field=field
        )
    if "\n" in subject or len(subject) > 200:
        raise DomainError(_("The subject must be one line of at most 200 characters."), field=field)
    if "{link}" not in body:
        raise DomainError(_("The text must contain {link}, where the personal link goes."), field=field)


def message_text(*, round: Round, kind: str, language: str) -> tuple[str, str]:
    """The round's own (subject, body) template for this kind and language, or the default."""
    language = language if language in LANGUAGES else "sv"
    own = ((round.message_texts or {}).get(kind) or {}).get(language) or {}
    if own.get("subject") and own.get("body"):
        return own["subject"], own["body"]
    with translation.override(language):
        return str(DEFAULT_TEXTS[kind]["subject"]), str(DEFAULT_TEXTS[kind]["body"])


def render_message(
    *,
    round: Round,
    kind: str,
    language: str,
    link: str,
    name: str = "",
) -> tuple[str, str]:
    """Subject and body with the placeholders filled in. Only the known placeholders are replaced, so a
    stray brace in an edited text is harmless."""
    language = language if language in LANGUAGES else "sv"
    subject, body = message_text(round=round, kind=kind, language=language)
    with translation.override(language):
        values = {
            "link": link,
            "organisation": round.organisation.name,
            "closes_on": date_format(round.last_day, "j F Y"),
            "name": name.strip() or gettext("colleague"),
        }

    def fill(text: str) -> str:
        return _PLACEHOLDER_RE.sub(lambda m: values[m.group(1)], text)

    return header_safe(fill(subject)), fill(body)


def header_safe(text: str) -> str:
    """One line for a mail header: a line break or other control character in a filled-in value (a name
    imported from a spreadsheet cell with a line break in it) becomes a space. A header with a line break
    would be refused by the mail library (or, worse, start a new header)."""
    printable = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(printable.split())


def preview_message(*, round: Round, kind: str, language: str) -> tuple[str, str]:
    with translation.override(language):
        sample_name = gettext("Anna Andersson")
    link = settings.SITE_URL + "/s/" + "x" * 43 + "/"
    return render_message(round=round, kind=kind, language=language, link=link, name=sample_name)


def survey_link(raw_token: str) -> str:
    return settings.SITE_URL + reverse("surveys:respond_start", args=[raw_token])


# --- Queueing ---------------------------------------------------------------------------------------------


@dataclass
class QueueOutcome:
    """Whether the work reached the task queue. None: not known yet (the transaction has not committed)."""

    queued: bool | None = None


def _publish(task, *args) -> bool:
    """Hand a task to the broker; False (at once, thanks to the short broker timeouts) when it is down."""
    try:
        task.apply_async(args=args, retry=False)
    except Exception:  # kombu.exceptions.OperationalError, redis and socket errors, …
        logger.warning("could not queue %s%r: broker unavailable", task.name, args, exc_info=True)
        return False
    return True


def queue_on_commit(task, *args) -> QueueOutcome:
    """Like ``delay_on_commit``, but the caller learns whether the broker took the task, so the page can
    say so instead of failing: the work itself is in the database (pending invitations, a queued
    reminder sending) and the periodic ``send_pending_task`` picks it up when the broker is back."""
    outcome = QueueOutcome()

    def publish():
        outcome.queued = _publish(task, *args)

    transaction.on_commit(publish)
    return outcome


def queue_invitation_sending(*, round_id: int, actor=None) -> QueueOutcome:
    from ..tasks import send_invitations_task

    round_ = Round.objects.select_related("organisation").get(pk=round_id)
    pending = round_.invitations.filter(
        send_status=Invitation.SendStatus.PENDING, revoked_at__isnull=True
    ).count()
    if actor is not None:
        record_event(
            action=AuditAction.INVITATIONS_SEND,
            organisation=round_.organisation_id,
            actor=actor,
            target=round_,
            round=round_id,
            details={"pending": pending},
        )
    return queue_on_commit(send_invitations_task, round_id, translation.get_language() or "sv")


@transaction.atomic
def retry_failed_invitations(*, round: Round, actor=None) -> tuple[int, QueueOutcome]:
    """Put failed and bounced invitations back in the queue (a bounced address is tried once more and is
    marked bounced again if the server refuses it)."""
    round_ = Round.objects.select_for_update().get(pk=round.pk)
    if round_.status != Round.Status.OPEN:
        raise DomainError(_("Invitations are sent only while the round is open."))
    release_stale_claims(round_id=round_.pk)
    count = round_.invitations.filter(
        send_status__in=[Invitation.SendStatus.FAILED, Invitation.SendStatus.BOUNCED], revoked_at__isnull=True
    ).update(send_status=Invitation.SendStatus.PENDING, send_attempts=0)
    outcome = queue_invitation_sending(round_id=round_.pk, actor=actor)
    return count, outcome


# --- Sending ----------------------------------------------------------------------------------------------


@dataclass
class BatchResult:
    sent: int = 0
    failed: int = 0
    bounced: int = 0
    retry_later: int = 0
    remaining: int = 0


def _claim_timeout() -> datetime.timedelta:
    return datetime.timedelta(seconds=int(getattr(settings, "CELERY_TASK_TIME_LIMIT", 900)) + 60)


def release_stale_claims(*, round_id: int) -> int:
    """A claim older than the task time limit belongs to a sender that died mid-send: we cannot know
    whether its e-mail left, so it is shown as failed (never re-sent on its own) and the admin decides."""
    cutoff = timezone.now() - _claim_timeout()
    return Invitation.objects.filter(
        round_id=round_id, send_status=Invitation.SendStatus.SENDING, claimed_at__lt=cutoff
    ).update(
        send_status=Invitation.SendStatus.FAILED,
        last_error=gettext(
            "Sending was interrupted; it is not known whether the e-mail left. Retry to send it."
        ),
    )


def _message(invitation: Invitation, round_: Round, kind: str, raw: str) -> EmailMessage:
    subject, body = render_message(
        round=round_, kind=kind, language=invitation.language, link=survey_link(raw), name=invitation.name
    )
    return EmailMessage(
        subject=subject, body=body, to=[invitation.email], headers={"Auto-Submitted": "auto-generated"}
    )


def _describe(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = "; ".join(
            f"{code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
            for code, msg in error.recipients.values()
        )
        return gettext("The mail server refused the address: %(reason)s") % {"reason": codes}
    if isinstance(
        error, (ConnectionError, OSError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)
    ):
        return gettext("Could not reach the mail server: %(reason)s") % {"reason": error}
    if not isinstance(error, smtplib.SMTPException):
        return gettext("The e-mail could not be made: %(reason)s") % {"reason": error}
    return gettext("The mail server answered with an error: %(reason)s") % {"reason": error}


def _claim_for_sending(rows: Sequence[Mapping[str, Any]]) -> dict[int, str]:
    """Claim a few invitations and create their links' tokens in one transaction (one commit), and return
    the raw token of each invitation claimed. The claim (``pending → sending``, a conditional update) is the
    guard against mailing anyone twice: of two senders, the second finds the row no longer pending. The
    tokens exist before the e-mails that carry them leave."""
    links: dict[int, str] = {}
    tokens = []
    with transaction.atomic():
        for row in rows:
            claimed = Invitation.objects.filter(
                pk=row["pk"], send_status=Invitation.SendStatus.PENDING, revoked_at__isnull=True
            ).update(
                send_status=Invitation.SendStatus.SENDING,
                claimed_at=timezone.now(),
                send_attempts=F("send_attempts") + 1,
            )
            if claimed:
                raw, token_hash = new_token()
                links[row["pk"]] = raw
                tokens.append(InvitationToken(invitation_id=row["pk"], token_hash=token_hash))
        InvitationToken.objects.bulk_create(tokens)
    return links


def _mark_sent(pks: list[int]) -> None:
    if pks:
        Invitation.objects.filter(pk__in=pks, send_status=Invitation.SendStatus.SENDING).update(
            send_status=Invitation.SendStatus.SENT, sent_at=timezone.now(), last_error=""
        )


def _still_ours(pk: int) -> bool:
    return Invitation.objects.filter(
        pk=pk, send_status=Invitation.SendStatus.SENDING, revoked_at__isnull=True
    ).exists()


def _release(pk: int) -> None:
    """Give back a claimed invitation that was not sent (it was not an attempt)."""
    Invitation.objects.filter(pk=pk, send_status=Invitation.SendStatus.SENDING).update(
        send_status=Invitation.SendStatus.PENDING, send_attempts=F("send_attempts") - 1, claimed_at=None
    )
    InvitationToken.objects.filter(invitation_id=pk, invitation__sent_at__isnull=True).delete()


def send_invitation_batch(*, round_id: int, batch_size: int = BATCH_SIZE) -> BatchResult:
    """Send up to ``batch_size`` pending invitations of an open round. Safe to run twice at once."""
    result = BatchResult()
    round_ = Round.objects.select_related("organisation", "period").get(pk=round_id)
    if round_.status != Round.Status.OPEN:
        return result
    release_stale_claims(round_id=round_id)
    pending = Invitation.objects.filter(
        round_id=round_id, send_status=Invitation.SendStatus.PENDING, revoked_at__isnull=True
    ).exclude(email="")
    rows = list(
        pending.order_by("pk").values("pk", "email", "name", "language", "send_attempts")[:batch_size]
    )
    connection = get_connection(fail_silently=False)
    opened = False
    stop = False
    try:
        for start in range(0, len(rows), CLAIM_CHUNK):
            chunk = rows[start : start + CLAIM_CHUNK]
            links = _claim_for_sending(chunk)
            sent_ids: list[int] = []
            try:
                for row in chunk:
                    pk = row["pk"]
                    if pk not in links:
                        continue  # another sender has it, or it was removed or withdrawn meanwhile
                    if stop or not _still_ours(pk):
                        # Not sent: the server is down, or the respondent was withdrawn meanwhile.
                        _release(pk)
                        continue
                    invitation = Invitation(
                        pk=pk, round=round_, email=row["email"], name=row["name"], language=row["language"]
                    )
                    try:
                        message = _message(invitation, round_, "invitation", links[pk])
                        if not opened:
                            connection.open()  # one SMTP session for the whole batch
                            opened = True
                        message.connection = connection
                        message.send()
                    except smtplib.SMTPRecipientsRefused as error:
                        Invitation.objects.filter(pk=pk, send_status=Invitation.SendStatus.SENDING).update(
                            send_status=Invitation.SendStatus.BOUNCED, last_error=_describe(error)
                        )
                        result.bounced += 1
                    except (smtplib.SMTPException, OSError) as error:
                        final = row["send_attempts"] + 1 >= MAX_SEND_ATTEMPTS
                        Invitation.objects.filter(pk=pk, send_status=Invitation.SendStatus.SENDING).update(
                            send_status=Invitation.SendStatus.FAILED
                            if final
                            else Invitation.SendStatus.PENDING,
                            last_error=_describe(error),
                        )
                        if final:
                            result.failed += 1
                        else:
                            result.retry_later += 1
                        # The server is unreachable or unwell: the rest of the batch waits for the retry.
                        stop = True
                    except Exception as error:  # this one message cannot be made or sent: not the server
                        logger.exception("invitation %s could not be sent", pk)
                        Invitation.objects.filter(pk=pk, send_status=Invitation.SendStatus.SENDING).update(
                            send_status=Invitation.SendStatus.FAILED, last_error=_describe(error)
                        )
                        result.failed += 1
                    else:
                        sent_ids.append(pk)
                        result.sent += 1
            finally:
                _mark_sent(sent_ids)  # one commit per chunk, also if something unexpected broke off
            if stop:
                break
    finally:
        with contextlib.suppress(Exception):  # closing a broken connection must not hide the result
            connection.close()
    result.remaining = pending.count()
    if result.sent or result.failed or result.bounced:
        record_event(
            action=AuditAction.INVITATIONS_SENT,
            organisation=round_.organisation_id,
            target=round_,
            round=round_id,
            details={
                "sent": result.sent,
                "failed": result.failed,
                "bounced": result.bounced,
            },
        )
    return result


def rounds_with_pending_invitations() -> list[int]:
    return list(
        Round.objects.filter(
            status=Round.Status.OPEN,
            invitations__send_status=Invitation.SendStatus.PENDING,
            invitations__revoked_at__isnull=True,
        )
        .values_list("pk", flat=True)
        .distinct()
    )


# --- Reminders --------------------------------------------------------------------------------------------


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def reminder_candidates(round_id: int):
    """Who a reminder would go to: invited (the invitation e-mail left), not submitted, not withdrawn."""
    return Invitation.objects.filter(
        round_id=round_id, submitted=False, revoked_at__isnull=True, send_status=Invitation.SendStatus.SENT
    ).exclude(email="")


@transaction.atomic
def request_reminders(*, round: Round, actor=None) -> tuple[ReminderRun, QueueOutcome]:
    """Remind now everyone who has not submitted (and was not reminded today)."""
    from ..tasks import send_reminders_task

    round_ = Round.objects.select_for_update().get(pk=round.pk)
    if round_.status != Round.Status.OPEN:
        raise DomainError(_("Reminders can be sent only while the round is open."))
    if not reminder_candidates(round_.pk).exists():
        raise DomainError(_("There is nobody to remind: everyone invited has submitted."))
    run = ReminderRun.objects.create(
        round=round_, requested_by=actor if getattr(actor, "is_authenticated", False) else None
    )
    record_event(
        action=AuditAction.REMINDERS_REQUESTED,
        organisation=round_.organisation_id,
        actor=actor,
        target=round_,
        round=round_.pk,
        details={"run": run.pk},
    )
    return run, queue_on_commit(send_reminders_task, run.pk, translation.get_language() or "sv")


def schedule_due_reminders(*, today: datetime.date | None = None) -> list[int]:
    """Create (once) and queue the reminder sendings that a round's schedule makes due; returns their ids. A
    schedule day is run once however often this runs (unique per round and day). Sendings still queued after
    ``REQUEUE_AFTER`` (the broker was down when they were requested) are queued again: harmless, since each
    person is claimed before being reminded."""
    from ..tasks import send_reminders_task

    today = today or timezone.localdate()
    created = []
    for round_ in Round.objects.filter(status=Round.Status.OPEN, opened_at__isnull=False).exclude(
        reminder_days=[]
    ):
        opened_on = timezone.localdate(round_.opened_at)
        due = [d for d in round_.reminder_days if opened_on + datetime.timedelta(days=int(d)) <= today]
        if not due:
            continue
        latest = max(due)
        if ReminderRun.objects.filter(round=round_, scheduled_day__gte=latest).exists():
            continue
        try:
            with transaction.atomic():
                # Earlier days that were missed (e.g. the schedule was set late) are marked run: one reminder.
                run = ReminderRun.objects.create(round=round_, scheduled_day=latest)
                record_event(
                    action=AuditAction.REMINDERS_SCHEDULED_DUE,
                    organisation=round_.organisation_id,
                    target=round_,
                    round=round_.pk,
                    details={"run": run.pk, "day": latest},
                )
        except IntegrityError:
            continue
        created.append(run.pk)
        _publish(send_reminders_task, run.pk, "sv")
    stale = ReminderRun.objects.filter(
        status=ReminderRun.Status.QUEUED,
        round__status=Round.Status.OPEN,
        created_at__lt=timezone.now() - REQUEUE_AFTER,
    ).exclude(pk__in=created)
    for run_id in stale.values_list("pk", flat=True):
        _publish(send_reminders_task, run_id, "sv")
    return created


def send_reminders(*, run_id: int, now: datetime.datetime | None = None) -> ReminderRun:
    """Send the reminders of one sending. Each person is claimed first: nobody gets two reminders on the same
    day, nobody who has submitted gets one, and a redelivered task sends nothing more."""
    now = now or timezone.now()
    run = ReminderRun.objects.select_related("round__organisation", "round__period").get(pk=run_id)
    round_ = run.round
    if round_.status != Round.Status.OPEN:
        ReminderRun.objects.filter(pk=run_id).update(status=ReminderRun.Status.DONE, finished_at=now)
        return run
    today_start = _start_of_day(timezone.localdate(now))
    sent = failed = 0
    connection = get_connection(fail_silently=False)
    opened = False
    try:
        candidates = reminder_candidates(round_.pk).order_by("pk")
        for pk, previous, email, name, language in list(
            candidates.values_list("pk", "last_reminded_at", "email", "name", "language")
        ):
            with transaction.atomic():  # claim the day and create the link's token: one commit
                claimed = Invitation.objects.filter(
                    Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lt=today_start),
                    pk=pk,
                    submitted=False,
                    revoked_at__isnull=True,
                ).update(last_reminded_at=now)
                if not claimed:
                    continue
                raw, token_hash = new_token()
                InvitationToken.objects.create(invitation_id=pk, token_hash=token_hash)
            invitation = Invitation(pk=pk, round=round_, email=email, name=name, language=language)
            try:
                message = _message(invitation, round_, "reminder", raw)
                if not opened:
                    connection.open()  # one SMTP session for the whole batch
                    opened = True
                message.connection = connection
                message.send()
            except Exception as error:  # SMTP, network, or a message that could not be made
                if not isinstance(error, (smtplib.SMTPException, OSError)):
                    logger.exception("the reminder to invitation %s could not be sent", pk)
                # Give the day back so that a later attempt today may remind this person.
                Invitation.objects.filter(pk=pk, last_reminded_at=now).update(
                    last_reminded_at=previous, last_error=_describe(error)
                )
                failed += 1
            else:
                # Counted as reminded only now: the mail server has taken the message.
                Invitation.objects.filter(pk=pk).update(reminders_sent=F("reminders_sent") + 1)
                sent += 1
    finally:
        with contextlib.suppress(Exception):
            connection.close()
    ReminderRun.objects.filter(pk=run_id).update(
        status=ReminderRun.Status.DONE,
        finished_at=timezone.now(),
        sent=F("sent") + sent,
        failed=F("failed") + failed,
    )
    record_event(
        action=AuditAction.REMINDERS_SENT,
        organisation=round_.organisation_id,
        target=round_,
        round=round_.pk,
        details={"run": run_id, "sent": sent, "failed": failed},
    )
    run.refresh_from_db()
    return run


# --- Retention --------------------------------------------------------------------------------------------


def delete_expired_email_addresses(*, now: datetime.datetime | None = None) -> int:
    """Blank the e-mail addresses and names of invitations of rounds closed more than
    ``DIMIOS_EMAIL_RETENTION_DAYS`` days ago, and delete their link tokens. Returns how many were blanked."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.DIMIOS_EMAIL_RETENTION_DAYS)
    total = 0
    for round_ in Round.objects.filter(status=Round.Status.CLOSED, closed_at__lte=cutoff):
        with transaction.atomic():
            invitations = Invitation.objects.filter(round=round_).filter(~Q(email="") | ~Q(name=""))
            count = invitations.update(email="", name="")
            InvitationToken.objects.filter(invitation__round=round_).delete()
            if count:
                record_event(
                    action=AuditAction.INVITATIONS_ADDRESSES_DELETED,
                    organisation=round_.organisation_id,
                    target=round_,
                    round=round_.pk,
                    details={"count": count},
                )
        total += count
    return total
