"""Invitation and reminder e-mails, by sub-domain: ``texts`` (defaults, the round's texts, rendering, the
link), ``sending`` (batches through Celery, retries, the queue), ``reminders`` (who is due, runs, sending)
and ``retention`` (deleting addresses after the round). The names below are the package's API, so callers
say ``invitations.send_invitation_batch`` whichever module holds it."""

from .reminders import reminder_candidates, request_reminders, schedule_due_reminders, send_reminders
from .retention import delete_expired_email_addresses
from .sending import (
    BATCH_SIZE,
    CLAIM_CHUNK,
    MAX_SEND_ATTEMPTS,
    REQUEUE_AFTER,
    BatchResult,
    describe_error,
    queue_invitation_sending,
    queue_on_commit,
    release_stale_claims,
    retry_failed_invitations,
    rounds_with_pending_invitations,
    send_invitation_batch,
)
from .texts import (
    DEFAULT_TEXTS,
    KINDS,
    LANGUAGES,
    PLACEHOLDERS,
    email_message,
    header_safe,
    message_text,
    preview_message,
    render_message,
    survey_link,
    validate_text,
)

__all__ = [
    "BATCH_SIZE",
    "BatchResult",
    "CLAIM_CHUNK",
    "DEFAULT_TEXTS",
    "KINDS",
    "LANGUAGES",
    "MAX_SEND_ATTEMPTS",
    "PLACEHOLDERS",
    "REQUEUE_AFTER",
    "delete_expired_email_addresses",
    "describe_error",
    "email_message",
    "header_safe",
    "message_text",
    "preview_message",
    "queue_invitation_sending",
    "queue_on_commit",
    "release_stale_claims",
    "reminder_candidates",
    "render_message",
    "request_reminders",
    "retry_failed_invitations",
    "rounds_with_pending_invitations",
    "schedule_due_reminders",
    "send_invitation_batch",
    "send_reminders",
    "survey_link",
    "validate_text",
]
