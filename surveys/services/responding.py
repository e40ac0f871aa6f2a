"""The respondent's use cases: start (or resume) a response, save answers as they are given, submit.

Answers are saved in a ``Draft`` as the respondent goes. Submitting deletes the draft, marks the invitation
``submitted=True`` and, in an anonymous round, puts the answers sealed into the response pool with nothing
that leads back (``surveys.services.pool`` releases them into ``Response`` rows later, in shuffled batches,
by a transaction of its own); in a round that is not anonymous it writes the ``Response`` with its
invitation.

Concurrency: every use case that changes a draft starts its transaction with a write that claims the row it
depends on (the invitation for a submit, the draft for a save), so two tabs or a double-clicked submit are
serialised by the database (a row lock on PostgreSQL, the write lock on SQLite) and exactly one submit wins.
"""

from __future__ import annotations

import contextlib
import functools
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from dimios_web.exceptions import DomainError

from ..models import (
    Answer,
    Department,
    Draft,
    DraftAnswer,
    Invitation,
    RespondentGroup,
    Response,
    Round,
    Statement,
    SubmissionDay,
)
from ..tokens import hash_token
from .pool import pool_response

# The answer time a respondent is promised, on the survey's start page and in the invitation and reminder
# e-mails alike: about 20 seconds a statement, rounded up to whole minutes (the open default's 31
# statements: 11 minutes).
SECONDS_PER_STATEMENT = 20


