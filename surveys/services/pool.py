"""The response pool of anonymous rounds (docs/respondent-privacy.md, "Submitting").

Why a pool: the transaction that marks an invitation submitted (the ledger) is the one that stores the
answers, and on PostgreSQL every row a transaction writes carries its id (``xmin``), for good, also after
``VACUUM FREEZE``. Written straight into ``Response``/``Answer``, a response could be joined to its invitation
by anybody who can SELECT both tables. So the submit transaction only puts the answers, sealed, into
``PooledResponse`` (no reference back, no time); ``release_pool`` later writes the responses:

- in a transaction of its own that touches nothing on the identity side (no invitation, draft, session or
  audit row): the responses' transaction id is the release's, shared with no ledger row;
- per department × group (the only attributes a response has in common with the ledger), a release takes
  either all the pooled responses of that cell (when the round closes) or, while it is open, only from a
  cell with at least 2k waiting, leaving k behind – so each released batch of a cell has at least k
  responses, and so has the last one: whoever knows which invitations' pool rows a release took still has
  k or more candidates for each response;
- in random order (``secrets.SystemRandom``) with random primary keys, so neither the physical order
  (``ctid``) nor the answer ids follow the order of submission;
- then the pool (and the drafts, whose deleted rows held answers next to an invitation) is vacuumed, so the
  dead row versions with their transaction ids are gone from the table files.

Closing a round releases everything itself, in the closing transaction (as a savepoint, so on PostgreSQL
the responses get a transaction id of their own), so results never miss pooled answers, whether a worker
runs or not. The periodic ``release_response_pools_task`` does the mid-round releases.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections import defaultdict

from django.db import connection, transaction

from ..models import Answer, PooledResponse, Response, Round
from ..sealing import seal, unseal

logger = logging.getLogger(__name__)

# Tables whose deleted rows held answers next to something that identifies the respondent.
VACUUMED_TABLES = ("surveys_pooledresponse", "surveys_draftanswer", "surveys_draft")


def effective_k(k: int) -> int:
    return max(int(k), 3)


def pool_response(
    *, round_id: int, department_id: int, group_id: int, answers: list[tuple[int, int | None]]
) -> None:
    """Put one submitted response into the pool (inside the submit transaction)."""
    PooledResponse.objects.create(
        round_id=round_id,
        department_id=department_id,
        group_id=group_id,
        sealed=seal({"answers": [[statement, value] for statement, value in answers]}),
    )


def count_pooled(*, round_id: int) -> int:
    return PooledResponse.objects.filter(round_id=round_id).count()


def _choose(rows: list[PooledResponse], *, k: int, final: bool, rng: secrets.SystemRandom) -> list:
    by_cell: dict[tuple[int, int], list[PooledResponse]] = defaultdict(list)
    for row in rows:
        by_cell[(row.department_id, row.group_id)].append(row)
    chosen: list[PooledResponse] = []
    for cell_rows in by_cell.values():
        if final:
            chosen.extend(cell_rows)
        elif len(cell_rows) >= 2 * k:
            chosen.extend(rng.sample(cell_rows, len(cell_rows) - k))
    rng.shuffle(chosen)
    return chosen


def release_pool(*, round_id: int, final: bool = False) -> int:
    """Write pooled responses of the round as ``Response``/``Answer`` rows (see the module docstring);
    ``final`` (the round closes) releases all of them. Returns how many were released. Safe to run twice
    or in parallel: pool rows are claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` and deleted in the same
    transaction. Inside an outer transaction (the close) it runs as a savepoint."""
    rng = secrets.SystemRandom()
    with transaction.atomic():
        k = effective_k(
            Round.objects.filter(pk=round_id).values_list("questionnaire__k_anonymity", flat=True).get()
        )
        rows = list(
            PooledResponse.objects.select_for_update(skip_locked=True)
            .filter(round_id=round_id)
            .only("id", "department_id", "group_id", "sealed")
        )
        chosen = _choose(rows, k=k, final=final, rng=rng)
        if not chosen:
            return 0
        if connection.vendor == "postgresql":
            # Django's foreign keys are checked at commit; when this runs inside the closing transaction
            # (a savepoint), that would lock the new rows under the closing transaction's id – the id of its
            # audit row. Checked now, the locks carry this savepoint's own id.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        responses: list[Response] = []
        answers: list[Answer] = []
        for row in chosen:
            response = Response(
                id=uuid.uuid4(), round_id=round_id, department_id=row.department_id, group_id=row.group_id
            )
            responses.append(response)
            answers.extend(
                Answer(response=response, statement_id=statement, value=value)
                for statement, value in unseal(row.sealed)["answers"]
            )
        Response.objects.bulk_create(responses, batch_size=500)
        Answer.objects.bulk_create(answers, batch_size=2000)
        PooledResponse.objects.filter(pk__in=[row.pk for row in chosen]).delete()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        transaction.on_commit(vacuum_pool, robust=True)
    return len(chosen)


def vacuum_pool() -> None:
    """Remove the dead row versions of the pool and the drafts from the table files (PostgreSQL; SQLite
    overwrites deleted rows itself, ``PRAGMA secure_delete``). Runs outside a transaction."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("VACUUM " + ", ".join(VACUUMED_TABLES))


def vacuum_response_tables() -> list[str]:
    """Vacuum the response, answer, pool and draft tables (after migration ``surveys.0004`` rewrote the
    responses of anonymous rounds): the old row versions leave the table files. Returns the tables."""
    tables = ["surveys_response", "surveys_answer", *VACUUMED_TABLES]
    if connection.in_atomic_block:
        raise RuntimeError("VACUUM cannot run inside a transaction")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM " + ", ".join(tables))
        else:
            cursor.execute("VACUUM")
    return tables


def open_pool_round_ids() -> dict[int, str]:
    """The rounds with pooled responses and their status (the periodic release,
    ``maturity.services.closing.release_open_pools``, releases them)."""
    round_ids = set(PooledResponse.objects.values_list("round_id", flat=True).distinct())
    return dict(Round.objects.filter(pk__in=round_ids).values_list("id", "status"))
