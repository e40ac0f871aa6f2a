"""A reader of the PostgreSQL database (SELECT rights, and a superuser's page inspection) against the
anonymity of a round: after respondents have answered through their personal links and the round has
closed, nothing the database keeps links a response or an answer to an invitation, a session, a draft or
an audit row – not transaction ids (``xmin``/``xmax``), not physical order (``ctid``), not id order, not
a time. The test plays each of those attacks; every one of them named the respondent of every response
before the response pool existed (``SELECT … JOIN … ON r.xmin = i.xmin``)."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from maturity.services.closing import close_round, release_open_pools
from surveys.models import Answer, Invitation, PooledResponse, Response, Statement
from surveys.services.organisations import create_department
from tests.conftest import require_postgres
from tests.factories import (
    InvitationFactory,
    RespondentGroupFactory,
    RoundFactory,
    build_questionnaire,
    issue_link_token,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# Where the respondents are: one large department × group cell (a mid-round release takes from it) and
# small ones (released only when the round closes).
CELLS = [("Stora", 0, 12), ("Lilla", 1, 3), ("Lilla", 2, 2), ("Mellan", 0, 4)]
IDENTITY_TABLES = (
    "surveys_invitation",
    "surveys_invitationtoken",
    "surveys_draft",
    "surveys_draftanswer",
    "django_session",
    "surveys_auditevent",
    "surveys_submissionday",
)
RESPONSE_TABLES = ("surveys_response", "surveys_answer")


@pytest.fixture
def answered_round(db):
    require_postgres()
    questionnaire = build_questionnaire(categories_per_dimension=1, statements_per_category=2)
    round_ = RoundFactory(questionnaire=questionnaire, status="open", anonymous=True)
    organisation = round_.organisation
    departments = {
        name: create_department(organisation=organisation, name=name) for name in {c[0] for c in CELLS}
    }
    groups = [RespondentGroupFactory(organisation=organisation, name=name) for name in ("A", "B", "C")]
    statements = list(Statement.objects.filter(version=questionnaire))
    order: list[tuple[int, tuple]] = []  # (invitation id, its answers) in the order of submission
    number = itertools.count(1)
    cells = [[(departments[name], groups[g])] * n for name, g, n in CELLS]
    # The first ten of the large cell, then the others interleaved with the rest of it.
    first, rest = (
        cells[0][:10],
        [p for p in itertools.chain(*itertools.zip_longest(*[cells[0][10:], *cells[1:]])) if p],
    )
    people = first + rest
    for i, (department, group) in enumerate(people):
        invitation = InvitationFactory(round=round_, department=department, group=group)
        token = issue_link_token(invitation)
        browser = Client()
        browser.get(reverse("surveys:respond_start", args=[token]))
        # Every respondent's answers are different, so the test can tell whose a response is.
        n = next(number)
        values = {statements[0].pk: n % 6 + 1, statements[1].pk: (n // 6) % 6 + 1, statements[2].pk: 6}
        for statement, value in values.items():
            assert browser.post(
                reverse("surveys:respond_save"), {"statement": statement, "value": value}
            ).json()["ok"]
        assert browser.post(reverse("surveys:respond_summary"), {"confirm": "on"}).status_code == 302
        order.append((invitation.pk, tuple(sorted(values.items()))))
        if i == 12:
            # Mid-round: the periodic release takes from the cell that has 2k waiting, leaving k behind.
            # 11 of the large cell are waiting: 6 are released, k = 5 stay for the next batch.
            assert release_open_pools()[round_.pk] == 6
            assert Response.objects.filter(round=round_).count() == 6
    close_round(round=round_)
    return round_, order


def _rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def _whose(round_, order) -> dict:
    """Ground truth: response id → the invitation that gave it (by its unique answers)."""
    by_answers = {answers: invitation for invitation, answers in order}
    owner = {}
    for response in Response.objects.filter(round=round_).prefetch_related("answers"):
        answers = tuple(sorted((a.statement_id, a.value) for a in response.answers.all()))
        owner[response.pk] = by_answers[answers]
    return owner


def test_every_response_reached_the_results_and_nothing_is_left_in_the_pool(answered_round):
    round_, order = answered_round
    assert Response.objects.filter(round=round_).count() == len(order)
    assert not PooledResponse.objects.exists()
    assert len(set(_whose(round_, order).values())) == len(order)


def test_no_transaction_id_joins_a_response_or_an_answer_to_the_identity_side(answered_round):
    for response_table, identity_table in itertools.product(RESPONSE_TABLES, IDENTITY_TABLES):
        for left, right in itertools.product(("xmin", "xmax"), ("xmin", "xmax")):
            joined = _rows(
                f"SELECT count(*) FROM {response_table} r JOIN {identity_table} i "
                f"ON r.{left}::text = i.{right}::text WHERE r.{left}::text <> '0'"
            )
            assert joined == [(0,)], f"{response_table}.{left} = {identity_table}.{right}"


def test_neither_physical_nor_id_order_follows_the_order_of_submission(answered_round):
    round_, order = answered_round
    owner = _whose(round_, order)
    submitted = [invitation for invitation, _answers in order]
    position = {invitation: i for i, invitation in enumerate(submitted)}
    by_ctid = [owner[pk] for (pk,) in _rows("SELECT id FROM surveys_response ORDER BY ctid")]
    by_id = [owner[pk] for (pk,) in _rows("SELECT id FROM surveys_response ORDER BY id")]
    by_answer_id = [
        owner[pk]
        for (pk,) in _rows("SELECT response_id FROM surveys_answer GROUP BY response_id ORDER BY min(id)")
    ]
    by_answer_ctid = [
        owner[pk]
        for (pk,) in _rows("SELECT response_id FROM surveys_answer GROUP BY response_id ORDER BY min(ctid)")
    ]
    for name, sequence in [
        ("ctid", by_ctid),
        ("id", by_id),
        ("answer id", by_answer_id),
        ("answer ctid", by_answer_ctid),
    ]:
        assert sequence != submitted and sequence != submitted[::-1], name
        # Within what one release wrote, the order is a shuffle: no run of the submission order survives
        # (before the pool, every response followed its predecessor in submission).
        followers = sum(position[b] == position[a] + 1 for a, b in itertools.pairwise(sequence))
        assert followers < len(sequence) // 2, (name, followers)


def test_responses_and_answers_carry_no_time(answered_round):
    columns = _rows(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_name IN ('surveys_response', 'surveys_answer')"
    )
    assert columns
    assert not [c for c in columns if "time" in c[2] or "date" in c[2]], columns


def test_the_pool_and_the_drafts_keep_no_dead_row_versions_after_the_release(answered_round):
    """A superuser's view of the table files (pageinspect): the pool rows and the drafts deleted at submit
    are gone, not merely invisible – the vacuum after the release removed them."""
    _rows("CREATE EXTENSION IF NOT EXISTS pageinspect")
    for table in ("surveys_pooledresponse", "surveys_draftanswer", "surveys_draft"):
        (pages,) = _rows("SELECT pg_relation_size(%s) / current_setting('block_size')::int", [table])[0]
        for page in range(pages):
            tuples = _rows(
                "SELECT count(*) FROM heap_page_items(get_raw_page(%s, %s)) WHERE t_xmin IS NOT NULL",
                [table, page],
            )
            assert tuples == [(0,)], f"{table} page {page} still holds row versions"


def test_the_ledger_knows_who_submitted_and_never_what(answered_round):
    round_, order = answered_round
    assert Invitation.objects.filter(round=round_, submitted=True).count() == len(order)
    assert not Response.objects.filter(round=round_, invitation__isnull=False).exists()
    # No table on the identity side has a column that could hold a response.
    for table in IDENTITY_TABLES:
        columns = {
            c
            for (c,) in _rows(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s", [table]
            )
        }
        assert "response_id" not in columns, table


def test_responses_written_before_the_pool_are_unlinked_by_the_upgrade(db):
    """Responses of an anonymous round written the old way (in the invitation's own transaction): the
    migration writes them again in one shuffled transaction and the vacuum command clears the old
    versions, after which the join finds nothing."""
    import importlib

    from django.apps import apps
    from django.core.management import call_command
    from django.db import transaction

    require_postgres()
    round_ = RoundFactory(status="closed", anonymous=True)
    statement = Statement.objects.filter(version=round_.questionnaire).first()
    for value in range(1, 7):
        invitation = InvitationFactory(round=round_)
        with transaction.atomic():  # as submit_response did before the pool
            Invitation.objects.filter(pk=invitation.pk).update(submitted=True)
            response = Response.objects.create(
                round=round_, department=invitation.department, group=invitation.group
            )
            response.answers.create(statement=statement, value=value)
    join = "SELECT count(*) FROM surveys_response r JOIN surveys_invitation i ON r.xmin::text = i.xmin::text"
    assert _rows(join) == [(6,)]
    migration = importlib.import_module("surveys.migrations.0004_add_response_pool_and_submission_days")
    with transaction.atomic():
        migration.reissue_anonymous_responses(apps, None)
    call_command("vacuum_response_tables")
    assert _rows(join) == [(0,)]
    assert sorted(Answer.objects.values_list("value", flat=True)) == [1, 2, 3, 4, 5, 6]
    _rows("CREATE EXTENSION IF NOT EXISTS pageinspect")
    (pages,) = _rows("SELECT pg_relation_size('surveys_response') / current_setting('block_size')::int")[0]
    versions = sum(
        _rows(
            "SELECT count(*) FROM heap_page_items(get_raw_page('surveys_response', %s)) "
            "WHERE t_xmin IS NOT NULL",
            [page],
        )[0][0]
        for page in range(pages)
    )
    assert versions == 6  # the old row versions are gone from the table file
