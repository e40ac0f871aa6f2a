"""Reads for the respondent's pages. Each returns what one page needs in a fixed number of queries, whatever
the number of statements."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..models import Category, Draft, Invitation, Round, Statement
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


def list_categories(questionnaire_id: int) -> list[Category]:
    return list(Category.objects.filter(version_id=questionnaire_id).select_related("dimension"))


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


def _draft_answers(draft: Draft) -> dict[int, int | None]:
    return dict(draft.answers.values_list("statement_id", "value"))


def get_questionnaire_page(draft: Draft, categories: list[Category], number: int) -> QuestionnairePage:
    """Page ``number`` (1-based, one category a page) with the draft's answers in place."""
    category = categories[number - 1]
    statements = list(
        Statement.objects.filter(capability__category=category).order_by(
            "capability__position", "position", "pk"
        )
    )
    answers = _draft_answers(draft)
    total = Statement.objects.filter(version_id=draft.round.questionnaire_id).count()
    rows = [StatementRow(s, answers.get(s.pk), s.pk in answers, number) for s in statements]
    return QuestionnairePage(number, len(categories), category, rows, Progress(len(answers), total))


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
    statements = Statement.objects.filter(version_id=draft.round.questionnaire_id).select_related(
        "capability"
    )
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
