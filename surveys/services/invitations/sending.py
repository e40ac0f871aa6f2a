"""Sending the invitations in batches through Celery, with retries.

Idempotence: every e-mail is preceded by a claim, a conditional ``UPDATE`` that only one sender can win
(``pending → sending``). A task delivered twice, or two workers on the same round, therefore never mail
anyone twice. Claims are written outside any transaction, so another worker sees them at once."""

from __future__ import annotations

import contextlib
import datetime
import logging
import smtplib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dimios_web.exceptions import DomainError
from dimios_web.queueing import QueueOutcome, enqueue_on_commit, publish_task

from ...models import Invitation, InvitationToken, Round
from ...tokens import new_token
from ..audit import AuditAction, record_event
from .texts import email_message

logger = logging.getLogger(__name__)

BATCH_SIZE = 50
MAX_SEND_ATTEMPTS = 3
CLAIM_CHUNK = 10  # invitations claimed per transaction; a crashed sender leaves at most this many "sending"
REQUEUE_AFTER = datetime.timedelta(minutes=10)

# --- Queueing ---------------------------------------------------------------------------------------------


def queue_on_commit(task, *args) -> QueueOutcome:
    """The task, handed to the broker once the transaction commits (``dimios_web.queueing``); the periodic
    ``send_pending_task`` picks the work up when the broker was down."""
    return enqueue_on_commit(lambda: publish_task(task, *args), QueueOutcome())


def queue_invitation_sending(*, round_id: int, actor=None) -> QueueOutcome:
    from ...tasks import send_invitations_task

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


def describe_error(error: Exception) -> str:
    """The reason an e-mail did not go, for the invitation's ``last_error``."""
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
                        message = email_message(invitation, round_, "invitation", links[pk])
                        if not opened:
                            connection.open()  # one SMTP session for the whole batch
                            opened = True
                        message.connection = connection
                        message.send()
                    except smtplib.SMTPRecipientsRefused as error:
                        Invitation.objects.filter(pk=pk, send_status=Invitation.SendStatus.SENDING).update(
                            send_status=Invitation.SendStatus.BOUNCED, last_error=describe_error(error)
                        )
                        result.bounced += 1
                    except (smtplib.SMTPException, OSError) as error:
                        final = row["send_attempts"] + 1 >= MAX_SEND_ATTEMPTS
                        Invitation.objects.filter(pk=pk, send_status=Invitation.SendStatus.SENDING).update(
                            send_status=Invitation.SendStatus.FAILED
                            if final
                            else Invitation.SendStatus.PENDING,
                            last_error=describe_error(error),
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
                            send_status=Invitation.SendStatus.FAILED, last_error=describe_error(error)
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
