"""Reads for the respondent's pages. Each returns what one page needs in a fixed number of queries, whatever
the number of statements."""

from __future__ import annotations

import functools
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import connections

from dimios_web.compiled_read import CompiledRead, Join

from ..models import Category, Draft, DraftAnswer, Invitation, Round, Statement
from ..tokens import hash_token

# secrets.token_urlsafe(32) gives 43 characters; anything far from that shape is not one of ours.
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,128}$")


def token_has_valid_shape(raw: str) -> bool:
    return bool(_TOKEN_SHAPE.match(raw or ""))


def get_invitation_for_token(raw: str) -> Invitation | None:
    """The invitation of a personal link, or None for an unknown token (one query)."""
    if not token_has_valid_shape(raw):
        return None
    return (
        Invitation.objects.select_related("round__organisation", "round__questionnaire")
        .filter(tokens__token_hash=hash_token(raw))
        .first()
    )


def get_invitation_with_draft(invitation_id: int) -> Invitation | None:
    """The invitation with its round, questionnaire, organisation and draft (one query)."""
    return (
        Invitation.objects.select_related(
            "round__organisation", "round__questionnaire", "round__period", "draft"
        )
        .filter(pk=invitation_id)
        .first()
    )


# The respondent's draft with its round, organisation, questionnaire and invitation: the read of every page
# and page form. As SQL written once per process (dimios_web.compiled_read): compiling the equivalent
# ``select_related`` queryset cost more than running it.
_DRAFT_JOINS = [
    Join("r", "d", "round"),
    Join("o", "r", "organisation"),
    Join("q", "r", "questionnaire"),
    Join("i", "d", "invitation"),
]
_PERSONAL_DRAFT = CompiledRead(
    Draft, "d", _DRAFT_JOINS, where=[("d", "id"), ("d", "round"), ("d", "invitation")]
)
_OPEN_DRAFT = CompiledRead(
    Draft,
    "d",
    _DRAFT_JOINS,
    where=[("d", "id"), ("d", "round"), ("d", "invitation", None), ("d", "open_key_hash")],
)


def get_draft_in_context(
    draft_id: int, round_id: int, *, invitation_id: int | None, open_key_hash: str = ""
) -> Draft | None:
    """The respondent's draft as the session knows it, with its round, organisation, questionnaire and
    invitation (one query): None when it is gone (submitted) or no longer this owner's."""
    if invitation_id is not None:
        found = _PERSONAL_DRAFT.get([draft_id, round_id, invitation_id])
    else:
        found = _OPEN_DRAFT.get([draft_id, round_id, open_key_hash or "-"])
    return None if found is None else cast(Draft, found["d"])


def get_open_draft(round_id: int, raw_key: str) -> Draft | None:
    return (
        Draft.objects.select_related("round__organisation", "round__questionnaire", "round__period")
        .filter(round_id=round_id, open_key_hash=hash_token(raw_key), invitation__isnull=True)
        .first()
    )


def get_round_for_open_key(key: str) -> Round | None:
    """The round of an open link, if the round has one and it is enabled."""
    if not token_has_valid_shape(key):
        return None
    return (
        Round.objects.select_related("organisation", "questionnaire", "period")
        .filter(open_link_key=key, open_link_enabled=True)
        .first()
    )


def get_open_round(round_id: int) -> Round | None:
    return (
        Round.objects.select_related("organisation", "questionnaire", "period")
        .filter(pk=round_id, open_link_enabled=True)
        .first()
    )


# --- The questionnaire's structure, kept in the process --------------------------------------------------
# A questionnaire version is read-only once a round uses it (``QuestionnaireVersion.is_locked``: the loader
# refuses to change its structure, Django admin shows it read-only), and a respondent only ever answers a
# round, so the structure a respondent answers never changes: its categories and statements are read once
# per process and kept (a few kilobytes per version; the least recently used are dropped past the limit).
# Only an audited text correction (``services.questionnaires``, at deployment) changes their wording: the
# loading process forgets what it kept, other processes read the new wording when they restart.

STRUCTURE_CACHE_SIZE = 32


@dataclass(frozen=True)
class QuestionnaireStructure:
    categories: list[Category]  # one page each, in questionnaire order (with their dimension)
    statements: list[Statement]  # every statement in questionnaire order (with its capability)
    by_category: dict[int, list[Statement]]  # category id → its statements in page order
    statement_ids: frozenset[int]


_structures: OrderedDict[int, QuestionnaireStructure] = OrderedDict()
_structures_lock = threading.Lock()