def answer_minutes(statement_count: int) -> int:
    """About how many minutes answering a questionnaire of this many statements takes (at least 1)."""
    return max(1, -(-statement_count * SECONDS_PER_STATEMENT // 60))


DONT_KNOW = None  # the stored value of "vet ej"

# Error codes the views turn into pages (DomainError.code).
ALREADY_SUBMITTED = "already_submitted"
REVOKED = "revoked"
ROUND_NOT_OPEN = "round_not_open"
CONFIRM_UNANSWERED = "confirm_unanswered"
INVALID_ANSWER = "invalid_answer"
BUSY = "busy"

BUSY_ATTEMPTS = 5


def _retry_when_busy(func):
    """Run the use case again when the database is momentarily busy (SQLite's lock, a PostgreSQL deadlock
    or serialisation failure): its transaction was rolled back, so a rerun is harmless. When it stays busy,
    a DomainError tells the respondent to try again instead of an error page."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        for attempt in range(BUSY_ATTEMPTS):
            try:
                return func(*args, **kwargs)
            except OperationalError:
                if transaction.get_connection().in_atomic_block:
                    raise  # inside someone else's transaction: theirs to handle
                if attempt == BUSY_ATTEMPTS - 1:
                    break
                time.sleep(0.05 * 2**attempt)
        raise DomainError(
            _("The service is busy right now and your answers were not saved. Wait a moment and try again."),
            code=BUSY,
        )

    return wrapper


def already_submitted_error() -> DomainError:
    return DomainError(
        _("These answers have already been submitted. Thank you for taking part!"), code=ALREADY_SUBMITTED
    )


def revoked_error() -> DomainError:
    return DomainError(
        _(
            "This link has been withdrawn by the organisation that sent it. Ask them for a new one if you "
            "think that is wrong."
        ),
        code=REVOKED,
    )


def round_not_open_error() -> DomainError:
    return DomainError(_("The survey is not open for answers."), code=ROUND_NOT_OPEN)


def check_invitation_can_answer(invitation: Invitation) -> None:
    """Refuse a personal link that can no longer be used for answering."""
    if invitation.revoked_at is not None:
        raise revoked_error()
    if invitation.submitted:
        raise already_submitted_error()
    if invitation.round.status != Round.Status.OPEN:
        raise round_not_open_error()


@_retry_when_busy
def start_response(*, invitation: Invitation) -> Draft:
    """The invitation's draft, created on the first visit. Opening the link again (on any device) finds the
    same draft, so answers given earlier are in place."""
    check_invitation_can_answer(invitation)
    existing = Draft.objects.filter(invitation=invitation).first()
    if existing is not None:
        return existing
    today = timezone.localdate()
    try:
        with transaction.atomic():
            draft = Draft.objects.create(round_id=invitation.round_id, invitation=invitation)
            Invitation.objects.filter(pk=invitation.pk, started_on__isnull=True).update(started_on=today)
    except IntegrityError:
        # The same link opened in two tabs at once: the other request created it.
        draft = Draft.objects.get(invitation=invitation)
    return draft


def start_open_response(*, round: Round, department: Department, group: RespondentGroup) -> tuple[Draft, str]:
    """A draft for an open link (a round without personal invitations). The returned key is kept in the
    respondent's session; only its hash is stored."""
    if round.status != Round.Status.OPEN:
        raise round_not_open_error()
    if department.organisation_id != round.organisation_id or group.organisation_id != round.organisation_id:
        raise DomainError(_("Choose a department and a group of this organisation."), field="department")
    raw_key = secrets.token_urlsafe(32)
    draft = Draft.objects.create(
        round=round, open_key_hash=hash_token(raw_key), department=department, group=group
    )
    return draft, raw_key


@dataclass(frozen=True)
class DraftContext:
    """What a save needs to know about the respondent, resolved once when the link is opened and kept in
    the session, so that a save looks nothing up: the draft, its round and questionnaire version, and its
    owner (the invitation of a personal link, or the hash of an open link's key)."""

    draft_id: int
    round_id: int
    questionnaire_id: int
    invitation_id: int | None = None
    open_key_hash: str = ""

    @classmethod
    def of(cls, draft: Draft) -> DraftContext:
        return cls(
            draft_id=draft.pk,
            round_id=draft.round_id,
            questionnaire_id=draft.round.questionnaire_id,
            invitation_id=draft.invitation_id,
            open_key_hash=draft.open_key_hash,
        )


def _check_values(answers: Mapping[int, int | None]) -> None:
    for value in answers.values():
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 6
        ):
            raise DomainError(
                _("An answer must be one of the six steps of the scale or “don't know”."), code=INVALID_ANSWER
            )


def _claim_sql(context: DraftContext) -> tuple[str, list[Any]]:
    sql, params, _types = _typed_claim_sql(context)
    return sql, params


def _typed_claim_sql(context: DraftContext) -> tuple[str, list[Any], list[str]]:
    """The WHERE clause of the claim: the draft is still there, its round is open (and answered on the
    questionnaire version the statements were checked against), and its owner may still answer (the
    invitation neither submitted nor revoked; the open link's key unchanged). With its parameters
    (``_claim_params``) and their types."""
    draft, round_, invitation = (
        Draft._meta.db_table,
        Round._meta.db_table,
        Invitation._meta.db_table,
    )
    sql = (
        f"{draft}.id = %s AND {draft}.round_id = %s AND EXISTS (SELECT 1 FROM {round_} r WHERE r.id = %s "
        "AND r.status = %s AND r.questionnaire_id = %s)"
    )
    types = ["integer", "integer", "integer", "text", "integer"]
    if context.invitation_id is not None:
        sql += (
            f" AND {draft}.invitation_id = %s AND EXISTS (SELECT 1 FROM {invitation} i WHERE i.id = %s "
            "AND i.submitted = %s AND i.revoked_at IS NULL)"
        )
        types += ["integer", "integer", "boolean"]
    else:
        sql += f" AND {draft}.invitation_id IS NULL AND {draft}.open_key_hash = %s"
        types += ["text"]
    return sql, _claim_params(context), types


def _claim_params(context: DraftContext) -> list[Any]:
    """The claim's parameters, in the order of ``_typed_claim_sql``'s placeholders."""
    params: list[Any] = [
        context.draft_id,
        context.round_id,
        context.round_id,
        Round.Status.OPEN.value,
        context.questionnaire_id,
    ]
    if context.invitation_id is not None:
        return [*params, context.invitation_id, context.invitation_id, False]
    return [*params, context.open_key_hash or "-"]


def _why_refused(context: DraftContext) -> DomainError:
    """Why the claim matched no row (the slow path, only when a save is refused): the same refusal, in the
    same order, as the pages give."""
    if context.invitation_id is not None:
        invitation = (
            Invitation.objects.filter(pk=context.invitation_id).values("revoked_at", "submitted").first()
        )
        if invitation is not None and invitation["revoked_at"] is not None:
            return revoked_error()
        if invitation is None or invitation["submitted"]:
            return already_submitted_error()
    status = Round.objects.filter(pk=context.round_id).values_list("status", flat=True).first()
    if status != Round.Status.OPEN:
        return round_not_open_error()
    return already_submitted_error()  # the draft is gone (submitted on another device) or not this one's


_save_statements: dict[tuple[str, int, bool], tuple[str, list[str]]] = {}


def _save_statement(shape: tuple[int, bool]) -> tuple[str, list[str]]:
    """The save's SQL and its parameters' types for a shape (number of answers, open link or personal),
    written once a process and database: only the parameters change from one save to the next."""
    key = (connection.vendor, *shape)
    found = _save_statements.get(key)
    if found is not None:
        return found
    count, open_link = shape
    example = DraftContext(draft_id=0, round_id=0, questionnaire_id=0, invitation_id=None if open_link else 0)
    where, _params, claim_types = _typed_claim_sql(example)
    draft_table, answer_table = Draft._meta.db_table, DraftAnswer._meta.db_table
    values = ", ".join(["(%s, CAST(%s AS INTEGER))"] * count)
    given = ", ".join(["%s"] * count)
    sql = (
        f"WITH given (statement_id, value) AS (VALUES {values}) "
        f"INSERT INTO {answer_table} (draft_id, statement_id, value, updated_at) "
        f"SELECT {draft_table}.id, given.statement_id, given.value, %s FROM {draft_table}, given "
        f"WHERE {where} "
        "ON CONFLICT (draft_id, statement_id) DO UPDATE SET value = excluded.value, "
        "updated_at = excluded.updated_at "
        f"RETURNING (SELECT COUNT(*) FROM {answer_table} other WHERE other.draft_id = %s "
        f"AND other.statement_id NOT IN ({given}))"
    )
    types = [
        *(["integer", "integer"] * count),
        "timestamp with time zone",
        *claim_types,
        "integer",
        *(["integer"] * count),
    ]
    return _save_statements.setdefault(key, (sql, types))


def _save_in_one_statement(context: DraftContext, answers: Mapping[int, int | None], now) -> int | None:
    """The save as one statement, atomic on its own (no transaction around it), returning the number
    answered after it; None when the draft may no longer be answered.

    ``INSERT … SELECT … ON CONFLICT DO UPDATE … RETURNING``: the answers are written only where the claim's
    conditions hold for the draft (round open, link neither submitted nor revoked): all of them or none.
    A submit that got the draft first (it holds the draft ``FOR UPDATE`` on PostgreSQL, the write lock on
    SQLite) makes the insert wait and then fail its foreign key, the draft being gone; a submit that comes
    after waits for the insert and reads its answers. So an answer is acknowledged exactly when it is in
    the draft the submit reads. The count is the draft's other answers (another device's included) plus
    the ones given, which are all there once the statement has run."""
    rows = sorted(answers.items())  # a fixed order: two saves of one draft never deadlock
    shape = (len(rows), context.invitation_id is None)
    sql, types = _save_statement(shape)
    params = [
        *(item for row in rows for item in row),
        connection.ops.adapt_datetimefield_value(now),
        *_claim_params(context),
        context.draft_id,
        *(statement_id for statement_id, _value in rows),
    ]
    with connection.cursor() as cursor:
        execute = _prepared(cursor, sql, types, shape=shape)
        cursor.execute(sql if execute is None else execute, params)
        returned = cursor.fetchall()
    if len(returned) != len(rows):
        return None
    return int(returned[0][0]) + len(rows)


PREPARED_SHAPES = 64  # at most this many prepared saves a connection (a page has at most ~10 statements)


def _prepared(cursor, sql: str, types: list[str], *, shape: tuple[int, bool]) -> str | None:
    """``EXECUTE`` of the save's prepared statement on this connection (prepared now if need be), or None
    to run it as plain SQL.

    Prepared only on PostgreSQL with kept connections (``CONN_MAX_AGE`` other than 0): planning the save
    costs PostgreSQL about as much as running it, and a prepared statement is planned once a connection
    (after five runs PostgreSQL keeps a generic plan). With a new connection every request a PREPARE
    would only add a round trip. A PREPARE is not undone by a rollback; the connection's list is emptied
    when Django opens a new connection (``connection_created``). A transaction-pooling proxy in front of
    PostgreSQL (PgBouncer in transaction mode) would lose prepared statements: run with
    ``DJANGO_CONN_MAX_AGE=0`` behind one (docs/deployment.md)."""
    database = cursor.db  # this thread's connection
    if database.vendor != "postgresql" or not database.settings_dict.get("CONN_MAX_AGE"):
        return None
    prepared: dict = database.__dict__.setdefault("dimios_prepared_saves", {})
    execute = prepared.get(shape)
    if execute is None:
        if len(prepared) >= PREPARED_SHAPES:
            return None
        name = f"dimios_save_{shape[0]}_{'open' if shape[1] else 'personal'}"
        numbered = iter(range(1, len(types) + 1))
        text = re.sub(r"%s", lambda _match: f"${next(numbered)}", sql)
        cursor.execute(f"PREPARE {name} ({', '.join(types)}) AS {text}")
        execute = prepared[shape] = f"EXECUTE {name} ({', '.join(['%s'] * len(types))})"
    return execute


def forget_prepared_saves(sender, connection, **kwargs) -> None:
    """``connection_created``: a new database connection has no prepared statements."""
    connection.__dict__.pop("dimios_prepared_saves", None)


def _save_portably(context: DraftContext, answers: Mapping[int, int | None], now) -> int | None:
    """The same with the ORM (any other database, and a save without answers): claim, upsert, count."""
    where, params = _claim_sql(context)
    stamp = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Draft._meta.db_table} SET updated_at = %s WHERE {where}", [stamp, *params])
        if cursor.rowcount != 1:
            return None
    if answers:
        DraftAnswer.objects.bulk_create(
            [
                DraftAnswer(draft_id=context.draft_id, statement_id=s, value=v, updated_at=now)
                for s, v in sorted(answers.items())
            ],
            update_conflicts=True,
            unique_fields=["draft", "statement"],
            update_fields=["value", "updated_at"],
        )
    return DraftAnswer.objects.filter(draft_id=context.draft_id).count()


