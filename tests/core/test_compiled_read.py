"""dimios_web.compiled_read: the respondent's draft read as SQL written once, against what the ORM's
``select_related`` gives for the same row, column by column (dates, times with their zone, booleans,
JSON), on SQLite and on PostgreSQL (CI). The related objects are in the caches, so reading them runs no
query."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from surveys.models import Draft, Invitation, Organisation, QuestionnaireVersion, Round
from surveys.selectors.respond import get_draft_in_context
from tests.factories import InvitationFactory, RoundFactory, build_questionnaire

pytestmark = pytest.mark.django_db


def _columns(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def _orm(draft_id: int) -> Draft:
    return Draft.objects.select_related("round__organisation", "round__questionnaire", "invitation").get(
        pk=draft_id
    )


@pytest.fixture
def personal_draft():
    round_ = RoundFactory(
        questionnaire=build_questionnaire(categories_per_dimension=1, statements_per_category=2),
        message_texts={"invitation": {"sv": "Hej ”Åsa” – välkommen"}},
        reminder_days=[3, 7],
        closes_on=datetime.date(2026, 11, 30),
        open_link_enabled=True,
    )
    invitation = InvitationFactory(round=round_, started_on=datetime.date(2026, 10, 2))
    return Draft.objects.create(round=round_, invitation=invitation)


def test_the_personal_draft_is_the_orms_row_column_for_column(personal_draft):
    read = get_draft_in_context(
        personal_draft.pk, personal_draft.round_id, invitation_id=personal_draft.invitation_id
    )
    expected = _orm(personal_draft.pk)
    assert _columns(read) == _columns(expected)
    assert _columns(read.round) == _columns(expected.round)
    assert _columns(read.round.organisation) == _columns(expected.round.organisation)
    assert _columns(read.round.questionnaire) == _columns(expected.round.questionnaire)
    assert _columns(read.invitation) == _columns(expected.invitation)
    # the types, not only equal values: JSON decoded, dates as dates, times aware, booleans as booleans
    assert read.round.message_texts == {"invitation": {"sv": "Hej ”Åsa” – välkommen"}}
    assert read.round.reminder_days == [3, 7]
    assert type(read.round.closes_on) is datetime.date
    assert read.created_at.tzinfo is not None
    assert read.round.open_link_enabled is True and read.invitation.submitted is False
    assert read._state.adding is False and read._state.db == "default"


def test_the_joined_objects_are_cached_as_select_related_caches_them(personal_draft):
    read = get_draft_in_context(
        personal_draft.pk, personal_draft.round_id, invitation_id=personal_draft.invitation_id
    )
    with CaptureQueriesContext(connection) as captured:
        assert isinstance(read.round, Round)
        assert isinstance(read.round.organisation, Organisation)
        assert isinstance(read.round.questionnaire, QuestionnaireVersion)
        assert isinstance(read.invitation, Invitation)
        assert read.invitation.draft is read  # the one-to-one's other side, as the ORM fills it
    assert len(captured) == 0


def test_an_open_link_draft_has_no_invitation(personal_draft):
    round_ = personal_draft.round
    draft = Draft.objects.create(round=round_, open_key_hash="a" * 64)
    read = get_draft_in_context(draft.pk, round_.pk, invitation_id=None, open_key_hash="a" * 64)
    with CaptureQueriesContext(connection) as captured:
        assert read.invitation is None
    assert len(captured) == 0
    assert _columns(read) == _columns(_orm(draft.pk))


def test_another_owner_or_round_reads_nothing(personal_draft):
    draft, round_id = personal_draft, personal_draft.round_id
    other = InvitationFactory(round=draft.round)
    assert get_draft_in_context(draft.pk, round_id, invitation_id=other.pk) is None
    assert get_draft_in_context(draft.pk, round_id + 1000, invitation_id=draft.invitation_id) is None
    assert get_draft_in_context(draft.pk, round_id, invitation_id=None, open_key_hash="") is None
    Draft.objects.create(round=draft.round, open_key_hash="b" * 64)
    assert get_draft_in_context(draft.pk, round_id, invitation_id=None, open_key_hash="b" * 64) is None