def get_questionnaire_structure(questionnaire_id: int) -> QuestionnaireStructure:
    """The categories and statements of a questionnaire version that a round uses: two queries the first
    time in a process, none after (see above)."""
    with _structures_lock:
        structure = _structures.get(questionnaire_id)
        if structure is not None:
            _structures.move_to_end(questionnaire_id)
            return structure
    categories = list(Category.objects.filter(version_id=questionnaire_id).select_related("dimension"))
    statements = list(Statement.objects.filter(version_id=questionnaire_id).select_related("capability"))
    by_category: dict[int, list[Statement]] = {c.pk: [] for c in categories}
    for statement in sorted(statements, key=lambda s: (s.capability.position, s.position, s.pk)):
        by_category.setdefault(statement.capability.category_id, []).append(statement)
    structure = QuestionnaireStructure(
        categories, statements, by_category, frozenset(s.pk for s in statements)
    )
    with _structures_lock:
        _structures[questionnaire_id] = structure
        while len(_structures) > STRUCTURE_CACHE_SIZE:
            _structures.popitem(last=False)
    return structure


def forget_questionnaire_structures() -> None:
    """Drop the kept structures: after a text correction of a locked version, and in tests that change a
    questionnaire in place."""
    with _structures_lock:
        _structures.clear()


def list_categories(questionnaire_id: int) -> list[Category]:
    return get_questionnaire_structure(questionnaire_id).categories


@dataclass
class StatementRow:
    statement: Statement
    value: int | None  # 1..6 or None ("vet ej") when answered
    answered: bool
    page: int = 0
    # Filled by the page view for the template: the field's name, its errors, what is checked.
    field_name: str = ""
    errors: Sequence[object] = ()  # a form ErrorList
    checked: str | None = ""


@dataclass
class Progress:
    answered: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 100


@dataclass
class QuestionnairePage:
    number: int
    count: int
    category: Category
    rows: list[StatementRow]
    progress: Progress


@functools.cache
def _draft_answers_sql(vendor: str) -> str:
    """The SELECT of a draft's answers, written once per database kind."""
    quote = connections[DraftAnswer.objects.db].ops.quote_name
    meta = DraftAnswer._meta
    statement, value, draft_id = (
        cast(Any, meta.get_field(name)).column for name in ("statement", "value", "draft")
    )
    return (
        f"SELECT {quote(statement)}, {quote(value)} FROM {quote(meta.db_table)} WHERE {quote(draft_id)} = %s"
    )


def _draft_answers(draft: Draft) -> dict[int, int | None]:
    """Statement id → value (None: "don't know") of the draft's answers: two integer columns, read without
    the ORM's compiling (as the draft itself, above)."""
    connection = connections[DraftAnswer.objects.db]
    with connection.cursor() as cursor:
        cursor.execute(_draft_answers_sql(connection.vendor), [draft.pk])
        return dict(cursor.fetchall())


def get_questionnaire_page(draft: Draft, categories: list[Category], number: int) -> QuestionnairePage:
    """Page ``number`` (1-based, one category a page) with the draft's answers in place (one query: the
    answers; the statements come from the kept structure)."""
    category = categories[number - 1]
    structure = get_questionnaire_structure(draft.round.questionnaire_id)
    statements = structure.by_category.get(category.pk, [])
    answers = _draft_answers(draft)
    total = len(structure.statements)
    rows = [StatementRow(s, answers.get(s.pk), s.pk in answers, number) for s in statements]
    answered = len(answers.keys() & structure.statement_ids)
    return QuestionnairePage(number, len(categories), category, rows, Progress(answered, total))


@dataclass
class SummarySection:
    category: Category
    page: int
    unanswered: list[StatementRow] = field(default_factory=list)


@dataclass
class Summary:
    sections: list[SummarySection]
    progress: Progress
    first_unanswered: StatementRow | None

    @property
    def unanswered_count(self) -> int:
        return self.progress.total - self.progress.answered


def get_summary(draft: Draft, categories: list[Category]) -> Summary:
    """Every category with its unanswered statements (in questionnaire order) and the progress."""
    page_of = {c.pk: i for i, c in enumerate(categories, start=1)}
    sections = {c.pk: SummarySection(c, page_of[c.pk]) for c in categories}
    answers = _draft_answers(draft)
    statements = get_questionnaire_structure(draft.round.questionnaire_id).statements
    first = None
    total = 0
    for statement in statements:
        total += 1
        if statement.pk in answers:
            continue
        category_id = statement.capability.category_id
        row = StatementRow(statement, None, False, page_of.get(category_id, 1))
        if category_id in sections:
            sections[category_id].unanswered.append(row)
        if first is None:
            first = row
    ordered = [sections[c.pk] for c in categories]
    # The statements come in the model's default order (dimension, category, capability, position), so the
    # first unanswered row is the first in questionnaire order.
    return Summary(ordered, Progress(len(answers), total), first)