@_retry_when_busy
def save_answers(
    *,
    draft: Draft | DraftContext,
    answers: Mapping[int, int | None],
    statement_ids: frozenset[int] | None = None,
) -> int:
    """Save answers (statement id → 1..6, or None for "vet ej") in the draft, replacing earlier ones. All
    or nothing: one invalid answer saves none. Returns the number of statements answered so far.

    ``statement_ids`` are the questionnaire version's statements (kept in the process by the caller:
    a version in use never changes); without them they are read. On PostgreSQL and SQLite a save is one
    statement, atomic on its own (``_save_in_one_statement``); a refused save (submitted, revoked,
    closed) then looks up why."""
    context = draft if isinstance(draft, DraftContext) else DraftContext.of(draft)
    _check_values(answers)
    if answers:
        if statement_ids is None:
            statement_ids = frozenset(
                Statement.objects.filter(
                    pk__in=list(answers), version_id=context.questionnaire_id
                ).values_list("pk", flat=True)
            )
        if not set(answers) <= statement_ids:
            raise DomainError(_("That statement is not part of this survey."), code=INVALID_ANSWER)
    now = timezone.now()
    try:
        if answers and connection.vendor in ("postgresql", "sqlite"):
            # Inside someone else's transaction (a test's, a management command's) a savepoint keeps a
            # failed insert from spoiling it; on its own the save needs no transaction.
            with transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext():
                answered = _save_in_one_statement(context, answers, now)
        else:
            with transaction.atomic():
                answered = _save_portably(context, answers, now)
                if answered is None:
                    raise _Refused
    except _Refused:
        answered = None
    except IntegrityError:
        # The draft vanished while the answers were written (a submit won the race): nothing was saved.
        raise already_submitted_error() from None
    if answered is None:
        raise _why_refused(context)
    return answered


class _Refused(Exception):
    """The claim matched no row: roll the transaction back, then find out why."""


@dataclass(frozen=True)
class Receipt:
    round_id: int
    submitted_on: str
    answered: int
    total: int


@_retry_when_busy
def submit_response(*, draft: Draft, confirm_unanswered: bool = False) -> Receipt:
    """Move the draft's answers to a response, exactly once. Unanswered statements are allowed only when the
    respondent has confirmed it; they count as not answered."""
    with transaction.atomic():
        invitation = None
        if draft.invitation_id is not None:
            # The claim: only one submit can flip the flag; the loser's transaction sees 0 rows.
            claimed = Invitation.objects.filter(
                pk=draft.invitation_id, submitted=False, revoked_at__isnull=True
            ).update(submitted=True)
            if not claimed:
                if Invitation.objects.filter(pk=draft.invitation_id, revoked_at__isnull=False).exists():
                    raise revoked_error()
                raise already_submitted_error()
            invitation = Invitation.objects.get(pk=draft.invitation_id)
        elif not Draft.objects.filter(pk=draft.pk).update(updated_at=timezone.now()):
            raise already_submitted_error()
        locked = Draft.objects.select_for_update().filter(pk=draft.pk).first()
        if locked is None:
            raise already_submitted_error()
        if _lock_round_status(locked.round_id) != Round.Status.OPEN:
            raise round_not_open_error()
        round = Round.objects.select_related("questionnaire").get(pk=locked.round_id)
        answers = list(DraftAnswer.objects.filter(draft=locked).values_list("statement_id", "value"))
        total = Statement.objects.filter(version_id=round.questionnaire_id).count()
        if len(answers) < total and not confirm_unanswered:
            raise DomainError(
                ngettext_lazy(
                    "%(count)s statement is not answered. Confirm that you want to submit anyway, or go back "
                    "and answer it.",
                    "%(count)s statements are not answered. Confirm that you want to submit anyway, or go "
                    "back and answer them.",
                    "count",
                )
                % {"count": total - len(answers)},
                field="confirm",
                code=CONFIRM_UNANSWERED,
            )
        department_id: int | None
        group_id: int | None
        if invitation is not None:
            department_id, group_id = invitation.department_id, invitation.group_id
        else:
            department_id, group_id = locked.department_id, locked.group_id
            # An open-link draft is created with the department and group the respondent chose.
            assert department_id is not None and group_id is not None
        today = timezone.localdate()
        if round.anonymous:
            # Into the sealed pool, with no reference back; released later in shuffled batches by a
            # transaction that touches nothing on the identity side (surveys.services.pool).
            pool_response(
                round_id=round.pk, department_id=department_id, group_id=group_id, answers=sorted(answers)
            )
        else:
            response = Response.objects.create(
                round=round, department_id=department_id, group_id=group_id, invitation=invitation
            )
            Answer.objects.bulk_create(
                [Answer(response=response, statement_id=s, value=v) for s, v in sorted(answers)]
            )
        _count_submission(round_id=round.pk, department_id=department_id, day=today)
        locked.delete()
    return Receipt(round_id=round.pk, submitted_on=today.isoformat(), answered=len(answers), total=total)


def _lock_round_status(round_id: int) -> str:
    """The round's status, read under a key-share lock on PostgreSQL: a close in progress (which holds the
    round FOR UPDATE) is waited for and then seen, and a close waits for this submit to commit, so no
    response reaches the pool of a round that has closed. (On SQLite the first write of the transaction
    already holds the database's write lock.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT status FROM surveys_round WHERE id = %s FOR KEY SHARE", [round_id])
            return cursor.fetchone()[0]
    return Round.objects.filter(pk=round_id).values_list("status", flat=True).get()


def _count_submission(*, round_id: int, department_id: int, day) -> None:
    """One more on the round page's daily curve (the identity side: responses carry no date)."""
    updated = SubmissionDay.objects.filter(round_id=round_id, department_id=department_id, day=day).update(
        count=F("count") + 1
    )
    if not updated:
        try:
            with transaction.atomic():
                SubmissionDay.objects.create(round_id=round_id, department_id=department_id, day=day, count=1)
        except IntegrityError:
            SubmissionDay.objects.filter(round_id=round_id, department_id=department_id, day=day).update(
                count=F("count") + 1
            )
